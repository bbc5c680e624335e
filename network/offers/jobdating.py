"""Job-dating at the forum, on the meetings engine (not a copy of it).

The forum event gets one meetings session of kind "job-dating": side a are visitors
(role "visiteur": a person with an account, or a guest who proved an address by a signed
link), side b are exhibitors (role "exposant"); each exhibitor owns one table, its stand,
so the engine holds every interview there. Booking, wishes and the organiser's scheduling
run are the engine's services; this module adds who may join, the guest link, the badge
(registration to the forum event), the agenda and its .ics, and a small greedy solver that
knows the stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network.core.auth import Guest, System, is_user, is_verified_user, require
from network.core.errors import Conflict, NotFound
from network.core.text import check_email, single_line
from network.core.time import as_utc, utcnow
from network.core.tokens import make_token, read_token
from network.core.urls import external_url
from network.extensions import db
from network.meetings import booking as engine_booking
from network.meetings import participants as engine
from network.meetings import scheduling, sessions
from network.meetings import wishes as engine_wishes
from network.meetings.mail import tell
from network.meetings.models import SIDE_A, SIDE_B, Meeting, MeetingParticipant, MeetingSession
from network.meetings.rules import acts_for, get_participant, is_organiser, require_organiser
from network.outbox import services as outbox

KIND = "job-dating"
VISITOR, EXHIBITOR = "visiteur", "exposant"
SLOT_MINUTES = 10
LINK_PURPOSE = "forum-visitor"
LINK_MAX_AGE = 14 * 24 * 3600


def session_of(event: Any) -> MeetingSession | None:
    found = sessions.session_for_event(event.id)
    return found if found is not None and found.kind == KIND else None


def ensure_session(event: Any, *, acting: Any) -> MeetingSession:
    """The forum's job-dating session, created by staff with the first accepted stand."""
    found = session_of(event)
    if found is not None:
        return found
    start = as_utc(event.start_at)
    end = as_utc(event.end_at)
    return sessions.create_session(sessions.SessionData(
        kind=KIND, title=_("%(title)s : job-dating", title=event.title)[:200],
        side_a_role=VISITOR, side_b_role=EXHIBITOR, starts_at=start, ends_at=end,
        slot_minutes=SLOT_MINUTES, tables_count=1, event_id=event.id), acting=acting)


def stand_participant(session: MeetingSession, exhibitor: Any, *, acting: Any
                      ) -> MeetingParticipant:
    """The exhibitor on side b (its structure's team acts for it)."""
    require_organiser(acting, session)
    structure = exhibitor.structure
    found = engine.find(session, organisation_id=structure.organisation_id)
    if found is not None:
        return found
    return engine.join(session, SIDE_B, display_name=structure.display_name,
                       presence=engine.Presence(), organisation_id=structure.organisation_id,
                       registered_by_id=getattr(acting, "id", None))


def give_stand(session: MeetingSession, participant: MeetingParticipant, number: int, *,
               acting: Any) -> None:
    """The table numbered like the stand belongs to the exhibitor (and no other table)."""
    if number > session.tables_count:
        sessions.set_tables_count(session, number, acting=acting)
    for table in session.tables:
        if table.owner_id == participant.id and table.number != number:
            table.owner_id = None
    sessions.assign_table(session, number, participant.id, acting=acting)


def free_stand(exhibitor: Any, *, acting: Any) -> None:
    session = session_of(exhibitor.event)
    if session is None or exhibitor.participant_id is None:
        return
    for table in session.tables:
        if table.owner_id == exhibitor.participant_id:
            sessions.assign_table(session, table.number, None, acting=acting)


# --- visitors ----------------------------------------------------------------------------------


def send_guest_link(event: Any, name: str, email: str, *, now: datetime | None = None) -> None:
    """A guest asks for the link that proves their address; the mail holds it."""
    from network.core.errors import FieldErrors, ValidationError

    session = _open_session(event, now or utcnow())
    errors = FieldErrors()
    name = single_line(name or "", max_length=10_000)
    if not name:
        errors.add("name", _("Indiquez votre nom."), "name_required")
    elif len(name) > 120:
        errors.add("name", _("%(n)s caractères au plus.", n=120), "too_long")
    try:
        email = check_email(email)
    except ValidationError as err:
        errors.add("email", err.message, "bad_email")
    errors.check()
    token = make_token(LINK_PURPOSE, {"s": session.id, "e": email, "n": name})
    outbox.enqueue(email, "forum_visitor_link",
                   subject=_l("Votre lien pour le job-dating : %(t)s", t=event.title),
                   context={"event": event, "name": name,
                            "link": external_url("offers.forum_guest", event_id=event.id,
                                                 token=token)})


