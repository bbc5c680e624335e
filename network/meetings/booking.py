"""Booking a meeting in a free slot, declining and cancelling it.

A meeting is written by `INSERT … ON CONFLICT DO NOTHING` (SQLite and PostgreSQL): the four
unique constraints of `meeting_bookings` decide, in the database, whether the table, both
participants and the pair were still free. A refused insert leaves the transaction usable, so
the service tries the next free table, or explains which side was just taken and offers the
nearest free slots — no read-then-write race, and no rollback of the caller's unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from network.core.auth import require
from network.core.errors import Conflict, DomainError, ValidationError
from network.core.i18n import when
from network.core.time import as_utc, utcnow
from network.extensions import db
from network.meetings.models import (
    SIDE_A,
    SIDE_B,
    BookingSource,
    Meeting,
    MeetingLog,
    MeetingParticipant,
    MeetingSession,
    MeetingTable,
)
from network.meetings.rules import (
    acts_for,
    available_slots,
    is_organiser,
    require_acts_for,
    within,
)


class SlotTaken(Conflict):
    """The slot was taken (just now, or earlier): `alternatives` are the nearest free slots."""

    code = "slot_taken"

    def __init__(self, message: str, code: str = "slot_taken", *,
                 alternatives: list[int] | None = None):
        super().__init__(message, code, field="slot")
        self.alternatives = alternatives or []


@dataclass(frozen=True)
class Busy:
    """Who is busy in which slot, read once for a page or a refusal."""

    tables: dict[int, set[int]]  # slot -> table numbers in use
    people: dict[int, set[int]]  # slot -> participant ids in a meeting
    pairs: set[tuple[int, int]]  # (a_id, b_id) already meeting


def busy(session: MeetingSession) -> Busy:
    tables: dict[int, set[int]] = {}
    people: dict[int, set[int]] = {}
    pairs: set[tuple[int, int]] = set()
    rows = db.session.execute(select(Meeting.slot_index, Meeting.table_number, Meeting.a_id,
                                     Meeting.b_id).where(Meeting.session_id == session.id))
    for slot, table, a_id, b_id in rows:
        tables.setdefault(slot, set()).add(table)
        people.setdefault(slot, set()).update((a_id, b_id))
        pairs.add((a_id, b_id))
    return Busy(tables, people, pairs)


def _owned_tables(session: MeetingSession) -> dict[int, int]:
    """table number -> owner participant id (job-dating stands)."""
    return dict(db.session.execute(select(MeetingTable.number, MeetingTable.owner_id).where(
        MeetingTable.session_id == session.id, MeetingTable.owner_id.is_not(None))).all())


def _candidate_tables(session: MeetingSession, b: MeetingParticipant, used: set[int],
                      owned: dict[int, int]) -> list[int]:
    own = [n for n, owner in owned.items() if owner == b.id]
    if own:
        return [n for n in sorted(own) if n not in used]
    return [n for n in range(1, session.tables_count + 1) if n not in used and n not in owned]


def free_slots(session: MeetingSession, a: MeetingParticipant, b: MeetingParticipant,
               state: Busy | None = None) -> list[int]:
    """Slots where both are available and free, and a table is free: live availability."""
    state = state or busy(session)
    if (a.id, b.id) in state.pairs:
        return []
    slots = list(session.slots)
    both = set(available_slots(a, slots)) & set(available_slots(b, slots))
    owned = _owned_tables(session)
    return [i for i in sorted(both)
            if a.id not in state.people.get(i, ()) and b.id not in state.people.get(i, ())
            and _candidate_tables(session, b, state.tables.get(i, set()), owned)]


def nearest(slots: list[int], wanted: int, n: int = 3) -> list[int]:
    return sorted(sorted(slots, key=lambda i: (abs(i - wanted), i))[:n])


def insert_meetings(rows: list[dict[str, Any]]) -> list[int]:
    """Conditional insert of meetings: the ids of the rows the unique constraints let in."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    ids: list[int] = []
    for start in range(0, len(rows), 500):  # under SQLite's and PostgreSQL's parameter caps
        stmt = insert(Meeting).values(rows[start:start + 500]).on_conflict_do_nothing() \
            .returning(Meeting.id)
        ids.extend(db.session.execute(stmt).scalars())
    return ids


