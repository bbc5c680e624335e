"""The day in the room: which round is on, meetings marked held or missed, walk-ins added on
free tables, a meeting moved to another table or slot.

Walk-ins and moves go through the same unique constraints as every booking (`booking.place`,
a conditional UPDATE for a move): two organisers adding a meeting on the same table at the
same instant get one meeting and one clear refusal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from network.core.errors import Conflict, FieldErrors
from network.core.time import as_utc, utcnow
from network.extensions import db
from network.meetings import booking
from network.meetings.models import (
    SIDE_A,
    SIDE_B,
    Attendance,
    BookingSource,
    Meeting,
    MeetingSession,
    MeetingSlot,
)
from network.meetings.rules import get_participant, require_organiser


@dataclass(frozen=True)
class Rounds:
    """Where the session stands at `now`: the round on (or None), the next one."""

    current: MeetingSlot | None
    next: MeetingSlot | None
    is_over: bool


def rounds(session: MeetingSession, now: datetime) -> Rounds:
    current = nxt = None
    for slot in session.slots:
        if as_utc(slot.starts_at) <= now < as_utc(slot.ends_at):
            current = slot
        elif as_utc(slot.starts_at) > now and nxt is None:
            nxt = slot
    return Rounds(current, nxt, now >= as_utc(session.ends_at))


def mark(session: MeetingSession, meeting_id: int, attendance: str | None, *, acting: Any,
         now: datetime | None = None) -> Meeting:
    """An organiser says the meeting took place (held) or nobody came (missed); None undoes.
    Only once its slot has begun."""
    require_organiser(acting, session)
    meeting = booking.get_meeting(session, meeting_id)
    value = Attendance(attendance) if attendance else None
    now = now or utcnow()
    if now < as_utc(session.slots[meeting.slot_index].starts_at):
        raise Conflict(_("Ce rendez-vous n'a pas encore commencé."), "not_started")
    meeting.attendance = value
    db.session.flush()
    return meeting


def add_walk_in(session: MeetingSession, a_id: int, b_id: int, slot_index: int,
                table_number: int | None, *, acting: Any,
                now: datetime | None = None) -> Meeting:
    """An organiser seats two participants who agree to meet, on a free table, during the
    session (or before it). Published at once; the database refuses a double booking."""
    require_organiser(acting, session)
    now = now or utcnow()
    errors = FieldErrors()
    slots = list(session.slots)
    if not 0 <= slot_index < len(slots):
        errors.add("slot", _("Choisissez un créneau de la session."), "bad_slot")
    elif as_utc(slots[slot_index].ends_at) <= now:
        errors.add("slot", _("Ce créneau est terminé."), "slot_over")
    if table_number is not None and not 1 <= table_number <= session.tables_count:
        errors.add("table", _("Choisissez une table entre 1 et %(n)s.", n=session.tables_count),
                   "bad_table")
    a = get_participant(session, a_id) if 0 < a_id < 2**31 else None
    b = get_participant(session, b_id) if 0 < b_id < 2**31 else None
    if a is None or a.side != SIDE_A:
        errors.add("buyer", _("Choisissez un acheteur."), "bad_buyer")
    if b is None or b.side != SIDE_B:
        errors.add("supplier", _("Choisissez un fournisseur."), "bad_supplier")
    errors.check()
    meeting = booking.place(session, a, b, slot_index, source=BookingSource.ORGANISER,
                            by_id=getattr(acting, "id", None), table_number=table_number,
                            published=True)
    if meeting is None:
        why = booking._blocked(session, a, b, slot_index)
        message = {
            "pair": _("Ces deux participants ont déjà un rendez-vous ensemble."),
            "a_busy": _("« %(name)s » a déjà un rendez-vous à ce créneau.",
                        name=a.display_name),
            "b_busy": _("« %(name)s » a déjà un rendez-vous à ce créneau.",
                        name=b.display_name),
        }.get(why or "")
        if message is None:
            message = _("La table %(n)s est déjà prise à ce créneau.", n=table_number) \
                if table_number else _("Toutes les tables sont prises à ce créneau.")
            if booking._at_cap(a) or booking._at_cap(b):
                message = _("L'un des deux a déjà le nombre de rendez-vous qu'il souhaite.")
        raise Conflict(message, "walk_in_refused", field="table" if why is None else "slot")
    return meeting


def move(session: MeetingSession, meeting_id: int, slot_index: int, table_number: int, *,
         acting: Any) -> tuple[Meeting, int, int]:
    """An organiser moves a meeting (its invite's SEQUENCE goes up). Returns the meeting and
    where it was. A conditional UPDATE: the unique constraints refuse a taken table or a
    participant already busy at the new time."""
    require_organiser(acting, session)
    meeting = booking.get_meeting(session, meeting_id)
    errors = FieldErrors()
    if not 0 <= slot_index < len(session.slots):
        errors.add("slot", _("Choisissez un créneau de la session."), "bad_slot")
    if not 1 <= table_number <= session.tables_count:
        errors.add("table", _("Choisissez une table entre 1 et %(n)s.", n=session.tables_count),
                   "bad_table")
    errors.check()
    before = (meeting.slot_index, meeting.table_number)
    if before == (slot_index, table_number):
        return meeting, *before
    try:
        with db.session.begin_nested():
            db.session.execute(update(Meeting).where(Meeting.id == meeting.id).values(
                slot_index=slot_index, table_number=table_number,
                sequence=Meeting.sequence + 1).execution_options(synchronize_session=False))
    except IntegrityError as err:
        raise Conflict(_("Cette table ou l'un des participants est déjà pris à ce "
                         "créneau."), "move_refused", field="table") from err
    db.session.refresh(meeting)
    return meeting, *before

