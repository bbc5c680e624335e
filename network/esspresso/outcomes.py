"""After the session, each side says how each meeting went; one reminder a week later.

One row per meeting and side (`meeting_outcomes`, unique): the answer is written by an
`INSERT … ON CONFLICT DO UPDATE`, so answering twice, or twice at once, keeps one answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from network.core.errors import Conflict, FieldErrors
from network.core.time import as_utc, utcnow
from network.core.urls import external_url
from network.esspresso.models import KIND, AmountBracket
from network.extensions import db
from network.meetings.booking import get_meeting
from network.meetings.mail import tell
from network.meetings.models import (
    FollowUp,
    Meeting,
    MeetingOutcome,
    MeetingParticipant,
    MeetingSession,
)
from network.meetings.rules import get_participant, require_acts_for

FOLLOW_UPS = {
    FollowUp.NONE: _l("Pas de suite"),
    FollowUp.QUOTE: _l("Demande de devis"),
    FollowUp.PARTNERSHIP: _l("Partenariat"),
    FollowUp.CONTRACT: _l("Contrat ou commande"),
}
REMIND_AFTER = timedelta(days=7)
REMIND_UNTIL = timedelta(days=60)  # a session long past is not chased any more


@dataclass
class OutcomeData:
    was_held: str  # "oui" | "non"
    follow_up: str = FollowUp.NONE.value
    amount: str = ""


def is_open(session: MeetingSession, meeting: Meeting, now: datetime) -> bool:
    """A meeting's outcome may be reported once its slot has begun."""
    return now >= as_utc(session.slots[meeting.slot_index].starts_at)


def report(session: MeetingSession, participant_id: int, meeting_id: int, data: OutcomeData,
           *, acting: Any, now: datetime | None = None) -> MeetingOutcome:
    """One side reports one of its meetings (again if it changes its mind)."""
    now = now or utcnow()
    participant = get_participant(session, participant_id)
    require_acts_for(acting, participant)
    meeting = get_meeting(session, meeting_id)
    if participant.id not in (meeting.a_id, meeting.b_id):
        raise Conflict(_("Ce rendez-vous n'est pas le vôtre."), "not_your_meeting")
    if not is_open(session, meeting, now):
        raise Conflict(_("Le bilan s'ouvre quand le rendez-vous a commencé."), "too_early")
    errors = FieldErrors()
    if data.was_held not in ("oui", "non"):
        errors.add("was_held", _("Dites si le rendez-vous a eu lieu."), "bad_held")
    try:
        follow_up = FollowUp(data.follow_up or FollowUp.NONE.value)
    except ValueError:
        errors.add("follow_up", _("Choisissez une suite dans la liste."), "bad_follow_up")
        follow_up = FollowUp.NONE
    amount = data.amount or ""
    if amount and amount not in {a.value for a in AmountBracket}:
        errors.add("amount", _("Choisissez un montant dans la liste."), "bad_amount")
    held = data.was_held == "oui"
    if data.was_held == "non" and follow_up != FollowUp.NONE:
        errors.add("follow_up", _("Un rendez-vous qui n'a pas eu lieu n'a pas de suite."),
                   "no_follow_up")
    errors.check()
    values = {"session_id": session.id, "meeting_id": meeting.id,
              "participant_id": participant.id, "was_held": held,
              "follow_up": follow_up.value, "amount": amount if held else "",
              "reported_by_id": getattr(acting, "id", None), "reported_at": now}
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(MeetingOutcome).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["meeting_id", "participant_id"],
        set_={k: stmt.excluded[k] for k in ("was_held", "follow_up", "amount",
                                            "reported_by_id", "reported_at")})
    db.session.execute(stmt.returning(MeetingOutcome.id))
    db.session.expire_all()
    return db.session.scalar(select(MeetingOutcome).where(
        MeetingOutcome.meeting_id == meeting.id,
        MeetingOutcome.participant_id == participant.id))


def outcomes_of(session: MeetingSession, participant: MeetingParticipant
                ) -> dict[int, MeetingOutcome]:
    """meeting id -> this side's answer."""
    rows = db.session.scalars(select(MeetingOutcome).where(
        MeetingOutcome.session_id == session.id,
        MeetingOutcome.participant_id == participant.id))
    return {o.meeting_id: o for o in rows}


def _unanswered():
    """Participants with a meeting they have not reported."""
    P, M, Out = MeetingParticipant, Meeting, MeetingOutcome
    return exists().where(
        or_(M.a_id == P.id, M.b_id == P.id),
        ~exists().where(and_(Out.meeting_id == M.id, Out.participant_id == P.id)))


def remind(*, now: datetime | None = None) -> int:
    """A week after an ESSpresso session, one reminder to each participant who has not
    reported every meeting. The conditional UPDATE marks it sent: never twice, even with
    two runs at once. Returns how many participants were reminded."""
    now = now or utcnow()
    sessions = db.session.scalars(select(MeetingSession).where(
        MeetingSession.kind == KIND, MeetingSession.published_at.is_not(None),
        MeetingSession.ends_at <= now - REMIND_AFTER,
        MeetingSession.ends_at > now - REMIND_UNTIL)).all()
    told = 0
    for session in sessions:
        P = MeetingParticipant
        ids = db.session.scalars(select(P.id).where(
            P.session_id == session.id, P.outcomes_reminded_at.is_(None), _unanswered())
            .order_by(P.id)).all()
        for pid in ids:
            result = db.session.execute(update(P).where(
                P.id == pid, P.outcomes_reminded_at.is_(None)).values(
                outcomes_reminded_at=now).execution_options(synchronize_session=False))
            if result.rowcount != 1:
                continue
            participant = db.session.get(P, pid)
            tell(participant, "esspresso_outcomes",
                 _l("ESSpresso : comment se sont passés vos rendez-vous ?"), session=session,
                 link=external_url("esspresso.outcomes_page", session_id=session.id,
                                   pour=pid))
            told += 1
    db.session.flush()
    return told
