"""The pure iCalendar core, parsed back by icalendar and by vobject (independent parsers)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject

from network.events import ical

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def sample(**overrides) -> ical.IcsEvent:
    values = dict(uid="abc@example.org", sequence=2,
                  summary="L'Innovation Sociale, tous concernés !",
                  start=datetime(2026, 12, 2, 15, 30, tzinfo=UTC),
                  end=datetime(2026, 12, 2, 18, 30, tzinfo=UTC),
                  location="Hôtel du Département, Espace Pierre Messmer, Metz",
                  description="Soirée; partenaires, CRESS", url="https://example.org/e/1",
                  organizer_email="contact@example.org", organizer_name="Réseau ESS Moselle")
    values.update(overrides)
    return ical.IcsEvent(**values)


def test_request_invite_parses_with_both_parsers():
    data = ical.invite(sample(), method=ical.REQUEST, attendee_email="alex@example.org",
                       attendee_name="Alex Martin", now=NOW, alarm_minutes=60)
    cal = icalendar.Calendar.from_ical(data)
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == "abc@example.org"
    assert event["SEQUENCE"] == 2
    assert str(event["ORGANIZER"]) == "mailto:contact@example.org"
    assert str(event["ATTENDEE"]) == "mailto:alex@example.org"
    assert event["ATTENDEE"].params["RSVP"] == "TRUE"
    assert event["STATUS"] == "CONFIRMED"
    assert event.decoded("DTSTART") == datetime(2026, 12, 2, 15, 30, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/Paris"]
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-60)

    parsed = vobject.readOne(data.decode("utf-8"))
    assert parsed.method.value == "REQUEST"
    vevent = parsed.vevent
    assert vevent.summary.value == "L'Innovation Sociale, tous concernés !"
    assert vevent.location.value == "Hôtel du Département, Espace Pierre Messmer, Metz"
    assert vevent.description.value == "Soirée; partenaires, CRESS"
    start = vevent.dtstart.value
    assert (start.hour, start.minute) == (16, 30)  # wall clock in Paris (CET, UTC+1)
    assert start.utcoffset() == timedelta(hours=1)
    assert vevent.organizer.value == "mailto:contact@example.org"


def test_cancel_invite_has_method_and_status_cancelled():
    data = ical.invite(sample(sequence=3), method=ical.CANCEL, attendee_email="a@example.org",
                       attendee_name="A", now=NOW)
    cal = icalendar.Calendar.from_ical(data)
    assert cal["METHOD"] == "CANCEL"
    [event] = cal.walk("VEVENT")
    assert event["STATUS"] == "CANCELLED"
    assert event["SEQUENCE"] == 3
    assert not event.walk("VALARM")
    assert vobject.readOne(data.decode()).vevent.status.value == "CANCELLED"


@pytest.mark.parametrize(("start_utc", "paris_hour", "offset"), [
    (datetime(2026, 3, 28, 17, 0, tzinfo=UTC), 18, 1),  # Saturday before the change: CET
    (datetime(2026, 3, 29, 16, 0, tzinfo=UTC), 18, 2),  # Sunday 29 March 2026: CEST
    (datetime(2026, 10, 24, 16, 0, tzinfo=UTC), 18, 2),  # before the autumn change: CEST
    (datetime(2026, 10, 25, 17, 0, tzinfo=UTC), 18, 1),  # after it: CET
])
def test_times_across_daylight_saving_change(start_utc, paris_hour, offset):
    data = ical.invite(sample(start=start_utc, end=start_utc + timedelta(hours=2)),
                       method=ical.REQUEST, attendee_email="a@example.org", attendee_name="A",
                       now=NOW)
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert event.decoded("DTSTART").astimezone(UTC) == start_utc
    assert event.decoded("DTSTART").hour == paris_hour
    vstart = vobject.readOne(data.decode()).vevent.dtstart.value
    assert vstart.hour == paris_hour
    assert vstart.utcoffset() == timedelta(hours=offset)
    assert vstart.astimezone(UTC) == start_utc


def test_feed_publishes_every_event_and_flags_cancelled_ones():
    events = [sample(uid="a@x"), sample(uid="b@x", is_cancelled=True)]
    data = ical.feed(events, name="Agenda ESS", now=NOW)
    cal = icalendar.Calendar.from_ical(data)
    assert cal["METHOD"] == "PUBLISH"
    assert cal["X-WR-CALNAME"] == "Agenda ESS"
    assert [str(e["STATUS"]) for e in cal.walk("VEVENT")] == ["CONFIRMED", "CANCELLED"]
    parsed = vobject.readOne(data.decode())
    assert [e.uid.value for e in parsed.vevent_list] == ["a@x", "b@x"]


def test_content_type_carries_method():
    assert ical.content_type("REQUEST") == "text/calendar; method=REQUEST; charset=UTF-8"


def test_unknown_method_refused():
    with pytest.raises(ValueError):
        ical.invite(sample(), method="PUBLISH", attendee_email="a@x", attendee_name="A", now=NOW)


def test_vtimezone_matches_zoneinfo_for_years_to_come():
    """Both parsers, every hour around each change from 2025 to 2045 (past icalendar's 2037)."""
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    data = ical.invite(sample(), method=ical.REQUEST, attendee_email="a@x", attendee_name="A",
                       now=NOW)
    tz_icalendar = icalendar.Calendar.from_ical(data).walk("VTIMEZONE")[0].to_tz()
    tz_vobject = vobject.readOne(data.decode()).vevent.dtstart.value.tzinfo
    for year in range(2025, 2046):
        for month in (3, 10):
            for day in range(24, 32):
                for hour in (0, 4, 12):
                    utc = datetime(year, month, day, hour, tzinfo=UTC)
                    expected = utc.astimezone(paris).utcoffset()
                    wall = utc.astimezone(paris).replace(tzinfo=None)
                    if wall.hour in (2,):  # the skipped/repeated hour is ambiguous by nature
                        continue
                    assert wall.replace(tzinfo=tz_icalendar).utcoffset() == expected, utc
                    assert wall.replace(tzinfo=tz_vobject).utcoffset() == expected, utc
