"""At the door on a 360 px phone: a volunteer opens the link received by mail, the camera reads
a badge, the answer is green and stays green while the badge is held; staff pages used at the
door fit the phone. Chromium's fake camera shows the badge's QR code (see shared/TESTING.md)."""

from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from conftest import DEFAULT_PASSWORD, fake_camera_file
from network.core.time import utcnow
from network.events import checkin, door, registration, rules, staff
from network.events.models import EventKind, EventStatus, Registration
from support import link_from_outbox

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


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


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url}: {width}px wide"


@pytest.fixture
def evening(db, make_user, make_staff):
    staff_user = make_staff(email="accueil@example.org", name="Claire Staff")
    person = make_user(name="Camille Scannée")
    start = utcnow().replace(microsecond=0) + timedelta(hours=1)
    from network.directory import reference
    from network.events import territories

    reference.ensure_reference_data()  # the territories events point at
    event = staff.create_event(staff.EventData(
        kind=EventKind.EVENING, title="L'Innovation Sociale, tous concernés !", start_at=start,
        end_at=start + timedelta(hours=3), territory_id=territories.by_code("metz").id,
        venue_name="Hôtel du Département", venue_room="Espace Pierre Messmer",
        venue_address="Metz", capacity=150), acting=staff_user)
    event.status = EventStatus.PUBLISHED
    db.session.commit()
    answers = registration.prefill(person)
    answers.organisation_name = "Régie de quartier de Borny"
    answers.accessibility_needs = "Fauteuil roulant"
    answers.consents_to_list = True
    reg = registration.register(event, answers, acting=person).registration
    db.session.commit()
    return event, reg, staff_user


def test_volunteer_scans_a_badge_on_a_phone(live_server, app, db, browser, check_a11y,
                                            evening):
    event, reg, staff = evening
    door.invite(event, name="Bea Bénévole", email="bea@example.org", acting=staff)
    db.session.commit()
    link = link_from_outbox("bea@example.org", "/accueil/lien/")
    show_to_camera(checkin.badge_png(reg), fake_camera_file())
    assert Path(fake_camera_file()).stat().st_size > 640 * 480

    context = browser.new_context(viewport=PHONE)
    context.grant_permissions(["camera"], origin=live_server.url)
    page = context.new_page()
    page.goto(live_server.url + link)
    page.get_by_role("heading", name=re.compile("^Accueil")).wait_for()
    check_a11y(page, "accueil (bénévole)")
    fits_the_phone(page)
    expect(page.get_by_text("Entrées : 0 sur 1 inscrit·e confirmé·e")).to_be_visible()
    page.get_by_role("button", name="Activer la caméra").click()
    result = page.locator("[data-checkin-result]")
    result.filter(has_text="Bienvenue Camille Scannée").wait_for(timeout=15000)
    assert "ok" in result.get_attribute("class")
    assert "Régie de quartier de Borny" in result.inner_text()
    assert "Fauteuil roulant" in result.inner_text()
    expect(page.get_by_text("Entrées : 1 sur 1 inscrit·e confirmé·e")).to_be_visible()
    # The badge stays in front of the camera: the answer stays green, nothing is sent again.
    time.sleep(6)
    assert "ok" in result.get_attribute("class") and "Déjà" not in result.inner_text()
    fits_the_phone(page)
    check_a11y(page, "résultat vert")
    # Undo from the result area, then the typed code (the same path) says it again.
    result.get_by_role("button", name="Annuler cette entrée").click()
    result.filter(has_text="Entrée annulée").wait_for(timeout=10000)
    page.get_by_role("button", name="Arrêter la caméra").click()
    page.get_by_label("Code du badge").fill(reg.badge_code.lower())
    page.get_by_role("button", name="Valider l'entrée", exact=True).click()
    result.filter(has_text="Bienvenue Camille Scannée").wait_for(timeout=10000)
    page.get_by_label("Code du badge").fill(reg.badge_code)
    page.get_by_role("button", name="Valider l'entrée", exact=True).click()
    result.filter(has_text="Déjà entré·e à").wait_for(timeout=10000)
    assert "warn" in result.get_attribute("class") and "(par Bea Bénévole)" in result.inner_text()
    # Someone without their badge: search by name.
    page.get_by_label("Nom ou organisation").fill("camille")
    page.get_by_role("button", name="Chercher").click()
    page.get_by_text("Entré·e à").wait_for()
    fits_the_phone(page)
    context.close()

    db.session.expire_all()
    entered = db.session.get(Registration, reg.id)
    assert entered.checked_in_at is not None and entered.checked_in_by_volunteer_id is not None


def test_staff_door_pages_fit_a_phone_and_work_without_javascript(live_server, db, browser,
                                                                   check_a11y, evening):
    event, reg, staff = evening
    door.invite(event, name="Bea Bénévole", email="bea@example.org", acting=staff)
    db.session.commit()
    for javascript in (True, False):
        context = browser.new_context(viewport=PHONE)
        if not javascript:  # the site's scripts never arrive: the pages must work without
            context.route(re.compile(r".*\.js(\?.*)?$"), lambda route: route.abort())
        page = context.new_page()
        page.goto(live_server.url + "/connexion")
        page.get_by_label("Adresse e-mail").fill(staff.email)
        page.get_by_label(re.compile("^Mot de passe")).fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(re.compile("^(?!.*connexion)"))
        if javascript:
            for path, name in ((f"/accueil/{event.id}", "accueil"),
                               (f"/accueil/{event.id}/benevoles", "bénévoles"),
                               (f"/accueil/{event.id}/impression", "impression"),
                               (f"/evenements/gestion/{event.id}/inscriptions", "inscriptions")):
                page.goto(live_server.url + path)
                fits_the_phone(page)
                check_a11y(page, name)
            context.close()
    # Without JavaScript: a walk-in registered on the spot, the answer in the result area.
    page.goto(f"{live_server.url}/accueil/{event.id}")
    page.locator("#name").fill("Lou Surplace")
    page.locator("#email").fill("lou@example.org")
    page.get_by_role("button", name="Inscrire et valider l'entrée").click()
    result = page.locator("[data-checkin-result]")
    result.filter(has_text="Inscrit·e sur place et entré·e : Lou Surplace.").wait_for()
    assert "ok" in result.get_attribute("class")
    context.close()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    # The participant's pages on the same phone.
    token = rules.manage_token(reg)
    for path in (f"/evenements/inscription/{token}/participants",
                 f"/evenements/inscription/{token}/badge",
                 f"/evenements/inscription/{token}/annulation"):
        page.goto(live_server.url + path)
        fits_the_phone(page)
        check_a11y(page, path)
    context.close()