def guest_from_token(token: str) -> tuple[Guest, str]:
    """The Guest a mailed link stands for, and the name they gave."""
    data = read_token(LINK_PURPOSE, token, LINK_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("s"), int):
        raise NotFound(_("Ce lien n'est pas valable."))
    return Guest(email=str(data["e"]), scope=f"meetings:{data['s']}"), str(data.get("n", ""))


def _open_session(event: Any, now: datetime) -> MeetingSession:
    session = session_of(event)
    if session is None:
        raise Conflict(_("Le job-dating de ce forum n'est pas encore ouvert."),
                       "jobdating_closed")
    if now >= as_utc(session.starts_at):
        raise Conflict(_("Le forum a commencé : les entretiens ne se réservent plus en "
                         "ligne."), "forum_started")
    return session


def visitor_of(session: MeetingSession, acting: Any) -> MeetingParticipant | None:
    if is_user(acting):
        found = engine.find(session, user_id=acting.id)
        return found if found is not None and found.side == SIDE_A else None
    email = getattr(acting, "email", None)
    if not email or getattr(acting, "scope", "") != f"meetings:{session.id}":
        return None
    return db.session.scalar(select(MeetingParticipant).where(
        MeetingParticipant.session_id == session.id, MeetingParticipant.guest_email == email,
        MeetingParticipant.side == SIDE_A))


def join_as_visitor(event: Any, *, acting: Any, name: str = "",
                    now: datetime | None = None, send_mail: bool = True
                    ) -> MeetingParticipant:
    """A verified account, or a guest holding the mailed link, joins the job-dating as a
    visitor, and is registered to the forum (the badge)."""
    from network.events import registration

    now = now or utcnow()
    session = _open_session(event, now)
    existing = visitor_of(session, acting)
    if existing is not None:
        return existing
    if is_user(acting):
        require(is_verified_user(acting), _("Confirmez d'abord votre adresse e-mail (lien "
                                            "reçu par courriel)."), "unverified")
        participant = engine.join(session, SIDE_A, display_name=acting.name,
                                  presence=engine.Presence(), user_id=acting.id,
                                  registered_by_id=acting.id)
        answers = registration.prefill(acting)
        outcome = registration.register(event, answers, acting=acting, now=now,
                                        send_mail=send_mail)
    else:
        require(isinstance(acting, Guest) and acting.scope == f"meetings:{session.id}",
                _("Ouvrez le lien reçu par courriel."), "link_required")
        display = single_line(name, max_length=120) or acting.email.split("@")[0]
        participant = engine.join(session, SIDE_A, display_name=display,
                                  presence=engine.Presence(), guest_email=acting.email)
        answers = registration.Answers(name=display, email=acting.email)
        # The signed link proved the address: the platform registers it, confirmed.
        outcome = registration.register(event, answers, acting=System("forum-jobdating"),
                                        now=now, send_mail=send_mail)
    participant.registration_id = outcome.registration.id
    db.session.flush()
    return participant


def exhibitor_participant(session: MeetingSession, exhibitor: Any) -> MeetingParticipant:
    if exhibitor.participant_id is None:
        raise NotFound(_("Ce stand ne reçoit pas d'entretiens."))
    return get_participant(session, exhibitor.participant_id)


def book_interview(event: Any, exhibitor: Any, slot_index: int, *, acting: Any,
                   now: datetime | None = None, send_mail: bool = True) -> Meeting:
    """A visitor books an interview at a stand; the exhibitor's team is told by mail."""
    now = now or utcnow()
    session = _open_session(event, now)
    visitor = visitor_of(session, acting)
    require(visitor is not None, _("Inscrivez-vous d'abord au job-dating."), "not_visitor")
    stand = exhibitor_participant(session, exhibitor)
    meeting = engine_booking.book(session, visitor, stand, slot_index, acting=acting, now=now)
    if send_mail:
        tell(stand, "forum_interview_booked",
             _l("Job-dating : %(name)s a réservé un entretien au stand %(n)s",
                name=visitor.display_name, n=exhibitor.stand_number),
             event=event, visitor=visitor, slot=session.slots[slot_index],
             stand_number=exhibitor.stand_number, link=stand_link(event))
    return meeting


