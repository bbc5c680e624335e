"""Scheduling runs: the session as an instance (FORMAT.md), a solver's proposal kept in the
database with its figures for the preview, then published on top of the live meetings.

Live meetings (booked or published earlier) go to the solver as `fixed`, so re-running keeps
them and only fills the gaps. The solver is passed in (`Solver`): the engine does not know
which pure core a kind of session uses.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from network.core.errors import Conflict
from network.core.time import utcnow
from network.extensions import db
from network.meetings.booking import insert_meetings
from network.meetings.models import (
    SIDE_A,
    BookingSource,
    Meeting,
    MeetingParticipant,
    MeetingSession,
    MeetingWish,
    RunStatus,
    SchedulingRun,
)
from network.meetings.rules import available_slots, require_organiser

#: (instance as a FORMAT.md dict, time limit in seconds) -> schedule as a FORMAT.md dict
Solver = Callable[[dict[str, Any], float | None], dict[str, Any]]


def _pid(p: MeetingParticipant) -> str:
    return f"{'A' if p.side == SIDE_A else 'B'}{p.id}"


def _from_pid(value: str) -> int:
    return int(value[1:])


def list_participants(session: MeetingSession) -> list[MeetingParticipant]:
    return list(db.session.scalars(select(MeetingParticipant).where(
        MeetingParticipant.session_id == session.id).order_by(MeetingParticipant.id)))


def build_instance(session: MeetingSession) -> dict[str, Any]:
    """The session in the exchange format: side a as buyers, side b as suppliers."""
    slots = list(session.slots)
    people = list_participants(session)
    participants = []
    for p in people:
        avail = available_slots(p, slots)
        participants.append({
            "id": _pid(p), "role": "buyer" if p.side == SIDE_A else "supplier",
            "available": None if len(avail) == len(slots) else avail,
            "max_meetings": p.max_meetings})
    by_id = {p.id: p for p in people}
    wishes = [{"from": _pid(by_id[w.from_id]), "to": _pid(by_id[w.to_id]),
               "priority": w.priority}
              for w in db.session.scalars(select(MeetingWish).where(
                  MeetingWish.session_id == session.id).order_by(MeetingWish.id))]
    fixed = [{"buyer": _pid(m.a), "supplier": _pid(m.b), "slot": m.slot_index,
              "table": m.table_number}
             for m in db.session.scalars(select(Meeting).where(
                 Meeting.session_id == session.id).order_by(Meeting.id))]
    return {"slots": len(slots), "tables": session.tables_count, "participants": participants,
            "wishes": wishes, "fixed": fixed}


def _basis(session: MeetingSession) -> str:
    ids = db.session.scalars(select(Meeting.id).where(Meeting.session_id == session.id)
                             .order_by(Meeting.id))
    return ",".join(str(i) for i in ids)


def figures(instance: dict[str, Any], meetings: list[dict[str, Any]]) -> dict[str, Any]:
    """What the organiser reads before publishing."""
    slots, tables = instance["slots"], instance["tables"]
    pairs = {(m["buyer"], m["supplier"]) for m in meetings}
    role = {p["id"]: p["role"] for p in instance["participants"]}
    met: Counter[int] = Counter()
    asked: Counter[int] = Counter()
    value = 0
    for w in instance["wishes"]:
        pair = (w["from"], w["to"]) if role[w["from"]] == "buyer" else (w["to"], w["from"])
        asked[w["priority"]] += 1
        if pair in pairs:
            met[w["priority"]] += 1
            value += w["priority"]
    per_person: dict[str, list[int]] = {p["id"]: [] for p in instance["participants"]}
    for m in meetings:
        per_person[m["buyer"]].append(m["slot"])
        per_person[m["supplier"]].append(m["slot"])
    counts = Counter(len(v) for v in per_person.values())
    gaps = 0
    with_gaps = 0
    for used in per_person.values():
        if len(used) > 1:
            g = max(used) - min(used) + 1 - len(used)
            gaps += g
            with_gaps += g > 0
    wished = {w["from"] for w in instance["wishes"]} | {w["to"] for w in instance["wishes"]}
    busy_per_slot = Counter(m["slot"] for m in meetings)
    return {
        "meetings": len(meetings),
        "value": value,
        "wishes": {str(p): {"met": met[p], "asked": asked[p]} for p in (3, 2, 1)},
        "per_person": {str(n): c for n, c in sorted(counts.items())},
        "without_meeting": sorted(pid for pid, used in per_person.items()
                                  if not used and pid in wished),
        "empty_tables": slots * tables - len(meetings),
        "empty_tables_per_slot": [tables - busy_per_slot[s] for s in range(slots)],
        "idle_gaps": gaps,
        "people_with_gaps": with_gaps,
        "participants": len(per_person),
    }


def run(session: MeetingSession, *, acting: Any, solver: Solver,
        time_limit: float | None = None) -> SchedulingRun:
    """Propose a schedule that keeps every live meeting; nothing changes until publishing."""
    require_organiser(acting, session)
    instance = build_instance(session)
    started = time.perf_counter()
    schedule = solver(instance, time_limit)
    seconds = time.perf_counter() - started
    fixed = {(m["buyer"], m["supplier"]) for m in instance["fixed"]}
    proposal = [[_from_pid(m["buyer"]), _from_pid(m["supplier"]), m["slot"], m["table"]]
                for m in schedule["meetings"] if (m["buyer"], m["supplier"]) not in fixed]
    db.session.execute(update(SchedulingRun).where(
        SchedulingRun.session_id == session.id, SchedulingRun.status == RunStatus.PREVIEW)
        .values(status=RunStatus.DISCARDED))
    result = figures(instance, schedule["meetings"])
    result["kept"] = len(fixed)
    result["new"] = len(proposal)
    run_row = SchedulingRun(session_id=session.id, status=RunStatus.PREVIEW,
                            basis=_basis(session), proposal=proposal, figures=result,
                            seconds=round(seconds, 3), created_by_id=getattr(acting, "id", None))
    db.session.add(run_row)
    db.session.flush()
    return run_row


def recount(session: MeetingSession) -> None:
    """Each participant's meetings count from the meetings themselves (after a bulk insert);
    the CHECK constraint refuses a count above a participant's cap."""
    P = MeetingParticipant
    count = select(func.count(Meeting.id)).where(
        or_(Meeting.a_id == P.id, Meeting.b_id == P.id)).scalar_subquery()
    db.session.execute(update(P).where(P.session_id == session.id)
                       .values(meetings_count=count)
                       .execution_options(synchronize_session=False))


