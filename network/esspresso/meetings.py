"""Booking, declining and cancelling meetings, and marking wishes; each side is told by mail.

The rules (who, when, no double booking) are the engine's (`network.meetings`); this module
adds what ESSpresso says to people, through the outbox, in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from network.core.urls import external_url
from network.meetings import booking as engine
from network.meetings import wishes as wish_engine
from network.meetings.mail import tell
from network.meetings.models import Meeting, MeetingSession
from network.meetings.rules import get_participant

# The hours of a slot, one style per language: "16h30–16h50", "16:30–16:50",
# "16:30–16:50 Uhr" (a 12-hour clock would write "4:30 PM–4:50 PM" on every row).
_HOUR = {"fr": "HH'h'mm", "en": "HH:mm", "de": "HH:mm"}
_HOURS = {"fr": "{}–{}", "en": "{}–{}", "de": "{}–{} Uhr"}


def hours(starts_at: datetime, ends_at: datetime) -> str:
    from network.core.i18n import current, when

    lang = current() if current() in _HOUR else "fr"
    return _HOURS[lang].format(when(starts_at, _HOUR[lang]), when(ends_at, _HOUR[lang]))


def slot_label(session: MeetingSession, slot_index: int) -> str:
    """« 02/12/2026 16h30–16h50 » in the current language."""
    from network.core.i18n import when

    slot = session.slots[slot_index]
    return f"{when(slot.starts_at, 'shortdate')} {hours(slot.starts_at, slot.ends_at)}"


def book_meeting(session: MeetingSession, buyer_id: int, supplier_id: int, slot_index: int,
                 *, acting: Any, now: datetime | None = None) -> Meeting:
    buyer = get_participant(session, buyer_id)
    supplier = get_participant(session, supplier_id)
    meeting = engine.book(session, buyer, supplier, slot_index, acting=acting, now=now)
    tell(supplier, "esspresso_booked",
         _l("ESSpresso : %(buyer)s vous propose un rendez-vous", buyer=buyer.display_name),
         session=session, buyer=buyer, meeting=meeting, slot=session.slots[slot_index],
         link=external_url("esspresso.detail", session_id=session.id))
    return meeting


def decline_meeting(session: MeetingSession, meeting_id: int, *, acting: Any,
                    reason: str = "", now: datetime | None = None) -> None:
    from network.esspresso.agendas import cancel_invites

    meeting = engine.get_meeting(session, meeting_id)
    buyer, supplier, slot = meeting.a, meeting.b, meeting.slot_index
    invites = cancel_invites(session, meeting)
    engine.decline(session, meeting, acting=acting, reason=reason, now=now)
    tell(buyer, "esspresso_declined",
         _l("ESSpresso : %(supplier)s a décliné votre rendez-vous",
            supplier=supplier.display_name),
         session=session, other=supplier, slot=session.slots[slot],
         reason=reason, link=external_url("esspresso.catalogue_page", session_id=session.id),
         attachments=invites.get(buyer.id, {}).get)


def cancel_meeting(session: MeetingSession, meeting_id: int, *, acting: Any,
                   reason: str = "", now: datetime | None = None) -> None:
    from network.esspresso.agendas import cancel_invites

    meeting = engine.get_meeting(session, meeting_id)
    a, b, slot = meeting.a, meeting.b, meeting.slot_index
    invites = cancel_invites(session, meeting)
    engine.cancel(session, meeting, acting=acting, reason=reason, now=now)
    from network.meetings.rules import acts_for

    for told, other in ((a, b), (b, a)):
        if not acts_for(acting, told):
            tell(told, "esspresso_cancelled",
                 _l("ESSpresso : rendez-vous annulé avec %(other)s", other=other.display_name),
                 session=session, other=other, slot=session.slots[slot], reason=reason,
                 link=external_url("esspresso.detail", session_id=session.id),
                 attachments=invites.get(told.id, {}).get)


def mark_wish(session: MeetingSession, source_id: int, target_id: int, priority: int, *,
              acting: Any, now: datetime | None = None) -> None:
    source = get_participant(session, source_id)
    target = get_participant(session, target_id)
    wish_engine.set_wish(session, source, target, priority, acting=acting, now=now)
