"""Invites through Flask-Mail and a real SMTP server keep `method=` in the Content-Type."""

from __future__ import annotations

import icalendar
import vobject

from network.events import services
from network.outbox.services import deliver_due


def calendar_parts(msg):
    return [p for p in msg.walk() if p.get_content_type() == "text/calendar"]


def test_request_and_cancel_arrive_with_method_in_mime_type(smtp_config, app, make_event,
                                                             make_user):
    event = make_event(title="Soirée de clôture")
    user = make_user(email="alex@example.org", name="Alex Martin")
    reg = services.register(event, services.prefill(user), user=user).registration
    services.cancel_registration(reg)
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
