"""The venue's Wi-Fi drops: two phones keep scanning from the list they keep, queue the scans,
send them when the network returns; each person is in exactly once, and the later scan of
someone the other phone had already let in is reported on both phones."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from conftest import DEFAULT_PASSWORD
from network.core.time import utcnow
from network.directory import reference
from network.events import checkin, door, registration, staff, territories
from network.events.door_models import DoorScan
from network.events.models import EventKind, EventStatus, Registration
from support import link_from_outbox

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def evening(db, make_user, make_staff):
    boss = make_staff(email="accueil@example.org", name="Claire Staff")
    reference.ensure_reference_data()
    start = utcnow().replace(microsecond=0) + timedelta(hours=1)
    event = staff.create_event(staff.EventData(
        kind=EventKind.EVENING, title="Soirée hors réseau", start_at=start,
        end_at=start + timedelta(hours=3), territory_id=territories.by_code("metz").id,
        capacity=50), acting=boss)
    event.status = EventStatus.PUBLISHED
    db.session.commit()
    regs = []
    for name, org in (("Anne Hors-Ligne", "Jardins de Cocagne"), ("Bruno Sans-Wifi", "")):
        person = make_user(name=name, email=f"{name.split()[0].lower()}@example.org")
        answers = registration.prefill(person)
        answers.organisation_name = org
        regs.append(registration.register(event, answers, acting=person).registration)
    db.session.commit()
    for vol_name, email in (("Vol A", "vola@example.org"), ("Vol B", "volb@example.org")):
        door.invite(event, name=vol_name, email=email, acting=boss)
    db.session.commit()
    return event, regs


def open_door(browser, live_server, email):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + link_from_outbox(email, "/accueil/lien/"))
    page.get_by_role("heading", name=re.compile("^Accueil")).wait_for()
    # The list is kept on the phone once the page has its device token.
    page.get_by_text("Aucun scan en attente.").wait_for(timeout=15000)
    return context, page


#: What a page reads of the door's copies on the device.
KEPT = """async () => ({
  cache: await caches.has('door-v1'),
  workers: (await navigator.serviceWorker.getRegistrations()).map(r => r.scope),
  people: Object.keys(localStorage).filter(k => /^door-.*people$/.test(k)),
  tokens: Object.keys(localStorage).filter(k => /^door-\\d+-token$/.test(k)),
  queue: Object.keys(localStorage).filter(k => /^door-\\d+-queue$/.test(k))
    .reduce((n, k) => n + JSON.parse(localStorage.getItem(k) || '[]').length, 0),
  left: Object.keys(localStorage).filter(k => k.startsWith('door-left-'))
    .map(k => JSON.parse(localStorage.getItem(k)).scans.length),
})"""
NOTHING_KEPT = {"cache": False, "workers": [], "people": [], "tokens": [], "queue": 0, "left": []}


def kept(page):
    return page.evaluate(KEPT)


def sign_in(browser, live_server, user):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label(re.compile("^Mot de passe")).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile("^(?!.*connexion)"))
    return context, page


def open_scanner_kept(page, live_server, event):
    """The staff member's scanner page, once it has kept itself and the list."""
    page.goto(f"{live_server.url}/accueil/{event.id}")
    page.get_by_text("Aucun scan en attente.").wait_for(timeout=15000)
    page.locator("[data-checkin][data-offline-ready]").wait_for(state="attached", timeout=15000)


def type_code(page, code):
    page.get_by_label("Code du badge").fill(code)
    page.get_by_role("button", name="Valider l'entrée", exact=True).click()


def test_offline_scans_are_sent_once_and_conflicts_reported(live_server, db, browser,
                                                            check_a11y, evening):
    event, (anne, bruno) = evening
    codes = (anne.badge_code, bruno.badge_code)
    ctx_a, page_a = open_door(browser, live_server, "vola@example.org")
    ctx_b, page_b = open_door(browser, live_server, "volb@example.org")

    ctx_a.set_offline(True)
    page_a.get_by_text("Hors connexion").first.wait_for()
    result_a = page_a.locator("[data-checkin-result]")
    type_code(page_a, codes[0])
    result_a.filter(has_text="Entrée enregistrée hors connexion : Anne Hors-Ligne").wait_for()
    assert "Jardins de Cocagne" in result_a.inner_text()
    type_code(page_a, codes[1])
    result_a.filter(has_text="Bruno Sans-Wifi").wait_for()
    page_a.get_by_text("2 scans en attente d’envoi.").wait_for()
    type_code(page_a, codes[0])  # the same badge again on this phone: said, queued harmlessly
    result_a.filter(has_text="Déjà scanné·e sur cet appareil").wait_for()
    check_a11y(page_a, "scanner hors connexion")

    # Phone B, offline too, lets Anne in a little later.
    ctx_b.set_offline(True)
    page_b.get_by_text("Hors connexion").first.wait_for()
    type_code(page_b, codes[0])
    page_b.get_by_text("1 scan en attente d’envoi.").wait_for()

    db.session.expire_all()
    assert db.session.scalar(select(Registration.checked_in_at)
                             .where(Registration.id == anne.id)) is None  # nothing sent yet

    ctx_a.set_offline(False)
    page_a.get_by_text("Aucun scan en attente.").wait_for(timeout=20000)
    ctx_b.set_offline(False)
    page_b.get_by_text("Aucun scan en attente.").wait_for(timeout=20000)
    conflict = re.compile(r"Anne Hors-Ligne : scanné·e par Navigateur de Vol A .* \(gardé\) "
                          r"et par Navigateur de Vol B")
    page_b.get_by_text(conflict).wait_for(timeout=10000)
    page_a.reload()
    page_a.get_by_text(conflict).wait_for(timeout=15000)

    db.session.expire_all()
    for reg in (anne, bruno):
        row = db.session.get(Registration, reg.id)
        assert row.checked_in_at is not None and row.checked_in_by_volunteer_id is not None
    outcomes = sorted((s.code, s.outcome) for s in db.session.scalars(select(DoorScan)))
    assert outcomes == sorted([(codes[0], "checked_in"), (codes[1], "checked_in"),
                               (codes[0], "already_checked_in"),
                               (codes[0], "already_checked_in")])
    # Leaving the door on phone A drops the copy kept for offline opening, the door's
    # worker and the list of people (personal data left on a borrowed phone).
    page_a.reload()
    page_a.locator("[data-checkin][data-offline-ready]").wait_for(state="attached",
                                                                  timeout=15000)
    assert page_a.evaluate("caches.has('door-v1')") and kept(page_a)["people"]
    page_a.get_by_role("button", name="Quitter l'accueil sur cet appareil").click()
    page_a.get_by_text("Vous avez quitté l'accueil sur cet appareil.").wait_for()
    assert kept(page_a) == NOTHING_KEPT
    ctx_a.close()
    ctx_b.close()


