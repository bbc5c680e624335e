"""Many buyers book at the same instant, each in its own thread, connection and transaction,
committing for real: no table, participant or pair is ever booked twice (on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select


def _race(app, jobs):
    """Run book_meeting(session, buyer, supplier, slot) for every job at once."""
    from network.accounts.models import User
    from network.core.errors import DomainError
    from network.esspresso import meetings
    from network.extensions import db
    from network.meetings.rules import get_session

    start = threading.Barrier(len(jobs))
    results: list[str] = []
    lock = threading.Lock()

    def work(session_id, user_id, buyer_id, supplier_id, slot):
        with app.app_context():
            try:
                start.wait(timeout=30)  # before taking a connection: the pool is smaller
                user = db.session.get(User, user_id)
                session = get_session(session_id)
                meetings.book_meeting(session, buyer_id, supplier_id, slot, acting=user)
                db.session.commit()
                outcome = "ok"
            except DomainError as err:
                db.session.rollback()
                outcome = err.code
            except Exception as err:  # noqa: BLE001 — reported, makes the test fail
                db.session.rollback()
                outcome = f"error {type(err).__name__}: {err}"
            finally:
                db.session.remove()
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return Counter(results)


def _live(db, session_id):
    from network.meetings.models import Meeting

    db.session.expire_all()
    return list(db.session.scalars(select(Meeting).where(Meeting.session_id == session_id)))


def _assert_no_double_booking(meetings):
    assert len({(m.slot_index, m.table_number) for m in meetings}) == len(meetings)
    assert len({(m.slot_index, m.a_id) for m in meetings}) == len(meetings)
    assert len({(m.slot_index, m.b_id) for m in meetings}) == len(meetings)
    assert len({(m.a_id, m.b_id) for m in meetings}) == len(meetings)


def test_twenty_buyers_race_for_the_same_supplier_and_slot(app, db, session, make_buyer,
                                                           make_supplier):
    buyers = [make_buyer() for _ in range(20)]
    star = make_supplier()
    jobs = [(session.id, b.user.id, b.participant.id, star.participant.id, 2) for b in buyers]
    outcome = _race(app, jobs)
    assert outcome == {"ok": 1, "slot_taken": 19}, outcome
    live = _live(db, session.id)
    assert len(live) == 1 and live[0].slot_index == 2
    _assert_no_double_booking(live)


def test_more_bookings_than_tables_and_the_same_buyer_twice(app, db, session, make_buyer,
                                                            make_supplier):
    buyers = [make_buyer() for _ in range(8)]
    suppliers = [make_supplier() for _ in range(8)]
    jobs = [(session.id, b.user.id, b.participant.id, s.participant.id, 0)
            for b, s in zip(buyers, suppliers, strict=True)]
    # the first buyer also books a second supplier in the same slot, and the same pair twice
    jobs.append((session.id, buyers[0].user.id, buyers[0].participant.id,
                 suppliers[1].participant.id, 0))
    jobs.append((session.id, buyers[0].user.id, buyers[0].participant.id,
                 suppliers[0].participant.id, 5))
    outcome = _race(app, jobs)
    assert not [k for k in outcome if k.startswith("error")], outcome
    live = _live(db, session.id)
    _assert_no_double_booking(live)
    assert len([m for m in live if m.slot_index == 0]) == 4  # 4 tables
    assert outcome["ok"] == len(live)
    assert set(outcome) <= {"ok", "slot_taken", "already_meeting"}


def test_counts_match_after_the_race(app, db, session, make_buyer, make_supplier):
    from network.meetings.models import Meeting

    buyers = [make_buyer() for _ in range(6)]
    suppliers = [make_supplier() for _ in range(3)]
    jobs = [(session.id, b.user.id, b.participant.id, s.participant.id, slot)
            for b in buyers for slot, s in enumerate(suppliers)]
    outcome = _race(app, jobs)
    assert not [k for k in outcome if k.startswith("error")], outcome
    live = _live(db, session.id)
    _assert_no_double_booking(live)
    # each supplier meets exactly one buyer per slot it was asked for: 3 suppliers × 1 slot
    assert len(live) == 3 == outcome["ok"]
    assert db.session.scalar(select(func.count(Meeting.id))) == 3


def test_the_same_wish_and_registration_sent_at_once(app, db, session, make_buyer,
                                                     make_supplier, make_user, category):
    """Double clicks: one wish row, one participant, and a clear refusal, never a 500."""
    from network.accounts.models import User
    from network.core.errors import DomainError
    from network.esspresso import buyers, meetings, registration
    from network.esspresso.models import BuyerProfile
    from network.meetings.models import MeetingParticipant, MeetingWish
    from network.meetings.participants import Presence
    from network.meetings.rules import get_session

    buyer, supplier = make_buyer(), make_supplier()
    newcomer = make_user()
    from network.directory.demo import make_siret

    profile = buyers.create_buyer(buyers.BuyerData(
        name="Nouvelle Acheteuse", buyer_type="collectivite", siret=make_siret(654_321),
        postcode="57000", commune="Metz"), acting=newcomer)
    db.session.commit()
    traiteur = category("traiteur")
    sid, bid, pid, org_id = session.id, buyer.participant.id, supplier.participant.id, \
        profile.organisation_id
    barrier = threading.Barrier(12)
    results: list[str] = []
    lock = threading.Lock()

    def wish(priority):
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                s = get_session(sid)
                meetings.mark_wish(s, bid, pid, priority,
                                   acting=db.session.get(User, buyer.user.id))
                db.session.commit()
                out = "ok"
            except Exception as err:  # noqa: BLE001
                db.session.rollback()
                out = f"error {type(err).__name__}"
            finally:
                db.session.remove()
            with lock:
                results.append(out)

    def register():
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                s = get_session(sid)
                p = db.session.scalar(select(BuyerProfile).where(
                    BuyerProfile.organisation_id == org_id))
                registration.register_buyer(s, p, Presence(), registration.NeedData(
                    category_id=traiteur, description="Repas"),
                    acting=db.session.get(User, newcomer.id))
                db.session.commit()
                out = "registered"
            except DomainError as err:
                db.session.rollback()
                out = err.code
            except Exception as err:  # noqa: BLE001
                db.session.rollback()
                out = f"error {type(err).__name__}: {err}"
            finally:
                db.session.remove()
            with lock:
                results.append(out)

    threads = [threading.Thread(target=wish, args=(1 + i % 3,)) for i in range(8)]
    threads += [threading.Thread(target=register) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    counts = Counter(results)
    assert counts["ok"] == 8, counts
    assert counts["registered"] == 1 and counts["already_participant"] == 3, counts
    db.session.expire_all()
    assert db.session.scalar(select(func.count(MeetingWish.id))) == 1
    assert db.session.scalar(select(func.count(MeetingParticipant.id)).where(
        MeetingParticipant.organisation_id == org_id)) == 1


def test_most_meetings_wanted_holds_under_a_race(app, db, session, make_buyer, make_supplier):
    """A supplier who wants 2 meetings at most gets 2, whatever arrives at the same instant:
    a conditional UPDATE of its count, and a CHECK constraint behind it."""
    from network.meetings.models import MeetingParticipant
    from network.meetings.participants import Presence

    buyers = [make_buyer() for _ in range(9)]
    capped = make_supplier(presence=Presence(max_meetings=2))
    jobs = [(session.id, b.user.id, b.participant.id, capped.participant.id, i)
            for i, b in enumerate(buyers)]
    outcome = _race(app, jobs)
    assert outcome == {"ok": 2, "max_meetings": 7}, outcome
    live = _live(db, session.id)
    assert len(live) == 2
    _assert_no_double_booking(live)
    counts = dict(db.session.execute(select(MeetingParticipant.id,
                                            MeetingParticipant.meetings_count)).all())
    assert counts[capped.participant.id] == 2
    assert sum(counts.values()) == 4  # 2 for the supplier, 1 for each of its two buyers
