"""Espace équipe: figures and accounts; every other staff page lives in its domain."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from network.accounts import services as accounts
from network.admin import services
from network.core.auth import staff_required

bp = Blueprint("admin", __name__, url_prefix="/equipe")


@bp.get("/")
@staff_required
def index():
    return render_template("admin/index.html", sections=services.dashboard())


@bp.get("/comptes")
@staff_required
def users():
    q = request.args.get("q", "")
    return render_template("admin/users.html", q=q,
                           users=accounts.list_users(q, acting=current_user))
