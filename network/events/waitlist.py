"""The waitlist: a freed seat goes straight to the next person waiting (an offer held for a
while), lapsed guest holds and offers give their seat back.

Every move is a conditional UPDATE on the row's current status, so two requests freeing or
offering the same seat at once agree.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, update

from network.core import signals
from network.core.auth import System, is_staff, require
from network.core.time import utcnow
from network.events.models import Event, EventStatus, Registration
from network.events.notices import mail_for_status
from network.events.rules import S, give_back_seat, mail, setting, take_seat
from network.extensions import db


def _next_waitlisted(event_id: int) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status == S.WAITLISTED)
        .order_by(Registration.waitlisted_at, Registration.id)
        .limit(1).with_for_update(skip_locked=True))


def _offer_deadline(event: Event, now: datetime) -> datetime:
    hours = int(setting("EVENTS_WAITLIST_OFFER_HOURS"))
    return min(now + timedelta(hours=hours), event.start_at)


def free_seat(event: Event, now: datetime) -> None:
    """Hand a freed seat straight to the next person waiting, so nobody can jump the queue."""
    while event.start_at > now and event.status == EventStatus.PUBLISHED:
        nxt = _next_waitlisted(event.id)
        if nxt is None:
            break
        moved = db.session.execute(
            update(Registration).where(Registration.id == nxt.id,
                                       Registration.status == S.WAITLISTED)
            .values(status=S.OFFERED, offer_expires_at=_offer_deadline(event, now))
            .execution_options(synchronize_session=False))
        if moved.rowcount == 1:
            db.session.refresh(nxt)
            mail_for_status(nxt, now)
            return
    give_back_seat(event.id)


def fill_free_seats(event: Event, now: datetime) -> None:
    """After the capacity was raised: offer the new seats to those waiting."""
    if event.status != EventStatus.PUBLISHED or event.start_at <= now:
        return
    while _next_waitlisted(event.id) is not None and take_seat(event.id):
        free_seat(event, now)
    db.session.refresh(event)


def expire_lapsed(*, now: datetime, event_id: int | None = None) -> int:
    """Guest holds and waitlist offers past their time: free the seat, offer it to the next.
    Called by the registration services before they count seats, and by the scheduled job."""
    query = select(Registration).where(or_(
        and_(Registration.status == S.PENDING, Registration.hold_expires_at <= now),
        and_(Registration.status == S.OFFERED, Registration.offer_expires_at <= now)))
    if event_id is not None:
        query = query.where(Registration.event_id == event_id)
    lapsed = db.session.scalars(query.order_by(Registration.id)).all()
    done = 0
    for reg in lapsed:
        was = reg.status
        moved = db.session.execute(
            update(Registration).where(Registration.id == reg.id, Registration.status == was)
            .values(status=S.EXPIRED).execution_options(synchronize_session=False))
        if moved.rowcount != 1:
            continue
        db.session.refresh(reg)
        if was == S.OFFERED:
            mail(reg, "event_offer_expired",
                 _l("Place non confirmée : %(title)s", title=reg.event.title))
        free_seat(reg.event, now)
        done += 1
    db.session.flush()
    return done


def release_lapsed(*, acting: Any, now: datetime | None = None,
                   event_id: int | None = None) -> int:
    """`flask events expire-offers`: the platform's job (or staff) releases lapsed seats."""
    require(isinstance(acting, System) or is_staff(acting),
            _("Réservé aux tâches planifiées."), "system_only")
    return expire_lapsed(now=now or utcnow(), event_id=event_id)


@signals.mail_refused.connect
def release_refused_guest(message, now: datetime) -> None:
    """The mail server refused a guest's address for good: they can never confirm, so their
    held seats go back now (to the next person waiting) instead of in half an hour."""
    if message.kind != "event_pending":
        return
    held = db.session.scalars(select(Registration.id).where(
        Registration.email == message.to_address, Registration.status == S.PENDING)).all()
    if held:
        db.session.execute(
            update(Registration).where(Registration.id.in_(held), Registration.status == S.PENDING)
            .values(hold_expires_at=now).execution_options(synchronize_session=False))
        expire_lapsed(now=now)