def _insert(values: dict[str, Any]) -> int | None:
    """One conditional insert: the new id, or None when a unique constraint refused it."""
    ids = insert_meetings([values])
    return ids[0] if ids else None


def _count(participant_id: int, step: int) -> bool:
    """Add one meeting to a participant's count, only while under its cap (or give one
    back): the row count says whether the database let it through."""
    P = MeetingParticipant
    query = update(P).where(P.id == participant_id)
    if step > 0:
        query = query.where(or_(P.max_meetings.is_(None), P.meetings_count < P.max_meetings))
    result = db.session.execute(query.values(meetings_count=P.meetings_count + step)
                                .execution_options(synchronize_session=False))
    return result.rowcount == 1


def place(session: MeetingSession, a: MeetingParticipant, b: MeetingParticipant,
          slot_index: int, *, source: BookingSource, by_id: int | None,
          table_number: int | None = None, published: bool = False) -> Meeting | None:
    """Put a meeting at the given (or the first free) table; None when the database refused
    (a side is at its cap, a side or the pair already meets, or no table was free). No
    rights checked here."""
    if not _count(a.id, +1):
        return None
    if not _count(b.id, +1):
        _count(a.id, -1)
        return None
    meeting = _place(session, a, b, slot_index, source=source, by_id=by_id,
                     table_number=table_number, published=published)
    if meeting is None:
        _count(a.id, -1)
        _count(b.id, -1)
    return meeting


def _place(session: MeetingSession, a: MeetingParticipant, b: MeetingParticipant,
           slot_index: int, *, source: BookingSource, by_id: int | None,
           table_number: int | None, published: bool) -> Meeting | None:
    now = utcnow()
    candidates = [table_number] if table_number else None
    for _attempt in range(3):
        if candidates is None:
            state = busy(session)
            candidates = _candidate_tables(session, b, state.tables.get(slot_index, set()),
                                           _owned_tables(session))
        for table in candidates:
            new_id = _insert({"session_id": session.id, "slot_index": slot_index,
                              "table_number": table, "a_id": a.id, "b_id": b.id,
                              "source": source.value, "is_published": published,
                              "booked_by_id": by_id, "created_at": now})
            if new_id is not None:
                return db.session.get(Meeting, new_id)
            if _blocked(session, a, b, slot_index):
                return None
        if table_number:
            return None
        candidates = None  # every table we knew of went meanwhile: read again
    return None


def _at_cap(participant: MeetingParticipant) -> bool:
    count, cap = db.session.execute(select(MeetingParticipant.meetings_count,
                                           MeetingParticipant.max_meetings).where(
        MeetingParticipant.id == participant.id)).one()
    return cap is not None and count >= cap


def _blocked(session: MeetingSession, a: MeetingParticipant, b: MeetingParticipant,
             slot_index: int) -> str | None:
    """Why a and b cannot meet in that slot whatever the table (None: only tables)."""
    rows = db.session.execute(select(Meeting.a_id, Meeting.b_id, Meeting.slot_index).where(
        Meeting.session_id == session.id,
        or_(Meeting.a_id == a.id, Meeting.b_id == b.id))).all()
    if any(a_id == a.id and b_id == b.id for a_id, b_id, _slot in rows):
        return "pair"
    for a_id, _b_id, slot in rows:
        if slot == slot_index:
            return "a_busy" if a_id == a.id else "b_busy"
    return None


