"""The scanner page opens without network once it has been opened (a service worker scoped to
the door pages keeps it and its files), and scans made from that offline copy are queued and
reach the server exactly once when the network returns. Online scans carry a nonce too."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from network.events import checkin
from network.events.door_models import DoorScan
from network.events.models import Registration
from conftest import DEFAULT_PASSWORD
from tests.e2e.test_door_offline import PHONE, evening, type_code  # noqa: F401 (fixture)

pytestmark = pytest.mark.e2e


def test_scanner_reloads_offline_and_scans(live_server, db, browser, evening, make_staff):
    event, (anne, bruno) = evening
    carla = make_staff(email="carla@example.org", name="Carla Staff")
    db.session.commit()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(carla.email)
    page.get_by_label(re.compile("^Mot de passe")).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile("^(?!.*connexion)"))
    url = f"{live_server.url}/accueil/{event.id}"
    page.goto(url)
    page.get_by_text("Aucun scan en attente.").wait_for(timeout=15000)
    first_count = page.locator("#checkin-count").inner_text()
    page.locator("[data-checkin][data-offline-ready]").wait_for(state="attached", timeout=15000)
    scope = page.evaluate("navigator.serviceWorker.getRegistration().then(r => r && r.scope)")
    assert scope == live_server.url + "/accueil/"

    # An online scan from the page carries a nonce and names the page's device.
    type_code(page, bruno.badge_code)
    page.locator("[data-checkin-result]").filter(has_text="Bienvenue Bruno Sans-Wifi").wait_for()
    db.session.expire_all()
    [online] = db.session.scalars(select(DoorScan).where(DoorScan.code == bruno.badge_code))
    assert online.outcome == "checked_in" and re.fullmatch(r"[0-9a-f]{32}", online.nonce)

    # The server now counts Bruno in; the copy the phone opens offline is the one it kept
    # (the count of the first opening), which shows it did not come from the server.
    assert page.locator("#checkin-count").inner_text() != first_count
    context.set_offline(True)
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.get_by_role("heading", name=re.compile("^Accueil")).wait_for()
    assert page.locator("#checkin-count").inner_text() == first_count
    page.get_by_text("Hors connexion").first.wait_for()
    type_code(page, anne.badge_code)
    page.locator("[data-checkin-result]").filter(
        has_text="Entrée enregistrée hors connexion : Anne Hors-Ligne").wait_for()
    page.get_by_text("1 scan en attente d’envoi.").wait_for()
    db.session.expire_all()
    assert db.session.scalar(select(Registration.checked_in_at)
                             .where(Registration.id == anne.id)) is None

    context.set_offline(False)
    page.get_by_text("Aucun scan en attente.").wait_for(timeout=20000)
    db.session.expire_all()
    row = db.session.get(Registration, anne.id)
    assert row.checked_in_at is not None
    outcomes = sorted((s.code, s.outcome) for s in db.session.scalars(select(DoorScan)))
    assert outcomes == sorted([(anne.badge_code, "checked_in"),
                               (bruno.badge_code, "checked_in")])
    assert checkin.attendance(event).checked_in == 2

    # Only the door pages are the worker's: elsewhere the site is not controlled.
    page.goto(live_server.url + "/evenements")
    assert page.evaluate("navigator.serviceWorker.controller") is None
    context.close()
