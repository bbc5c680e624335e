"""A company signs up, registers as an ESSpresso buyer with a need, books a meeting and marks a
wish; the organiser runs the scheduler and publishes; the supplier sees the meeting."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from network.outbox.services import deliver_due
from support import links_in, mail_text

pytestmark = pytest.mark.e2e
PASSWORD = "une phrase assez longue pour la Moselle"
COMPANY = "Transports Lorrains Express"


def _log_in(page, url, email):
    page.goto(url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Bonjour").first.wait_for()


def _log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()


def _setup(app):
    """An ESSpresso event with its session, two ESS suppliers registered, an organiser."""
    from werkzeug.security import generate_password_hash

    from network.accounts.models import User
    from network.core.time import PARIS, utcnow
    from network.directory import profiles as directory
    from network.directory import reference as directory_reference
    from network.directory.demo import make_siret
    from network.directory.fields import StructureData
    from network.esspresso import planning, registration
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
        people = [User(email=f"esat{i}@example.org", name=f"Contact ESAT {i}",
                       password_hash=hashed, email_verified_at=utcnow()) for i in (1, 2)]
        db.session.add_all([staff, *people])
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
        db.session.commit()
        names = []
        for i, person in enumerate(people, start=1):
            name = f"ESAT Les Ateliers {i}"
            structure = directory.create_structure(acting=person, data=StructureData(
                name=name, siret=make_siret(990_000 + i), legal_form="association",
                rna=f"W57299{i:04d}", postcode="57000", commune="Metz", territory="metz",
                buyer_kind="esat", offerings=[("transport", "prestation", "departement"),
                                              ("logistique", "prestation", "departement")],
                description="Transport et logistique adaptés."))
            directory.approve_structure(structure, acting=staff)
            registration.register_supplier(session, structure.organisation_id, Presence(),
                                           [o.category_id for o in structure.offerings],
                                           acting=person)
            db.session.commit()
            names.append(name)
        session_id = session.id
        db.session.remove()
    return session_id, names


def test_company_books_wishes_and_the_organiser_publishes(smtp_config, live_server, page,
                                                         check_a11y):
    from network.directory.demo import make_siret

    url = live_server.url
    session_id, (first, second) = _setup(live_server.app)
    with live_server.app.app_context():
        deliver_due()
    sent_before = len(smtp_config.messages)

    # 1. Someone of the company creates an account and confirms the address.
    page.goto(url + "/")
    page.get_by_role("link", name="Créer un compte").first.click()
    page.get_by_label("Prénom et nom").fill("Sam Acheteuse")
    page.get_by_label("Adresse e-mail").fill("sam@transports-lorrains.example")
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_label("J'ai lu la politique de confidentialité").check()
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_role("heading", name="Vérifiez vos courriels").wait_for()
    with live_server.app.app_context():
        assert deliver_due().sent == 1
    mail = smtp_config.wait_for(sent_before + 1)[-1]
    [link] = [u for u in links_in(mail_text(mail)) if "/verifier/" in u]
    page.goto(link)  # the mailed link logs in the browser that signed up (accounts rule)
    page.get_by_text("Votre adresse e-mail est confirmée").first.wait_for()

    # 2. From the ESSpresso page, the buyer organisation (refused once, in French).
    page.get_by_role("link", name="ESSpresso").first.click()
    page.get_by_role("link", name="Inscrire mon organisation acheteuse").click()
    check_a11y(page, "organisation acheteuse")
    page.get_by_label("Nom de l'organisation").fill(COMPANY)
    page.get_by_label("Type d'acheteur").select_option("entreprise")
    page.get_by_label(re.compile("^SIRET")).fill(make_siret(313_131))
    page.get_by_label(re.compile(r"^Code NAF")).fill("4939")
    page.get_by_label("Code postal").fill("57070")
    page.get_by_label("Commune").fill("Saint-Julien-lès-Metz")
    page.get_by_role("button", name="Enregistrer l'organisation").click()
    expect(page.get_by_text("par exemple 62.01Z").first).to_be_visible()
    check_a11y(page, "organisation acheteuse avec erreur")
    page.get_by_label(re.compile(r"^Code NAF")).fill("49.39A")
    page.get_by_role("button", name="Enregistrer l'organisation").click()
    page.get_by_text(f"« {COMPANY} » est enregistrée").wait_for()

    # 3. Registers for the session with a need (reserved to EA/ESAT).
    page.get_by_role("link", name="ESSpresso de Metz").click()
    page.get_by_role("link", name="Inscrire mon organisation comme acheteur").click()
    page.get_by_label("Catégorie d'achat").select_option(label="Transport de personnes")
    page.get_by_label("Votre besoin").fill("Transport adapté de 12 salariés chaque matin")
    page.get_by_label("Type de marché").select_option("ea-esat")
    page.get_by_label("Nombre maximum de rendez-vous").fill("4")
    check_a11y(page, "inscription acheteur")
    page.get_by_role("button", name="M'inscrire comme acheteur").click()
    page.get_by_role("heading", name="Catalogue des participants").wait_for()
    expect(page.get_by_text("éligible au marché réservé").first).to_be_visible()
    check_a11y(page, "catalogue")

    # 4. Books a meeting with the first supplier, in the second slot.
    page.get_by_role("link", name=f"Réserver un rendez-vous avec {first}").click()
    check_a11y(page, "réservation")
    page.get_by_role("radio").nth(1).check()
    page.get_by_role("button", name="Réserver ce créneau").click()
    page.get_by_text(f"Rendez-vous réservé avec « {first} »").wait_for()
    row = page.get_by_role("row").filter(has_text=first)
    assert row.get_by_role("cell").nth(1).inner_text() == "1"  # table 1
    check_a11y(page, "page de la session")

    # 5. Marks an essential wish for the second supplier.
    page.get_by_role("link", name=re.compile("Catalogue des fournisseurs")).click()
    page.get_by_label(f"Mon souhait pour {second}").select_option("3")
    page.get_by_role("button", name=f"Enregistrer le souhait pour {second}").click()
    page.get_by_text("Souhait enregistré").wait_for()
    assert page.get_by_label(f"Mon souhait pour {second}").input_value() == "3"
    _log_out(page)

    # 6. The organiser runs the scheduler, reads the preview and publishes.
    _log_in(page, url, "camille@example.org")
    page.goto(f"{url}/esspresso/{session_id}")
    page.get_by_role("link", name="Page d'organisation").click()
    page.get_by_role("button", name="Lancer le planificateur").click()
    page.get_by_role("heading", name="Aperçu de la proposition").wait_for()
    expect(page.get_by_text("2 au total : 1 déjà fixé, 1 nouveau")).to_be_visible()
    expect(page.get_by_text("priorité 3 (Essentiel) : 1 sur 1")).to_be_visible()
    check_a11y(page, "page organisateur")
    page.get_by_role("button", name="Publier l'agenda et prévenir les participants").click()
    page.get_by_text("Agenda publié").first.wait_for()
    with live_server.app.app_context():
        assert deliver_due().sent >= 3
    _log_out(page)

    # 7. The second supplier sees the meeting the scheduler placed, and was told by mail.
    mails = smtp_config.to("esat2@example.org")
    assert any("agenda de rendez-vous est prêt" in m["Subject"] for m in mails)
    _log_in(page, url, "esat2@example.org")
    page.goto(f"{url}/esspresso/{session_id}")
    page.get_by_role("heading", name="Mon agenda").wait_for()
    assert page.get_by_role("row").filter(has_text=COMPANY).get_by_role("cell").nth(
        3).inner_text() == "Publié"
    check_a11y(page, "agenda du fournisseur")
