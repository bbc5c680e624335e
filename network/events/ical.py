"""iCalendar (RFC 5545) invites and feeds, RFC 5546 methods: values in, bytes out.

Pure: no Flask, no SQLAlchemy; the clock (`now`) is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import (
    Alarm,
    Calendar,
    Event,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vRecur,
    vText,
)

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//Reseau ESS Moselle//Evenements//FR"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


@dataclass(frozen=True)
class IcsEvent:
    """What an invite or a feed entry says about one event."""

    uid: str
    sequence: int
    summary: str
    start: datetime  # aware
    end: datetime  # aware
    location: str = ""
    description: str = ""
    url: str = ""
    organizer_email: str = ""
    organizer_name: str = ""
    is_cancelled: bool = False
    categories: tuple[str, ...] = ()


def paris_vtimezone() -> Timezone:
    """Europe/Paris as the EU rule (last Sunday of March / October), with RRULEs.

    icalendar's add_missing_timezones() writes an RDATE list that stops in 2037 and that
    vobject reads with the wrong summer offset; this compact form is what Thunderbird and
    Google write, and every parser we tried reads it right.
    """
    tz = Timezone()
    tz.add("tzid", "Europe/Paris")
    tz.add("x-lic-location", "Europe/Paris")
    for part, start, month, before, after, name in (
            (TimezoneDaylight(), datetime(1970, 3, 29, 2), 3, 1, 2, "CEST"),
            (TimezoneStandard(), datetime(1970, 10, 25, 3), 10, 2, 1, "CET")):
        part.add("tzname", name)
        part.add("tzoffsetfrom", timedelta(hours=before))
        part.add("tzoffsetto", timedelta(hours=after))
        part.add("dtstart", start)
        part.add("rrule", vRecur(freq="YEARLY", bymonth=month, byday="-1SU"))
        tz.add_component(part)
    return tz


def content_type(method: str) -> str:
    """The MIME type of the attachment carries the same METHOD as the file (RFC 6047)."""
    return f"text/calendar; method={method}; charset=UTF-8"


def _calendar(method: str, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(paris_vtimezone())
    if name:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", "Europe/Paris")
    return cal


def _component(ev: IcsEvent, *, now: datetime, status: str) -> Event:
    item = Event()
    item.add("uid", ev.uid)
    item.add("sequence", ev.sequence)
    item.add("dtstamp", now.astimezone(ZoneInfo("UTC")))
    item.add("dtstart", ev.start.astimezone(PARIS))
    item.add("dtend", ev.end.astimezone(PARIS))
    item.add("summary", ev.summary)
    if ev.location:
        item.add("location", ev.location)
    if ev.description:
        item.add("description", ev.description)
    if ev.url:
        item.add("url", ev.url)
    if ev.categories:
        item.add("categories", list(ev.categories))
    item.add("status", status)
    item.add("transp", "OPAQUE")
    if ev.organizer_email:
        organizer = vCalAddress(f"mailto:{ev.organizer_email}")
        if ev.organizer_name:
            organizer.params["cn"] = vText(ev.organizer_name)
        item.add("organizer", organizer, encode=False)
    return item


def invite(ev: IcsEvent, *, method: str, attendee_email: str, attendee_name: str,
           now: datetime, alarm_minutes: int | None = 60 * 24, partstat: str = "ACCEPTED",
           alarm_text: str | None = None) -> bytes:
    """A one-person invite: METHOD:REQUEST (new or updated) or METHOD:CANCEL. `alarm_text`
    is what the reminder pops up, in the attendee's language (the event's title if none)."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unsupported method {method}")
    cancelled = method == CANCEL or ev.is_cancelled
    cal = _calendar(CANCEL if cancelled else REQUEST)
    item = _component(ev, now=now, status="CANCELLED" if cancelled else "CONFIRMED")
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["cn"] = vText(attendee_name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["cutype"] = vText("INDIVIDUAL")
    attendee.params["partstat"] = vText("DECLINED" if cancelled else partstat)
    attendee.params["rsvp"] = vText("FALSE" if cancelled else "TRUE")
    item.add("attendee", attendee, encode=False)
    if not cancelled and alarm_minutes:
        item.add_component(_alarm(alarm_text or ev.summary, alarm_minutes))
    cal.add_component(item)
    return cal.to_ical()


def _alarm(text: str, minutes: int) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", timedelta(minutes=-minutes))
    return alarm


def feed(events: Iterable[IcsEvent], *, name: str, now: datetime,
         refresh_hours: int = 6) -> bytes:
    """A subscribable calendar (METHOD:PUBLISH) for webcal:// clients."""
    cal = _calendar(PUBLISH, name)
    cal.add("refresh-interval", timedelta(hours=refresh_hours), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", f"PT{refresh_hours}H")
    for ev in events:
        cal.add_component(_component(ev, now=now,
                                     status="CANCELLED" if ev.is_cancelled else "CONFIRMED"))
    return cal.to_ical()
