"""Badges and check-in at the door: codes, QR images decoded independently, refusals, the
badge code's lifecycle, undo, search, walk-ins, concurrency, and the rights of each party."""

from __future__ import annotations

import base64
import io
import re
import threading
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image
from sqlalchemy import func, select

from network.core import uow
from network.core.auth import DoorVolunteer as DoorParty
from network.core.errors import DomainError, PermissionDenied, ValidationError
from network.core.time import to_paris, utcnow
from network.events import badges, checkin, registration, rules, staff
from network.events.door_models import DoorScan
from network.events.models import Event, Registration, RegistrationStatus, RevokedBadge
from support import outbox_messages

S = RegistrationStatus


def decode_qr(png: bytes) -> str:
    [result] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    return result.text


@pytest.fixture
def confirmed(make_event, make_user, db):
    """A signed-in person registered (confirmed at once) for an event."""

    def make(event=None, **user_overrides):
        event = event or make_event()
        user = make_user(**user_overrides)
        outcome = registration.register(event, registration.prefill(user), acting=user)
        assert outcome.registration.status == S.CONFIRMED
        db.session.commit()  # services flush; requests and other threads read committed rows
        return outcome.registration

    return make


def test_codes_are_short_readable_and_tolerant_to_typing():
    code = badges.new_code()
    assert len(code) == 8 and not set(code) & set("01OIL")
    assert badges.normalize(badges.display(code).lower()) == code
    assert badges.normalize(f" {code[:4]} {code[4:]} ") == code
    assert badges.normalize(f"https://ess.example.org/evenements/badge/{code}") == code
    for bad in ("", "ABC", "ABCDEFGH1", "<script>", "https://x/evenements/badge/"):
        assert badges.normalize(bad) is None


def test_roles_derive_from_the_organisation_unless_staff_set_one():
    assert badges.derive_role("structure", "Les Jardins de Cocagne") == "structure"
    assert badges.derive_role("buyer", "Transports Muller SAS") == "company"
    assert badges.derive_role("buyer", "Mairie de Thionville") == "public"
    assert badges.derive_role("", "Eurométropole de Metz") == "public"
    assert badges.derive_role("", "") == "participant"
    assert badges.derive_role("structure", "Asso", "speaker") == "speaker"
    assert badges.derive_role("structure", "Asso", "n'importe quoi") == "structure"
    assert set(badges.ROLE_COLOURS) == set(badges.ROLES)
    assert len(set(badges.ROLE_COLOURS.values())) == len(badges.ROLES)  # one colour each


def test_badge_qr_decodes_to_the_badge_url(app, confirmed):
    reg = confirmed()
    text = decode_qr(checkin.badge_png(reg))
    assert text == f"http://localhost/evenements/badge/{reg.badge_code}"
    assert badges.normalize(text) == reg.badge_code


def test_confirmation_mail_carries_the_badge(app, confirmed):
    reg = confirmed(email="alex@example.org")
    [mail] = [m for m in outbox_messages("alex@example.org") if m.kind == "event_confirmed"]
    png = next(base64.b64decode(a["data"]) for a in mail.attachments
               if a["filename"] == "badge.png")
    assert badges.normalize(decode_qr(png)) == reg.badge_code
    assert badges.display(reg.badge_code) in mail.body_text


def test_check_in_once_and_the_second_scan_says_when_and_by_whom(app, confirmed, make_staff):
    staff, reg = make_staff(name="Claire Accueil"), confirmed()
    now = utcnow()
    done = checkin.check_in(reg.event, checkin.badge_url(reg), acting=staff, now=now)
    assert done.checked_in_at is not None and done.attended and done.checked_in_by_id == staff.id
    assert checkin.attendance(reg.event) == checkin.Attendance(checked_in=1, expected=1)
    with pytest.raises(checkin.CheckInError) as err:
        checkin.check_in(reg.event, badges.display(reg.badge_code), acting=staff)
    assert err.value.code == "already_checked_in" and err.value.status == 409
    assert err.value.registration.id == reg.id
    hhmm = to_paris(now).strftime("%Hh%M")
    assert err.value.message == f"Déjà entré·e à {hhmm} (par Claire Accueil)."
    assert re.fullmatch(r"\d\dh\d\d", checkin.hhmm(now))


@pytest.mark.parametrize("scanned,code", [
    ("n'importe quoi", "invalid_code"),
    ("ZZZZ-ZZZZ", "unknown_code"),
])
def test_unreadable_or_unknown_badges(app, make_event, make_staff, scanned, code):
    with pytest.raises(DomainError) as err:
        checkin.check_in(make_event(), scanned, acting=make_staff())
    assert err.value.code == code


