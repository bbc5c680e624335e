"""Write to the network: staff send one message to the members of published structures,
filtered by territory, sector or legal form, through the outbox.

Only people who opted in to the network's news (`NewsConsent`) with a verified address on an
active account receive it; every mail carries a signed one-click unsubscribe link.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from network.accounts.models import OrganisationMember, User
from network.admin.figures import is_code
from network.admin.models import AccountAction, Broadcast, NewsConsent
from network.core import signals
from network.core.auth import is_user, require, require_staff
from network.core.errors import FieldErrors
from network.core.text import single_line
from network.core.time import utcnow
from network.core.tokens import make_token, read_token
from network.core.urls import external_url
from network.directory.models import (
    LEGAL_FORMS,
    LegalForm,
    Sector,
    Structure,
    StructureStatus,
    Territory,
    structure_sectors,
)
from network.extensions import db
from network.outbox import services as outbox

UNSUBSCRIBE = "news-unsubscribe"
MAX_BODY = 20_000


def check_filters(territory: str = "", sector: str = "", legal_form: str = "", *,
                  errors: FieldErrors | None = None) -> dict[str, str]:
    """Codes from the form, every unknown one named at once (added to `errors` if given)."""
    own = errors is None
    errors = FieldErrors() if errors is None else errors
    out = {}
    if territory:
        if not is_code(territory) or db.session.scalar(
                select(Territory.id).where(Territory.code == territory)) is None:
            errors.add("territory", _("Territoire inconnu."), "unknown_territory")
        out["territory"] = territory
    if sector:
        if not is_code(sector) or db.session.scalar(
                select(Sector.id).where(Sector.code == sector)) is None:
            errors.add("sector", _("Secteur inconnu."), "unknown_sector")
        out["sector"] = sector
    if legal_form:
        if legal_form not in {f.value for f in LegalForm}:
            errors.add("legal_form", _("Forme juridique inconnue."), "unknown_legal_form")
        out["legal_form"] = legal_form
    if own:
        errors.check()
    return out


def recipients(filters: dict[str, str]) -> list[User]:
    """Members (owner or editor) of a published structure matching every filter, opted in,
    verified and active; each person once."""
    q = (select(User).distinct()
         .join(OrganisationMember, OrganisationMember.user_id == User.id)
         .join(Structure, Structure.organisation_id == OrganisationMember.organisation_id)
         .join(NewsConsent, NewsConsent.user_id == User.id)
         .where(Structure.status == StructureStatus.APPROVED, NewsConsent.is_subscribed,
                User.email_verified_at.is_not(None), User.is_active_account))
    if filters.get("territory"):
        q = q.join(Territory, Territory.id == Structure.territory_id).where(
            Territory.code == filters["territory"])
    if filters.get("legal_form"):
        q = q.where(Structure.legal_form == LegalForm(filters["legal_form"]))
    if filters.get("sector"):
        sector = db.session.scalar(select(Sector).where(Sector.code == filters["sector"]))
        ids = [sector.id, *(c.id for c in sector.children)] if sector else [-1]
        q = q.where(Structure.id.in_(select(structure_sectors.c.structure_id).where(
            structure_sectors.c.sector_id.in_(ids))))
    return list(db.session.scalars(q.order_by(User.id)))


def send(subject: str, body: str, filters: dict[str, str], *, acting: Any) -> Broadcast:
    require_staff(acting)
    subject = single_line(subject, max_length=10_000)
    body = (body or "").replace("\x00", "").strip()
    errors = FieldErrors()
    if not subject:
        errors.add("subject", _("Indiquez un objet."), "message_required")
    elif len(subject) > 200:
        errors.add("subject", _("%(n)s caractères au plus.", n=200), "too_long")
    if not body:
        errors.add("body", _("Indiquez un message."), "message_required")
    elif len(body) > MAX_BODY:
        errors.add("body", _("%(n)s caractères au plus.", n=MAX_BODY), "too_long")
    filters = check_filters(**filters, errors=errors)
    errors.check()
    people = recipients(filters)
    for person in people:
        link = external_url("news.unsubscribe",
                            token=make_token(UNSUBSCRIBE, {"id": person.id}))
        outbox.enqueue(person.email, "admin_broadcast", subject=subject,
                       context={"user": person, "message": body, "unsubscribe": link})
    row = Broadcast(subject=subject, body=body, filters=filters, recipients=len(people),
                    sent_by_id=acting.id)
    db.session.add(row)
    db.session.flush()
    return row


def list_broadcasts(limit: int = 50) -> list[Broadcast]:
    return list(db.session.scalars(select(Broadcast).order_by(Broadcast.id.desc()).limit(limit)))


def is_subscribed(user: User) -> bool:
    row = db.session.get(NewsConsent, user.id)
    return bool(row and row.is_subscribed)


def set_subscription(user: User, subscribed: bool, *, acting: Any) -> NewsConsent:
    """A person changes their own choice (staff cannot opt someone in)."""
    require(is_user(acting) and acting.id == user.id)
    row = db.session.get(NewsConsent, user.id)
    if row is None:
        row = NewsConsent(user_id=user.id)
        db.session.add(row)
    row.is_subscribed = subscribed
    row.changed_at = utcnow()
    db.session.flush()
    return row


def unsubscribe_by_token(token: str) -> User | None:
    """The signed link in every message: no expiry, no login; says nothing about others."""
    payload = read_token(UNSUBSCRIBE, token, max_age=None)
    user = db.session.get(User, int(payload.get("id", 0))) if isinstance(payload, dict) \
        else None
    if user is None:
        return None
    row = db.session.get(NewsConsent, user.id)
    if row is not None and row.is_subscribed:
        row.is_subscribed = False
        row.changed_at = utcnow()
        db.session.flush()
    return user


def legal_form_choices() -> list[tuple[str, str]]:
    return [(f.value, label) for f, (label, _code) in LEGAL_FORMS.items()]


# --- personal data: the news choice is exported; the accounts journal forgets the address ---


@signals.personal_data_export.connect
def _export(user) -> tuple[str, dict[str, Any]]:
    row = db.session.get(NewsConsent, user.id)
    return "nouvelles_du_reseau", {
        "inscrit": bool(row and row.is_subscribed),
        "modifie_le": row.changed_at.isoformat() if row else None}


@signals.personal_data_erase.connect
def _erase(user) -> None:
    """The consent row goes with the account (cascade); the journal keeps what staff did but
    no longer names the erased person."""
    db.session.execute(update(AccountAction).where(AccountAction.user_id == user.id)
                       .values(user_email=ERASED, user_id=None))
    db.session.execute(update(AccountAction).where(AccountAction.actor_id == user.id)
                       .values(actor_id=None))
    db.session.flush()


ERASED = "(compte supprimé)"
