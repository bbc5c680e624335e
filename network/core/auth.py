"""Role checks done on the server, for views and services alike."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def staff_required(view):
    """Only the Département's chargé(e)s de mission."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_staff:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def verified_required(view):
    """Actions that send mail or speak for an organisation need a verified address."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_verified:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