def test_badge_of_another_event_or_not_confirmed(app, make_event, confirmed, make_staff, guest):
    staff, reg = make_staff(), confirmed()
    other = make_event(title="Petit-déjeuner")
    with pytest.raises(checkin.CheckInError) as err:
        checkin.check_in(other, reg.badge_code, acting=staff)
    assert err.value.code == "wrong_event" and reg.event.title in err.value.message
    # A guest: not confirmed yet.
    pending = registration.register(reg.event, guest(1), acting=rules.VISITOR).registration
    assert pending.status == S.PENDING
    with pytest.raises(checkin.CheckInError) as err:
        checkin.check_in(reg.event, pending.badge_code, acting=staff)
    assert err.value.code == "not_confirmed"
    assert checkin.attendance(reg.event).checked_in == 0


def test_cancelled_badge_is_revoked_and_a_new_registration_gets_a_new_code(
        app, db, confirmed, make_staff):
    staff, reg = make_staff(), confirmed(email="revient@example.org")
    old = reg.badge_code
    registration.cancel_registration(reg, acting=rules.guest_for(reg))
    assert db.session.get(RevokedBadge, old).registration_id == reg.id
    with pytest.raises(checkin.CheckInError) as err:
        checkin.check_in(reg.event, old, acting=staff)
    assert err.value.code == "revoked_code" and "Badge annulé" in err.value.message
    # The person registers again: the same row, a new code; the old print stays refused.
    from network.accounts.models import User

    user = db.session.get(User, reg.user_id)
    again = registration.register(reg.event, registration.prefill(user), acting=user).registration
    assert again.id == reg.id and again.status == S.CONFIRMED
    assert again.badge_code != old
    with pytest.raises(checkin.CheckInError) as err:
        checkin.check_in(reg.event, old, acting=staff)
    assert err.value.code == "revoked_code"
    assert checkin.check_in(reg.event, again.badge_code, acting=staff).checked_in_at
    # The new badge travelled in the new confirmation mail.
    mail = [m for m in outbox_messages("revient@example.org") if m.kind == "event_confirmed"][-1]
    assert badges.display(again.badge_code) in mail.body_text


def test_cancelling_the_event_revokes_every_badge(app, db, confirmed, make_staff):
    reg = confirmed()
    staff.cancel_event(reg.event, acting=make_staff())
    assert db.session.get(RevokedBadge, reg.badge_code) is not None


