"""Walk-ins at the same instant: organisers seat different pairs on the same free table, each
in its own thread, connection and transaction: one gets the table, the others a clear refusal
(on SQLite and, with TEST_DATABASE_URL, on PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import select


def test_walk_ins_race_for_one_table(app, db, session, make_buyer, make_supplier, staff,
                                     to_now):
    from network.accounts.models import User
    from network.core.errors import DomainError
    from network.meetings import day as engine_day
    from network.meetings.models import Meeting
    from network.meetings.rules import get_session

    pairs = [(make_buyer().participant.id, make_supplier().participant.id) for _ in range(4)]
    to_now(session)
    session_id, staff_id = session.id, staff.id
    start = threading.Barrier(len(pairs))
    results: list[str] = []
    lock = threading.Lock()

    def work(a_id, b_id):
        with app.app_context():
            try:
                start.wait(timeout=30)
                engine_day.add_walk_in(get_session(session_id), a_id, b_id, 0, 3,
                                       acting=db.session.get(User, staff_id))
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

    threads = [threading.Thread(target=work, args=pair) for pair in pairs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert Counter(results) == {"ok": 1, "walk_in_refused": 3}, results
    db.session.expire_all()
    live = db.session.scalars(select(Meeting).where(Meeting.session_id == session_id)).all()
    assert [(m.slot_index, m.table_number) for m in live] == [(0, 3)]
