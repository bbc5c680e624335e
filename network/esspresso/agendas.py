"""Every participant's agenda: the page's rows, a PDF to print, an .ics with one event per
meeting; invites updated (SEQUENCE) when a meeting moves and cancelled when it is dropped.

The .ics of an agenda is METHOD:PUBLISH (several meetings, several UIDs: what a calendar
imports); a change to one meeting is a one-event REQUEST or CANCEL with the same UID, so the
calendar that imported the agenda updates that meeting in place (RFC 5546). The PDF reuses the
door's reportlab table (`events/printing.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from network.core import signals
from network.core.auth import require
from network.core.i18n import in_locale, recipient_locale, when
from network.core.time import utcnow
from network.core.urls import external_url
from network.esspresso import adapters
from network.extensions import db
from network.meetings.mail import recipients, tell
from network.meetings.models import Meeting, MeetingParticipant, MeetingSession
from network.meetings.rules import acts_for, is_organiser
from network.outbox import services as outbox


@dataclass(frozen=True)
class Item:
    meeting: Meeting
    starts_at: datetime
    ends_at: datetime
    table: int
    other: MeetingParticipant
    contact: str  # the other side's contact person
    email: str  # one address of the other side's team


def can_see(acting: Any, session: MeetingSession, participant: MeetingParticipant) -> bool:
    return acts_for(acting, participant) or is_organiser(acting, session)


def require_agenda(acting: Any, session: MeetingSession,
                   participant: MeetingParticipant) -> None:
    require(can_see(acting, session, participant),
            _("Cet agenda est réservé à l'équipe du participant et aux organisateur·rices."),
            "not_your_agenda")


def items(session: MeetingSession, participant: MeetingParticipant) -> list[Item]:
    meetings = db.session.scalars(select(Meeting).where(
        Meeting.session_id == session.id,
        or_(Meeting.a_id == participant.id, Meeting.b_id == participant.id))
        .order_by(Meeting.slot_index)).all()
    out = []
    for m in meetings:
        slot = session.slots[m.slot_index]
        other = m.b if m.a_id == participant.id else m.a
        emails = recipients(other)
        out.append(Item(m, slot.starts_at, slot.ends_at, m.table_number, other,
                        other.contact_name, emails[0] if emails else ""))
    return out


def next_item(session: MeetingSession, participant: MeetingParticipant,
              now: datetime) -> Item | None:
    """The meeting on now, or the next one (for « votre prochain rendez-vous »)."""
    return next((i for i in items(session, participant) if i.ends_at > now), None)


def _uid(meeting_id: int) -> str:
    from network.events.rules import uid_domain

    return f"esspresso-meeting-{meeting_id}@{uid_domain()}"


def _ics_event(session: MeetingSession, item: Item, *, sequence: int | None = None,
               cancelled: bool = False):
    from network.events import ical

    event = adapters.event_of(session.event_id)
    where = _("Table %(n)s", n=item.table)
    if event is not None and event.location:
        where += f" — {event.location}"
    lines = [_("Rendez-vous d'affaires ESSpresso avec « %(name)s ».",
               name=item.other.display_name)]
    if item.contact:
        lines.append(_("Contact : %(name)s", name=item.contact))
    if item.email:
        lines.append(_("Courriel : %(email)s", email=item.email))
    link = external_url("esspresso.detail", session_id=session.id)
    lines.append(link)
    return ical.IcsEvent(
        uid=_uid(item.meeting.id),
        sequence=item.meeting.sequence if sequence is None else sequence,
        summary=_("ESSpresso — table %(n)s : %(name)s", n=item.table,
                  name=item.other.display_name),
        start=item.starts_at, end=item.ends_at, location=where,
        description="\n".join(lines), url=link, is_cancelled=cancelled,
        categories=("ESSpresso",))


def agenda_ics(session: MeetingSession, participant: MeetingParticipant, *,
               now: datetime | None = None) -> bytes:
    from network.events import ical

    return ical.feed([_ics_event(session, i) for i in items(session, participant)],
                     name=_("Agenda ESSpresso — %(name)s", name=participant.display_name),
                     now=now or utcnow())


def agenda_pdf(session: MeetingSession, participant: MeetingParticipant) -> bytes:
    from network.events.printing import table_pdf

    event = adapters.event_of(session.event_id)
    from network.esspresso.meetings import hours

    rows = [(hours(i.starts_at, i.ends_at), str(i.table),
             i.other.display_name, "\n".join(x for x in (i.contact, i.email) if x))
            for i in items(session, participant)]
    return table_pdf(
        title=_("Agenda de %(name)s", name=participant.display_name),
        subtitle_lines=[session.title, when(session.starts_at, "date")
                        + (f" — {event.location}" if event and event.location else "")],
        columns=[_("Heure"), _("Table"), _("Avec"), _("Contact")], widths=[28, 16, 70, 68],
        rows=rows, row_height=None, footer=session.title,
        empty=_("Aucun rendez-vous programmé."))


def _invite(session: MeetingSession, item: Item, participant: MeetingParticipant, *,
            method: str, sequence: int, template: str, subject: Any,
            context: dict[str, Any]) -> None:
    """One mail per address of the participant's team, each with its own invite."""
    from network.events import ical

    for address in recipients(participant):
        with in_locale(recipient_locale(address)):  # the invite's words in the reader's
            ev = _ics_event(session, item, sequence=sequence, cancelled=method == ical.CANCEL)
        data = ical.invite(ev, method=method, attendee_email=address,
                           attendee_name=participant.contact_name or participant.display_name,
                           now=utcnow(), alarm_minutes=15)
        name = "annulation.ics" if method == ical.CANCEL else "rendez-vous.ics"
        outbox.enqueue(address, template, subject=subject, context={
            "participant": participant, "session": session, **context},
            attachments=[outbox.Attachment(name, ical.content_type(method), data)])


