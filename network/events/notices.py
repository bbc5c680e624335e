"""The mails of a registration: invites (iCalendar REQUEST with the badge), cancellations
(CANCEL), the mail that matches each status, and the day-before reminder."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network.core.auth import System, require
from network.core.i18n import in_locale
from network.core.time import utcnow
from network.core.urls import external_url
from network.events import checkin, ical
from network.events.calendar import ics_event
from network.events.models import Event, EventStatus, Registration
from network.events.queries import waitlist_position
from network.events.rules import S, confirm_token, language, mail, setting
from network.extensions import db
from network.outbox import services as outbox


def mail_invite(reg: Registration, template: str, subject: str, *, now: datetime,
                bump: bool = False) -> None:
    # After a CANCEL the calendar needs a higher SEQUENCE to take the event back.
    bump = bump or reg.ical_method_sent == ical.CANCEL
    seq = max(reg.event.sequence, reg.ical_sequence + (1 if bump else 0))
    reg.ical_sequence = seq
    reg.ical_method_sent = ical.REQUEST
    with in_locale(language(reg)):  # the invite's category and alarm, in their language
        data = ical.invite(ics_event(reg.event, uid=reg.ical_uid, sequence=seq),
                           method=ical.REQUEST, attendee_email=reg.email,
                           attendee_name=reg.name, now=now,
                           alarm_minutes=int(setting("EVENTS_ALARM_MINUTES")),
                           alarm_text=_("Rappel : %(title)s", title=reg.event.title))
    attachments = [outbox.Attachment("invitation.ics", ical.content_type(ical.REQUEST), data)]
    if reg.status == S.CONFIRMED:
        # The badge travels with the invite: shown on the phone or printed, scanned at the door.
        attachments.append(outbox.Attachment("badge.png", "image/png", checkin.badge_png(reg)))
    mail(reg, template, subject, attachments=attachments)


def mail_confirmed(reg: Registration, now: datetime) -> None:
    mail_invite(reg, "event_confirmed",
                _l("Inscription confirmée : %(title)s", title=reg.event.title), now=now)


def mail_cancel(reg: Registration, template: str, subject: str, *, now: datetime,
                **context: Any) -> None:
    attachments = None
    if reg.ical_method_sent == ical.REQUEST:
        reg.ical_sequence = max(reg.event.sequence, reg.ical_sequence + 1)
        reg.ical_method_sent = ical.CANCEL
        with in_locale(language(reg)):
            data = ical.invite(ics_event(reg.event, uid=reg.ical_uid,
                                         sequence=reg.ical_sequence, cancelled=True),
                               method=ical.CANCEL, attendee_email=reg.email,
                               attendee_name=reg.name, now=now)
            filename = _("annulation.ics")
        attachments = [outbox.Attachment(filename, ical.content_type(ical.CANCEL), data)]
    mail(reg, template, subject, attachments=attachments, **context)


def mail_for_status(reg: Registration, now: datetime, **context: Any) -> None:
    event = reg.event
    if reg.status == S.CONFIRMED:
        mail_confirmed(reg, now)
    elif reg.status == S.PENDING:
        mail(reg, "event_pending", _l("Confirmez votre inscription : %(title)s", title=event.title),
             confirm_link=external_url("events.confirm", token=confirm_token(reg)),
             minutes=int(setting("EVENTS_GUEST_HOLD_MINUTES")), **context)
    elif reg.status == S.WAITLISTED:
        mail(reg, "event_waitlisted", _l("Liste d'attente : %(title)s", title=event.title),
             position=waitlist_position(reg))
    elif reg.status == S.OFFERED:
        mail(reg, "event_offer", _l("Une place se libère : %(title)s", title=event.title))


def send_reminders(*, acting: Any, now: datetime | None = None) -> int:
    """The day-before mail: events starting within the window, each person once."""
    require(isinstance(acting, System), _("Réservé aux tâches planifiées."), "system_only")
    now = now or utcnow()
    window = now + timedelta(hours=int(setting("EVENTS_REMINDER_WINDOW_HOURS")))
    regs = db.session.scalars(
        select(Registration).join(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.start_at > now,
               Event.start_at <= window, Registration.status == S.CONFIRMED,
               Registration.reminded_at.is_(None))).all()
    for reg in regs:
        reg.reminded_at = now
        mail(reg, "event_reminder", _l("Rappel : %(title)s", title=reg.event.title))
    db.session.flush()
    return len(regs)
