"""ESSpresso in the Département's back office: what the staff still have to do (sessions to
schedule, outcomes still to collect) and the ESSpresso section of the network's annual
report (sessions held, meetings, follow-ups). Receivers of `signals.staff_todo` and
`signals.annual_report_sections`; they read this domain's own tables and write nothing."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, exists, func, select

from network.core import signals
from network.core.i18n import when
from network.core.urls import external_url
from network.esspresso.models import KIND
from network.esspresso.outcomes import REMIND_UNTIL
from network.extensions import db
from network.meetings.models import (
    Attendance,
    FollowUp,
    Meeting,
    MeetingOutcome,
    MeetingParticipant,
    MeetingSession,
)


def _day(value: datetime) -> str:
    return when(value, "date")


def _participants(session_ids: list[int]) -> Counter:
    return Counter(dict(db.session.execute(
        select(MeetingParticipant.session_id, func.count(MeetingParticipant.id))
        .where(MeetingParticipant.session_id.in_(session_ids or [-1]))
        .group_by(MeetingParticipant.session_id)).all()))


def to_schedule(now: datetime) -> list[MeetingSession]:
    """Sessions still to come whose meetings have not been published yet."""
    return list(db.session.scalars(select(MeetingSession).where(
        MeetingSession.kind == KIND, MeetingSession.published_at.is_(None),
        MeetingSession.starts_at > now).order_by(MeetingSession.starts_at)))


def outcomes_missing(now: datetime) -> list[tuple[MeetingSession, int]]:
    """Sessions held in the last weeks with meetings nobody has reported on yet."""
    unreported = ~exists().where(MeetingOutcome.meeting_id == Meeting.id)
    rows = db.session.execute(
        select(MeetingSession, func.count(Meeting.id))
        .join(Meeting, and_(Meeting.session_id == MeetingSession.id, unreported))
        .where(MeetingSession.kind == KIND, MeetingSession.published_at.is_not(None),
               MeetingSession.ends_at <= now, MeetingSession.ends_at > now - REMIND_UNTIL)
        .group_by(MeetingSession.id).order_by(MeetingSession.starts_at)).all()
    return [(s, n) for s, n in rows]


@signals.staff_todo.connect
def _todo(_sender, *, now: datetime, **_kw: Any) -> list[tuple]:
    pending = to_schedule(now)
    people = _participants([s.id for s in pending])
    schedule_items = [
        (s.title, ngettext("%(day)s · %(num)s participant inscrit",
                           "%(day)s · %(num)s participants inscrits",
                           people[s.id], day=_day(s.starts_at)),
         external_url("esspresso.organiser", session_id=s.id), _("Planifier les rendez-vous"))
        for s in pending]
    missing = outcomes_missing(now)
    outcome_items = [
        (s.title, ngettext("%(day)s · %(num)s rendez-vous sans bilan",
                           "%(day)s · %(num)s rendez-vous sans bilan", n, day=_day(s.starts_at)),
         external_url("esspresso.organiser", session_id=s.id), _("Voir la session"))
        for s, n in missing]
    return [
        ("esspresso-schedule", _("Sessions ESSpresso à planifier"), len(pending),
         schedule_items, external_url("esspresso.index")),
        ("esspresso-outcomes", _("Bilans ESSpresso à recueillir"), len(missing),
         outcome_items, external_url("esspresso.index")),
    ]


@signals.annual_report_sections.connect
def _annual_report(_year: int, *, start: datetime, end: datetime, **_kw: Any) -> tuple:
    sessions = list(db.session.scalars(select(MeetingSession).where(
        MeetingSession.kind == KIND, MeetingSession.starts_at >= start,
        MeetingSession.starts_at < end).order_by(MeetingSession.starts_at)))
    ids = [s.id for s in sessions]
    people = _participants(ids)
    meetings = db.session.scalars(select(Meeting).where(
        Meeting.session_id.in_(ids or [-1]))).all()
    said: dict[int, list[MeetingOutcome]] = {}
    for o in db.session.scalars(select(MeetingOutcome).where(
            MeetingOutcome.session_id.in_(ids or [-1]))):
        said.setdefault(o.meeting_id, []).append(o)
    stats = {sid: Counter() for sid in ids}
    for m in meetings:
        outcomes = said.get(m.id, [])
        held = m.attendance == Attendance.HELD if m.attendance is not None \
            else any(o.was_held for o in outcomes)
        c = stats[m.session_id]
        c["meetings"] += 1
        c["held"] += held
        c["follow_ups"] += any(o.follow_up != FollowUp.NONE for o in outcomes)
        c["contracts"] += any(o.follow_up == FollowUp.CONTRACT for o in outcomes)
    rows = [[s.title, s.starts_at, people[s.id], stats[s.id]["meetings"], stats[s.id]["held"],
             stats[s.id]["follow_ups"], stats[s.id]["contracts"]] for s in sessions]
    total = Counter()
    for c in stats.values():
        total.update(c)
    summary = " ".join((
        ngettext("%(num)s session,", "%(num)s sessions,", len(sessions)),
        ngettext("%(num)s rendez-vous prévu,", "%(num)s rendez-vous prévus,",
                 total["meetings"]),
        ngettext("%(num)s tenu,", "%(num)s tenus,", total["held"]),
        ngettext("%(num)s suivi d'une suite (devis, partenariat ou commande)",
                 "%(num)s suivis d'une suite (devis, partenariat ou commande)",
                 total["follow_ups"]),
        ngettext("dont %(num)s contrat ou commande.", "dont %(num)s contrats ou commandes.",
                 total["contracts"])))
    return (_("Rendez-vous d'affaires ESSpresso"),
            [_("Session"), _("Date"), _("Participants"), _("Rendez-vous"), _("Tenus"),
             _("Avec une suite"), _("Contrats ou commandes")], rows, summary)
