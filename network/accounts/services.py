"""Account use cases: plain functions, one commit each, mail queued in the same transaction."""

from __future__ import annotations

import functools
import json
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from network.accounts.models import (
    Organisation,
    OrganisationKind,
    OrganisationMember,
    OrgRole,
    User,
    new_secret_token,
)
from network.accounts.passwords import password_problem
from network.core import gdpr
from network.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from network.core.time import utcnow
from network.core.tokens import make_token, read_token
from network.core.urls import external_url
from network.extensions import db
from network.outbox import services as outbox

VERIFY = "verify-email"
RESET = "password-reset"
CHANGE_EMAIL = "change-email"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def get_user(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def get_user_by_session_token(token: str) -> User | None:
    return db.session.scalar(select(User).where(User.session_token == token))


def check_password(password: str, *, email: str = "", name: str = "") -> None:
    problem = password_problem(
        password,
        min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        user_inputs=[email, email.split("@")[0], *name.split()],
    )
    if problem:
        raise ValidationError(problem, "weak_password", field="password")


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _queue_verification(user: User) -> None:
    token = make_token(VERIFY, {"id": user.id, "email": user.email})
    outbox.enqueue(
        user.email,
        "verify_email",
        subject="Confirmez votre adresse e-mail",
        context={"user": user, "link": external_url("accounts.verify", token=token)},
    )


def sign_up(*, name: str, email: str, password: str) -> User:
    email = normalize_email(email)
    name = name.strip()
    if not name:
        raise ValidationError("Indiquez votre nom.", "name_required", field="name")
    check_password(password, email=email, name=name)
    existing = get_user_by_email(email)
    if existing is not None:
        # Same answer as a new sign-up would get, so that nobody learns who has an account.
        if existing.is_verified:
            outbox.enqueue(
                existing.email, "already_registered",
                subject="Vous avez déjà un compte",
                context={"user": existing,
                         "reset_link": external_url("accounts.forgot_password")},
            )
        else:
            _queue_verification(existing)
        db.session.commit()
        return existing
    user = User(email=email, name=name, password_hash=_hash(password))
    db.session.add(user)
    db.session.flush()
    _queue_verification(user)
    db.session.commit()
    return user


def resend_verification(user: User) -> None:
    if user.is_verified:
        return
    _queue_verification(user)
    db.session.commit()


def verify_email(token: str) -> User:
    data = read_token(VERIFY, token, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = get_user(int(data.get("id", 0)))
    if user is None or user.email != data.get("email"):
        raise DomainError("Ce lien ne correspond plus à votre adresse.", "token_invalid")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        db.session.commit()
    return user


@functools.cache
def _dummy_hash(method: str) -> str:
    """Hashed with the configured cost, so unknown addresses take as long as known ones."""
    return generate_password_hash("timing-equaliser", method=method)


def authenticate(email: str, password: str) -> User:
    user = get_user_by_email(email)
    # Hash even for unknown addresses so that timing does not tell who has an account.
    valid = check_password_hash(
        user.password_hash if user else _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]),
        password)
    if user is None or not valid:
        raise DomainError("Adresse e-mail ou mot de passe incorrect.", "bad_credentials",
                          field="password")
    if not user.is_active_account:
        raise DomainError("Ce compte est désactivé.", "inactive", field="email")
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def _reset_fingerprint(user: User) -> str:
    # The token dies with the password it was issued for: single use.
    return user.password_hash[-16:]