def cancel_interview(event: Any, meeting_id: int, *, acting: Any,
                     now: datetime | None = None) -> None:
    """Either side (or an organiser) cancels; each side is told, unless it cancelled itself
    (a visitor whose interview the stand or the organiser drops can book another)."""
    session = _open_session(event, now or utcnow())
    meeting = engine_booking.get_meeting(session, meeting_id)
    visitor, stand, slot = meeting.a, meeting.b, session.slots[meeting.slot_index]
    number = _stand_number(event, stand, meeting.table_number)
    engine_booking.cancel(session, meeting, acting=acting, now=now)
    if not acts_for(acting, stand):
        tell(stand, "forum_interview_cancelled",
             _l("Job-dating : entretien annulé au stand %(n)s", n=number),
             event=event, visitor=visitor, slot=slot, stand_number=number,
             link=stand_link(event))
    if not acts_for(acting, visitor):
        tell(visitor, "forum_interview_cancelled_visitor",
             _l("Job-dating : votre entretien au stand %(n)s est annulé", n=number),
             event=event, stand=stand, slot=slot, stand_number=number,
             link=external_url("offers.forum_detail", event_id=event.id) + "#jobdating")


@dataclass(frozen=True)
class StandInterview:
    meeting_id: int
    slot: Any
    visitor: MeetingParticipant


def stand_interviews(session: MeetingSession | None, exhibitor: Any, *, acting: Any
                     ) -> list[StandInterview]:
    """The interviews booked or scheduled at a stand (of the forum's job-dating `session`),
    in slot order: for its own team and the organisers (a visitor's name is not for other
    exhibitors)."""
    if session is None or exhibitor.participant_id is None:
        return []
    stand = exhibitor_participant(session, exhibitor)
    require(acts_for(acting, stand) or is_organiser(acting, session),
            _("Réservé à l'équipe de ce stand."), "not_your_stand")
    return [StandInterview(m.id, session.slots[m.slot_index], m.a)
            for m in engine_booking.list_meetings(session, stand)]


def stand_link(event: Any) -> str:
    """The forum's page, at the exhibitor's own part ("Votre structure au forum")."""
    return external_url("offers.forum_detail", event_id=event.id) + "#exposer"


def _stand_number(event: Any, stand: MeetingParticipant, table_number: int) -> int:
    from network.offers.models import ForumExhibitor

    number = db.session.scalar(select(ForumExhibitor.stand_number).where(
        ForumExhibitor.event_id == event.id, ForumExhibitor.participant_id == stand.id))
    return number or table_number


def set_wish(event: Any, exhibitor: Any, priority: int, *, acting: Any,
             now: datetime | None = None) -> None:
    now = now or utcnow()
    session = _open_session(event, now)
    visitor = visitor_of(session, acting)
    require(visitor is not None, _("Inscrivez-vous d'abord au job-dating."), "not_visitor")
    engine_wishes.set_wish(session, visitor, exhibitor_participant(session, exhibitor),
                           priority, acting=acting, now=now)


def free_slots_at(session: MeetingSession, visitor: MeetingParticipant | None,
                  stand: MeetingParticipant) -> list[int]:
    if visitor is None:
        state = engine_booking.busy(session)
        return [s.index for s in session.slots
                if stand.id not in state.people.get(s.index, set())]
    return engine_booking.free_slots(session, visitor, stand)


def agenda(session: MeetingSession, visitor: MeetingParticipant) -> list[Meeting]:
    return engine_booking.list_meetings(session, visitor)


def agenda_ics(event: Any, session: MeetingSession, visitor: MeetingParticipant, *,
               now: datetime | None = None) -> bytes:
    """The visitor's interviews as a calendar (the events domain's writer)."""
    from network.events.ical import IcsEvent, feed
    from network.events.rules import uid_domain as _uid_domain

    now = now or utcnow()
    stands = {e.participant_id: e for e in _exhibitors(event)}
    items = []
    for m in agenda(session, visitor):
        slot = session.slots[m.slot_index]
        ex = stands.get(m.b_id)
        where = ", ".join(x for x in (event.venue_name, event.venue_address) if x)
        items.append(IcsEvent(
            uid=f"forum-{session.id}-{m.id}@{_uid_domain()}", sequence=0,
            summary=_("Entretien : %(name)s (stand %(n)s)", name=m.b.display_name,
                      n=ex.stand_number if ex else m.table_number),
            start=as_utc(slot.starts_at), end=as_utc(slot.ends_at), location=where,
            url=external_url("offers.forum_detail", event_id=event.id)))
    return feed(items, name=_("Mes entretiens : %(t)s", t=event.title), now=now)


