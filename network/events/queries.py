"""Reading events and registrations (no writes): pages, lists, positions, tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from network.core.auth import is_staff
from network.core.errors import NotFound
from network.core.text import render_markdown
from network.core.time import utcnow
from network.core.tokens import TokenError, read_token
from network.events import territories
from network.events.models import Event, EventKind, EventStatus, Registration, RegistrationStatus
from network.events.rules import CONFIRM, MANAGE, mine_clause
from network.extensions import db

S = RegistrationStatus
MAX_ID = 2**31 - 1


def render_description(text: str) -> str:
    """Markdown typed by staff, through the site's one Markdown policy."""
    return render_markdown(text)


def get_event(event_id: int) -> Event | None:
    if not 0 < event_id <= MAX_ID:
        return None
    return db.session.get(Event, event_id)


def get_visible_event(event_id: int, acting: Any = None) -> Event:
    """Drafts exist only for staff."""
    event = get_event(event_id)
    if event is None or (event.status == EventStatus.DRAFT and not is_staff(acting)):
        raise NotFound(_("Cet événement n'existe pas ou n'est pas encore publié."),
                       "event_not_found")
    return event


def get_registration(registration_id: int) -> Registration | None:
    if not 0 < registration_id <= MAX_ID:
        return None
    return db.session.get(Registration, registration_id)


def filter_events(query, *, kind: str | None, territory: str | None):
    if kind in {k.value for k in EventKind}:
        query = query.where(Event.kind == EventKind(kind))
    place = territories.by_code(territory)
    if place is not None:
        query = query.where(Event.territory_id == place.id)
    return query


def list_upcoming(limit: int | None = None, *, kind: str | None = None,
                  territory: str | None = None, now: datetime | None = None) -> list[Event]:
    now = now or utcnow()
    query = (select(Event).where(Event.status == EventStatus.PUBLISHED, Event.end_at >= now)
             .order_by(Event.start_at))
    query = filter_events(query, kind=kind, territory=territory)
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def list_all_events() -> list[Event]:
    return list(db.session.scalars(select(Event).order_by(Event.start_at.desc())))


def list_for_user(user: Any) -> list[tuple[Registration, int | None]]:
    """The person's registrations (newest events first) with their waitlist position; those
    made with their address count only once the address is verified."""
    regs = db.session.scalars(
        select(Registration).join(Event).where(mine_clause(user))
        .order_by(Event.start_at.desc())).all()
    return [(r, waitlist_position(r)) for r in regs]


def waitlist_position(reg: Registration) -> int | None:
    if reg.status != S.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == reg.event_id, Registration.status == S.WAITLISTED,
            or_(Registration.waitlisted_at < reg.waitlisted_at,
                and_(Registration.waitlisted_at == reg.waitlisted_at,
                     Registration.id < reg.id))))
    return (ahead or 0) + 1


def counts(event: Event) -> dict[RegistrationStatus, int]:
    rows = db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.status)).all()
    result = {s: 0 for s in RegistrationStatus}
    result.update(dict(rows))
    return result


def registrations_of(event: Event, statuses) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status.in_(list(statuses)))
        .order_by(Registration.id)))


def list_registrations(event: Event, search: str = "") -> list[Registration]:
    query = select(Registration).where(Registration.event_id == event.id)
    search = (search or "").replace("\x00", "").strip().lower()[:200]
    if search:
        like = f"%{search}%"
        query = query.where(or_(func.lower(Registration.name).like(like),
                                func.lower(Registration.email).like(like),
                                func.lower(Registration.organisation_name).like(like)))
    return list(db.session.scalars(query.order_by(Registration.created_at, Registration.id)))


def _token_registration(purpose: str, token: str, key: str, attribute: str,
                        message: str) -> Registration:
    data = read_token(purpose, token, None)
    reg = None
    if isinstance(data, dict) and isinstance(data.get("r"), int):
        reg = get_registration(data["r"])
    if reg is None or getattr(reg, attribute) != data.get(key):
        raise TokenError(message, "token_invalid")
    return reg


def registration_from_token(token: str) -> Registration:
    """The registration a manage link points at (the link is the guest's right)."""
    return _token_registration(MANAGE, token, "u", "ical_uid",
                               _("Ce lien ne correspond à aucune inscription."))


def registration_from_confirm_token(token: str) -> Registration:
    return _token_registration(CONFIRM, token, "e", "email",
                               _("Ce lien de confirmation ne correspond à aucune inscription."))
