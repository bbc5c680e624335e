"""Sessions: their slots (generated from start, end, slot length and breaks), tables and
organisers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from network.core.auth import require_staff
from network.core.errors import Conflict, FieldErrors
from network.core.time import as_utc
from network.extensions import db
from network.meetings.models import (
    Meeting,
    MeetingOrganiser,
    MeetingSession,
    MeetingSlot,
    MeetingTable,
)
from network.meetings.rules import require_organiser

MAX_SLOTS = 96
MAX_TABLES = 500


@dataclass
class SessionData:
    kind: str
    title: str
    side_a_role: str
    side_b_role: str
    starts_at: datetime
    ends_at: datetime
    slot_minutes: int
    tables_count: int
    breaks: list[tuple[datetime, datetime]] = field(default_factory=list)
    booking_opens_at: datetime | None = None
    booking_closes_at: datetime | None = None
    wishes_close_at: datetime | None = None
    event_id: int | None = None


def generate_slots(starts_at: datetime, ends_at: datetime, minutes: int,
                   breaks: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Consecutive slots of `minutes` from start to end; a slot that would overlap a break
    starts at the end of that break instead."""
    out: list[tuple[datetime, datetime]] = []
    step = timedelta(minutes=minutes)
    t = starts_at
    ordered = sorted(breaks)
    while t + step <= ends_at and len(out) <= MAX_SLOTS:
        clash = next(((b0, b1) for b0, b1 in ordered if t < b1 and t + step > b0), None)
        if clash is not None:
            t = clash[1]
            continue
        out.append((t, t + step))
        t += step
    return out


def _check(data: SessionData) -> list[tuple[datetime, datetime]]:
    errors = FieldErrors()
    if not data.title.strip():
        errors.add("title", _("Indiquez un titre."), "title_required")
    if not 5 <= data.slot_minutes <= 240:
        errors.add("slot_minutes", _("Un créneau dure entre 5 et 240 minutes."), "bad_slot")
    if not 1 <= data.tables_count <= MAX_TABLES:
        errors.add("tables_count", _("Entre 1 et %(n)s tables.", n=MAX_TABLES), "bad_tables")
    if data.ends_at <= data.starts_at:
        errors.add("ends_at", _("La fin doit suivre le début."), "bad_dates")
    breaks = []
    for b0, b1 in data.breaks:
        if not (data.starts_at <= b0 < b1 <= data.ends_at):
            errors.add("breaks", _("Chaque pause doit tenir entre le début et la fin."),
                       "bad_break")
            break
        breaks.append((b0, b1))
    if data.booking_opens_at and data.booking_opens_at >= data.starts_at:
        errors.add("booking_opens_at", _("Les réservations ouvrent avant le début de la "
                                         "session."), "bad_window")
    if data.booking_opens_at and data.booking_closes_at \
            and data.booking_closes_at <= data.booking_opens_at:
        errors.add("booking_closes_at", _("La fermeture des réservations doit suivre leur "
                                          "ouverture."), "bad_window")
    if data.booking_closes_at and data.booking_closes_at > data.starts_at:
        errors.add("booking_closes_at", _("Les réservations ferment au plus tard au début de "
                                          "la session."), "bad_window")
    if data.wishes_close_at and data.wishes_close_at > data.starts_at:
        errors.add("wishes_close_at", _("Les souhaits se ferment au plus tard au début de la "
                                        "session."), "bad_deadline")
    if not errors and 0 < data.slot_minutes and not generate_slots(
            data.starts_at, data.ends_at, data.slot_minutes, breaks):
        errors.add("slot_minutes", _("Aucun créneau ne tient entre le début et la fin."),
                   "no_slot")
    errors.check()
    return breaks


