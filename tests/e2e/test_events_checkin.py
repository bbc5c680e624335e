"""At the door: staff open the check-in page on a phone, the camera reads a badge, the person
is checked in. Chromium's fake camera shows the badge's QR code (see shared/TESTING.md)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image

from conftest import DEFAULT_PASSWORD, fake_camera_file
from network.core.time import utcnow
from network.directory.models import Territory
from network.events import checkin, registration
from network.events import staff as events_staff
from network.events.models import EventKind, EventStatus, Registration

pytestmark = pytest.mark.e2e


def show_to_camera(png: bytes, path: str) -> None:
    """One 640×480 YUV 4:2:0 frame, the QR centred on white; Chromium loops it."""
    qr = Image.open(io.BytesIO(png)).convert("L")
    qr.thumbnail((400, 400))
    frame = Image.new("L", (640, 480), 255)
    frame.paste(qr, ((640 - qr.width) // 2, (480 - qr.height) // 2))
    with open(path, "wb") as f:
        f.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        f.write(b"FRAME\n")
        f.write(frame.tobytes())
        f.write(bytes([128]) * (320 * 240 * 2))


def test_staff_scan_a_badge_with_the_phone_camera(live_server, app, db, make_user, make_staff,
                                                  browser, check_a11y):
    staff = make_staff(email="accueil@example.org")
    person = make_user(name="Camille Scannée")
    start = utcnow().replace(microsecond=0) + timedelta(hours=1)
    metz = Territory(code="metz", name="Metz")
    db.session.add(metz)
    db.session.flush()
    event = events_staff.create_event(events_staff.EventData(
        kind=EventKind.EVENING, title="L'Innovation Sociale, tous concernés !", start_at=start,
        end_at=start + timedelta(hours=3), territory_id=metz.id,
        venue_name="Hôtel du Département", venue_room="Espace Pierre Messmer",
        venue_address="Metz", capacity=150), acting=staff)
    event.status = EventStatus.PUBLISHED
    db.session.commit()
    reg = registration.register(event, registration.prefill(person), acting=person).registration
    db.session.commit()
    show_to_camera(checkin.badge_png(reg), fake_camera_file())
    assert Path(fake_camera_file()).stat().st_size > 640 * 480

    context = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    page.goto(live_server.url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(staff.email)
    page.get_by_label(re.compile("^Mot de passe")).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(f"{live_server.url}/evenements/gestion/{event.id}/accueil")
    check_a11y(page, "accueil")
    assert page.get_by_text("Présents : 0 sur 1 inscrits confirmés").is_visible()
    page.get_by_role("button", name="Activer la caméra").click()
    result = page.locator("[data-checkin-result]")
    result.filter(has_text="Bienvenue Camille Scannée").wait_for(timeout=15000)
    assert page.get_by_text("Présents : 1 sur 1 inscrits confirmés").is_visible()
    # The badge stays in front of the camera: after the pause it is refused as already in.
    result.filter(has_text="Déjà entré(e)").wait_for(timeout=15000)
    context.close()

    db.session.expire_all()
    assert db.session.get(Registration, reg.id).checked_in_at is not None
