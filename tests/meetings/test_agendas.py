"""Agendas: mailed with their .ics at publishing (through a real SMTP server), the page's
PDF and .ics read back, invites updated when a meeting moves and cancelled when dropped;
each refused to the wrong user."""

from __future__ import annotations

import io

import pypdfium2
import pytest
from icalendar import Calendar

from network.core.errors import Conflict, PermissionDenied
from support import outbox_messages


@pytest.fixture
def web(app, login):
    app.config["WTF_CSRF_ENABLED"] = False

    def as_user(user):
        c = app.test_client()
        login(user, on=c)
        return c

    return as_user


def pdf_text(data: bytes) -> str:
    pdf = pypdfium2.PdfDocument(io.BytesIO(data))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def events_of(data: bytes):
    cal = Calendar.from_ical(data)
    return cal, [c for c in cal.walk("VEVENT")]


@pytest.fixture
def smtp_app(smtp_config, app):
    return smtp_config


def test_publishing_mails_each_agenda_with_one_event_per_meeting(
        smtp_app, db, session, day):
    from network.outbox.services import deliver_due

    buyer = day.buyers[0]
    deliver_due()
    db.session.commit()
    [mail] = [m for m in smtp_app.to(buyer.user.email)
              if "agenda de rendez-vous" in m["Subject"]]
    [part] = [p for p in mail.iter_attachments() if p.get_filename() == "agenda-esspresso.ics"]
    cal, events = events_of(part.get_payload(decode=True))
    assert str(cal["method"]) == "PUBLISH"
    assert len(events) == 2  # buyer 1 meets both suppliers
    summaries = sorted(str(e["summary"]) for e in events)
    assert summaries[0].startswith("ESSpresso — table ")
    names = {day.suppliers[0].participant.display_name, day.suppliers[1].participant.display_name}
    assert {s.split(" : ", 1)[1] for s in summaries} == names
    first = min(events, key=lambda e: e.decoded("dtstart"))
    assert first.decoded("dtstart") == session.slots[0].starts_at
    assert "Contact" in str(first["description"]) or "Courriel" in str(first["description"])
    assert day.suppliers[0].user.email in str(first["description"])
    assert str(first["uid"]).startswith("esspresso-meeting-")
    assert "pdf" in mail.get_body(preferencelist=("plain",)).get_content().lower()


def test_agenda_page_pdf_and_ics_for_the_team_and_organisers_only(
        db, web, session, day, staff, make_user):
    supplier = day.suppliers[0]
    me = supplier.participant.id
    c = web(supplier.user)
    page = c.get(f"/esspresso/{session.id}")
    text = page.get_data(as_text=True)
    assert "Mon agenda à imprimer (PDF)" in text and "Ajouter à mon agenda (.ics)" in text
    pdf = c.get(f"/esspresso/{session.id}/agenda.pdf?pour={me}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    content = pdf_text(pdf.data)
    assert f"Agenda de {supplier.participant.display_name}" in content
    for b in day.buyers:
        assert b.participant.display_name in content
    ics = c.get(f"/esspresso/{session.id}/agenda.ics?pour={me}")
    assert ics.status_code == 200 and ics.mimetype == "text/calendar"
    _cal, events = events_of(ics.data)
    assert len(events) == 2
    # a stranger, and the other supplier's team, cannot read it
    assert web(make_user()).get(f"/esspresso/{session.id}/agenda.pdf?pour={me}") \
        .status_code == 403
    other = web(day.suppliers[1].user)
    assert other.get(f"/esspresso/{session.id}/agenda.ics?pour={me}").status_code == 403
    assert web(staff).get(f"/esspresso/{session.id}/agenda.pdf?pour={me}").status_code == 200
    assert c.get(f"/esspresso/{session.id}/agenda.pdf?pour=99999999999").status_code == 404


def test_a_moved_meeting_sends_the_same_uid_with_a_higher_sequence(
        db, session, day, staff):
    from network.esspresso import agendas
    from network.meetings import day as engine_day

    mid = day.meetings[0]
    with pytest.raises(PermissionDenied):
        engine_day.move(session, mid, 5, 4, acting=day.buyers[0].user)
    meeting, old_slot, old_table = engine_day.move(session, mid, 5, 4, acting=staff)
    agendas.meeting_moved(session, meeting, old_slot, old_table)
    db.session.commit()
    assert (meeting.slot_index, meeting.table_number, meeting.sequence) == (5, 4, 1)
    for side in (day.buyers[0], day.suppliers[0]):
        message = outbox_messages(side.user.email)[-1]
        assert message.kind == "esspresso_moved"
        import base64

        data = base64.b64decode(message.attachments[0]["data"])
        cal, [event] = events_of(data)
        assert str(cal["method"]) == "REQUEST"
        assert str(event["uid"]) == f"esspresso-meeting-{mid}@localhost"
        assert int(event["sequence"]) == 1
        assert event.decoded("dtstart") == session.slots[5].starts_at
    # the second meeting of supplier 0 is in slot 1: moving there is refused by the database
    with pytest.raises(Conflict) as refused:
        engine_day.move(session, mid, 1, 3, acting=staff)
    assert refused.value.code == "move_refused"
    db.session.rollback()


def test_a_dropped_published_meeting_is_cancelled_in_the_calendar(
        db, session, day, make_user):
    import base64

    from network.accounts import organisations
    from network.accounts.models import OrgRole
    from network.esspresso import meetings

    # The supplier's team has a second reader, in English: each gets a CANCEL of their own.
    supplier = day.suppliers[1]
    colleague = make_user(name="Alex Colleague", email="alex@example.org", locale="en")
    organisations.set_member(supplier.participant.organisation_id, colleague, OrgRole.EDITOR,
                             acting=supplier.user)
    db.session.commit()
    mid = day.meetings[2]
    meetings.cancel_meeting(session, mid, acting=day.buyers[0].user, reason="Imprévu")
    db.session.commit()
    for address, words in ((supplier.user.email, "Rendez-vous d'affaires ESSpresso"),
                           (colleague.email, "ESSpresso business meeting")):
        message = outbox_messages(address)[-1]
        assert message.kind == "esspresso_cancelled"
        cal, [event] = events_of(base64.b64decode(message.attachments[0]["data"]))
        assert str(cal["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
        assert str(event["uid"]).startswith(f"esspresso-meeting-{mid}@")
        assert int(event["sequence"]) == 1
        assert str(event["attendee"]).lower() == f"mailto:{address}"  # its own reader
        assert words in str(event["description"])


def test_the_personal_calendar_feed_holds_the_published_meetings(client, db, session, day,
                                                                 make_user):
    supplier = day.suppliers[0]
    r = client.get(f"/evenements/agenda/{supplier.user.calendar_token}.ics")
    assert r.status_code == 200
    _cal, events = events_of(r.data)
    mine = sorted(str(e["uid"]) for e in events if str(e["uid"]).startswith("esspresso-"))
    assert mine == sorted(f"esspresso-meeting-{m}@localhost" for m in day.meetings[:2])
    stranger = make_user()
    _cal, none = events_of(client.get(f"/evenements/agenda/{stranger.calendar_token}.ics").data)
    assert not [e for e in none if str(e["uid"]).startswith("esspresso-")]