def book(session: MeetingSession, a: MeetingParticipant, b: MeetingParticipant,
         slot_index: int, *, acting: Any, now: datetime | None = None) -> Meeting:
    """The side-a participant's team books a meeting with `b` in a free slot."""
    now = now or utcnow()
    require_acts_for(acting, a)
    require(a.side == SIDE_A and b.side == SIDE_B and a.session_id == session.id
            and b.session_id == session.id, _("Ce rendez-vous ne peut pas être réservé ainsi."),
            "wrong_sides")
    if session.booking_opens_at and now < as_utc(session.booking_opens_at):
        raise Conflict(_("Les réservations ouvriront le %(when)s.",
                         when=when(session.booking_opens_at, "datetime")), "booking_not_open")
    if now >= as_utc(session.starts_at) or not within(now, session.booking_opens_at,
                                                     session.booking_closes_at):
        raise Conflict(_("Les réservations ne sont pas ouvertes pour cette session."),
                       "booking_closed")
    slots = list(session.slots)
    if not 0 <= slot_index < len(slots):
        raise ValidationError(_("Choisissez un créneau de la session."), "bad_slot",
                              field="slot")
    state = busy(session)
    if (a.id, b.id) in state.pairs:
        raise Conflict(_("Vous avez déjà un rendez-vous avec « %(name)s ».",
                         name=b.display_name), "already_meeting")
    for who in (a, b):
        if slot_index not in available_slots(who, slots):
            raise SlotTaken(_("« %(name)s » n'est pas présent à ce créneau.",
                              name=who.display_name), "not_available",
                            alternatives=nearest(free_slots(session, a, b, state), slot_index))
        if _at_cap(who):
            raise Conflict(_("« %(name)s » a déjà le nombre de rendez-vous qu'il souhaite.",
                             name=who.display_name), "max_meetings")
    meeting = place(session, a, b, slot_index, source=BookingSource.BOOKED,
                    by_id=getattr(acting, "id", None))
    if meeting is None:
        for who in (a, b):
            if _at_cap(who):  # reached by a booking made at the same instant
                raise Conflict(_("« %(name)s » a déjà le nombre de rendez-vous qu'il "
                                 "souhaite.", name=who.display_name), "max_meetings")
        why = _blocked(session, a, b, slot_index)
        if why == "pair":
            raise Conflict(_("Vous avez déjà un rendez-vous avec « %(name)s ».",
                             name=b.display_name), "already_meeting")
        message = {
            "a_busy": _("Vous avez déjà un rendez-vous à ce créneau."),
            "b_busy": _("Ce créneau vient d'être pris : « %(name)s » n'est plus libre à "
                        "cette heure-là.", name=b.display_name),
        }.get(why or "", _("Toutes les tables sont prises à ce créneau."))
        raise SlotTaken(message, "slot_taken",
                        alternatives=nearest(free_slots(session, a, b), slot_index))
    return meeting


def get_meeting(session: MeetingSession, meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id) if 0 < meeting_id < 2**31 else None
    if meeting is None or meeting.session_id != session.id:
        raise DomainError(_("Ce rendez-vous n'existe plus."), "meeting_gone")
    return meeting


def _drop(meeting: Meeting, action: str, acting: Any, reason: str) -> MeetingLog:
    log = MeetingLog(session_id=meeting.session_id, action=action, a_id=meeting.a_id,
                     b_id=meeting.b_id, slot_index=meeting.slot_index,
                     table_number=meeting.table_number, by_id=getattr(acting, "id", None),
                     reason=reason[:500])
    db.session.add(log)
    a_id, b_id = meeting.a_id, meeting.b_id
    db.session.delete(meeting)
    db.session.flush()
    _count(a_id, -1)
    _count(b_id, -1)
    return log


def _before_start(session: MeetingSession, now: datetime) -> None:
    if now >= as_utc(session.starts_at):
        raise Conflict(_("La session a commencé : ce rendez-vous ne peut plus être changé."),
                       "session_started")


def decline(session: MeetingSession, meeting: Meeting, *, acting: Any, reason: str = "",
            now: datetime | None = None) -> MeetingLog:
    """The side-b participant (the one who was booked) says no."""
    require_acts_for(acting, meeting.b)
    _before_start(session, now or utcnow())
    return _drop(meeting, "declined", acting, reason)


def cancel(session: MeetingSession, meeting: Meeting, *, acting: Any, reason: str = "",
           now: datetime | None = None) -> MeetingLog:
    """Either side, or an organiser, cancels before the session."""
    require(acts_for(acting, meeting.a) or acts_for(acting, meeting.b)
            or is_organiser(acting, session),
            _("Seuls les deux participants et les organisateur·rices peuvent annuler ce "
              "rendez-vous."), "not_your_meeting")
    _before_start(session, now or utcnow())
    return _drop(meeting, "cancelled", acting, reason)


def list_meetings(session: MeetingSession, participant: MeetingParticipant | None = None,
                  *, published_only: bool = False) -> list[Meeting]:
    query = select(Meeting).where(Meeting.session_id == session.id)
    if participant is not None:
        query = query.where(or_(Meeting.a_id == participant.id, Meeting.b_id == participant.id))
    if published_only:
        query = query.where(Meeting.is_published.is_(True))
    return list(db.session.scalars(query.order_by(Meeting.slot_index, Meeting.table_number)))
