"""A structure publishes an offer; a guest finds it typing without accents, answers it,
confirms by mail; the structure marks the answer retained; the guest sees the change."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from network.outbox.services import deliver_due
from support import links_in, mail_text

pytestmark = pytest.mark.e2e
PASSWORD = "une phrase assez longue pour la Moselle"
TITLE = "Ouvrier·ère maraîcher·ère en insertion"


def _log_in(page, url, email):
    page.goto(url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Bonjour").first.wait_for()


def _log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()


def _deliver(app, smtp, count):
    with app.app_context():
        assert deliver_due().sent >= 1
    return smtp.wait_for(count)


def test_publish_find_answer_confirm_retain(smtp_config, live_server, page, check_a11y):
    from werkzeug.security import generate_password_hash

    from network.accounts.models import User
    from network.core.time import utcnow
    from network.directory import profiles as services
    from network.directory import reference as services_reference
    from network.directory.demo import make_siret
    from network.directory.fields import StructureData
    from network.extensions import db

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
            name="Les Jardins de la Seille", siret=make_siret(4242), legal_form="association",
            rna="W572004242", postcode="57000", commune="Metz", territory="metz",
            sectors=["insertion"], description="Chantier d'insertion en maraîchage."))
        services.approve_structure(structure, acting=staff)
        db.session.commit()
        structure_id = structure.id
        deliver_due()
        db.session.remove()
    smtp_config.messages.clear()

    # The structure's owner writes the offer and publishes it.
    _log_in(page, live_server.url, "jardins@example.org")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Offres").click()
    page.get_by_role("link", name="Publier une offre pour ma structure").click()
    page.get_by_role("link", name="Nouvelle offre").click()
    check_a11y(page, "nouvelle offre")
    page.get_by_label("Type d'offre").select_option("cddi")
    page.get_by_label("Intitulé").fill(TITLE)
    page.get_by_label("Description de la mission").fill(
        "Semis, plantation, récolte et préparation des **paniers bio**.")
    page.get_by_label("Temps de travail ou d'engagement").fill("26 h par semaine")
    page.get_by_label("Date limite pour répondre").fill(
        (date.today() + timedelta(days=30)).isoformat())
    page.get_by_label("Candidatures RQTH bienvenues").check()
    page.get_by_label("Compétences recherchées").fill("maraîchage, travail en équipe")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_role("heading", name=TITLE).wait_for()
    page.get_by_role("button", name="Publier").click()
    page.get_by_text("Offre publiée").wait_for()
    _log_out(page)

    # A guest finds it by typing without accents, and answers it.
    page.goto(live_server.url + "/")
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Offres").click()
    page.get_by_role("searchbox").fill("maraicher insertion")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_role("heading", name="1 offre").wait_for()
    check_a11y(page, "liste des offres")
    page.get_by_role("link", name=TITLE).click()
    check_a11y(page, "page de l'offre")
    page.get_by_label("Prénom et nom").fill("Sam Invité")
    page.get_by_label("Adresse e-mail").fill("sam@example.net")
    page.get_by_label("Votre message").fill(
        "Bonjour, j'ai travaillé deux saisons en maraîchage et je suis disponible.")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    page.get_by_role("heading", name="Vérifiez vos courriels").wait_for()

    [mail] = _deliver(app, smtp_config, 1)
    assert mail["To"] == "sam@example.net"
    [confirm] = [u for u in links_in(mail_text(mail)) if "/confirmer/" in u]
    page.goto(confirm)
    page.get_by_text("votre réponse est transmise").wait_for()
    guest_page = page.url
    assert page.locator(".answer-status").inner_text() == "Nouvelle"
    check_a11y(page, "candidature de l'invité")

    # The team is told; the owner marks the answer retained.
    messages = _deliver(app, smtp_config, 2)
    assert messages[-1]["To"] == "jardins@example.org"
    _log_in(page, live_server.url, "jardins@example.org")
    page.goto(f"{live_server.url}/offres/structure/{structure_id}")
    page.get_by_role("link", name=TITLE).click()
    page.get_by_role("link", name="Réponses reçues").click()
    expect(page.get_by_text("j'ai travaillé deux saisons")).to_be_visible()
    check_a11y(page, "réponses reçues")
    page.get_by_label("État").select_option("retained")
    page.get_by_role("button", name="Enregistrer l'état de Sam Invité").click()
    page.get_by_text("la personne est prévenue par courriel").wait_for()
    _log_out(page)

    # The guest is mailed and sees the change through the signed link.
    messages = _deliver(app, smtp_config, 3)
    status_mail = messages[-1]
    assert status_mail["To"] == "sam@example.net" and "Retenue" in status_mail["Subject"]
    [follow] = [u for u in links_in(mail_text(status_mail)) if "/offres/candidature/" in u]
    page.goto(follow)
    assert page.locator(".answer-status").inner_text() == "Retenue"
    page.goto(guest_page)  # the link from the first mail keeps working
    assert page.locator(".answer-status").inner_text() == "Retenue"
    check_a11y(page, "candidature retenue")
