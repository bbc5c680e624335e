"""The member's side of "Write to the network": the opt-in and the one-click unsubscribe.

A blueprint of its own (`news`) because its pages are not under /equipe."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.accounts.forms import EmptyForm
from network.admin import broadcast
from network.admin.forms import NewsForm
from network.core.web import render_form, submit

bp = Blueprint("news", __name__, url_prefix="/nouvelles")


@bp.route("/", methods=["GET", "POST"])
@login_required
def preference():
    form = NewsForm()
    if not form.is_submitted():
        form.subscribed.data = broadcast.is_subscribed(current_user)
    done = submit(form, lambda: broadcast.set_subscription(
        current_user, bool(form.subscribed.data), acting=current_user))
    if done.ok:
        flash(_("Vous recevrez les nouvelles du réseau.") if done.value.is_subscribed
              else _("Vous ne recevrez plus les nouvelles du réseau."), "success")
        return redirect(url_for(".preference"))
    return render_form("admin/news_preference.html", form,
                       verified=current_user.is_verified)


@bp.route("/desabonnement/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET shows one button (mail scanners follow links: they must not unsubscribe anyone);
    POST unsubscribes, with no login."""
    form = EmptyForm()
    if form.validate_on_submit():
        broadcast.unsubscribe_by_token(token)
        return render_template("admin/unsubscribed.html", done=True)
    broadcast.read_token(broadcast.UNSUBSCRIBE, token, max_age=None)  # a bad link: 400 page
    return render_template("admin/unsubscribed.html", done=False, form=form)
