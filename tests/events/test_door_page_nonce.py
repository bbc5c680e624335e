"""The scanner page's own online scans carry a client nonce (with the page's device token), as
its offline ones do: a retried POST, or the same scan queued and uploaded again after its answer
was lost, is answered as a retry and lets nobody in twice."""

from __future__ import annotations

from sqlalchemy import func, select

from network.events import checkin
from network.events.door_models import DoorScan
from network.events.models import Registration
from tests.events.test_checkin import confirmed  # noqa: F401 (fixture)

JSON = {"Accept": "application/json"}


def page_token(client, event_id: int) -> str:
    r = client.post(f"/accueil/{event_id}/appareil")
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json["token"]


def test_retried_online_scan_is_answered_as_a_retry(client, login, db, confirmed, make_staff):
    reg = confirmed(name="Nina Nonce", email="nina@example.org")
    login(make_staff(name="Claire Accueil"))
    url = f"/accueil/{reg.event_id}/scan"
    token = page_token(client, reg.event_id)
    headers = {**JSON, "Authorization": f"Bearer {token}"}
    body = {"code": checkin.badge_url(reg), "nonce": "page-0000000001"}
    first = client.post(url, data=body, headers=headers)
    assert first.status_code == 200 and first.json["ok"] and not first.json["replayed"]
    assert first.json["name"] == "Nina Nonce" and first.json["by"] == "Claire Accueil"
    assert first.json["badge"] == reg.badge_code and first.json["undo_url"]
    assert first.json["attendance"] == "Présents : 1 sur 1 inscrits confirmés"
    # The same POST again (the answer was lost): green, said to be a retry, nothing written.
    again = client.post(url, data=body, headers=headers)
    assert again.status_code == 200 and again.json["ok"] and again.json["replayed"]
    assert again.json["message"] == "Scan déjà reçu (renvoi sans effet)."
    assert again.json["name"] == "Nina Nonce"
    # The page queued it meanwhile and uploads its queue: the same nonce, still one entry.
    lot = client.post("/api/v1/accueil/scans/lot", json={"scans": [
        {"code": reg.badge_code, "nonce": "page-0000000001"}]},
        headers={"Authorization": f"Bearer {token}"})
    assert lot.status_code == 200 and lot.json["results"][0]["replayed"]
    assert lot.json["results"][0]["ok"] and lot.json["conflicts"] == []
    scans = db.session.scalars(select(DoorScan).where(DoorScan.registration_id == reg.id)).all()
    assert [(s.nonce, s.outcome) for s in scans] == [("page-0000000001", "checked_in")]
    # A new scan of the same badge (another nonce) is the usual amber refusal, who and when.
    other = client.post(url, data={**body, "nonce": "page-0000000002"}, headers=headers)
    assert other.status_code == 409 and other.json["code"] == "already_checked_in"
    assert other.json["message"] == f"Déjà entré·e à {first.json['time']} (par Claire Accueil)."
    row = db.session.get(Registration, reg.id)
    assert row.checked_in_at is not None and row.checked_in_by_id is not None


def test_without_token_or_with_a_bad_nonce_the_plain_check_in(client, login, db, confirmed,
                                                              make_staff):
    """No token yet (or a token of another event, a malformed nonce): the scan still goes
    through, as before, without a scan row."""
    reg = confirmed(name="Omar Sans-Jeton", email="omar@example.org")
    other = confirmed(name="Autre", email="autre@example.org")
    login(make_staff(name="Claire Accueil"))
    other_token = page_token(client, other.event_id)
    url = f"/accueil/{reg.event_id}/scan"
    r = client.post(url, data={"code": reg.badge_code, "nonce": "x"},
                    headers={**JSON, "Authorization": f"Bearer {page_token(client, reg.event_id)}"})
    assert r.status_code == 200 and r.json["ok"] and "replayed" not in r.json
    r = client.post(url, data={"code": reg.badge_code, "nonce": "page-0000000009"},
                    headers={**JSON, "Authorization": f"Bearer {other_token}"})
    assert r.status_code == 409 and r.json["code"] == "already_checked_in"
    assert db.session.scalar(select(func.count(DoorScan.id))) == 0


def test_service_worker_is_served_for_the_door_pages_only(client, login, confirmed, make_staff):
    r = client.get("/accueil/sw.js")
    assert r.status_code == 200 and "javascript" in r.mimetype
    assert r.headers["Service-Worker-Allowed"] == "/accueil/"
    assert "no-cache" in r.headers["Cache-Control"]
    body = r.get_data(as_text=True)
    assert "SCANNER = /^\\/accueil\\/\\d+\\/?$/" in body and "/static/" in body
    reg = confirmed(email="sw@example.org")
    login(make_staff())
    page = client.get(f"/accueil/{reg.event_id}").get_data(as_text=True)
    assert 'data-sw-url="/accueil/sw.js"' in page and 'data-sw-scope="/accueil/"' in page
