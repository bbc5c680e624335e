"""The API's refusals take the fast path: as few statements as an admit (counted, per path and
engine), and the very answers the precise path (`checkin.check_in`) gives."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from network.events import checkin, door, registration, rules
from network.events.door_models import DoorScan
from network.events.models import Registration
from tests.events.test_checkin_api import people, post, token_for  # noqa: F401 (fixtures)


def statements(db, client, token, body):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement.split()[0].upper())

    sa_event.listen(db.engine, "before_cursor_execute", count)
    try:
        answer = post(client, token, body)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count)
    return answer, seen


def engine(db) -> str:
    return db.engine.dialect.name


def test_admit_and_refusal_cost_the_same_statements(app, people, token_for, client, db):
    event, [a, b] = people()
    _dev, token = token_for(event)
    post(client, token, {"code": b.badge_code, "nonce": "warm-00001"})  # warm up
    code = a.badge_code
    admit, admit_seen = statements(db, client, token, {"code": code, "nonce": "cost-00001"})
    refuse, refuse_seen = statements(db, client, token, {"code": code, "nonce": "cost-00002"})
    assert admit.status_code == 200 and admit.json["ok"], admit.json
    assert refuse.status_code == 409 and refuse.json["code"] == "already_checked_in"
    if engine(db) == "postgresql":
        # the device; the UPDATE and the read in one statement (WITH … UPDATE … RETURNING);
        # the scan row (an admit only: a refusal is answered 409 and rolled back)
        assert admit_seen == ["SELECT", "WITH", "INSERT"], admit_seen
        assert refuse_seen == ["SELECT", "WITH"], refuse_seen
    else:
        # the device; the UPDATE … RETURNING; then the scan row (an admit) or the
        # registration, who let them in and a retry check in one SELECT (a refusal)
        assert admit_seen == ["SELECT", "UPDATE", "INSERT"], admit_seen
        assert refuse_seen == ["SELECT", "UPDATE", "SELECT"], refuse_seen
    # No more without a nonce.
    bare, bare_seen = statements(db, client, token, {"code": code})
    assert bare.status_code == 409 and bare_seen == refuse_seen, bare_seen


def test_fast_refusal_says_when_and_by_whom_as_check_in_does(app, people, token_for, client,
                                                             db, make_staff):
    event, [a, _b] = people()
    staff = make_staff(email=f"chef-{uuid.uuid4().hex[:6]}@example.org")
    vol = door.invite(event, name="Aïcha Bénévole", email="aicha@example.org", acting=staff)
    db.session.commit()
    vol_dev, vol_token = token_for(event, staff=staff, volunteer_id=vol.id)
    _dev2, token = token_for(event, "Tél B", staff=staff)
    code = a.badge_code
    assert post(client, vol_token, {"code": code, "nonce": "vol-000001"}).status_code == 200
    r = post(client, token, {"code": code, "nonce": "other-0001"})
    reg = db.session.get(Registration, a.id)
    db.session.refresh(reg)
    assert r.status_code == 409, r.json
    assert r.json["message"] == checkin.already_message(reg)
    assert r.json["message"].endswith("(par Aïcha Bénévole).")
    assert r.json["name"] == reg.name and r.json["registration_id"] == reg.id
    assert r.json["time"] == checkin.hhmm(reg.checked_in_at)
    # A retried admit is answered as a retry, not as a refusal.
    again = post(client, vol_token, {"code": code, "nonce": "vol-000001"})
    assert again.status_code == 200 and again.json["replayed"] and again.json["ok"]
    # An offline queue's refusal is kept, so both devices hear of the second scan.
    r = post(client, token, {"scans": [{"code": code, "nonce": "other-0002"}]},
             path="/api/v1/accueil/scans/lot")
    assert r.status_code == 200 and r.json["results"][0]["message"] == \
        checkin.already_message(reg)
    assert [c["kept_device"] for c in r.json["conflicts"]] == [vol_dev.name]
    assert db.session.scalar(select(func.count(DoorScan.id))
                             .where(DoorScan.registration_id == a.id)) == 2
    # A staff member's entry names them.
    _c, [c] = event, people(event, n=1)[1]
    checkin.check_in(event, c.badge_code, acting=staff)
    db.session.commit()
    r = post(client, token, {"code": c.badge_code})
    assert r.json["message"].endswith(f"(par {staff.name}).")


def test_every_refusal_matches_the_precise_path(app, people, token_for, client, db,
                                                make_event, make_staff, guest):
    event, [a, b] = people()
    other, [c] = people(n=1)
    _dev, token = token_for(event)
    staff = make_staff(email=f"s2-{uuid.uuid4().hex[:6]}@example.org")
    pending = registration.register(event, guest(7), acting=rules.VISITOR).registration
    cancelled_code = b.badge_code
    registration.cancel_registration(b, acting=rules.guest_for(b))
    db.session.commit()
    cases = {"wrong_event": c.badge_code, "not_confirmed": pending.badge_code,
             "revoked_code": cancelled_code, "unknown_code": "ZZZZZZZZ",
             "invalid_code": "n'importe quoi"}
    for i, (expected, code) in enumerate(cases.items()):
        with pytest.raises(checkin.CheckInError) as precise:
            checkin.check_in(event, code, acting=staff)
        db.session.rollback()
        r = post(client, token, {"code": code, "nonce": f"case-{i:06d}"})
        assert r.status_code == 422, (expected, r.json)
        assert (r.json["code"], r.json["message"]) == (expected, precise.value.message)
        if expected == "wrong_event":  # nothing of another event's person is told
            assert r.json["name"] == "" and r.json["registration_id"] is None
    assert db.session.get(Registration, c.id).checked_in_at is None
    # A single scan's refusal is answered 422 and leaves nothing behind; from an offline
    # queue (answered 200), this event's refusals are kept with the device.
    assert db.session.scalar(select(func.count(DoorScan.id))) == 0
    r = post(client, token, {"scans": [{"code": code, "nonce": f"lot-{i:06d}"}
                                       for i, code in enumerate(cases.values())]},
             path="/api/v1/accueil/scans/lot")
    assert [x["code"] for x in r.json["results"]] == list(cases)
    assert set(db.session.scalars(select(DoorScan.outcome))) == {"not_confirmed",
                                                                 "revoked_code"}
    r = post(client, token, {"scans": [{"code": pending.badge_code, "nonce": "lot-000001"}]},
             path="/api/v1/accueil/scans/lot")
    assert r.json["results"][0]["replayed"] and r.json["results"][0]["code"] == "not_confirmed"
