"""Staff actions on accounts, each written to the journal (who did what, when).

Accounts' own rows are changed here only through the fields accounts owns for this purpose
(`is_active_account`, `is_staff`, `session_token`) and its `resend_verification` service.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select

from network.accounts import services as accounts
from network.accounts.models import User, new_secret_token
from network.admin.models import AccountAction
from network.core.auth import require_staff
from network.core.errors import Conflict, NotFound
from network.extensions import db

ACTIONS = {
    "deactivate": lazy_gettext("Compte désactivé"),
    "reactivate": lazy_gettext("Compte réactivé"),
    "resend": lazy_gettext("Lien de confirmation renvoyé"),
    "grant_staff": lazy_gettext("Rôle équipe accordé"),
    "remove_staff": lazy_gettext("Rôle équipe retiré"),
}


def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("Ce compte n'existe pas."), "user_not_found")
    return user


def _journal(user: User, action: str, acting: Any) -> AccountAction:
    row = AccountAction(user_id=user.id, user_email=user.email, actor_id=acting.id,
                        actor_name=acting.name, action=action)
    db.session.add(row)
    db.session.flush()
    return row


def _not_self(user: User, acting: Any) -> None:
    if user.id == acting.id:
        raise Conflict(_("Vous ne pouvez pas faire cela sur votre propre compte."), "self")


def apply(user: User, action: str, *, acting: Any) -> AccountAction:
    """One of ACTIONS; refuses what would change nothing or lock staff out of themselves."""
    require_staff(acting)
    if action not in ACTIONS:
        raise NotFound(_("Action inconnue."), "unknown_action")
    if action == "deactivate":
        _not_self(user, acting)
        if not user.is_active_account:
            raise Conflict(_("Ce compte est déjà désactivé."), "already_inactive")
        user.is_active_account = False
        user.session_token = new_secret_token()  # every open session ends now
    elif action == "reactivate":
        if user.is_active_account:
            raise Conflict(_("Ce compte est déjà actif."), "already_active")
        user.is_active_account = True
    elif action == "resend":
        if user.is_verified:
            raise Conflict(_("Cette adresse est déjà confirmée."), "already_verified")
        if not user.is_active_account:
            raise Conflict(_("Réactivez d'abord ce compte."), "inactive")
        accounts.staff_resend_verification(user, acting=acting)
    elif action == "grant_staff":
        if user.is_staff:
            raise Conflict(_("Ce compte fait déjà partie de l'équipe."), "already_staff")
        if not user.is_verified:
            raise Conflict(_("L'adresse de ce compte n'est pas confirmée."), "unverified")
        user.is_staff = True
    elif action == "remove_staff":
        _not_self(user, acting)
        if not user.is_staff:
            raise Conflict(_("Ce compte ne fait pas partie de l'équipe."), "not_staff")
        user.is_staff = False
        user.session_token = new_secret_token()
    return _journal(user, action, acting)


def journal(user: User | None = None, limit: int = 200) -> list[AccountAction]:
    q = select(AccountAction).order_by(AccountAction.id.desc()).limit(limit)
    if user is not None:
        q = q.where(AccountAction.user_id == user.id)
    return list(db.session.scalars(q))
