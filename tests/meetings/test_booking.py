"""Booking: first come, first served, never twice the same table, person or pair."""

from __future__ import annotations

from datetime import timedelta

import pytest

from network.core.errors import Conflict, PermissionDenied
from network.core.time import as_utc
from network.meetings.participants import Presence
from support import outbox_messages


def book(session, buyer, supplier, slot, acting=None):
    from network.esspresso import meetings

    return meetings.book_meeting(session, buyer.participant.id, supplier.participant.id, slot,
                                 acting=acting or buyer.user)


def test_buyer_books_a_free_slot_and_the_supplier_is_told(db, session, make_buyer,
                                                          make_supplier):
    buyer, supplier = make_buyer(), make_supplier()
    meeting = book(session, buyer, supplier, 2)
    db.session.commit()
    assert (meeting.slot_index, meeting.table_number) == (2, 1)
    mail = outbox_messages(supplier.user.email)[-1]
    assert mail.kind == "esspresso_booked"
    assert "Entreprise Acheteuse 1" in mail.subject
    assert "Table 1" in mail.body_text or "table 1" in mail.body_text


def test_second_buyer_same_slot_gets_nearest_alternatives(db, session, make_buyer,
                                                          make_supplier):
    from network.meetings.booking import SlotTaken

    b1, b2, supplier = make_buyer(), make_buyer(), make_supplier()
    book(session, b1, supplier, 4)
    db.session.commit()
    with pytest.raises(SlotTaken) as refused:
        book(session, b2, supplier, 4)
    assert refused.value.code == "slot_taken"
    assert refused.value.alternatives == [2, 3, 5]  # the three nearest free slots


def test_tables_fill_then_slot_is_full(db, session, make_buyer, make_supplier):
    from network.meetings.booking import SlotTaken

    buyers = [make_buyer() for _ in range(5)]
    suppliers = [make_supplier() for _ in range(5)]
    tables = [book(session, buyers[i], suppliers[i], 0).table_number for i in range(4)]
    assert tables == [1, 2, 3, 4]
    with pytest.raises(SlotTaken) as refused:
        book(session, buyers[4], suppliers[4], 0)
    assert "tables" in refused.value.message
    assert 0 not in refused.value.alternatives and 1 in refused.value.alternatives


def test_pair_meets_once_and_person_once_per_slot(db, session, make_buyer, make_supplier):
    buyer, s1, s2 = make_buyer(), make_supplier(), make_supplier()
    book(session, buyer, s1, 1)
    with pytest.raises(Conflict) as twice:
        book(session, buyer, s1, 3)
    assert twice.value.code == "already_meeting"
    with pytest.raises(Conflict) as busy:
        book(session, buyer, s2, 1)
    assert busy.value.code == "slot_taken"
    assert "déjà un rendez-vous" in busy.value.message


def test_only_the_buyers_team_books(db, session, make_buyer, make_supplier, make_user, staff):
    buyer, supplier = make_buyer(), make_supplier()
    for wrong in (make_user(), supplier.user, staff):
        with pytest.raises(PermissionDenied):
            book(session, buyer, supplier, 0, acting=wrong)
    # the supplier's team cannot book "as" the supplier either: suppliers do not book
    with pytest.raises(PermissionDenied):
        from network.esspresso import meetings

        meetings.book_meeting(session, supplier.participant.id, buyer.participant.id, 0,
                              acting=supplier.user)


def test_availability_and_cap_are_respected(db, session, make_buyer, make_supplier):
    from network.meetings.booking import SlotTaken

    start = as_utc(session.starts_at)
    late = make_supplier(presence=Presence(arrives_at=start + timedelta(hours=1),
                                           max_meetings=1))
    buyer, other = make_buyer(), make_buyer()
    with pytest.raises(SlotTaken) as absent:
        book(session, buyer, late, 0)
    assert absent.value.code == "not_available"
    assert absent.value.alternatives[0] == 3
    book(session, buyer, late, 3)
    with pytest.raises(Conflict) as capped:
        book(session, other, late, 5)
    assert capped.value.code == "max_meetings"


def test_supplier_declines_and_either_side_cancels(db, session, make_buyer, make_supplier,
                                                   make_user):
    from network.esspresso import meetings
    from network.meetings.booking import list_meetings

    buyer, supplier = make_buyer(), make_supplier()
    m1 = book(session, buyer, supplier, 0)
    with pytest.raises(PermissionDenied):
        meetings.decline_meeting(session, m1.id, acting=buyer.user)
    with pytest.raises(PermissionDenied):
        meetings.cancel_meeting(session, m1.id, acting=make_user())
    meetings.decline_meeting(session, m1.id, acting=supplier.user, reason="Pas disponible")
    db.session.commit()
    assert list_meetings(session) == []
    assert outbox_messages(buyer.user.email)[-1].kind == "esspresso_declined"
    m2 = book(session, buyer, supplier, 1)
    meetings.cancel_meeting(session, m2.id, acting=buyer.user)
    db.session.commit()
    assert outbox_messages(supplier.user.email)[-1].kind == "esspresso_cancelled"
    assert list_meetings(session) == []


def test_booking_waits_for_the_opening_date_and_says_it(db, session, make_buyer,
                                                       make_supplier):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from network.esspresso import meetings
    from network.meetings.booking import list_meetings

    buyer, supplier = make_buyer(), make_supplier()
    opens = datetime(2030, 1, 15, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))
    session.booking_opens_at = opens
    db.session.commit()
    with pytest.raises(Conflict) as early:
        meetings.book_meeting(session, buyer.participant.id, supplier.participant.id, 0,
                              acting=buyer.user, now=opens - timedelta(minutes=1))
    assert early.value.code == "booking_not_open"
    assert early.value.message == \
        "Les réservations ouvriront le mardi 15 janvier 2030 à 09h00."
    assert list_meetings(session) == []


def test_no_change_once_the_session_started(db, session, make_buyer, make_supplier):
    from network.esspresso import meetings

    buyer, supplier = make_buyer(), make_supplier()
    m = book(session, buyer, supplier, 0)
    later = as_utc(session.starts_at) + timedelta(minutes=1)
    with pytest.raises(Conflict) as closed:
        meetings.book_meeting(session, buyer.participant.id, supplier.participant.id, 3,
                              acting=buyer.user, now=later)
    assert closed.value.code == "booking_closed"
    with pytest.raises(Conflict) as started:
        meetings.cancel_meeting(session, m.id, acting=buyer.user, now=later)
    assert started.value.code == "session_started"
