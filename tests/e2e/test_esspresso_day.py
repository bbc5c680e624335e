"""After publishing, the supplier opens its agenda page and .ics; the room screen shows the
current round; the organiser marks the meeting held; both sides report an outcome; staff
see it in the impact figures."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from network.outbox.services import deliver_due

pytestmark = pytest.mark.e2e
PASSWORD = "une phrase assez longue pour la Moselle"
BUYER = "Hôpital de Mercy"
SUPPLIER = "ESAT Les Jardins"


def _log_in(page, url, email):
    page.goto(url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Bonjour").first.wait_for()


def _log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()


def _setup(app):
    """An ESSpresso session; an ESAT supplier and a hospital buyer who booked slot 0."""
    from werkzeug.security import generate_password_hash

    from network.accounts.models import User
    from network.core.time import PARIS, utcnow
    from network.directory import profiles as directory
    from network.directory import reference as directory_reference
    from network.directory.demo import make_siret
    from network.directory.fields import StructureData
    from network.esspresso import buyers, meetings, planning, registration
    from network.events import staff as _events_staff
    from network.events import territories as _territories
    from network.events.models import EventKind, EventStatus
    from network.extensions import db
    from network.meetings.participants import Presence

    with app.app_context():
        directory_reference.ensure_reference_data()
        hashed = generate_password_hash(PASSWORD)
        staff = User(email="camille@example.org", name="Camille Équipe", password_hash=hashed,
                     email_verified_at=utcnow(), is_staff=True)
        esat = User(email="esat@example.org", name="Dominique Jardin", password_hash=hashed,
                    email_verified_at=utcnow())
        buyer = User(email="achats@mercy.example", name="Sam Achats", password_hash=hashed,
                     email_verified_at=utcnow())
        db.session.add_all([staff, esat, buyer])
        db.session.commit()
        day = (utcnow() + timedelta(days=12)).astimezone(PARIS).date()
        event = _events_staff.create_event(_events_staff.EventData(
            kind=EventKind.ESSPRESSO, title="ESSpresso de Metz",
            start_at=datetime(day.year, day.month, day.day, 14, tzinfo=PARIS),
            end_at=datetime(day.year, day.month, day.day, 16, tzinfo=PARIS),
            territory_id=_territories.by_code("metz").id, capacity=100), acting=staff)
        event.status = EventStatus.PUBLISHED
        db.session.commit()
        session = planning.create_session(planning.SessionForm(
            event_id=event.id, slot_minutes=20, tables_count=5), acting=staff)
        structure = directory.create_structure(acting=esat, data=StructureData(
            name=SUPPLIER, siret=make_siret(990_001), legal_form="association",
            rna="W572990001", postcode="57000", commune="Metz", territory="metz",
            buyer_kind="esat", offerings=[("espaces-verts", "prestation", "departement")],
            description="Entretien d'espaces verts."))
        directory.approve_structure(structure, acting=staff)
        supplier = registration.register_supplier(
            session, structure.organisation_id, Presence(),
            [o.category_id for o in structure.offerings], acting=esat)
        profile = buyers.create_buyer(buyers.BuyerData(
            name=BUYER, buyer_type="hopital", siret=make_siret(580_001), postcode="57070",
            commune="Metz", territory="metz"), acting=buyer)
        part = registration.register_buyer(session, profile, Presence(), registration.NeedData(
            category_id=structure.offerings[0].category_id,
            description="Entretien des espaces verts du site"), acting=buyer)
        meetings.book_meeting(session, part.id, supplier.id, 0, acting=buyer)
        db.session.commit()
        session_id = session.id
        db.session.remove()
    return session_id


def _to_now(app, session_id):
    """The day has come: the first slot began five minutes ago."""
    from network.core.time import as_utc, utcnow
    from network.extensions import db
    from network.meetings.models import MeetingSession

    with app.app_context():
        session = db.session.get(MeetingSession, session_id)
        delta = utcnow() - timedelta(minutes=5) - as_utc(session.starts_at)
        session.starts_at = as_utc(session.starts_at) + delta
        session.ends_at = as_utc(session.ends_at) + delta
        for slot in session.slots:
            slot.starts_at, slot.ends_at = as_utc(slot.starts_at) + delta, \
                as_utc(slot.ends_at) + delta
        db.session.commit()
        db.session.remove()


def _report(page, url, session_id, held="oui", follow_up="Contrat ou commande"):
    page.goto(f"{url}/esspresso/{session_id}")
    page.get_by_role("link", name="Bilan de mes rendez-vous").click()
    page.get_by_role("radio", name="Oui").check() if held == "oui" else \
        page.get_by_role("radio", name="Non").check()
    page.get_by_label("Suite").select_option(label=follow_up)
    page.get_by_role("button", name=re.compile("^Enregistrer")).click()
    page.get_by_text("Merci : bilan enregistré.").wait_for()


def test_agenda_room_screen_held_outcomes_and_impact(smtp_config, live_server, page,
                                                     check_a11y):
    url = live_server.url
    session_id = _setup(live_server.app)

    # 1. The organiser publishes; everyone gets their agenda with the .ics attached.
    _log_in(page, url, "camille@example.org")
    page.goto(f"{url}/esspresso/{session_id}/organisation")
    page.get_by_role("button", name="Lancer le planificateur").click()
    page.get_by_role("heading", name="Aperçu de la proposition").wait_for()
    page.get_by_role("button", name="Publier l'agenda et prévenir les participants").click()
    page.get_by_text("Agenda publié").first.wait_for()
    with live_server.app.app_context():
        assert deliver_due().sent >= 2
    [mail] = [m for m in smtp_config.to("esat@example.org")
              if "agenda de rendez-vous" in m["Subject"]]
    assert [p.get_filename() for p in mail.iter_attachments()] == ["agenda-esspresso.ics"]
    _log_out(page)

    # 2. The supplier opens its agenda page and its .ics.
    _log_in(page, url, "esat@example.org")
    page.goto(f"{url}/esspresso/{session_id}")
    page.get_by_role("heading", name="Mon agenda").wait_for()
    check_a11y(page, "agenda du fournisseur")
    ics_link = page.get_by_role("link", name="Ajouter à mon agenda (.ics)")
    ics = page.request.get(url + ics_link.get_attribute("href"))
    assert ics.ok and ics.headers["content-type"].startswith("text/calendar")
    [event] = Calendar.from_ical(ics.body()).walk("VEVENT")
    assert str(event["summary"]) == f"ESSpresso — table 1 : {BUYER}"
    pdf = page.request.get(url + page.get_by_role(
        "link", name="Mon agenda à imprimer (PDF)").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # 3. The day: the phone says where to go; the room screen shows the current round.
    _to_now(live_server.app, session_id)
    page.reload()
    expect(page.get_by_text(f"Rendez-vous en cours : table 1, avec {BUYER}.")).to_be_visible()
    page.goto(f"{url}/esspresso/{session_id}/ecran")
    page.get_by_role("heading", name=re.compile("^Tour en cours")).wait_for()
    row = page.get_by_role("row").filter(has_text=BUYER)
    assert row.get_by_role("cell").nth(0).inner_text() == SUPPLIER or SUPPLIER in row.inner_text()
    assert re.fullmatch(r"1[45]:\d\d", page.locator("#countdown").inner_text())
    check_a11y(page, "écran de salle")
    page.goto(url + "/")
    _log_out(page)

    # 4. The organiser marks the meeting held, from the room page.
    _log_in(page, url, "camille@example.org")
    page.goto(f"{url}/esspresso/{session_id}/organisation")
    page.get_by_role("link", name=re.compile("^En salle")).click()
    check_a11y(page, "en salle")
    page.get_by_role("button", name=re.compile("^Tenu")).click()
    page.get_by_text("Rendez-vous marqué tenu.").wait_for()
    _log_out(page)

    # 5. Both sides report the outcome.
    _log_in(page, url, "esat@example.org")
    _report(page, url, session_id, follow_up="Demande de devis")
    check_a11y(page, "bilan")
    _log_out(page)
    _log_in(page, url, "achats@mercy.example")
    _report(page, url, session_id, follow_up="Contrat ou commande")
    _log_out(page)

    # 6. Staff see it in the figures.
    _log_in(page, url, "camille@example.org")
    page.goto(url + "/esspresso/")
    page.get_by_role("link", name=re.compile("^Impact")).click()
    page.get_by_role("heading", name="Impact ESSpresso : achats responsables").wait_for()
    facts = page.locator("dl.facts").inner_text()
    assert re.search(r"Rendez-vous tenus\s+1", facts)
    assert re.search(r"Contrats ou commandes annoncés\s+1", facts)
    kind = page.get_by_role("row").filter(has_text="EA / ESAT (handicap)")
    assert [c.inner_text() for c in kind.get_by_role("cell").all()] == ["1", "1", "1", "1"]
    check_a11y(page, "impact")
