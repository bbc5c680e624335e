"""Account use cases: plain functions that check who acts, flush and never commit.

The edge that calls them (a request, a CLI command) commits the whole use case at once.
Mail is queued in the same transaction. Anything another domain matches by e-mail address
requires a verified one: an unverified account may only log in, see its account, change
its address, resend the verification, change its password and delete itself.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from network.accounts.models import (
    User,
    new_secret_token,
)
from network.accounts.organisations import (  # other domains call them as accounts.…
    can_edit,
    can_manage_members,
    create_organisation,
    get_membership,
    join_by_invitation,
    remove_member,
    rename_organisation,
    set_member,
    sole_owner_of_shared,
)
from network.accounts.passwords import password_problem
from network.core import gdpr, i18n, signals
from network.core.auth import (
    System,
    is_staff,
    is_user,
    require,
    require_staff,
)
from network.core.errors import Conflict, DomainError, FieldErrors, ValidationError
from network.core.text import check_email, normalize_email, single_line
from network.core.time import utcnow
from network.core.tokens import make_token, read_token
from network.core.urls import external_url
from network.extensions import db
from network.outbox import services as outbox
from network.outbox.models import OutboxMessage

__all__ = ["normalize_email", "can_edit", "can_manage_members", "create_organisation",
           "get_membership", "join_by_invitation", "remove_member", "rename_organisation",
           "set_member"]

VERIFY = "verify-email"
RESET = "password-reset"
CHANGE_EMAIL = "change-email"
#: Mails an address may receive per hour from the account pages (reset, sign-up again).
MAILS_PER_ADDRESS_PER_HOUR = 3
MAX_NAME_LENGTH = 120


# --- reading --------------------------------------------------------------------------------

def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def get_user_by_session_token(token: str) -> User | None:
    return db.session.scalar(select(User).where(User.session_token == token))


def count_users() -> tuple[int, int]:
    """(accounts, verified accounts), for the staff dashboard."""
    total = db.session.scalar(select(func.count(User.id))) or 0
    verified = db.session.scalar(
        select(func.count(User.id)).where(User.email_verified_at.is_not(None))) or 0
    return total, verified


def list_users(search: str = "", *, acting: Any) -> list[User]:
    require_staff(acting)
    query = select(User).order_by(func.lower(User.name))
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(func.lower(User.email).like(like) | func.lower(User.name).like(like))
    return list(db.session.scalars(query.limit(200)))


# --- passwords ------------------------------------------------------------------------------

def check_password(password: str, *, email: str = "", name: str = "",
                   errors: FieldErrors | None = None, field: str = "password") -> None:
    """Add the password's problem to `errors` (or raise at once when none is given)."""
    problem = password_problem(
        password or "",
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        user_inputs=[email, email.split("@")[0], *name.split()],
    )
    if problem:
        collector = errors if errors is not None else FieldErrors()
        collector.add(field, problem, "weak_password")
        if errors is None:
            collector.check()


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _password_matches(user: User, password: str | None) -> bool:
    return bool(password) and check_password_hash(user.password_hash, password or "")


def _fingerprint(user: User) -> str:
    # Links die with the password they were issued for: a reset link is single use, and a
    # verification link is void once someone else signs up again with the address.
    return user.password_hash[-16:]


def _require_self(acting: Any) -> User:
    require(is_user(acting), _("Connectez-vous pour faire cela."), "login_required")
    return acting


def _recent_mails(address: str, kinds: tuple[str, ...], *, now: datetime | None = None) -> int:
    """Mails of these kinds queued for the address in the last hour (read from the outbox
    table: every worker sees the same count, nothing lives in process memory)."""
    since = (now or utcnow()) - timedelta(hours=1)
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.to_address == address, OutboxMessage.kind.in_(kinds),
            OutboxMessage.created_at >= since)) or 0


# --- sign-up and verification ----------------------------------------------------------------

def _queue_verification(user: User) -> None:
    token = make_token(VERIFY, {"id": user.id, "email": user.email, "fp": _fingerprint(user)})
    outbox.enqueue(
        user.email,
        "verify_email",
        subject=_l("Confirmez votre adresse e-mail"),
        context={"user": user, "link": external_url("accounts.verify", token=token)},
    )