def test_scanner_reloads_offline_and_scans(live_server, db, browser, evening, make_staff):
    event, (anne, bruno) = evening
    carla = make_staff(email="carla@example.org", name="Carla Staff")
    db.session.commit()
    context, page = sign_in(browser, live_server, carla)
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


def test_signing_out_drops_what_the_door_kept(live_server, db, browser, evening, make_staff):
    """A staff member signs out of a borrowed phone: the scanner page copy, the door's worker,
    the list of people and the page's token leave with them."""
    event, _regs = evening
    dora = make_staff(email="dora@example.org", name="Dora Staff")
    db.session.commit()
    context, page = sign_in(browser, live_server, dora)
    open_scanner_kept(page, live_server, event)
    before = kept(page)
    assert before["cache"] and before["workers"] == [live_server.url + "/accueil/"]
    assert before["people"] == [f"door-{event.id}-people"] and before["tokens"]
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_text("Vous êtes déconnecté·e.").wait_for()
    assert kept(page) == NOTHING_KEPT
    context.close()


def test_unsent_scans_survive_signing_out_with_a_warning(live_server, db, browser, evening,
                                                          make_staff, check_a11y):
    """Signing out with scans still queued: the page tries to send them; offline it says how
    many are not sent and lets the person stay. Leaving anyway drops the list of people but
    keeps the queue, which goes up from the next page once the network is back, in the name
    of the staff member whose page scanned it."""
    event, (anne, _bruno) = evening
    eric = make_staff(email="eric@example.org", name="Éric Staff")
    db.session.commit()
    context, page = sign_in(browser, live_server, eric)
    open_scanner_kept(page, live_server, event)
    context.set_offline(True)
    page.get_by_text("Hors connexion").first.wait_for()
    type_code(page, anne.badge_code)
    page.get_by_text("1 scan en attente d’envoi.").wait_for()

    page.get_by_role("button", name="Se déconnecter", exact=True).click()
    alert = page.get_by_role("alert").filter(has_text="1 scan n’est pas encore envoyé")
    alert.wait_for()
    assert "sans la liste des inscrits" in alert.inner_text()
    check_a11y(page, "avertissement à la déconnexion")
    assert kept(page)["queue"] == 1 and kept(page)["people"]
    alert.get_by_role("button", name="Rester et attendre le réseau").click()
    alert.wait_for(state="detached")
    assert page.get_by_role("button", name="Se déconnecter", exact=True).is_visible()

    # The network is back but the upload still fails (the venue's Wi-Fi without Internet).
    page.route("**/api/v1/accueil/scans/lot", lambda route: route.abort())
    context.set_offline(False)
    page.get_by_role("button", name="Se déconnecter", exact=True).click()
    page.get_by_role("alert").get_by_role("button", name="Se déconnecter quand même").click()
    page.get_by_text("Vous êtes déconnecté·e.").wait_for()
    left = kept(page)
    assert left == {**NOTHING_KEPT, "left": [1]}, left
    db.session.expire_all()
    assert db.session.get(Registration, anne.id).checked_in_at is None

    # The next page opened with a working network sends the scan, then forgets it.
    page.unroute("**/api/v1/accueil/scans/lot")
    page.goto(live_server.url + "/evenements")
    page.wait_for_function(
        "() => !Object.keys(localStorage).some(k => k.startsWith('door-left-'))")
    db.session.expire_all()
    row = db.session.get(Registration, anne.id)
    assert row.checked_in_at is not None and row.checked_in_by_id == eric.id
    assert kept(page) == NOTHING_KEPT
    context.close()