def _exhibitors(event: Any) -> list[Any]:
    from network.offers.models import ForumExhibitor

    return list(db.session.scalars(select(ForumExhibitor).where(
        ForumExhibitor.event_id == event.id)))


# --- the organiser fills wishes ------------------------------------------------------------------


def greedy_solver(stand_of: dict[str, int]):
    """A solver for the engine's runs that knows the stands: wishes by priority, each at the
    exhibitor's own table in the first slot both sides are free. Pure: values in and out."""

    def solve(instance: dict[str, Any], _time_limit: float | None = None) -> dict[str, Any]:
        slots = instance["slots"]
        avail = {p["id"]: set(p["available"]) if p["available"] is not None
                 else set(range(slots)) for p in instance["participants"]}
        cap = {p["id"]: p["max_meetings"] for p in instance["participants"]}
        busy: set[tuple[str, int]] = set()
        count: dict[str, int] = {}
        pairs = set()
        meetings = []
        for m in instance["fixed"]:
            busy.update({(m["buyer"], m["slot"]), (m["supplier"], m["slot"])})
            pairs.add((m["buyer"], m["supplier"]))
            count[m["buyer"]] = count.get(m["buyer"], 0) + 1
            count[m["supplier"]] = count.get(m["supplier"], 0) + 1
            meetings.append(dict(m))
        wishes = sorted(instance["wishes"], key=lambda w: -w["priority"])
        for w in wishes:
            a, b = (w["from"], w["to"]) if w["from"].startswith("A") else (w["to"], w["from"])
            if (a, b) in pairs or b not in stand_of:
                continue
            if any(cap[x] is not None and count.get(x, 0) >= cap[x] for x in (a, b)):
                continue
            for slot in sorted(avail[a] & avail[b]):
                if (a, slot) not in busy and (b, slot) not in busy:
                    meetings.append({"buyer": a, "supplier": b, "slot": slot,
                                     "table": stand_of[b]})
                    busy.update({(a, slot), (b, slot)})
                    pairs.add((a, b))
                    count[a] = count.get(a, 0) + 1
                    count[b] = count.get(b, 0) + 1
                    break
        return {"meetings": meetings}

    return solve


def run_scheduler(event: Any, *, acting: Any) -> Any:
    session = session_of(event)
    if session is None:
        raise Conflict(_("Le job-dating de ce forum n'est pas encore ouvert."),
                       "jobdating_closed")
    require_organiser(acting, session)
    stand_of = {f"B{t.owner_id}": t.number for t in session.tables if t.owner_id}
    return scheduling.run(session, acting=acting, solver=greedy_solver(stand_of))


def publish_run(event: Any, run_id: int, *, acting: Any) -> int:
    session = session_of(event)
    if session is None:
        raise NotFound(_("Ce job-dating n'existe pas."))
    row = scheduling.get_run(session, run_id)
    count = len(row.proposal)
    placed = {b_id for _a_id, b_id, _slot, _table in row.proposal}
    scheduling.publish(session, row, acting=acting)
    _tell_schedule(event, session, placed)
    return count


def _tell_schedule(event: Any, session: MeetingSession, stand_ids: set[int]) -> None:
    """One mail per exhibitor the run gave interviews to: its whole list, in slot order."""
    for exhibitor in _exhibitors(event):
        if exhibitor.participant_id not in stand_ids:
            continue
        stand = get_participant(session, exhibitor.participant_id)
        interviews = [(session.slots[m.slot_index], m.a)
                      for m in engine_booking.list_meetings(session, stand)]
        tell(stand, "forum_interviews_scheduled",
             _l("Job-dating : vos entretiens au stand %(n)s", n=exhibitor.stand_number),
             event=event, interviews=interviews, stand_number=exhibitor.stand_number,
             link=stand_link(event))
