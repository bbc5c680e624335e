"""The calendar side: one event as iCalendar, the public feed and each person's feed.

`ical.py` is the pure core (values in, bytes out); this module feeds it from the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from network.accounts.models import User
from network.core import signals
from network.core.errors import NotFound
from network.core.time import utcnow
from network.core.urls import external_url
from network.events import ical, territories
from network.events.models import KIND_LABELS, SEAT_HOLDING, Event, EventStatus, Registration
from network.events.queries import filter_events
from network.events.rules import S, mine_clause, setting, uid_domain
from network.extensions import db


def ics_event(event: Event, *, uid: str | None = None, sequence: int | None = None,
              cancelled: bool = False) -> ical.IcsEvent:
    return ical.IcsEvent(
        uid=uid or f"event-{event.uid}@{uid_domain()}",
        sequence=event.sequence if sequence is None else sequence,
        summary=event.title,
        start=event.start_at, end=event.end_at, location=event.location,
        description=(event.subtitle + "\n\n" if event.subtitle else "")
        + external_url("events.detail", event_id=event.id),
        url=external_url("events.detail", event_id=event.id),
        organizer_email=setting("EVENTS_ORGANIZER_EMAIL"),
        organizer_name=setting("EVENTS_ORGANIZER_NAME"),
        is_cancelled=cancelled or event.status == EventStatus.CANCELLED,
        categories=(str(KIND_LABELS[event.kind]),))


def event_ics(event: Event, *, now: datetime | None = None) -> bytes:
    """« Ajouter à mon agenda »: the event alone, METHOD:PUBLISH."""
    return ical.feed([ics_event(event)], name=event.title, now=now or utcnow())


def public_feed(*, kind: str | None = None, territory: str | None = None,
                now: datetime | None = None) -> bytes:
    now = now or utcnow()
    query = select(Event).where(Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]),
                                Event.end_at >= now - timedelta(days=90))
    query = filter_events(query, kind=kind, territory=territory)
    events = db.session.scalars(query.order_by(Event.start_at)).all()
    name = _("Événements de l'ESS en Moselle")
    place = territories.by_code(territory)
    if place is not None:
        name = _("Événements de l'ESS en Moselle — %(place)s", place=place.name)
    return ical.feed([ics_event(e) for e in events], name=name, now=now)


def personal_feed(token: str, *, now: datetime | None = None) -> bytes:
    """Everything one person registered for, behind their secret calendar token (what was
    made with their address only once that address is verified)."""
    now = now or utcnow()
    user = None
    if token and len(token) <= 64 and "\x00" not in token:
        user = db.session.scalar(select(User).where(User.calendar_token == token))
    if user is None:
        raise NotFound(_("Ce lien d'agenda n'est pas valide ; il a peut-être été renouvelé."),
                       "feed_not_found")
    regs = db.session.scalars(
        select(Registration).join(Event)
        .where(mine_clause(user),
               Registration.status.in_([*SEAT_HOLDING, S.CANCELLED]),
               Registration.ical_method_sent.is_not(None) | (Registration.status != S.CANCELLED))
        .order_by(Event.start_at)).all()
    items = [ics_event(r.event, uid=r.ical_uid, sequence=max(r.ical_sequence, r.event.sequence),
                       cancelled=r.status == S.CANCELLED) for r in regs]
    for more in signals.collect(signals.personal_calendar, user):
        items.extend(more)
    return ical.feed(items, name=_("Mes événements — %(site)s",
                                   site=current_app.config["SITE_NAME"]), now=now)