def test_two_phones_scanning_the_same_badge_check_in_once(app, confirmed, make_staff):
    from flask import current_app

    staff, reg = make_staff(), confirmed()
    real_app, event_id, staff_id = current_app._get_current_object(), reg.event_id, staff.id
    outcomes, barrier = [], threading.Barrier(6)
    reg_code = reg.badge_code

    def scan():
        from network.accounts.models import User
        from network.extensions import db

        with real_app.app_context():
            event, by = db.session.get(Event, event_id), db.session.get(User, staff_id)
            barrier.wait()
            try:
                with uow.unit_of_work():
                    checkin.check_in(event, reg_code, acting=by)
                outcomes.append("ok")
            except checkin.CheckInError as err:
                outcomes.append(err.code)

    threads = [threading.Thread(target=scan) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["already_checked_in"] * 5 + ["ok"]


def test_undo_the_last_check_in(app, db, confirmed, make_staff):
    staff, reg = make_staff(), confirmed()
    checkin.check_in(reg.event, reg.badge_code, acting=staff)
    undone = checkin.undo_check_in(reg.event, reg.id, acting=staff)
    assert undone.checked_in_at is None and undone.attended is None
    with pytest.raises(checkin.CheckInError) as err:
        checkin.undo_check_in(reg.event, reg.id, acting=staff)
    assert err.value.code == "undo_refused"
    assert checkin.check_in(reg.event, reg.badge_code, acting=staff).checked_in_at


def test_volunteer_rights_are_scoped_to_their_event_and_its_date(
        app, db, make_event, confirmed, make_user):
    event, other = make_event(), make_event(title="Autre")
    reg = confirmed(event)
    from network.events.models import DoorVolunteer

    vol = DoorVolunteer(event_id=event.id, email="b@example.org", name="Bénévole B")
    db.session.add(vol)
    db.session.commit()
    party = DoorParty(event_id=event.id, volunteer_id=vol.id, name=vol.name)
    with pytest.raises(PermissionDenied):
        checkin.check_in(other, reg.badge_code, acting=party)
    with pytest.raises(PermissionDenied):
        checkin.check_in(event, reg.badge_code, acting=party,
                         now=event.end_at + checkin.GRACE + timedelta(minutes=1))
    with pytest.raises(PermissionDenied):
        checkin.check_in(event, reg.badge_code, acting=make_user())  # a member
    done = checkin.check_in(event, reg.badge_code, acting=party)
    assert done.checked_in_by_volunteer_id == vol.id and done.checked_in_by_id is None
    assert checkin.checked_in_by(done) == "Bénévole B"
    # A volunteer undoes only their own entries.
    other_vol = DoorParty(event_id=event.id, volunteer_id=vol.id + 1000, name="X")
    with pytest.raises(checkin.CheckInError):
        checkin.undo_check_in(event, reg.id, acting=other_vol)
    assert checkin.undo_check_in(event, reg.id, acting=party).checked_in_at is None


def test_search_by_name_or_organisation(app, db, make_event, confirmed, make_staff, guest):
    staff, event = make_staff(), make_event()
    confirmed(event, name="Dominique Lefèvre")
    confirmed(event, name="Alix Martin")
    registration.register(event, guest(9, name="Dominique Attente"),
                          acting=rules.VISITOR)  # pending: not listed
    assert [r.name for r in checkin.search(event, "domin", acting=staff)] == \
        ["Dominique Lefèvre"]
    assert [r.name for r in checkin.search(event, "  MARTIN alix ", acting=staff)] == \
        ["Alix Martin"]
    assert checkin.search(event, "%", acting=staff) == []
    assert checkin.search(event, "", acting=staff) == []
    # Typed at the door without accents, or with other ones: the same people.
    assert [r.name for r in checkin.search(event, "LEFEVRE", acting=staff)] == \
        ["Dominique Lefèvre"]
    assert [r.name for r in checkin.search(event, "dominique lefévre", acting=staff)] == \
        ["Dominique Lefèvre"]
    noe = confirmed(event, name="Noé Lœuvre")
    noe.organisation_name = "Cœur de Moselle"
    db.session.commit()
    assert [r.name for r in checkin.search(event, "coeur noe", acting=staff)] == ["Noé Lœuvre"]
    assert [r.name for r in checkin.search(event, "n", acting=staff, limit=2)] == \
        ["Alix Martin", "Dominique Lefèvre"]


def test_walk_in_is_registered_and_checked_in(app, db, make_event, make_staff, confirmed):
    staff, event = make_staff(), make_event(capacity=2)
    reg = checkin.walk_in(event, checkin.WalkIn(name="Sam Surplace", email="Sam@Example.org",
                                                organisation_name="Mairie de Metz"),
                          acting=staff)
    assert reg.status == S.CONFIRMED and reg.checked_in_at and reg.email == "sam@example.org"
    db.session.refresh(event)
    assert event.seats_taken == 1
    # Already registered and confirmed: simply checked in, no second seat.
    known = confirmed(event)
    again = checkin.walk_in(event, checkin.WalkIn(name=known.name, email=known.email),
                            acting=staff)
    assert again.id == known.id and again.checked_in_at
    db.session.refresh(event)
    assert event.seats_taken == 2
    with pytest.raises(checkin.CheckInError) as err:  # full
        checkin.walk_in(event, checkin.WalkIn(name="Trop", email="trop@example.org"),
                        acting=staff)
    assert err.value.code == "event_full"


def test_walk_in_names_every_bad_field(app, make_event, make_staff):
    with pytest.raises(ValidationError) as err:
        checkin.walk_in(make_event(), checkin.WalkIn(name=" ", email="pas une adresse"),
                        acting=make_staff())
    assert set(err.value.field_errors) == {"name", "email"}


# --- pages ------------------------------------------------------------------------------------

def door_urls(event_id: int, reg_id: int) -> list[tuple[str, str]]:
    return [("get", f"/accueil/{event_id}"), ("post", f"/accueil/{event_id}/scan"),
            ("post", f"/accueil/{event_id}/annuler/{reg_id}"),
            ("post", f"/accueil/{event_id}/sur-place")]


def test_door_pages_refuse_anonymous_and_members(app, db, client, login, confirmed, make_user):
    reg = confirmed()
    app.config["WTF_CSRF_ENABLED"] = False
    for method, url in door_urls(reg.event_id, reg.id):
        answer = getattr(client, method)(url, data={"code": reg.badge_code, "name": "X",
                                                     "email": "x@example.org"})
        assert answer.status_code == 302 and "/connexion" in answer.location, url
    login(make_user())
    for method, url in door_urls(reg.event_id, reg.id):
        answer = getattr(client, method)(url, data={"code": reg.badge_code, "name": "X",
                                                     "email": "x@example.org"})
        assert answer.status_code == 403, url
    public = client.get(f"/evenements/badge/{reg.badge_code}").get_data(as_text=True)
    assert reg.name not in public and "Valider l'entrée" not in public
    # (every page names the API's batch URL, for scans left on a device: see site.js)
    assert f"/accueil/{reg.event_id}/scan" not in public and "data-checkin" not in public
    assert db.session.get(Registration, reg.id).checked_in_at is None  # nothing changed
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 1  # no walk-in
    assert client.get(f"/evenements/gestion/{reg.event_id}/accueil").status_code == 301


def test_staff_scan_json_manual_form_undo_and_search(client, login, confirmed, make_staff):
    reg = confirmed(name="Sam Badge", email="sam@example.org")
    login(make_staff(name="Claire Accueil"))
    url = f"/accueil/{reg.event_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Entrées : 0 sur 1 inscrit·e confirmé·e" in page and "vendor/jsqr/jsQR.js" in page
    assert "<script>" not in page and " style=" not in page
    response = client.post(url + "/scan", data={"code": checkin.badge_url(reg)},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    data = response.json
    assert data["ok"] and data["level"] == "ok" and data["name"] == "Sam Badge"
    assert data["attendance"] == "Entrées : 1 sur 1 inscrit·e confirmé·e"
    assert re.fullmatch(r"\d\dh\d\d", data["time"]) and data["by"] == "Claire Accueil"
    again = client.post(url + "/scan", data={"code": badges.display(reg.badge_code)},
                        headers={"Accept": "application/json"})
    assert again.status_code == 409 and again.json["code"] == "already_checked_in"
    assert again.json["level"] == "warn"
    assert again.json["message"] == f"Déjà entré·e à {data['time']} (par Claire Accueil)."
    # Without JavaScript: the same result area, after a redirect.
    typed = client.post(url + "/scan", data={"code": "pas un code"}, follow_redirects=True)
    assert "n&#39;est pas celui d&#39;un badge" in typed.get_data(as_text=True)
    assert 'class="checkin-result error"' in typed.get_data(as_text=True)
    empty = client.post(url + "/scan", data={"code": ""})
    assert empty.status_code == 422 and "Saisissez le code du badge" in empty.get_data(as_text=True)
    undo = client.post(data["undo_url"], headers={"Accept": "application/json"})
    assert undo.status_code == 200 and "Entrée annulée" in undo.json["message"]
    found = client.get(url + "?q=sam").get_data(as_text=True)
    assert "Valider l'entrée de Sam Badge" in found
    scanned = client.get(f"/evenements/badge/{reg.badge_code}").get_data(as_text=True)
    assert "Sam Badge" in scanned and "Valider l'entrée" in scanned
    listing = client.get(f"/evenements/gestion/{reg.event_id}/inscriptions")
    assert f"/accueil/{reg.event_id}" in listing.get_data(as_text=True)


def test_walk_in_page_refuses_bad_input_and_changes_nothing(db, client, login, make_event,
                                                           make_staff):
    event = make_event()
    login(make_staff())
    bad = client.post(f"/accueil/{event.id}/sur-place", data={"name": "", "email": "nope"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Indiquez le nom de la personne." in text
    assert db.session.scalar(db.select(db.func.count(Registration.id))) == 0
    good = client.post(f"/accueil/{event.id}/sur-place",
                       data={"name": "Lou Surplace", "email": "lou@example.org",
                             "organisation_kind": "structure"}, follow_redirects=True)
    assert "Inscrit·e sur place et entré·e : Lou Surplace." in good.get_data(as_text=True)
    reg = db.session.scalar(db.select(Registration))
    assert reg.checked_in_at and reg.status == S.CONFIRMED


def test_attendee_badge_page_and_png(client, db, confirmed, guest):
    reg = confirmed(name="Alex Badge")
    token = rules.manage_token(reg)
    page = client.get(f"/evenements/inscription/{token}/badge").get_data(as_text=True)
    assert "Alex Badge" in page and badges.display(reg.badge_code) in page
    png = client.get(f"/evenements/inscription/{token}/badge.png")
    assert png.mimetype == "image/png"
    assert badges.normalize(decode_qr(png.data)) == reg.badge_code
    pending = registration.register(reg.event, guest(2), acting=rules.VISITOR).registration
    db.session.commit()
    other = rules.manage_token(pending)
    assert client.get(f"/evenements/inscription/{other}/badge").status_code == 404
    assert client.get("/evenements/inscription/abc/badge.png").status_code == 400


# --- the scanner page's online scans carry a nonce; its service worker --------------------

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
    assert first.json["attendance"] == "Entrées : 1 sur 1 inscrit·e confirmé·e"
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