def meeting_moved(session: MeetingSession, meeting: Meeting, old_slot: int,
                  old_table: int) -> None:
    """Both sides get the updated invite (same UID, SEQUENCE one higher)."""
    from network.events import ical

    link = external_url("esspresso.detail", session_id=session.id)
    for who, other in ((meeting.a, meeting.b), (meeting.b, meeting.a)):
        item = next(i for i in items(session, who) if i.meeting.id == meeting.id)
        _invite(session, item, who, method=ical.REQUEST, sequence=meeting.sequence,
                template="esspresso_moved",
                subject=_l("ESSpresso : votre rendez-vous avec %(other)s a changé",
                           other=other.display_name),
                context={"other": other, "slot": session.slots[meeting.slot_index],
                         "table": meeting.table_number,
                         "before": session.slots[old_slot], "old_table": old_table,
                         "link": link})


def cancel_invites(session: MeetingSession, meeting: Meeting
                   ) -> dict[int, dict[str, list[outbox.Attachment]]]:
    """Before a published meeting is dropped: the CANCEL attachment of each address of each
    side (by participant id, then address), each naming its own attendee in its reader's
    language, as the invites did; empty when the agenda was never sent. Built before the
    drop, which removes what they are made of."""
    from network.events import ical

    if session.published_at is None:
        return {}
    out: dict[int, dict[str, list[outbox.Attachment]]] = {}
    for who in (meeting.a, meeting.b):
        item = next(i for i in items(session, who) if i.meeting.id == meeting.id)
        out[who.id] = {}
        for address in recipients(who):
            with in_locale(recipient_locale(address)):
                ev = _ics_event(session, item, sequence=meeting.sequence + 1, cancelled=True)
            out[who.id][address] = [outbox.Attachment(
                "annulation.ics", ical.content_type(ical.CANCEL),
                ical.invite(ev, method=ical.CANCEL, attendee_email=address,
                            attendee_name=who.contact_name or who.display_name, now=utcnow()))]
    return out


def send_agendas(session: MeetingSession, people: list[MeetingParticipant],
                 counts: dict[int, int]) -> None:
    """At publishing: each participant's team gets the agenda, its .ics attached."""
    link = external_url("esspresso.detail", session_id=session.id)
    subject = _l("ESSpresso : votre agenda de rendez-vous est prêt")
    for p in people:
        def attachments(_address: str, p=p) -> list[outbox.Attachment]:
            return [outbox.Attachment("agenda-esspresso.ics", "text/calendar; charset=UTF-8",
                                      agenda_ics(session, p))] if counts.get(p.id) else []

        tell(p, "esspresso_published", subject, session=session, count=counts.get(p.id, 0),
             link=link, pdf_link=external_url("esspresso.agenda_pdf", session_id=session.id,
                                              pour=p.id),
             attachments=attachments)


@signals.personal_calendar.connect
def _personal_calendar(user) -> list[Any]:
    """The person's own calendar feed holds their published ESSpresso meetings too."""
    from network.esspresso.models import KIND
    from network.meetings.models import MeetingSession as Session_

    if not getattr(user, "is_verified", False):
        return []
    org_ids = [m.organisation_id for m in user.memberships]
    people = db.session.scalars(select(MeetingParticipant).join(Session_).where(
        Session_.kind == KIND, Session_.published_at.is_not(None),
        (MeetingParticipant.user_id == user.id)
        | MeetingParticipant.organisation_id.in_(org_ids or [-1]))
        .order_by(MeetingParticipant.id)).all()
    return [_ics_event(p.session, i) for p in people for i in items(p.session, p)]
