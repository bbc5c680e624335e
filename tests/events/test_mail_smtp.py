"""Invites through Flask-Mail and a real SMTP server keep `method=` in the Content-Type."""

from __future__ import annotations

import icalendar
import vobject

from network.events import registration, rules
from network.events.rules import VISITOR
from network.outbox.services import deliver_due


def calendar_parts(msg):
    return [p for p in msg.walk() if p.get_content_type() == "text/calendar"]


def test_request_and_cancel_arrive_with_method_in_mime_type(smtp_config, app, make_event,
                                                             make_user):
    event = make_event(title="Soirée de clôture")
    user = make_user(email="alex@example.org", name="Alex Martin")
    reg = registration.register(event, registration.prefill(user), acting=user).registration
    registration.cancel_registration(reg, acting=rules.guest_for(reg))
    assert deliver_due().sent == 2
    request, cancel = smtp_config.wait_for(2)
    for msg, method in ((request, "REQUEST"), (cancel, "CANCEL")):
        [part] = calendar_parts(msg)
        assert part.get_param("method") == method
        assert part.get_content_charset() == "utf-8"
        data = part.get_payload(decode=True)
        cal = icalendar.Calendar.from_ical(data)
        assert cal["METHOD"] == method
        assert vobject.readOne(data.decode()).vevent.uid.value == reg.ical_uid
        assert part.get_filename().endswith(".ics")
    assert request["Subject"] == "Inscription confirmée : Soirée de clôture"



def test_a_guest_address_refused_by_the_mail_server_frees_the_seat(refusing_smtp, app, db,
                                                                   make_event):
    """550 for the guest: the held seat goes to the next person at once, nothing is counted
    twice; the refusal stays visible to staff in the outbox."""
    from network.events.models import RegistrationStatus as S
    from network.outbox.models import OutboxStatus
    from network.outbox.services import deliver_due
    from support import outbox_messages

    event = make_event(capacity=1)
    bad = registration.register(event, registration.Answers(
        name="Adresse fausse", email="inexistant@example.org"), acting=VISITOR).registration
    nxt = registration.register(event, registration.Answers(
        name="Suivante", email="suivante@example.org"), acting=VISITOR).registration
    db.session.commit()
    assert (bad.status, nxt.status) == (S.PENDING, S.WAITLISTED)
    deliver_due()
    db.session.expire_all()
    assert bad.status == S.EXPIRED
    assert nxt.status == S.OFFERED  # the freed seat went to the next person
    assert event.seats_taken == 1
    [refused] = outbox_messages("inexistant@example.org")
    assert refused.status == OutboxStatus.FAILED and "550" in refused.last_error