def _check_name(name: str | None, errors: FieldErrors, field: str = "name") -> str:
    name = single_line(name, max_length=10_000)
    if not name:
        errors.add(field, _("Indiquez votre nom."), "name_required")
    elif len(name) > MAX_NAME_LENGTH:
        errors.add(field, _("Le nom ne peut pas dépasser %(n)s caractères.", n=MAX_NAME_LENGTH),
                   "name_too_long")
    return name


def sign_up(*, name: str, email: str, password: str, locale: str | None = None) -> User:
    """Create an account, or — for a known address — do the same work and tell its owner.

    Every path hashes the password once, queues one mail and flushes, so that neither the
    answer nor its time says whether the address has an account. An address never verified
    proves nothing: signing up again with it replaces the name and password (the person who
    reads the mailbox decides, by the link bound to the latest password). `locale`, the
    language the person signed up in (by default the page's), becomes the account's (and its
    mail's) language."""
    errors = FieldErrors()
    locale = i18n.valid(locale) or i18n.current()
    name = _check_name(name, errors)
    try:
        email = check_email(email)
    except ValidationError as err:
        errors.add("email", err.message, err.code)
        email = normalize_email(email)
    check_password(password, email=email, name=name, errors=errors)
    errors.check()
    password_hash = _hash(password)  # in every path, so that all take the same time
    user = get_user_by_email(email)
    if user is None:
        user = User(email=email, name=name, password_hash=password_hash, locale=locale)
        db.session.add(user)
        db.session.flush()
        _queue_verification(user)
    elif user.is_verified:
        if _recent_mails(email, ("already_registered", "verify_email")) \
                < MAILS_PER_ADDRESS_PER_HOUR:
            outbox.enqueue(
                user.email, "already_registered",
                subject=_l("Vous avez déjà un compte"),
                context={"user": user,
                         "reset_link": external_url("accounts.forgot_password")},
            )
    else:
        user.name, user.password_hash = name, password_hash
        user.locale = locale or user.locale
        user.session_token = new_secret_token()  # whoever signed up before is logged out
        if _recent_mails(email, ("already_registered", "verify_email")) \
                < MAILS_PER_ADDRESS_PER_HOUR:
            _queue_verification(user)
    db.session.flush()
    return user


def resend_verification(*, acting: Any) -> None:
    user = _require_self(acting)
    if user.is_verified:
        return
    if _recent_mails(user.email, ("verify_email",)) >= MAILS_PER_ADDRESS_PER_HOUR:
        raise DomainError(_("Plusieurs liens vous ont déjà été envoyés dans l'heure : "
                            "vérifiez vos courriels (et les indésirables)."), "too_many_mails")
    _queue_verification(user)


def staff_resend_verification(user: User, *, acting: Any) -> None:
    """Staff send the verification link again to someone who lost it (same hourly cap)."""
    require_staff(acting)
    if user.is_verified:
        return
    if _recent_mails(user.email, ("verify_email",)) >= MAILS_PER_ADDRESS_PER_HOUR:
        raise DomainError(_("Plusieurs liens ont déjà été envoyés à cette adresse dans "
                            "l'heure."), "too_many_mails")
    _queue_verification(user)


def verify_email(token: str) -> tuple[User, bool]:
    """(the account, True when this link has just verified it). Announces `email_verified`."""
    data = read_token(VERIFY, token, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = get_user(_int(data.get("id")))
    if user is None or user.email != data.get("email") or data.get("fp") != _fingerprint(user):
        raise DomainError(_("Ce lien ne correspond plus à votre adresse."), "token_invalid")
    if user.email_verified_at is not None:
        return user, False
    _mark_verified(user)
    return user, True


def _mark_verified(user: User) -> None:
    user.email_verified_at = utcnow()
    db.session.flush()
    signals.email_verified.send(user)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


# --- log-in, log-out -------------------------------------------------------------------------

_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash(method: str) -> str:
    """Hashed with the configured cost, so unknown addresses take as long as known ones."""
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("timing-equaliser", method=method)
    return _DUMMY_HASHES[method]


def authenticate(email: str, password: str) -> User:
    """Check the password (the second factor, when enrolled, is asked next by the view)."""
    user = get_user_by_email(email)
    # Hash even for unknown addresses so that timing does not tell who has an account.
    valid = check_password_hash(
        user.password_hash if user else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]),
        password or "")
    if user is None or not valid:
        raise ValidationError(_("Adresse e-mail ou mot de passe incorrect."), "bad_credentials",
                              field="password")
    if not user.is_active_account:
        raise DomainError(_("Ce compte est désactivé."), "inactive", field="email")
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


