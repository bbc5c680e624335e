"""Sessions for ESSpresso events, the scheduler run from the organiser page or the CLI, and
publishing (every participant told through the outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from network.core import signals
from network.core.errors import Conflict, FieldErrors
from network.core.urls import external_url
from network.esspresso import adapters
from network.esspresso.models import BUYER_ROLE, KIND, SUPPLIER_ROLE
from network.meetings import scheduling
from network.meetings import sessions as engine
from network.meetings.models import MeetingSession, SchedulingRun
from network.meetings.rules import require_organiser


@dataclass
class SessionForm:
    event_id: int
    slot_minutes: int
    tables_count: int
    starts_at: datetime | None = None  # None: the event's start
    ends_at: datetime | None = None
    breaks: list[tuple[datetime, datetime]] | None = None
    booking_opens_at: datetime | None = None
    booking_closes_at: datetime | None = None
    wishes_close_at: datetime | None = None


def create_session(data: SessionForm, *, acting: Any) -> MeetingSession:
    """Staff open the meetings of an ESSpresso event (one session per event)."""
    from network.core.auth import require_staff

    require_staff(acting)
    event = adapters.event_of(data.event_id)
    if event is None or str(event.kind) != KIND:
        errors = FieldErrors()
        errors.add("event_id", _("Choisissez un événement de type ESSpresso."), "bad_event")
        errors.check()
    if engine.session_for_event(event.id) is not None:
        raise Conflict(_("Cet événement a déjà sa session de rendez-vous."), "session_exists")
    return engine.create_session(engine.SessionData(
        kind=KIND, title=event.title, side_a_role=BUYER_ROLE, side_b_role=SUPPLIER_ROLE,
        starts_at=data.starts_at or event.start_at, ends_at=data.ends_at or event.end_at,
        slot_minutes=data.slot_minutes, tables_count=data.tables_count,
        breaks=data.breaks or [], booking_opens_at=data.booking_opens_at,
        booking_closes_at=data.booking_closes_at, wishes_close_at=data.wishes_close_at,
        event_id=event.id), acting=acting)


def list_sessions() -> list[MeetingSession]:
    return engine.list_sessions(KIND)


def export_instance(session: MeetingSession) -> dict[str, Any]:
    return scheduling.build_instance(session)


def run_scheduler(session: MeetingSession, *, acting: Any,
                  time_limit: float | None = 10.0) -> SchedulingRun:
    return scheduling.run(session, acting=acting, solver=adapters.solve, time_limit=time_limit)


def publish(session: MeetingSession, run_id: int, *, acting: Any,
            now: datetime | None = None) -> int:
    """Publish a run's proposal; every participant is told. Returns how many were told."""
    require_organiser(acting, session)  # before saying whether the run exists
    run_row = scheduling.get_run(session, run_id)
    people = scheduling.publish(session, run_row, acting=acting, now=now)
    from collections import Counter

    from network.esspresso.agendas import send_agendas
    from network.meetings.booking import list_meetings

    counts = Counter(pid for m in list_meetings(session) for pid in (m.a_id, m.b_id))
    send_agendas(session, people, counts)
    return len(people)


@signals.staff_figures.connect
def _staff_figures(_sender) -> tuple[str, list[tuple[str, int | str, str | None]]]:
    """ESSpresso in the staff area's figures."""
    from sqlalchemy import and_, exists, func, or_, select

    from network.esspresso.models import BuyerProfile
    from network.extensions import db
    from network.meetings.models import (
        SIDE_A,
        Attendance,
        FollowUp,
        Meeting,
        MeetingOutcome,
        MeetingParticipant,
    )
    from network.meetings.models import MeetingSession as Session_

    def count(query) -> int:
        return db.session.scalar(query) or 0

    url, impact = external_url("esspresso.index"), external_url("esspresso.impact_page")
    in_kind = select(Session_.id).where(Session_.kind == KIND)
    said = MeetingOutcome.meeting_id == Meeting.id
    # Held and contracts counted as the impact page counts them (impact.figures).
    held = or_(Meeting.attendance == Attendance.HELD, and_(
        Meeting.attendance.is_(None), exists().where(said, MeetingOutcome.was_held)))
    contract = exists().where(said, MeetingOutcome.follow_up == FollowUp.CONTRACT)
    meetings = select(func.count(Meeting.id)).where(Meeting.session_id.in_(in_kind))
    return "ESSpresso", [
        (_("Sessions"), count(select(func.count(Session_.id)).where(Session_.kind == KIND)),
         url),
        (_("Organisations acheteuses"), count(select(func.count(BuyerProfile.id))), url),
        (_("Acheteurs inscrits"), count(select(func.count(MeetingParticipant.id)).where(
            MeetingParticipant.session_id.in_(in_kind), MeetingParticipant.side == SIDE_A)),
         url),
        (_("Fournisseurs inscrits"), count(select(func.count(MeetingParticipant.id)).where(
            MeetingParticipant.session_id.in_(in_kind), MeetingParticipant.side != SIDE_A)),
         url),
        (_("Rendez-vous (réservés ou planifiés)"), count(meetings), url),
        (_("Rendez-vous tenus"), count(meetings.where(held)), impact),
        (_("Contrats ou commandes annoncés"), count(meetings.where(contract)), impact),
    ]
