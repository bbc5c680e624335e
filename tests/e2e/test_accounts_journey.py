"""A new person signs up, gets the mail through a real SMTP server, verifies, logs in and out."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from network.core.time import utcnow
from network.outbox.services import deliver_due
from support import links_in, mail_text

pytestmark = pytest.mark.e2e
PASSWORD = "une phrase assez longue pour la Moselle"


def test_sign_up_verify_log_in_log_out(smtp_config, live_server, page, check_a11y):
    page.goto(live_server.url + "/")
    check_a11y(page, "accueil")
    page.get_by_role("link", name="Créer un compte").first.click()
    check_a11y(page, "inscription")
    page.get_by_label("Prénom et nom").fill("Alex Martin")
    page.get_by_label("Adresse e-mail").fill("alex@example.org")
    page.get_by_label(re.compile("^Mot de passe")).fill("court")
    page.get_by_label("Confirmez le mot de passe").fill("court")
    page.get_by_label("J'ai lu la politique de confidentialité").check()
    page.get_by_role("button", name="Créer mon compte").click()
    # Bad input: a French message at the field, the other values kept.
    expect(page.get_by_text("au moins 10 caractères").first).to_be_visible()
    assert page.get_by_label("Adresse e-mail").input_value() == "alex@example.org"
    check_a11y(page, "inscription avec erreurs")
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_label("Confirmez le mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    page.get_by_role("heading", name="Vérifiez vos courriels").wait_for()

    with live_server.app.app_context():
        assert deliver_due().sent == 1
    [mail] = smtp_config.wait_for(1)
    assert mail["To"] == "alex@example.org"
    [link] = [u for u in links_in(mail_text(mail)) if "/verifier/" in u]
    assert link.startswith(live_server.url)

    page.goto(link)
    # The link logs the person in (same browser as the sign-up): no password typed again.
    expect(page.get_by_text("Votre adresse e-mail est confirmée")).to_be_visible()
    page.get_by_role("heading", name="Mon compte", exact=True).wait_for()
    expect(page.get_by_text("confirmée").first).to_be_visible()
    check_a11y(page, "mon compte")
    expect(page.get_by_role("link", name="Mes structures")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté·e")).to_be_visible()
    assert re.search(r"/$", page.url)

    page.get_by_role("banner").get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse e-mail").fill("alex@example.org")
    page.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_text("Bonjour Alex Martin")).to_be_visible()
    icon = page.request.get(live_server.url + "/favicon.ico")
    assert icon.status == 200 and icon.headers["content-type"] == "image/vnd.microsoft.icon"


def test_keyboard_only_and_narrow_screen(live_server, browser):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(live_server.url + "/connexion")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert "Aller au contenu" in focused
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"horizontal scroll at 320 px: {width}"
    context.close()


@pytest.fixture
def staff_second_factor(app_config):
    app_config["STAFF_SECOND_FACTOR"] = True


def test_staff_enrol_a_phone_then_log_in_with_its_code(staff_second_factor, live_server, page,
                                                       check_a11y):
    """A new staff member is sent to enrolment, scans the QR code (decoded here by zxing-cpp
    from the image the browser shows), types the codes, and later logs in with one."""
    import io

    import zxingcpp
    from PIL import Image

    from conftest import DEFAULT_PASSWORD
    from network.accounts import second_factor
    from network.accounts.models import User
    from network.extensions import db

    with live_server.app.app_context():
        db.session.add(User(email="agent@example.org", name="Agent Équipe", is_staff=True,
                            password_hash=generate_password_hash(DEFAULT_PASSWORD,
                                                                 method="scrypt:1024:8:1"),
                            email_verified_at=utcnow()))
        db.session.commit()
        db.session.remove()

    page.goto(live_server.url + "/connexion")
    page.get_by_label("Adresse e-mail").fill("agent@example.org")
    page.get_by_label(re.compile("^Mot de passe")).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(live_server.url + "/equipe/")
    page.get_by_role("heading", name="Double authentification").wait_for()
    assert page.url.endswith("/compte/double-authentification")
    check_a11y(page, "activation de la double authentification")
    shot = page.get_by_role("img", name=re.compile("QR code")).screenshot()
    [decoded] = zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))
    secret = re.search(r"secret=([A-Z2-7]+)", decoded.text).group(1)
    step = second_factor.current_step()
    page.get_by_label("Code de vérification").fill(second_factor.code_at(secret, step))
    page.get_by_role("button", name="Activer").click()
    page.get_by_role("heading", name="Vos codes de secours").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    page.get_by_role("link", name="J'ai noté mes codes").click()
    page.get_by_role("button", name="Se déconnecter").click()

    page.goto(live_server.url + "/connexion")
    page.get_by_label("Adresse e-mail").fill("agent@example.org")
    page.get_by_label(re.compile("^Mot de passe")).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("heading", name="Code de vérification").wait_for()
    check_a11y(page, "code de vérification")
    page.get_by_label("Code de vérification").fill(second_factor.code_at(secret, step + 1))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_text("Bonjour Agent Équipe")).to_be_visible()
    page.goto(live_server.url + "/equipe/")
    page.get_by_role("heading", name="Espace équipe").first.wait_for()


def test_a_german_visitor_keeps_german_through_sign_up_mail_log_out_and_a_new_browser(
        smtp_config, live_server, browser, page, check_a11y):
    """The switcher's choice (a cookie) holds across sign-up, the mailed link, log-out; the
    account remembers it, so a browser that never chose opens in German after log-in."""
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.get_by_role("link", name="Konto erstellen").first.click()
    page.get_by_label("Vor- und Nachname").fill("Alex Martin")
    page.get_by_label("E-Mail-Adresse").fill("alex@example.org")
    page.get_by_role("textbox", name="Passwort", exact=True).fill("kurz")
    page.get_by_label("Passwort bestätigen").fill("kurz")
    page.get_by_label("Ich habe die Datenschutzerklärung gelesen").check()
    page.get_by_role("button", name="Mein Konto erstellen").click()
    expect(page.get_by_text("mindestens 10 Zeichen").first).to_be_visible()
    check_a11y(page, "Registrierung mit Fehlern")
    page.get_by_role("textbox", name="Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort bestätigen").fill(PASSWORD)
    page.get_by_role("button", name="Mein Konto erstellen").click()
    page.get_by_role("heading", name="Prüfen Sie Ihre E-Mails").wait_for()

    with live_server.app.app_context():
        assert deliver_due().sent == 1
    [mail] = smtp_config.wait_for(1)
    assert mail["Subject"] == "Bestätigen Sie Ihre E-Mail-Adresse"
    text = mail_text(mail)
    assert text.startswith("Guten Tag Alex Martin,")
    [link] = [u for u in links_in(text) if "/verifier/" in u]

    page.goto(link)
    expect(page.get_by_text("Ihre E-Mail-Adresse ist bestätigt. Willkommen!")).to_be_visible()
    page.get_by_role("heading", name="Mein Konto", exact=True).wait_for()
    assert page.get_by_label("Deutsch").is_checked()  # the account page shows the choice
    check_a11y(page, "Mein Konto")
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_text("Sie sind abgemeldet.")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "de"

    other = browser.new_context()  # another browser: no cookie
    fresh = other.new_page()
    fresh.goto(live_server.url + "/connexion")
    assert fresh.locator("html").get_attribute("lang") == "fr"
    fresh.get_by_label("Adresse e-mail").fill("alex@example.org")
    fresh.get_by_label(re.compile("^Mot de passe")).fill(PASSWORD)
    fresh.get_by_role("button", name="Se connecter").click()
    expect(fresh.get_by_text("Guten Tag, Alex Martin!")).to_be_visible()
    assert fresh.locator("html").get_attribute("lang") == "de"
    cookie = next(c for c in other.cookies() if c["name"] == "lang")
    assert cookie["value"] == "de" and cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    other.close()
