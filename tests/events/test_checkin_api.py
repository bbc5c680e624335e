"""The check-in API: device tokens (hashed, revocable, one event), nonces, offline batches
reconciled by scan time, the statements one scan costs, and every wrong party refused."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from network.core.auth import is_staff
from network.core.time import utcnow
from network.events import checkin, devices, door, registration, rules
from network.events.door_models import DoorDevice, DoorScan
from network.events.models import Registration, RegistrationStatus

S = RegistrationStatus


@pytest.fixture
def people(make_event, make_user, db):
    def make(event=None, n=2):
        event = event or make_event(capacity=50)
        regs = []
        for i in range(n):
            user = make_user(email=f"p{i}-{uuid.uuid4().hex[:6]}@example.org", name=f"Personne {i}")
            regs.append(registration.register(event, registration.prefill(user),
                                              acting=user).registration)
        db.session.commit()
        return event, regs

    return make


@pytest.fixture
def token_for(db, make_staff):
    def make(event, name="Téléphone entrée A", **kw):
        owner = kw.pop("staff", None) or make_staff(email=f"s-{uuid.uuid4().hex[:6]}@example.org")
        dev, token = devices.issue(event, name=name, acting=owner, **kw)
        db.session.commit()
        return dev, token

    return make


def post(client, token, body, path="/api/v1/accueil/scans"):
    return client.post(path, json=body, headers={"Authorization": f"Bearer {token}"})


def test_token_is_stored_hashed_and_scoped_to_its_event(app, people, token_for, client, db):
    event, [a, _b] = people()
    other, [c] = people(n=1)
    dev, token = token_for(event)
    assert token not in dev.token_hash and dev.token_hash == devices.hash_token(token)
    r = post(client, token, {"code": a.badge_code, "nonce": "n-000001"})
    assert r.status_code == 200 and r.json["ok"] and r.json["name"] == a.name, r.json
    r = post(client, token, {"code": c.badge_code, "nonce": "n-000002"})
    assert r.status_code == 422 and r.json["code"] == "wrong_event"
    assert db.session.get(Registration, c.id).checked_in_at is None
    [scan] = db.session.scalars(select(DoorScan).where(DoorScan.registration_id == a.id))
    assert scan.device_id == dev.id and scan.outcome == "checked_in"


def test_retried_request_is_harmless(app, people, token_for, client, db):
    event, [a, _b] = people()
    _dev, token = token_for(event)
    first = post(client, token, {"code": a.badge_code, "nonce": "retry-0001"})
    again = post(client, token, {"code": a.badge_code, "nonce": "retry-0001"})
    assert first.status_code == again.status_code == 200
    assert again.json["replayed"] and again.json["ok"]
    other = post(client, token, {"code": a.badge_code, "nonce": "retry-0002"})
    assert other.status_code == 409 and other.json["code"] == "already_checked_in"
    assert db.session.scalar(select(func.count(DoorScan.id))
                             .where(DoorScan.outcome == "checked_in")) == 1


@pytest.mark.parametrize("header", ["", "Bearer ", "Bearer door_nope", "Basic abc"])
def test_no_or_wrong_token_is_refused(app, people, client, db, header):
    event, [a, _b] = people()
    r = client.post("/api/v1/accueil/scans", json={"code": a.badge_code},
                    headers={"Authorization": header} if header else {})
    assert r.status_code == 401 and r.json["error"] == "token_invalid"
    assert db.session.get(Registration, a.id).checked_in_at is None


def test_revoked_token_and_revoked_volunteer_are_refused(app, people, token_for, client, db,
                                                         make_staff):
    event, [a, b] = people()
    staff = make_staff(email="chef@example.org")
    dev, token = token_for(event, staff=staff)
    devices.revoke(dev, acting=staff)
    db.session.commit()
    r = post(client, token, {"code": a.badge_code})
    assert r.status_code == 401 and r.json["error"] == "token_revoked"
    vol = door.invite(event, name="Bénévole", email="vol@example.org", acting=staff)
    db.session.commit()
    _dev2, token2 = token_for(event, staff=staff, volunteer_id=vol.id)
    assert post(client, token2, {"code": a.badge_code}).status_code == 200
    door.revoke(vol, acting=staff)
    db.session.commit()
    r = post(client, token2, {"code": b.badge_code})
    assert r.status_code == 401 and r.json["error"] == "token_revoked"
    # Invited again: a fresh link, but the old device token stays revoked.
    door.invite(event, name="Bénévole", email="vol@example.org", acting=staff)
    db.session.commit()
    assert post(client, token2, {"code": b.badge_code}).status_code == 401
    assert db.session.get(Registration, b.id).checked_in_at is None


def test_token_stops_with_the_door(app, people, token_for, client, db):
    event, [a, _b] = people()
    _dev, token = token_for(event)
    event.start_at = utcnow() - timedelta(hours=8)
    event.end_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    r = post(client, token, {"code": a.badge_code})
    assert r.status_code == 401 and r.json["error"] == "door_closed"


def test_only_staff_issue_and_revoke(app, people, make_user, db):
    from network.core.errors import PermissionDenied

    event, _regs = people()
    member = make_user(email="membre@example.org")
    with pytest.raises(PermissionDenied):
        devices.issue(event, name="X", acting=member)
    vol_party = checkin.DoorParty(event_id=event.id, volunteer_id=1, name="V")
    with pytest.raises(PermissionDenied):
        devices.issue(event, name="X", acting=vol_party)


def test_bad_input_names_the_field_and_changes_nothing(app, people, token_for, client, db):
    event, [a, _b] = people()
    _dev, token = token_for(event)
    for body in ({}, {"code": ""}, {"code": a.badge_code, "nonce": "x"},
                 {"code": a.badge_code, "scanned_at": "hier"}, [1, 2], {"code": "\x00" * 400}):
        r = post(client, token, body)
        if isinstance(body, dict) and "\x00" in body.get("code", ""):
            # NUL is refused site-wide before any view (core/inputs.py), as JSON on the API.
            assert r.status_code == 400 and r.json["message"], body
            continue
        assert r.status_code == 422, body
        assert r.json["message"] and r.json.get("fields")
    r = post(client, token, {"scans": []}, "/api/v1/accueil/scans/lot")
    assert r.status_code == 422 and "scans" in r.json["fields"]
    assert db.session.get(Registration, a.id).checked_in_at is None


def test_offline_queues_reconciled_first_scan_wins(app, people, token_for, client, db,
                                                   make_staff):
    event, [a, b] = people()
    staff = make_staff(email="chef@example.org")
    _d1, t1 = token_for(event, "Entrée A", staff=staff)
    _d2, t2 = token_for(event, "Entrée B", staff=staff)
    now = utcnow()
    early, late = (now - timedelta(minutes=5)).isoformat(), (now - timedelta(minutes=2)).isoformat()
    # Device A comes back first with its later scan of `a`, and a scan of `b`.
    queue = [{"code": a.badge_code, "nonce": "A-000001", "scanned_at": late},
             {"code": b.badge_code, "nonce": "A-000002", "scanned_at": late}]
    r1 = post(client, t1, {"scans": queue}, "/api/v1/accueil/scans/lot")
    assert r1.status_code == 200 and [x["ok"] for x in r1.json["results"]] == [True, True]
    # Device B scanned `a` earlier: B's scan wins, A's is reported to both.
    r2 = post(client, t2, {"scans": [{"code": a.badge_code, "nonce": "B-000001",
                                      "scanned_at": early}]}, "/api/v1/accueil/scans/lot")
    assert r2.json["results"][0]["ok"]
    [conflict] = r2.json["conflicts"]
    assert conflict["kept_device"] == "Entrée B" and conflict["other_device"] == "Entrée A"
    r3 = client.get("/api/v1/accueil/conflits", headers={"Authorization": f"Bearer {t1}"})
    assert [c["name"] for c in r3.json["conflicts"]] == [a.name]
    reg = db.session.get(Registration, a.id)
    db.session.refresh(reg)
    assert abs((reg.checked_in_at - (now - timedelta(minutes=5))).total_seconds()) < 1
    # The whole queue uploaded again changes nothing.
    again = post(client, t1, {"scans": [{"code": a.badge_code, "nonce": "A-000001",
                                         "scanned_at": late}]}, "/api/v1/accueil/scans/lot")
    assert again.json["results"][0]["replayed"]
    assert db.session.scalar(select(func.count(DoorScan.id))) == 3


def test_list_for_offline_use_holds_only_name_organisation_code(app, people, token_for,
                                                                client):
    event, regs = people(n=3)
    _dev, token = token_for(event)
    r = client.get("/api/v1/accueil/liste", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert {p["code"] for p in r.json["people"]} == {x.badge_code for x in regs}
    assert set(r.json["people"][0]) == {"name", "organisation", "code", "checked_in"}


def test_one_scan_costs_few_statements(app, people, token_for, client, db):
    event, [a, b] = people()
    _dev, token = token_for(event)
    post(client, token, {"code": b.badge_code})  # warm up
    body = {"code": a.badge_code, "nonce": "count-0001"}
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement.split()[0].upper())

    engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", count)
    try:
        r = post(client, token, body)
    finally:
        sa_event.remove(engine, "before_cursor_execute", count)
    assert r.status_code == 200
    # the device (one SELECT), the entry (UPDATE … RETURNING; on PostgreSQL inside a WITH that
    # also reads what a refusal would say), the scan (INSERT … ON CONFLICT)
    entry = "WITH" if db.engine.dialect.name == "postgresql" else "UPDATE"
    assert seen == ["SELECT", entry, "INSERT"], seen


def test_concurrent_devices_admit_once(app, people, token_for, db):
    event, [a, _b] = people()
    from flask import current_app

    tokens = [token_for(event, f"Tél {i}")[1] for i in range(4)]
    real_app, code, statuses, barrier = current_app._get_current_object(), a.badge_code, [], \
        threading.Barrier(4)

    def go(tok):
        c = real_app.test_client()
        barrier.wait()
        statuses.append(post(c, tok, {"code": code}).status_code)

    threads = [threading.Thread(target=go, args=(t,)) for t in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(statuses) == [200, 409, 409, 409]


def test_openapi_documents_the_door_api(app, client):
    spec = client.get("/api/v1/openapi.json").json
    for path, method in (("/api/v1/accueil/scans", "post"), ("/api/v1/accueil/scans/lot", "post"),
                         ("/api/v1/accueil/conflits", "get"), ("/api/v1/accueil/liste", "get")):
        op = spec["paths"][path][method]
        assert op["security"] == [{"jetonAppareil": []}] and "401" in op["responses"]
    assert spec["components"]["securitySchemes"]["jetonAppareil"]["scheme"] == "bearer"
    assert {"code", "nonce", "scanned_at"} <= set(spec["components"]["schemas"]["Scan"]
                                                  ["properties"])
    rules = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/accueil")}
    assert rules == {p for p in spec["paths"] if p.startswith("/api/v1/accueil")}


# --- refusals take the fast path: statements per path, the very answers of check_in --------

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


def test_staff_own_page_uploads_name_the_staff_member(app, people, token_for, client, login,
                                                      db, make_staff):
    """The scanner page of a signed-in staff member asks for its own token; the scans that
    page queued offline and uploads later are that staff member's entries (checked_in_by_id),
    as its online scans are. A phone issued by staff for the door stays nobody's."""
    event, [a, b] = people()
    claire = make_staff(email=f"claire-{uuid.uuid4().hex[:6]}@example.org", name="Claire Staff")
    db.session.commit()
    login(claire)
    token = client.post(f"/accueil/{event.id}/appareil").json["token"]
    dev = db.session.scalar(select(DoorDevice).where(
        DoorDevice.token_hash == devices.hash_token(token)))
    assert dev.user_id == claire.id and dev.volunteer_id is None
    at = (utcnow() - timedelta(minutes=3)).isoformat()
    r = post(client, token, {"scans": [{"code": a.badge_code, "nonce": "claire-0001",
                                        "scanned_at": at}]}, "/api/v1/accueil/scans/lot")
    assert r.status_code == 200 and r.json["results"][0]["ok"], r.json
    reg = db.session.get(Registration, a.id)
    db.session.refresh(reg)
    assert reg.checked_in_by_id == claire.id and reg.checked_in_by_volunteer_id is None
    assert checkin.checked_in_by(reg) == "Claire Staff"
    # Another device hears who let the person in.
    _shared, shared_token = token_for(event, "Tél partagé", staff=claire)
    again = post(client, shared_token, {"code": a.badge_code, "nonce": "shared-0001"})
    assert again.status_code == 409 and again.json["message"].endswith("(par Claire Staff).")
    # The shared phone's own entries name nobody (it is nobody's phone), as before.
    assert post(client, shared_token, {"code": b.badge_code}).status_code == 200
    reg_b = db.session.get(Registration, b.id)
    db.session.refresh(reg_b)
    assert reg_b.checked_in_by_id is None and reg_b.checked_in_by_volunteer_id is None
    # The staff page's token grants this event's door, no staff right and no other door.
    device = devices.authenticate(token)
    other, _regs = people(n=1)
    assert device.acting.user_id == claire.id and not is_staff(device.acting)
    assert checkin.can_work_door(device.acting, event)
    assert not checkin.can_work_door(device.acting, other)
