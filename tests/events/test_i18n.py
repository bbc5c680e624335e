"""Events in English and German (issue #17): the pages, the registration form and its errors,
and every mail in the registrant's language — the one they registered in, kept on the
registration, even when the mail leaves later from another person's request or the CLI."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import icalendar
import pytest

from network.core.time import utcnow
from network.events import queries, registration, rules
from network.events.models import RegistrationStatus
from network.events.rules import VISITOR
from support import link_from_outbox, outbox_messages

#: Words of our French copy that have no business on an English or German page or mail
#: (none of them is also an English or German word: "Adresse", "Agenda" and "place" are).
FRENCH = re.compile(
    r"\b(inscriptions?|inscrire|inscrit·e|événements?|vous|votre|vos|restantes?|bonjour|"
    r"courriels?|attente|lieu|annuler|ajouter|rappel|confirmez|complet|calendrier|"
    r"gestion|statut|modifier|besoins|organisateur|courriel|réservée?)\b", re.I)

#: What each language must say somewhere on the event page (its registration part).
EXPECTED = {"en": ("places left out of 10", "First and last name", "Register"),
            "de": ("von 10 Plätzen frei", "Vor- und Nachname", "Jetzt anmelden")}


def french_left(text: str) -> list[str]:
    """French words outside links (URLs keep their French slugs: /evenements/inscription)."""
    text = re.sub(r"https?://\S+|/[\w./?=&%-]+", " ", text)
    return sorted({m.group(0) for m in FRENCH.finditer(text)})


def main_of(html: str) -> str:
    """The page's own content: the layout around it and the badge block included from the
    door's templates are other parts' (translated in their own catalogue part)."""
    body = html.split('<main id="contenu"', 1)[1].split("</main>", 1)[0]
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    body = re.sub(r'<div class="my-badge">.*?</div>', " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def speak(client, lang: str) -> None:
    client.set_cookie("lang", lang)  # what the language switcher leaves in the browser


@pytest.fixture
def english_event(make_event):
    def make(**overrides):
        values = dict(title="Networking evening", venue_name="Town hall", venue_room="Room 2",
                      venue_address="Metz", description="**Coffee** and talks")
        values.update(overrides)
        return make_event(**values)

    return make


@pytest.mark.parametrize("lang", ["en", "de"])
def test_event_pages_and_form_render_without_french(client, english_event, lang):
    event = english_event()
    speak(client, lang)
    for path in ("/evenements/", f"/evenements/{event.id}",
                 f"/evenements/{event.id}/verifiez-vos-courriels"):
        response = client.get(path)
        assert response.status_code == 200, path
        text = main_of(response.get_data(as_text=True))
        assert french_left(text) == [], (path, french_left(text))
    page = main_of(client.get(f"/evenements/{event.id}").get_data(as_text=True))
    for expected in EXPECTED[lang]:
        assert expected in page, expected


@pytest.mark.parametrize("lang, required, bad_email", [
    ("en", "This field is required.", "Enter a valid e-mail address"),
    ("de", "Dieses Feld ist erforderlich.", "Geben Sie eine gültige E-Mail-Adresse ein")])
def test_registration_errors_in_the_page_language(client, english_event, lang, required,
                                                  bad_email):
    event = english_event()
    speak(client, lang)
    response = client.post(f"/evenements/{event.id}/inscription",
                           data={"name": "", "email": "not-an-address"})
    assert response.status_code == 422
    text = main_of(response.get_data(as_text=True))
    assert required in text and bad_email in text
    assert french_left(text) == []


def test_plural_of_places_left_agrees(client, english_event):
    one = english_event(capacity=1)
    assert "1 place restante" in client.get(f"/evenements/{one.id}").get_data(as_text=True)
    speak(client, "en")
    assert "1 place left out of 1" in client.get(f"/evenements/{one.id}").get_data(as_text=True)
    speak(client, "de")
    assert "1 von 1 Plätzen frei" in client.get(f"/evenements/{one.id}").get_data(as_text=True)


def _attachment(message, suffix: str) -> bytes:
    [found] = [a for a in message.attachments if a["filename"].endswith(suffix)]
    return base64.b64decode(found["data"])


@pytest.mark.parametrize("lang, pending, confirmed, alarm", [
    ("en", "Confirm your registration: ", "Registration confirmed: ", "Reminder: "),
    ("de", "Bestätigen Sie Ihre Anmeldung: ", "Anmeldung bestätigt: ", "Erinnerung: ")])
def test_guest_mails_in_the_language_they_registered_in(client, english_event, lang, pending,
                                                        confirmed, alarm):
    event = english_event()
    speak(client, lang)
    response = client.post(f"/evenements/{event.id}/inscription",
                           data={"name": "Alex Schmidt", "email": "alex@example.org",
                                 "organisation_name": "Cooperative"})
    assert response.status_code == 302
    [reg] = queries.list_registrations(event)
    assert reg.locale == lang
    [first] = outbox_messages("alex@example.org")
    assert first.subject == pending + event.title
    assert french_left(first.body_text) == [] and french_left(first.body_html) == []

    speak(client, "fr")  # the link opened in another browser, still in French
    assert client.get(link_from_outbox("alex@example.org", "/confirmer/")).status_code == 200
    mail = outbox_messages("alex@example.org")[-1]
    assert mail.kind == "event_confirmed" and mail.subject == confirmed + event.title
    assert french_left(mail.body_text) == [], french_left(mail.body_text)
    assert french_left(mail.body_html) == [], french_left(mail.body_html)
    invite = icalendar.Calendar.from_ical(_attachment(mail, ".ics"))
    [alarm_part] = invite.walk("VALARM")
    assert str(alarm_part["DESCRIPTION"]) == alarm + event.title
    assert [str(c) for c in invite.walk("VEVENT")[0]["CATEGORIES"].cats] != ["Soirée / conférence"]


def test_a_german_guest_gets_the_reminder_in_german_from_the_cli(client, english_event, runner,
                                                                  db):
    event = english_event(start_at=utcnow().replace(microsecond=0) + timedelta(hours=20))
    speak(client, "de")
    client.post(f"/evenements/{event.id}/inscription",
                data={"name": "Jana Weber", "email": "jana@example.org"})
    client.get(link_from_outbox("jana@example.org", "/confirmer/"))
    from network.events.cli import cli

    assert "1 rappel mis" in runner.invoke(cli, ["remind"]).output  # the CLI speaks French
    reminder = outbox_messages("jana@example.org")[-1]
    assert reminder.kind == "event_reminder"
    assert reminder.subject == "Erinnerung: " + event.title
    assert "Guten Tag Jana Weber," in reminder.body_text
    assert "Badge-Code" in reminder.body_text
    assert french_left(reminder.body_text) == [], french_left(reminder.body_text)


def test_a_freed_seat_is_offered_in_the_waiting_persons_language(client, english_event, guest,
                                                                 db, make_staff, login):
    """The seat is freed by a French request; the English guest waiting reads English."""
    event = english_event(capacity=1)
    holder = registration.register(event, guest(1), acting=VISITOR).registration
    registration.confirm_guest(holder, acting=registration.System("test"))
    db.session.commit()
    speak(client, "en")
    client.post(f"/evenements/{event.id}/inscription",
                data={"name": "Robin Taylor", "email": "robin@example.org"})
    waiting = outbox_messages("robin@example.org")[-1]
    assert waiting.kind == "event_waitlisted" and waiting.subject.startswith("Waiting list: ")
    login(make_staff(email="staff-fr@example.org"))
    speak(client, "fr")
    client.post(f"/evenements/gestion/inscriptions/{holder.id}/cancel")
    assert queries.get_registration(holder.id).status == RegistrationStatus.CANCELLED
    offer = outbox_messages("robin@example.org")[-1]
    assert offer.kind == "event_offer"
    assert offer.subject == "A place has come free: " + event.title
    assert "Accept it by " in offer.body_text and "Hello Robin Taylor," in offer.body_text
    assert french_left(offer.body_text) == [], french_left(offer.body_text)
    # The French holder's own cancellation stays in French.
    assert outbox_messages(holder.email)[-1].subject.startswith("Inscription annulée : ")


@pytest.mark.parametrize("lang", ["en", "de"])
def test_staff_pages_and_csv_in_the_staff_language(client, english_event, guest, make_staff,
                                                   login, db, lang):
    event = english_event()
    registration.register(event, guest(1, name="Kim Lee"), acting=VISITOR)
    db.session.commit()
    login(make_staff())
    client.get("/")  # the log-in's welcome flash belongs to the accounts pages
    speak(client, lang)
    for path in ("/evenements/gestion/", "/evenements/gestion/nouveau",
                 f"/evenements/gestion/{event.id}/modifier",
                 f"/evenements/gestion/{event.id}/inscriptions"):
        text = main_of(client.get(path).get_data(as_text=True))
        assert french_left(text) == [], (path, french_left(text))
    csv = client.get(f"/evenements/gestion/{event.id}/inscriptions.csv").data.decode("utf-8-sig")
    header = csv.splitlines()[0]
    assert {"en": "Name;E-mail", "de": "Name;E-Mail"}[lang] in header
    assert french_left(header) == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_a_guests_own_pages_in_their_language(client, english_event, lang):
    """From the mailed links: confirmed, manage, cancel step, a spent link; then a flash."""
    event = english_event()
    speak(client, lang)
    client.post(f"/evenements/{event.id}/inscription",
                data={"name": "Alex Schmidt", "email": "alex@example.org"})
    confirm = link_from_outbox("alex@example.org", "/confirmer/")
    confirmed = client.get(confirm)
    assert confirmed.status_code == 200
    [reg] = queries.list_registrations(event)
    manage = f"/evenements/inscription/{rules.manage_token(reg)}"
    pages = {"confirmed": confirmed.get_data(as_text=True),
             "manage": client.get(manage).get_data(as_text=True),
             "cancel step": client.get(manage + "/annulation").get_data(as_text=True)}
    done = client.post(manage + "/annuler", follow_redirects=True)
    pages["cancelled"] = done.get_data(as_text=True)
    spent = client.get("/evenements/inscription/not-a-token")
    assert spent.status_code == 400
    pages["bad link"] = spent.get_data(as_text=True)
    for name, html in pages.items():
        text = main_of(html)
        assert french_left(text) == [], (name, french_left(text))
    assert {"en": "Your registration is cancelled.",
            "de": "Ihre Anmeldung ist storniert."}[lang] in pages["cancelled"]


@pytest.mark.parametrize("lang, expected", [("en", "Registration confirmed"),
                                            ("de", "Anmeldung bestätigt")])
def test_my_registrations_on_the_account_page(client, english_event, make_user, login, db,
                                              lang, expected):
    event = english_event()
    user = make_user()
    registration.register(event, registration.prefill(user), acting=user)
    db.session.commit()
    login(user)
    client.get("/")
    speak(client, lang)
    html = client.get("/compte").get_data(as_text=True)
    section = html.split('aria-labelledby="my-events"', 1)[1].split("</section>", 1)[0]
    text = re.sub(r"<[^>]+>", " ", section)
    assert expected in text and event.title in text
    assert french_left(text) == [], french_left(text)


def test_someone_registered_by_staff_reads_their_accounts_language(client, english_event,
                                                                    make_user, make_staff,
                                                                    login, db):
    """Staff browsing in English add two people: one has an account kept in German (their
    mails are German), the other none (the page's language is the best guess)."""
    event = english_event()
    make_user(email="petra@example.org", name="Petra Klein", locale="de")
    login(make_staff())
    speak(client, "en")
    for name, email in (("Petra Klein", "petra@example.org"), ("Sam Lee", "sam@example.org")):
        assert client.post(f"/evenements/gestion/{event.id}/inscriptions/ajouter",
                           data={"name": name, "email": email}).status_code == 302
    by_email = {r.email: r.locale for r in queries.list_registrations(event)}
    assert by_email == {"petra@example.org": "de", "sam@example.org": "en"}
    assert outbox_messages("petra@example.org")[-1].subject.startswith("Anmeldung bestätigt: ")
    assert outbox_messages("sam@example.org")[-1].subject.startswith("Registration confirmed: ")


@pytest.mark.parametrize("lang, hello", [("en", "Hello Petra Klein,"),
                                         ("de", "Guten Tag Petra Klein,")])
def test_already_registered_mail_in_the_accounts_language(app, db, make_user, lang, hello):
    """A sign-up with a known address: the owner is told in their account's language (the
    subject is the accounts service's, so only the bodies are read here)."""
    from network.accounts import services as accounts

    make_user(email="petra@example.org", name="Petra Klein", locale=lang)
    accounts.sign_up(name="Someone", email="petra@example.org",
                     password="une phrase assez longue pour la Moselle")
    [mail] = outbox_messages("petra@example.org")
    assert mail.kind == "already_registered"
    html_body = mail.body_html.split("<body", 1)[1]
    for body in (mail.body_text, re.sub(r"<[^>]+>", " ", html_body)):
        assert hello in body
        assert french_left(body) == [], french_left(body)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_door_forget_warning_in_the_page_language(client, english_event, make_staff, login, db,
                                                  lang):
    """Signing out or leaving the door warns about unsent scans (site.js): its words come
    from the page, in the page's language, with the count left for the script to fill."""
    from network.events import door

    event = english_event()
    boss = make_staff()
    vol = door.invite(event, name="Bea", email="bea@example.org", acting=boss)
    db.session.commit()
    login(boss)
    speak(client, lang)
    html = client.get(f"/accueil/{event.id}").get_data(as_text=True)
    logout = html.split('action="/deconnexion"', 1)[1].split(">", 1)[0]
    words = dict(re.findall(r'data-msg-door-([a-z]+)="([^"]*)"', logout))
    assert "data-door-forget" in logout and set(words) == {"one", "many", "later", "stay", "go"}
    assert words["one"].startswith("{n} ") and words["many"].startswith("{n} ")
    expected = {"en": ("scan has not", "scans have not", "Log out anyway"),
                "de": ("Scan wurde noch nicht", "Scans wurden noch nicht", "Trotzdem abmelden")}
    one, many, go = expected[lang]
    assert one in words["one"] and many in words["many"] and words["go"] == go
    assert french_left(" ".join(words.values())) == []
    # A volunteer leaves the door with the same warning, its own button.
    with client.session_transaction() as s:
        s.clear()
        s[door.SESSION_KEY] = door.session_value(vol)
    speak(client, lang)
    html = client.get(f"/accueil/{event.id}").get_data(as_text=True)
    leave = html.split('action="/accueil/quitter"', 1)[1].split(">", 1)[0]
    assert "data-door-forget" in leave
    assert {"en": 'data-msg-door-go="Leave check-in anyway"',
            "de": 'data-msg-door-go="Einlass trotzdem verlassen"'}[lang] in leave