def request_password_reset(email: str) -> None:
    """Silent when the address is unknown: the page says the same either way."""
    user = get_user_by_email(email)
    if user is None or not user.is_active_account:
        return
    token = make_token(RESET, {"id": user.id, "fp": _reset_fingerprint(user)})
    outbox.enqueue(
        user.email, "password_reset",
        subject="Réinitialisation de votre mot de passe",
        context={"user": user, "link": external_url("accounts.reset_password", token=token),
                 "minutes": current_app.config["PASSWORD_RESET_MAX_AGE"] // 60},
    )
    db.session.commit()


def user_for_reset_token(token: str) -> User:
    data = read_token(RESET, token, current_app.config["PASSWORD_RESET_MAX_AGE"])
    user = get_user(int(data.get("id", 0)))
    if user is None or data.get("fp") != _reset_fingerprint(user):
        raise DomainError("Ce lien a déjà servi ou n'est plus valide.", "token_used")
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    check_password(new_password, email=user.email, name=user.name)
    user.password_hash = _hash(new_password)
    user.session_token = new_secret_token()  # log out everywhere else
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the link proved the address
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    if not check_password_hash(user.password_hash, current_password):
        raise ValidationError("Mot de passe actuel incorrect.", "bad_credentials",
                              field="current_password")
    check_password(new_password, email=user.email, name=user.name)
    user.password_hash = _hash(new_password)
    user.session_token = new_secret_token()
    db.session.commit()


def request_email_change(user: User, new_email: str, password: str) -> None:
    if not check_password_hash(user.password_hash, password):
        raise ValidationError("Mot de passe incorrect.", "bad_credentials", field="password")
    new_email = normalize_email(new_email)
    if new_email == user.email:
        raise ValidationError("C'est déjà votre adresse.", "same_email", field="email")
    if get_user_by_email(new_email) is not None:
        raise Conflict("Cette adresse est déjà utilisée par un autre compte.", "email_taken",
                       field="email")
    token = make_token(CHANGE_EMAIL, {"id": user.id, "old": user.email, "new": new_email})
    outbox.enqueue(
        new_email, "change_email",
        subject="Confirmez votre nouvelle adresse e-mail",
        context={"user": user, "link": external_url("accounts.confirm_email_change",
                                                    token=token)},
    )
    outbox.enqueue(
        user.email, "email_change_notice",
        subject="Changement d'adresse e-mail demandé",
        context={"user": user, "new_email": new_email},
    )
    db.session.commit()


def confirm_email_change(token: str) -> User:
    data = read_token(CHANGE_EMAIL, token, current_app.config["EMAIL_VERIFY_MAX_AGE"])
    user = get_user(int(data.get("id", 0)))
    if user is None or user.email != data.get("old"):
        raise DomainError("Ce lien a déjà servi ou n'est plus valide.", "token_used")
    if get_user_by_email(data["new"]) is not None:
        raise Conflict("Cette adresse est déjà utilisée par un autre compte.", "email_taken")
    user.email = data["new"]
    user.email_verified_at = utcnow()
    db.session.commit()
    return user


def export_data(user: User) -> dict:
    """Everything we hold about a person (GDPR art. 15 and 20), as plain JSON values."""
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


def delete_account(user: User, password: str) -> None:
    if not check_password_hash(user.password_hash, password):
        raise ValidationError("Mot de passe incorrect.", "bad_credentials", field="password")
    org = _sole_owner_of_shared(user)
    if org is not None:
        raise Conflict(
            f"Vous êtes le seul responsable de « {org.name} » : "
            "nommez un autre responsable avant de supprimer votre compte.",
            "last_owner", field="password",
        )
    _erase(user)
    db.session.commit()


def _erase(user: User) -> None:
    """Every domain forgets the person (GDPR registry), then the account goes."""
    gdpr.erase_everywhere(user)
    db.session.delete(user)


def purge_inactive(*, older_than: timedelta, now: datetime | None = None) -> list[str]:
    """Delete accounts unused for `older_than` (privacy page: three years), staff excepted.

    Each goes through the same erasure as "delete my account"; an account that is the last
    owner of an organisation shared with others is kept, so the organisation is not orphaned.
    """
    cutoff = (now or utcnow()) - older_than
    last_seen = func.coalesce(User.last_login_at, User.created_at)
    candidates = db.session.scalars(
        select(User).where(User.is_staff.is_(False), last_seen < cutoff)).all()
    removed = []
    for user in candidates:
        if _sole_owner_of_shared(user) is not None:
            continue
        removed.append(user.email)
        _erase(user)
    db.session.commit()
    return removed


def _sole_owner_of_shared(user: User) -> Organisation | None:
    """An organisation that others share and that would be left without an owner."""
    for m in user.memberships:
        owners = [x for x in m.organisation.members if x.role == OrgRole.OWNER]
        others = [x for x in m.organisation.members if x.user_id != user.id]
        if m.role == OrgRole.OWNER and len(owners) == 1 and others:
            return m.organisation
    return None


def set_locale(user: User, locale: str) -> None:
    if locale in current_app.config["LANGUAGES"]:
        user.locale = locale
        db.session.commit()


def reset_calendar_token(user: User) -> str:
    user.calendar_token = new_secret_token()
    db.session.commit()
    return user.calendar_token


def create_staff(email: str, *, name: str | None = None, password: str | None = None) -> User:
    """Create or promote a staff account (CLI); a new one must then set its password."""
    user = get_user_by_email(email)
    if user is None:
        if not password:
            raise ValidationError("Un mot de passe est nécessaire pour créer le compte.",
                                  "password_required")
        check_password(password, email=email, name=name or "")
        user = User(email=normalize_email(email), name=name or email.split("@")[0],
                    password_hash=_hash(password), email_verified_at=utcnow())
        db.session.add(user)
    user.is_staff = True
    db.session.commit()
    return user


def list_users(search: str = "") -> list[User]:
    query = select(User).order_by(func.lower(User.name))
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(func.lower(User.email).like(like) | func.lower(User.name).like(like))
    return list(db.session.scalars(query.limit(200)))


# --- organisations: the membership model the directory and ESSpresso build on ---------------

def create_organisation(owner: User, *, name: str, kind: OrganisationKind) -> Organisation:
    """Adds the organisation with `owner` as its first owner; the caller commits."""
    org = Organisation(name=name.strip(), kind=kind)
    org.members.append(OrganisationMember(user=owner, role=OrgRole.OWNER))
    db.session.add(org)
    db.session.flush()
    return org


def rename_organisation(org_id: int, name: str) -> Organisation:
    """Keeps the organisation's name in step with its profile; the caller commits."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("Organisation introuvable.")
    org.name = name.strip()
    return org


def get_membership(org_id: int, user_id: int) -> OrganisationMember | None:
    return db.session.scalar(select(OrganisationMember).where(
        OrganisationMember.organisation_id == org_id, OrganisationMember.user_id == user_id))


def can_edit(user: User | None, org_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or user.role_in(org_id) is not None


def can_manage_members(user: User | None, org_id: int) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or user.role_in(org_id) == OrgRole.OWNER


def set_member(org_id: int, user: User, role: OrgRole, *, acting: User,
               by_invitation: bool = False) -> OrganisationMember:
    """Add or change a member; the last owner can never be demoted. `by_invitation`: the
    invitee acts, the caller having checked an invitation addressed to their address."""
    invited = by_invitation and getattr(acting, "id", None) == user.id
    if not (invited or can_manage_members(acting, org_id)):
        raise PermissionDenied("Seuls les responsables de la structure peuvent faire cela.")
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise NotFound("Organisation introuvable.")
    member = get_membership(org_id, user.id)
    if member is None:
        member = OrganisationMember(organisation=org, user=user, role=role)
        db.session.add(member)
    else:
        if member.role == OrgRole.OWNER and role != OrgRole.OWNER:
            _ensure_not_last_owner(org, user)
        member.role = role
    db.session.flush()
    return member


def remove_member(org_id: int, user: User, *, acting: User) -> None:
    if acting.id != user.id and not can_manage_members(acting, org_id):
        raise PermissionDenied("Seuls les responsables de la structure peuvent faire cela.")
    member = get_membership(org_id, user.id)
    if member is None:
        raise NotFound("Cette personne n'est pas membre.")
    if member.role == OrgRole.OWNER:
        _ensure_not_last_owner(member.organisation, user)
    org = member.organisation
    db.session.delete(member)
    db.session.flush()
    db.session.expire(org, ["members"])  # no commit here to refresh the collections
    db.session.expire(user, ["memberships"])


def _ensure_not_last_owner(org: Organisation, user: User) -> None:
    owners = [m for m in org.members if m.role == OrgRole.OWNER and m.user_id != user.id]
    if not owners:
        raise Conflict("La structure doit garder au moins un responsable.", "last_owner")



def count_users() -> tuple[int, int]:
    """(accounts, verified accounts), for the staff dashboard."""
    total = db.session.scalar(select(func.count(User.id))) or 0
    verified = db.session.scalar(
        select(func.count(User.id)).where(User.email_verified_at.is_not(None))) or 0
    return total, verified
