"""A structure registers as exhibitor of the forum, staff give it a stand, a guest books an
interview there by the mailed link and gets the agenda (page and .ics), the structure
reports a hire after the forum, staff see it counted."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from network.outbox.services import deliver_due
from support import links_in, mail_text

pytestmark = pytest.mark.e2e
PASSWORD = "une phrase assez longue pour la Moselle"


def _log_in(page, url, email):
    page.goto(url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Bonjour").first.wait_for()


def _log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()


def test_exhibitor_stand_interview_agenda_outcome(smtp_config, live_server, page, check_a11y):
    from icalendar import Calendar
    from werkzeug.security import generate_password_hash

    from network.accounts.models import User
    from network.core.time import utcnow
    from network.directory import profiles as services
    from network.directory import reference as services_reference
    from network.directory.demo import make_siret
    from network.directory.fields import StructureData
    from network.events import staff as events_staff
    from network.events import territories
    from network.events.models import Event, EventKind, EventStatus
    from network.extensions import db
    from network.offers import offers

    app = live_server.app
    with app.app_context():
        services_reference.ensure_reference_data()
        owner = User(email="jardins@example.org", name="Claire Jardins",
                     password_hash=generate_password_hash(PASSWORD), email_verified_at=utcnow())
        staff = User(email="equipe@example.org", name="Camille", is_staff=True,
                     password_hash=generate_password_hash(PASSWORD), email_verified_at=utcnow())
        db.session.add_all([owner, staff])
        db.session.flush()
        structure = services.create_structure(acting=owner, data=StructureData(
            name="Les Jardins de la Seille", siret=make_siret(4343), legal_form="association",
            rna="W572004343", postcode="57000", commune="Metz", territory="metz",
            sectors=["insertion"], description="Chantier d'insertion en maraîchage."))
        services.approve_structure(structure, acting=staff)
        offer = offers.create_offer(structure, offers.OfferData(
            kind="cddi", title="Ouvrier maraîcher en insertion", commune="Metz",
            territory="metz", closes_on=(utcnow() + timedelta(days=60)).date(),
            description="Semis, récolte, paniers.", postcode="57000", places=2,
            time_commitment="26 h", work_mode="sur-place"), acting=owner)
        offers.publish_offer(offer, acting=owner)
        start = (utcnow() + timedelta(days=30)).replace(minute=0, second=0, microsecond=0)
        event = events_staff.create_event(events_staff.EventData(
            kind=EventKind.FORUM, title="Forum emploi-bénévolat de janvier", start_at=start,
            end_at=start + timedelta(hours=2), territory_id=territories.by_code("metz").id,
            venue_name="Arsenal", capacity=300), acting=staff)
        event.status = EventStatus.PUBLISHED
        db.session.commit()
        event_id = event.id
        deliver_due()
        db.session.remove()
    smtp_config.messages.clear()
    url = live_server.url

    # The structure registers as exhibitor with its offer, from the offers page.
    _log_in(page, url, "jardins@example.org")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Offres").click()
    page.get_by_role("link", name=re.compile("Forums emploi-bénévolat")).click()
    page.get_by_role("link", name="Forum emploi-bénévolat de janvier").click()
    page.get_by_role("link", name="Inscrire ma structure comme exposante").click()
    check_a11y(page, "inscription exposant")
    page.get_by_label(re.compile("Ouvrier maraîcher en insertion")).check()
    page.get_by_role("button", name="Envoyer l'inscription").click()
    page.get_by_text("inscription en attente de validation").wait_for()
    _log_out(page)

    # Staff give it stand 4.
    _log_in(page, url, "equipe@example.org")
    page.goto(f"{url}/forum/{event_id}/gestion")
    check_a11y(page, "gestion du forum")
    page.get_by_label("Numéro de stand").fill("4")
    page.get_by_role("button", name="Attribuer ce stand").click()
    page.get_by_text("Exposant accepté au stand 4.").wait_for()
    _log_out(page)

    # A guest asks for the link, opens it, books an interview at stand 4.
    page.goto(f"{url}/forum/{event_id}")
    page.get_by_role("heading", name=re.compile("Stand 4")).wait_for()
    check_a11y(page, "page du forum")
    page.get_by_label("Votre nom").fill("Inès Visiteuse")
    page.get_by_label("Votre adresse e-mail").fill("ines@example.net")
    page.get_by_role("button", name="Recevoir mon lien").click()
    page.get_by_role("heading", name="Consultez votre messagerie").wait_for()
    with app.app_context():
        deliver_due()
    [mail] = smtp_config.wait_for(1)
    assert mail["To"] == "ines@example.net"
    [link] = [u for u in links_in(mail_text(mail)) if "/jobdating/invite/" in u]
    page.goto(link)
    page.get_by_text("Adresse confirmée").wait_for()
    page.get_by_label("Créneau libre").select_option(index=1)
    page.get_by_role("button", name="Réserver un entretien").click()
    page.get_by_text("Entretien réservé au stand 4.").wait_for()
    row = page.get_by_role("row", name=re.compile("Les Jardins de la Seille"))
    assert row.get_by_role("cell").nth(1).inner_text() == "4"
    check_a11y(page, "agenda")
    ics = page.request.get(f"{url}/forum/{event_id}/agenda.ics")
    assert ics.ok
    [entry] = Calendar.from_ical(ics.body()).walk("VEVENT")
    assert str(entry["summary"]) == "Entretien : Les Jardins de la Seille (stand 4)"
    with app.app_context():
        deliver_due()
    badge_mails = smtp_config.wait_for(2)
    assert any(m["To"] == "ines@example.net" and "Forum" in m["Subject"]
               for m in badge_mails[1:])  # registered to the forum: its confirmation mail

    # The forum takes place; the structure reports a hire for its offer.
    with app.app_context():
        event = db.session.get(Event, event_id)
        event.start_at = utcnow() - timedelta(hours=3)
        event.end_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        db.session.remove()
    page.context.clear_cookies()
    _log_in(page, url, "jardins@example.org")
    page.goto(f"{url}/forum/{event_id}")
    page.get_by_role("link", name=re.compile("Bilan du forum")).click()
    page.get_by_label("Personnes recrutées").fill("1")
    page.get_by_label("Bénévoles accueilli·es").fill("0")
    page.get_by_role("button", name="Enregistrer le bilan").click()
    page.get_by_text("le bilan de votre stand est enregistré").wait_for()
    _log_out(page)

    # Staff see it counted, in the text, the chart's table and the CSV.
    _log_in(page, url, "equipe@example.org")
    page.goto(f"{url}/forum/{event_id}/gestion")
    page.get_by_text("1 exposant sur 1 a rendu son bilan.").wait_for()
    table = page.get_by_role("table", name="Par type d'offre")
    assert table.get_by_role("row", name=re.compile("CDDI")).get_by_role(
        "cell").nth(0).inner_text() == "1"
    csv = page.request.get(f"{url}/forum/{event_id}/bilan.csv").text()
    assert "Ouvrier maraîcher en insertion" in csv and ";1;0" in csv
