"""Who acts, and role checks done on the server.

Every write service takes the acting party (`acting=`) and checks its right itself, so the
views, the CLI and the API cannot differ; views only map a refusal to an answer. Parties
that are not a logged-in user are named here, each with its own rights, never a borrowed one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user, login_required

from network.core.errors import PermissionDenied


@dataclass(frozen=True)
class Guest:
    """Someone without an account holding a signed link for one thing (`scope`, e.g.
    "registration:42"); the link proves they read mail at `email`."""

    email: str
    scope: str

    is_authenticated = False
    is_staff = False
    is_verified = False


@dataclass(frozen=True)
class DoorVolunteer:
    """A volunteer holding an event-scoped link, or a door device's token: may check people
    in for that event only. A device names who holds it, if anyone: its volunteer, or the
    staff member whose own scanner page asked for it (`user_id`, so that the scans that page
    uploads from its offline queue are theirs; it grants no staff right)."""

    event_id: int
    volunteer_id: int | None
    name: str = ""
    user_id: int | None = None

    is_authenticated = False
    is_staff = False
    is_verified = True


@dataclass(frozen=True)
class System:
    """The platform itself: CLI commands, the mail worker, scheduled jobs (`job` says which)."""

    job: str

    is_authenticated = False
    is_staff = False
    is_verified = False


def is_staff(acting: Any) -> bool:
    return bool(getattr(acting, "is_authenticated", False) and getattr(acting, "is_staff", False))


def is_user(acting: Any) -> bool:
    """A logged-in account (not a guest, volunteer or the system)."""
    return bool(getattr(acting, "is_authenticated", False))


def is_verified_user(acting: Any) -> bool:
    return is_user(acting) and bool(getattr(acting, "is_verified", False))


def require(allowed: bool, message: str | None = None, code: str = "forbidden") -> None:
    if not allowed:
        raise PermissionDenied(message or _("Vous n'avez pas le droit de faire cela."), code)


def require_staff(acting: Any) -> None:
    require(is_staff(acting), _("Réservé à l'équipe du réseau."), "staff_only")


def require_verified(acting: Any) -> None:
    require(is_verified_user(acting),
            _("Confirmez d'abord votre adresse e-mail (lien reçu par courriel)."), "unverified")


def staff_required(view):
    """Only the Département's chargé·es de mission (the service checks again)."""

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