def end_sessions(*, acting: Any) -> None:
    """Log-out: a new session token, so any copy of the session or remember-me cookie taken
    before (another browser, a stolen cookie) no longer opens the account."""
    user = _require_self(acting)
    user.session_token = new_secret_token()
    db.session.flush()


# --- password reset --------------------------------------------------------------------------

def request_password_reset(email: str) -> None:
    """Silent when the address is unknown or has had its share of reset mails this hour: the
    page says the same either way."""
    try:
        email = check_email(email)
    except ValidationError:
        return
    user = get_user_by_email(email)
    if user is None or not user.is_active_account:
        return
    if _recent_mails(user.email, ("password_reset",)) >= MAILS_PER_ADDRESS_PER_HOUR:
        return
    token = make_token(RESET, {"id": user.id, "fp": _fingerprint(user)})
    outbox.enqueue(
        user.email, "password_reset",
        subject=_l("Réinitialisation de votre mot de passe"),
        context={"user": user, "link": external_url("accounts.reset_password", token=token),
                 "minutes": current_app.config["PASSWORD_RESET_MAX_AGE"] // 60},
    )


def user_for_reset_token(token: str) -> User:
    data = read_token(RESET, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = get_user(_int(data.get("id")))
    if user is None or data.get("fp") != _fingerprint(user):
        raise DomainError(_("Ce lien a déjà servi ou n'est plus valide."), "token_used")
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    check_password(new_password, email=user.email, name=user.name)
    user.password_hash = _hash(new_password)
    user.session_token = new_secret_token()  # log out everywhere else
    if user.email_verified_at is None:
        _mark_verified(user)  # the link proved the address
    db.session.flush()
    return user


# --- the account page ------------------------------------------------------------------------

def change_password(*, acting: Any, current_password: str, new_password: str) -> None:
    user = _require_self(acting)
    errors = FieldErrors()
    if not _password_matches(user, current_password):
        errors.add("current_password", _("Mot de passe actuel incorrect."), "bad_credentials")
    check_password(new_password, email=user.email, name=user.name, errors=errors)
    errors.check()
    user.password_hash = _hash(new_password)
    user.session_token = new_secret_token()
    db.session.flush()


def request_email_change(*, acting: Any, new_email: str, password: str) -> str:
    """Mail a confirmation link to the new address (and a notice to the current one)."""
    user = _require_self(acting)
    errors = FieldErrors()
    if not _password_matches(user, password):
        errors.add("password", _("Mot de passe incorrect."), "bad_credentials")
    try:
        new_email = check_email(new_email)
    except ValidationError as err:
        errors.add("email", err.message, err.code)
    else:
        if new_email == user.email:
            errors.add("email", _("C'est déjà votre adresse."), "same_email")
    errors.check()
    if get_user_by_email(new_email) is not None:
        raise Conflict(_("Cette adresse est déjà utilisée par un autre compte."), "email_taken",
                       field="email")
    token = make_token(CHANGE_EMAIL, {"id": user.id, "old": user.email, "new": new_email})
    outbox.enqueue(
        new_email, "change_email", locale=user.locale,  # the new address has no account yet
        subject=_l("Confirmez votre nouvelle adresse e-mail"),
        context={"user": user, "link": external_url("accounts.confirm_email_change",
                                                    token=token)},
    )
    outbox.enqueue(
        user.email, "email_change_notice",
        subject=_l("Changement d'adresse e-mail demandé"),
        context={"user": user, "new_email": new_email},
        preview_safe=True,
    )
    return new_email


def confirm_email_change(token: str) -> User:
    data = read_token(CHANGE_EMAIL, token, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = get_user(_int(data.get("id")))
    if user is None or user.email != data.get("old") or not data.get("new"):
        raise DomainError(_("Ce lien a déjà servi ou n'est plus valide."), "token_used")
    if get_user_by_email(data["new"]) is not None:
        raise Conflict(_("Cette adresse est déjà utilisée par un autre compte."), "email_taken")
    user.email = data["new"]
    _mark_verified(user)
    return user


def export_data(acting: Any) -> dict:
    """Everything we hold about a person (GDPR art. 15 and 20), as plain JSON values."""
    user = _require_self(acting)
    data = {
        "compte": {
            "nom": user.name,
            "email": user.email,
            "langue": user.locale,
            "cree_le": user.created_at.isoformat(),
            "email_verifie_le": user.email_verified_at.isoformat()
            if user.email_verified_at else None,
            "derniere_connexion": user.last_login_at.isoformat() if user.last_login_at else None,
            "equipe_departement": user.is_staff,
            "second_facteur_active_le": user.totp_enabled_at.isoformat()
            if user.totp_enabled_at else None,
        },
        "organisations": [
            {"organisation": m.organisation.name, "type": m.organisation.kind.value,
             "role": m.role.value, "depuis": m.created_at.isoformat()}
            for m in user.memberships
        ],
    }
    data.update(gdpr.export_sections(user))
    json.dumps(data)  # fail here, not in the response, if a domain returns something odd
    return data


def delete_account(acting: Any, password: str) -> None:
    user = _require_self(acting)
    if not _password_matches(user, password):
        raise ValidationError(_("Mot de passe incorrect."), "bad_credentials", field="password")
    user.session_token = new_secret_token()  # every session ends (and, on SQLite, this write
    db.session.flush()                       # takes the lock before the owners are counted)
    org = sole_owner_of_shared(user.id)
    if org is not None:
        raise Conflict(
            _("Vous êtes le seul responsable de « %(name)s » : nommez un autre responsable "
              "avant de supprimer votre compte.", name=org.name),
            "last_owner", field="password",
        )
    _erase(user)


def _erase(user: User) -> None:
    """Every domain forgets the person (signals), then the account goes."""
    gdpr.erase_everywhere(user)
    db.session.delete(user)
    db.session.flush()


def purge_inactive(*, older_than: timedelta, acting: Any,
                   now: datetime | None = None) -> list[str]:
    """Delete accounts unused for `older_than` (privacy page: three years), staff excepted.

    Each goes through the same erasure as "delete my account"; an account that is the last
    owner of an organisation shared with others is kept, so the organisation is not orphaned.
    """
    require(isinstance(acting, System) or is_staff(acting))
    cutoff = (now or utcnow()) - older_than
    last_seen = func.coalesce(User.last_login_at, User.created_at)
    candidates = db.session.scalars(
        select(User).where(User.is_staff.is_(False), last_seen < cutoff)).all()
    removed = []
    for user in candidates:
        if sole_owner_of_shared(user.id) is not None:
            continue
        removed.append(user.email)
        _erase(user)
    return removed


def set_locale(locale: str, *, acting: Any) -> None:
    user = _require_self(acting)
    if locale in current_app.config["LANGUAGES"]:
        user.locale = locale
        db.session.flush()


def reset_calendar_token(*, acting: Any) -> str:
    user = _require_self(acting)
    user.calendar_token = new_secret_token()
    db.session.flush()
    return user.calendar_token


def create_staff(email: str, *, acting: Any, name: str | None = None,
                 password: str | None = None) -> User:
    """Create or promote a staff account (the CLI, or staff); a new one needs a password.
    A staff account enrols a second factor before it reaches any staff page."""
    require(isinstance(acting, System) or is_staff(acting), code="staff_only")
    errors = FieldErrors()
    email = check_email(email)
    user = get_user_by_email(email)
    if user is None:
        if not password:
            errors.add("password", _("Un mot de passe est nécessaire pour créer le compte."),
                       "password_required")
        else:
            check_password(password, email=email, name=name or "", errors=errors)
        errors.check()
        user = User(email=email, name=single_line(name, max_length=MAX_NAME_LENGTH)
                    or email.split("@")[0], password_hash=_hash(password),
                    email_verified_at=utcnow())
        db.session.add(user)
    user.is_staff = True
    db.session.flush()
    return user