def latest_run(session: MeetingSession) -> SchedulingRun | None:
    return db.session.scalar(select(SchedulingRun).where(
        SchedulingRun.session_id == session.id).order_by(SchedulingRun.id.desc()).limit(1))


def get_run(session: MeetingSession, run_id: int) -> SchedulingRun:
    row = db.session.get(SchedulingRun, run_id) if 0 < run_id < 2**31 else None
    if row is None or row.session_id != session.id:
        raise Conflict(_("Cette proposition n'existe plus : relancez le planificateur."),
                       "run_gone")
    return row


def publish(session: MeetingSession, run_row: SchedulingRun, *, acting: Any,
            now: datetime | None = None) -> list[MeetingParticipant]:
    """Place the proposal's meetings and publish every meeting of the session.

    Refused when the live meetings changed since the run (a booking or a cancellation came
    in): the organiser runs again. Returns the participants to tell.
    """
    require_organiser(acting, session)
    now = now or utcnow()
    if run_row.status != RunStatus.PREVIEW:
        raise Conflict(_("Cette proposition a déjà été publiée ou remplacée."), "run_used")
    if run_row.basis != _basis(session):
        raise Conflict(_("Des rendez-vous ont été réservés ou annulés depuis ce calcul : "
                         "relancez le planificateur."), "run_outdated")
    people = {p.id: p for p in list_participants(session)}
    rows = [{"session_id": session.id, "slot_index": slot, "table_number": table,
             "a_id": a_id, "b_id": b_id, "source": BookingSource.SCHEDULED.value,
             "is_published": True, "booked_by_id": getattr(acting, "id", None),
             "created_at": now} for a_id, b_id, slot, table in run_row.proposal]
    # One conditional insert: a booking that slipped in since the basis check wins its place,
    # and the run is refused (the edge rolls back the part already written).
    if rows and len(insert_meetings(rows)) != len(rows):
        raise Conflict(_("Un créneau proposé vient d'être pris : relancez le planificateur."),
                       "run_outdated")
    db.session.execute(update(Meeting).where(Meeting.session_id == session.id)
                       .values(is_published=True))
    recount(session)
    session.published_at = now
    run_row.status, run_row.published_at = RunStatus.PUBLISHED, now
    db.session.flush()
    return list(people.values())