def create_session(data: SessionData, *, acting: Any) -> MeetingSession:
    require_staff(acting)
    breaks = _check(data)
    session = MeetingSession(
        kind=data.kind, title=data.title.strip(), side_a_role=data.side_a_role,
        side_b_role=data.side_b_role, starts_at=data.starts_at, ends_at=data.ends_at,
        slot_minutes=data.slot_minutes, tables_count=data.tables_count,
        breaks=[{"start": b0.isoformat(), "end": b1.isoformat()} for b0, b1 in breaks],
        booking_opens_at=data.booking_opens_at, booking_closes_at=data.booking_closes_at,
        wishes_close_at=data.wishes_close_at, event_id=data.event_id)
    for index, (s0, s1) in enumerate(generate_slots(data.starts_at, data.ends_at,
                                                    data.slot_minutes, breaks)):
        session.slots.append(MeetingSlot(index=index, starts_at=s0, ends_at=s1))
    for number in range(1, data.tables_count + 1):
        session.tables.append(MeetingTable(number=number))
    db.session.add(session)
    db.session.flush()
    return session


def set_tables_count(session: MeetingSession, count: int, *, acting: Any) -> None:
    """More tables at once; fewer only when no meeting sits at the tables removed."""
    require_organiser(acting, session)
    if not 1 <= count <= MAX_TABLES:
        errors = FieldErrors()
        errors.add("tables_count", _("Entre 1 et %(n)s tables.", n=MAX_TABLES), "bad_tables")
        errors.check()
    used = db.session.scalar(select(func.max(Meeting.table_number)).where(
        Meeting.session_id == session.id)) or 0
    if count < used:
        raise Conflict(_("La table %(n)s a des rendez-vous : impossible de descendre sous ce "
                         "nombre.", n=used), "tables_in_use")
    for table in list(session.tables):
        if table.number > count:
            session.tables.remove(table)
    have = {t.number for t in session.tables}
    for number in range(1, count + 1):
        if number not in have:
            session.tables.append(MeetingTable(number=number))
    session.tables_count = count
    db.session.flush()


def add_organiser(session: MeetingSession, user: Any, *, acting: Any) -> MeetingOrganiser:
    require_staff(acting)
    existing = db.session.scalar(select(MeetingOrganiser).where(
        MeetingOrganiser.session_id == session.id, MeetingOrganiser.user_id == user.id))
    if existing is not None:
        return existing
    row = MeetingOrganiser(session_id=session.id, user_id=user.id)
    db.session.add(row)
    db.session.flush()
    return row


def remove_organiser(session: MeetingSession, user_id: int, *, acting: Any) -> None:
    require_staff(acting)
    row = db.session.scalar(select(MeetingOrganiser).where(
        MeetingOrganiser.session_id == session.id, MeetingOrganiser.user_id == user_id))
    if row is not None:
        db.session.delete(row)
        db.session.flush()


def list_organisers(session: MeetingSession) -> list[MeetingOrganiser]:
    return list(db.session.scalars(select(MeetingOrganiser).where(
        MeetingOrganiser.session_id == session.id).order_by(MeetingOrganiser.id)))


def list_sessions(kind: str) -> list[MeetingSession]:
    return list(db.session.scalars(select(MeetingSession).where(
        MeetingSession.kind == kind).order_by(MeetingSession.starts_at)))


def session_for_event(event_id: int) -> MeetingSession | None:
    return db.session.scalar(select(MeetingSession).where(MeetingSession.event_id == event_id))


def is_over(session: MeetingSession, now: datetime) -> bool:
    return now >= as_utc(session.starts_at)


def assign_table(session: MeetingSession, number: int, owner_id: int | None, *,
                 acting: Any) -> MeetingTable:
    """Give a table to one participant (a forum stand to its exhibitor): its meetings are
    held there, and nobody else's. None frees the table."""
    require_organiser(acting, session)
    table = next((t for t in session.tables if t.number == number), None)
    if table is None:
        errors = FieldErrors()
        errors.add("table", _("Cette table n'existe pas."), "bad_table")
        errors.check()
    table.owner_id = owner_id
    db.session.flush()
    return table
