"""A member registers a structure, staff approve it, a visitor finds it without accents."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from network.outbox.services import deliver_due
from support import mail_text

pytestmark = pytest.mark.e2e
PASSWORD = "une phrase assez longue pour la Moselle"
NAME = "Atelier Économie Circulaire de Forbach"


def _log_in(page, url, email):
    page.goto(url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text("Bonjour").first.wait_for()


def test_create_approve_and_find_structure(smtp_config, live_server, page, browser,
                                           check_a11y):
    from werkzeug.security import generate_password_hash

    from network.accounts.models import User
    from network.core.time import utcnow
    from network.directory import reference
    from network.directory.demo import make_siret
    from network.extensions import db

    with live_server.app.app_context():
        reference.ensure_reference_data()
        hashed = generate_password_hash(PASSWORD)
        db.session.add_all([
            User(email="alex@example.org", name="Alex Membre", password_hash=hashed,
                 email_verified_at=utcnow()),
            User(email="camille@example.org", name="Camille Équipe", password_hash=hashed,
                 email_verified_at=utcnow(), is_staff=True),
            User(email="sam@example.org", name="Sam Collègue", password_hash=hashed,
                 email_verified_at=utcnow())])
        db.session.commit()
        db.session.remove()
    url = live_server.url

    # 1. A signed-in member fills the form; a bad SIRET is explained in French first.
    _log_in(page, url, "alex@example.org")
    page.get_by_role("link", name="Annuaire").click()
    page.get_by_role("link", name="Inscrire ma structure").click()
    page.get_by_role("heading", name="Inscrire ma structure").wait_for()
    check_a11y(page, "formulaire d'inscription")
    page.get_by_label("Nom de la structure").fill(NAME)
    page.get_by_label(re.compile(r"^SIRET")).fill("123 456 789 00012")
    page.get_by_label("Forme juridique (code INSEE)").select_option("association")
    page.get_by_label("Numéro RNA").fill("W572004242")
    page.get_by_label("Code postal").fill("57600")
    page.get_by_label("Commune").fill("Forbach")
    page.get_by_label("Territoire").select_option("forbach-boulay")
    page.get_by_label("— Réemploi et recyclage").check()
    page.get_by_label("Réemploi et recyclage", exact=True).check()
    page.get_by_label("Présentation").fill("Collecte et **réemploi** d'objets à Forbach.")
    page.get_by_role("button", name="Envoyer ma demande d'inscription").click()
    expect(page.get_by_text("la clé de contrôle ne correspond pas").first).to_be_visible()
    assert page.get_by_label("Nom de la structure").input_value() == NAME
    check_a11y(page, "formulaire avec erreur")
    page.get_by_label(re.compile(r"^SIRET")).fill(make_siret(424_242))
    page.get_by_role("button", name="Envoyer ma demande d'inscription").click()
    page.get_by_role("heading", name="Mes structures").wait_for()
    expect(page.get_by_text("En attente de validation")).to_be_visible()
    check_a11y(page, "mes structures")
    page.get_by_role("link", name="Modifier la fiche").click()
    page.get_by_role("heading", name=re.compile("Fiche complète à")).wait_for()
    check_a11y(page, "modifier la fiche")
    page.get_by_role("link", name="Membres").first.click()
    page.get_by_role("heading", name=f"Membres de {NAME}").wait_for()
    check_a11y(page, "membres")

    with live_server.app.app_context():
        assert deliver_due().sent == 1
    [to_staff] = smtp_config.wait_for(1)
    assert NAME in to_staff["Subject"]

    # 1b. A colleague registers the same SIRET: the message leads to the pending structure's
    #     page, where they ask to join it.
    colleague_context = browser.new_context()
    colleague = colleague_context.new_page()
    _log_in(colleague, url, "sam@example.org")
    colleague.goto(url + "/annuaire/inscrire")
    colleague.get_by_label("Nom de la structure").fill("Ressourcerie (doublon)")
    colleague.get_by_label(re.compile(r"^SIRET")).fill(make_siret(424_242))
    colleague.get_by_label("Forme juridique (code INSEE)").select_option("association")
    colleague.get_by_label("Numéro RNA").fill("W572004243")
    colleague.get_by_label("Code postal").fill("57600")
    colleague.get_by_label("Commune").fill("Forbach")
    colleague.get_by_role("button", name="Envoyer ma demande d'inscription").click()
    expect(colleague.get_by_text("demandez à la rejoindre depuis sa fiche").first).to_be_visible()
    colleague.get_by_role("link", name="Voir sa fiche et demander à la rejoindre").click()
    colleague.get_by_role("heading", name=NAME, level=1).wait_for()
    expect(colleague.get_by_text("En attente de validation")).to_be_visible()
    check_a11y(colleague, "fiche en attente")
    colleague.get_by_role("button", name="Demander à la rejoindre").click()
    expect(colleague.get_by_text("Votre demande a été envoyée")).to_be_visible()
    colleague_context.close()
    with live_server.app.app_context():
        assert deliver_due().sent == 1
    _, join_request = smtp_config.wait_for(2)
    assert join_request["To"] == "alex@example.org" and "Sam Collègue" in join_request["Subject"]

    # 2. Staff, in another browser context, approve it from the queue.
    staff_context = browser.new_context()
    staff_page = staff_context.new_page()
    _log_in(staff_page, url, "camille@example.org")
    staff_page.goto(url + "/annuaire/gestion/")
    staff_page.get_by_role("heading", name="Structures à valider (1)").wait_for()
    check_a11y(staff_page, "file de validation")
    staff_page.get_by_role("button", name=f"Valider et publier {NAME}").click()
    expect(staff_page.get_by_text(f"« {NAME} » est publiée")).to_be_visible()
    staff_context.close()

    with live_server.app.app_context():
        assert deliver_due().sent == 1
    _, _, approved = smtp_config.wait_for(3)
    assert approved["To"] == "alex@example.org"
    assert "publiée" in mail_text(approved)

    # 3. An anonymous visitor finds it without typing accents, with a territory filter.
    visitor = browser.new_context()
    anon = visitor.new_page()
    anon.goto(url + "/annuaire/")
    check_a11y(anon, "annuaire")
    anon.get_by_label("Rechercher (nom, activité, commune…)").fill("economie circulaire")
    anon.get_by_label("Territoire").select_option("forbach-boulay")
    anon.get_by_role("button", name="Rechercher").click()
    anon.get_by_role("heading", name="1 structure").wait_for()
    assert "territoire=forbach-boulay" in anon.url and "q=economie+circulaire" in anon.url
    anon.get_by_role("link", name=NAME).click()
    anon.get_by_role("heading", name=NAME, level=1).wait_for()
    expect(anon.get_by_text("Forbach – Boulay-Moselle")).to_be_visible()
    check_a11y(anon, "fiche structure")
    # The same profile in English: labels and reference lists translated, data as typed.
    visitor.add_cookies([{"name": "lang", "value": "en", "url": url}])  # the switch's cookie
    anon.reload()
    anon.get_by_role("heading", name="At a glance").wait_for()
    expect(anon.get_by_text("Reuse and recycling").first).to_be_visible()
    expect(anon.get_by_text("Collecte et réemploi").first).to_be_visible()
    check_a11y(anon, "profile in English")
    visitor.close()

    # 4. The directory and the form fit a 320 px wide screen (no horizontal scroll).
    page.set_viewport_size({"width": 320, "height": 700})
    for path in ("/annuaire/?q=economie", "/annuaire/inscrire", "/annuaire/mes-structures"):
        page.goto(url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{path}: horizontal scroll at 320 px ({width})"
