"""Badges and check-in at the door: codes, QR images decoded independently, refusals, rights."""

from __future__ import annotations

import base64
import io
import threading

import pytest
import zxingcpp
from PIL import Image

from network.core.errors import DomainError
from network.events import badges, checkin, registration, rules
from network.events.models import Registration, RegistrationStatus
from network.events.rules import VISITOR
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
        db.session.commit()
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


def test_check_in_once(app, confirmed, make_staff):
    staff, reg = make_staff(), confirmed()
    done = checkin.check_in(reg.event, checkin.badge_url(reg), by=staff)
    assert done.checked_in_at is not None and done.attended and done.checked_in_by_id == staff.id
    assert checkin.attendance(reg.event) == checkin.Attendance(checked_in=1, expected=1)
    with pytest.raises(checkin.CheckInError) as err:
        checkin.check_in(reg.event, badges.display(reg.badge_code), by=staff)
    assert err.value.code == "already_checked_in"
    assert err.value.registration.id == reg.id


@pytest.mark.parametrize("scanned,code", [
    ("n'importe quoi", "invalid_code"),
    ("ZZZZ-ZZZZ", "unknown_code"),
])
def test_unreadable_or_unknown_badges(app, make_event, make_staff, scanned, code):
    with pytest.raises(DomainError) as err:
        checkin.check_in(make_event(), scanned, by=make_staff())
    assert err.value.code == code


def test_badge_of_another_event_or_not_confirmed(app, make_event, confirmed, make_staff, guest):
    staff, reg = make_staff(), confirmed()
    other = make_event(title="Petit-déjeuner")
    with pytest.raises(checkin.CheckInError) as err:
        checkin.check_in(other, reg.badge_code, by=staff)
    assert err.value.code == "wrong_event" and reg.event.title in err.value.message
    # guest: not confirmed yet
    pending = registration.register(reg.event, guest(1), acting=VISITOR).registration
    assert pending.status == S.PENDING
    with pytest.raises(checkin.CheckInError) as err:
        checkin.check_in(reg.event, pending.badge_code, by=staff)
    assert err.value.code == "not_confirmed"
    registration.cancel_registration(reg, acting=rules.guest_for(reg))
    with pytest.raises(checkin.CheckInError) as err:
        checkin.check_in(reg.event, reg.badge_code, by=staff)
    assert err.value.code == "not_confirmed"
    assert checkin.attendance(reg.event).checked_in == 0


def test_two_phones_scanning_the_same_badge_check_in_once(app, confirmed, make_staff):
    from flask import current_app

    staff, reg = make_staff(), confirmed()
    real_app, event_id, staff_id = current_app._get_current_object(), reg.event_id, staff.id
    outcomes, barrier = [], threading.Barrier(6)

    def scan():
        from network.accounts.models import User
        from network.events.models import Event
        from network.extensions import db

        with real_app.app_context():
            event, by = db.session.get(Event, event_id), db.session.get(User, staff_id)
            barrier.wait()
            try:
                checkin.check_in(event, reg_code, by=by)
                outcomes.append("ok")
            except checkin.CheckInError as err:
                outcomes.append(err.code)

    reg_code = reg.badge_code
    threads = [threading.Thread(target=scan) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["already_checked_in"] * 5 + ["ok"]


def test_check_in_pages_are_for_staff_only(client, login, confirmed, make_user, make_staff):
    reg = confirmed()
    url = f"/evenements/gestion/{reg.event_id}/accueil"
    assert client.get(url).status_code == 302
    assert client.post(url, data={"code": reg.badge_code}).status_code == 302
    login(make_user())
    assert client.get(url).status_code == 403
    assert client.post(url, data={"code": reg.badge_code}).status_code == 403
    public = client.get(f"/evenements/badge/{reg.badge_code}").get_data(as_text=True)
    assert reg.name not in public and "Valider l&#39;entrée" not in public
    from network.extensions import db

    assert db.session.get(Registration, reg.id).checked_in_at is None  # nothing changed


def test_staff_scan_json_and_manual_form(client, login, confirmed, make_staff):
    reg = confirmed(name="Sam Badge")
    login(make_staff())
    url = f"/evenements/gestion/{reg.event_id}/accueil"
    page = client.get(url).get_data(as_text=True)
    assert "Présents : 0 sur 1 inscrits confirmés" in page and "vendor/jsqr/jsQR.js" in page
    response = client.post(url, data={"code": checkin.badge_url(reg)},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json["ok"] and response.json["name"] == "Sam Badge"
    assert response.json["attendance"] == "Présents : 1 sur 1 inscrits confirmés"
    again = client.post(url, data={"code": badges.display(reg.badge_code)},
                        headers={"Accept": "application/json"})
    assert again.status_code == 409 and again.json["code"] == "already_checked_in"
    typed = client.post(url, data={"code": "pas un code"}, follow_redirects=True)
    assert "n&#39;est pas celui d&#39;un badge" in typed.get_data(as_text=True)
    empty = client.post(url, data={"code": ""})
    assert empty.status_code == 422 and "Saisissez le code du badge" in empty.get_data(as_text=True)
    scanned = client.get(f"/evenements/badge/{reg.badge_code}").get_data(as_text=True)
    assert "Sam Badge" in scanned
    listing = client.get(f"/evenements/gestion/{reg.event_id}/inscriptions")
    assert "entré·e à" in listing.get_data(as_text=True)
    csv_text = client.get(f"/evenements/gestion/{reg.event_id}/inscriptions.csv").data
    header, row = csv_text.decode("utf-8-sig").splitlines()[:2]
    assert header.endswith(";Entrée à l'accueil") and row.split(";")[-1] != ""


def test_attendee_badge_page_and_png(client, confirmed, guest, db):
    reg = confirmed(name="Alex Badge")
    token = rules.manage_token(reg)
    page = client.get(f"/evenements/inscription/{token}/badge").get_data(as_text=True)
    assert "Alex Badge" in page and badges.display(reg.badge_code) in page
    png = client.get(f"/evenements/inscription/{token}/badge.png")
    assert png.mimetype == "image/png"
    assert badges.normalize(decode_qr(png.data)) == reg.badge_code
    pending = registration.register(reg.event, guest(2), acting=VISITOR).registration
    db.session.commit()
    other = rules.manage_token(pending)
    assert client.get(f"/evenements/inscription/{other}/badge").status_code == 404
    assert client.get("/evenements/inscription/abc/badge.png").status_code == 400
