"""Offers in English and German: the pages, the answer form and the mails leave no French of
the interface behind (the offers' own catalogue part is the list of French strings to look
for), and a guest's mails keep the language of the page they answered from."""

from __future__ import annotations

import html as html_lib
import importlib.util
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from network.offers import alerts, answers, listing
from network.offers.models import OfferAnswer
from support import link_from_outbox, outbox_messages

ROOT = Path(__file__).resolve().parents[2]
#: What the offers show people: their code, templates and mails.
SOURCES = ["network/offers", "templates/offers", *(
    f"templates/emails/{p.name}" for p in sorted((ROOT / "templates/emails").glob("*"))
    if p.name.startswith(("offer_", "forum_")))]
MESSAGE = "Hello, I am available at once and very keen on this role in your team."


def _catalogue_tool():
    spec = importlib.util.spec_from_file_location("catalog", ROOT / "translations/catalog.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ours(code: str) -> list:
    """The offers' messages (extracted from their sources) as the built catalogue has them."""
    tool = _catalogue_tool()
    with (ROOT / f"translations/{code}/LC_MESSAGES/messages.po").open("rb") as f:
        built = read_po(f, locale=code)
    return [(m.id, built.get(m.id, context=m.context))
            for m in tool.extract([ROOT / p for p in SOURCES]) if m.id]


def _french_fragments() -> list[str]:
    """Pieces of the offers' French interface text long enough to mean something: a page in
    English or German holding one of them kept a string in French."""
    pieces = set()
    # words the translations keep on purpose ("Volunteer service (volontariat)")
    kept = " ".join(s for code in ("en", "de") for _id, m in _ours(code) if m is not None
                    for s in ([m.string] if isinstance(m.string, str) else m.string)).lower()
    for msgid, translated in _ours("en"):
        ids = [msgid] if isinstance(msgid, str) else list(msgid)
        strings = [] if translated is None else (
            [translated.string] if isinstance(translated.string, str)
            else list(translated.string))
        for one in ids:
            if one in strings:  # the same in English ("Stand", "Type"): not a sign
                continue
            for piece in re.split(r"%\(\w+\)s|<[^>]+>", one):
                piece = piece.strip(" :;,.()«»—·")
                if piece.lower() in kept:
                    continue
                if len(piece) >= 14 or (len(piece) >= 5 and piece == one.strip(" :;,.")):
                    pieces.add(piece)  # long pieces, and short labels whole ("Fermer")
    return sorted(pieces)


FRENCH = _french_fragments()


def _visible(page: str) -> str:
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def _french_left(text: str) -> list[str]:
    return [piece for piece in FRENCH if re.search(
        r"(?<![\w·])" + re.escape(piece) + r"(?![\w·])", text)]


@pytest.fixture
def speak(client):
    def choose(code: str) -> None:
        client.set_cookie("lang", code)
    return choose


SAMPLES = {
    "en": {"list": "Jobs and volunteering offers", "apply": "Send my answer",
           "kind": "Permanent contract (CDI)", "message": "Your message"},
    "de": {"list": "Stellen- und Ehrenamtsangebote", "apply": "Meine Antwort senden",
           "kind": "Unbefristeter Vertrag (CDI)", "message": "Ihre Nachricht"},
}


def test_the_catalogue_part_is_complete_and_keeps_its_placeholders():
    for code in ("en", "de"):
        for msgid, message in _ours(code):
            assert message is not None, (code, msgid)
            ids = [msgid] if isinstance(msgid, str) else list(msgid)
            strings = ([message.string] if isinstance(message.string, str)
                       else list(message.string))
            assert all(strings), (code, message.id)
            wanted = set(re.findall(r"%\(\w+\)s", ids[-1]))
            for string in strings:
                assert set(re.findall(r"%\(\w+\)s", string)) == wanted, (code, message.id)
    assert len(FRENCH) > 200  # the check below looks for something


@pytest.mark.parametrize("code", ["en", "de"])
def test_list_and_offer_page_speak_the_chosen_language(client, speak, make_offer, code):
    offer = make_offer(title="Encadrant technique maraîchage")
    speak(code)
    listing_page = client.get("/offres/")
    text = _visible(listing_page.get_data(as_text=True))
    assert listing_page.status_code == 200
    assert SAMPLES[code]["list"] in text and "Encadrant technique maraîchage" in text
    assert _french_left(text) == []

    page = client.get(f"/offres/{offer.id}")
    body = page.get_data(as_text=True)
    text = _visible(body)
    assert page.status_code == 200
    for sample in ("apply", "kind", "message"):
        assert SAMPLES[code][sample] in text
    assert _french_left(text) == []
    # dates in the page's language, never "12/01/2027" or a French month
    month = {"en": "%B", "de": None}[code]
    if month:
        assert offer.closes_on.strftime(month) in text
    else:
        assert f"{offer.closes_on.day}. " in text
    # the JSON-LD stays schema.org: codes, not labels
    assert '"employmentType": ["FULL_TIME"]' in body


@pytest.mark.parametrize("code", ["en", "de"])
def test_bad_answers_are_refused_in_the_chosen_language(client, speak, make_offer, code):
    offer = make_offer()
    speak(code)
    response = client.post(f"/offres/{offer.id}/repondre", data={
        "name": "", "email": "nope", "message": "too short"})
    text = _visible(response.get_data(as_text=True))
    assert response.status_code == 422
    assert {"en": "Introduce yourself in a few sentences",
            "de": "Stellen Sie sich in ein paar Sätzen vor"}[code] in text
    assert _french_left(text) == []


def test_a_guest_answering_in_german_gets_every_mail_in_german(client, speak, make_offer,
                                                              team, db):
    offer = make_offer(title="Gärtner·in")
    speak("de")
    response = client.post(f"/offres/{offer.id}/repondre", data={
        "name": "Lena Schmitt", "email": "lena@example.de", "message": MESSAGE})
    assert response.status_code == 302
    answer = db.session.query(OfferAnswer).one()
    assert answer.locale == "de"
    confirm = outbox_messages("lena@example.de")[-1]
    assert confirm.subject == "Bestätigen Sie Ihre Antwort: Gärtner·in"
    assert "Guten Tag Lena Schmitt," in confirm.body_text
    assert "Damit die Organisation Ihre Antwort erhält" in confirm.body_html
    assert _french_left(confirm.body_text) == [] and _french_left(
        _visible(confirm.body_html)) == []

    # the structure's team works in French; the guest still reads German
    client.set_cookie("lang", "fr")
    client.get(link_from_outbox("lena@example.de", "/confirmer/"))
    team_mail = outbox_messages(team[1].email)[-1]
    assert team_mail.kind == "offer_answer_new"
    assert team_mail.subject.startswith("Nouvelle réponse à votre offre")
    answers.set_answer_status(answer, "not-retained", acting=team[1],
                              reason="Le poste a été pourvu en interne.")
    db.session.commit()
    status = outbox_messages("lena@example.de")[-1]
    assert status.kind == "offer_answer_status"
    assert status.subject == "Ihre Bewerbung „Gärtner·in“: Nicht ausgewählt"
    assert "hat Ihre Bewerbung auf das Angebot" in status.body_text
    assert _french_left(status.body_text) == []


def test_a_guest_alert_made_in_english_mails_in_english(client, speak, make_offer, db):
    speak("en")
    response = client.post("/offres/alertes", data={
        "criteria": "famille=engagement&territoire=metz", "email": "sam@example.org"})
    assert response.status_code == 302
    confirm = outbox_messages("sam@example.org")[-1]
    assert confirm.subject.startswith("Confirm your alert: ")
    assert "Engagement (volunteering" in confirm.subject  # the search, in English too
    client.get(link_from_outbox("sam@example.org", "/offres/alertes/confirmer/"))
    client.set_cookie("lang", "fr")
    offer = make_offer(kind="benevolat", title="Bénévole jardin")  # published by a French team
    mail = outbox_messages("sam@example.org")[-1]
    assert mail.kind == "offer_alert" and mail.subject == "New offer: Bénévole jardin"
    assert f"Deadline: {offer.closes_on.day} {offer.closes_on.strftime('%B')}" in mail.body_text
    assert _french_left(mail.body_text) == []


def test_saved_search_labels_follow_the_reader(app, db):
    filters = listing.OfferFilters(kinds=("service-civique",), q="jardin")
    alert = type("Alert", (), {"criteria": filters.to_args()})()
    from network.core.i18n import in_locale

    with app.test_request_context():
        with in_locale("de"):
            assert alerts.describe(alert) == "Service Civique (Freiwilligendienst) · „jardin“"
        with in_locale("fr"):
            assert alerts.describe(alert) == "Service civique · « jardin »"


@pytest.mark.parametrize("code", ["en", "de"])
def test_forum_pages_speak_the_chosen_language(client, db, login, speak, forum, exhibitor,
                                               code):
    event, staff = forum
    speak(code)
    page = client.get(f"/forum/{event.id}")
    text = _visible(page.get_data(as_text=True))
    assert page.status_code == 200 and "Maraîcher en insertion" in text
    assert {"en": "The exhibitors", "de": "Die Aussteller"}[code] in text
    assert _french_left(text) == []
    login(staff)
    speak(code)
    client.get("/")  # the accounts' welcome flash is theirs to translate, not checked here
    management = client.get(f"/forum/{event.id}/gestion")
    text = _visible(management.get_data(as_text=True))
    assert management.status_code == 200
    assert {"en": "0 exhibitors out of 1 have sent their report.",
            "de": "0 von 1 Ausstellern haben ihre Bilanz abgegeben."}[code] in text
    assert _french_left(text) == []
    sheet = client.get(f"/forum/{event.id}/bilan.csv").data.decode("utf-8-sig")
    header = sheet.splitlines()[0]
    assert {"en": "People hired", "de": "Eingestellte Personen"}[code] in header
    assert "Personnes recrutées" not in header


def _page(client, path: str, *, expect: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == expect, path
    text = _visible(response.get_data(as_text=True))
    assert _french_left(text) == [], path
    return text


@pytest.mark.parametrize("code", ["en", "de"])
def test_every_offers_page_leaves_no_french(app, client, db, login, speak, make_offer, team,
                                            make_user, make_staff, forum, exhibitor, code):
    """The pages of each role, with the data that makes their sections appear."""
    structure, owner = team
    event, staff = forum
    offer = make_offer(title="Animatrice jardin", kind="benevolat")
    draft = make_offer(title="Atelier vélo", publish=False)
    # a guest answer (page and its signed link), an account's answer, a saved search
    speak(code)
    client.post(f"/offres/{offer.id}/repondre", data={
        "name": "Lena Schmitt", "email": "lena@example.de", "message": MESSAGE})
    guest = db.session.query(OfferAnswer).filter_by(email="lena@example.de").one()
    _page(client, f"/offres/{offer.id}/verifiez-vos-courriels")
    client.get(link_from_outbox("lena@example.de", "/confirmer/"))
    _page(client, f"/offres/candidature/{answers.view_token(guest)}")
    client.post("/offres/alertes", data={"criteria": "q=jardin", "email": "lena@example.de"})
    _page(client, link_from_outbox("lena@example.de", "/offres/alertes/confirmer/"))
    _page(client, link_from_outbox("lena@example.de", "/offres/alertes/arreter/"))
    feed = client.get("/offres/flux.atom").get_data(as_text=True)
    assert f'xml:lang="{code}"' in feed and SAMPLES[code]["list"] in feed

    person = make_user(name="Sam Person")
    login(person)
    speak(code)
    client.get("/")  # the accounts' welcome flash is theirs to translate, not checked here
    client.post(f"/offres/{offer.id}/repondre", data={"message": MESSAGE})
    client.post("/offres/alertes", data={"criteria": "famille=engagement"})
    text = _page(client, "/offres/mes-candidatures")
    assert {"en": "Engagement (volunteering", "de": "Engagement (Ehrenamt"}[code] in text
    _page(client, "/offres/publier")
    _page(client, "/forum/")
    _page(client, f"/forum/{event.id}")
    client.post("/deconnexion")

    login(owner)
    speak(code)
    client.get("/")
    for path in (f"/offres/structure/{structure.id}",
                 f"/offres/structure/{structure.id}/nouvelle", f"/offres/{draft.id}",
                 f"/offres/{offer.id}/modifier", f"/offres/{offer.id}/reponses"):
        _page(client, path)
    bad = client.post(f"/offres/structure/{structure.id}/nouvelle", data={"title": "x"})
    assert bad.status_code == 422 and _french_left(_visible(bad.get_data(as_text=True))) == []
    client.post("/deconnexion")

    login(staff)
    speak(code)
    client.get("/")
    _page(client, "/offres/gestion")
    _page(client, f"/offres/{offer.id}/retirer")
    _page(client, f"/forum/{event.id}/gestion")


@pytest.mark.parametrize("code", ["en", "de"])
def test_a_job_dating_guest_reads_the_link_mail_and_agenda_in_their_language(
        client, db, login, speak, forum, exhibitor, team, code):
    from datetime import timedelta

    from network.core.time import utcnow

    event, _staff = forum
    row, _offer = exhibitor
    speak(code)
    bad = client.post(f"/forum/{event.id}/jobdating/lien", data={"name": "", "email": "x"})
    assert bad.status_code == 422
    assert _french_left(_visible(bad.get_data(as_text=True))) == []
    sent = client.post(f"/forum/{event.id}/jobdating/lien",
                       data={"name": "Lou Gast", "email": "lou@example.org"})
    assert sent.status_code == 200 and _french_left(_visible(sent.get_data(as_text=True))) == []
    mail = outbox_messages("lou@example.org")[-1]
    assert mail.subject.startswith({"en": "Your link for the job dating: ",
                                    "de": "Ihr Link für das Job-Dating: "}[code])
    assert _french_left(mail.body_text) == [] and _french_left(_visible(mail.body_html)) == []
    client.get(link_from_outbox("lou@example.org", "/jobdating/invite/"))
    client.post(f"/forum/{event.id}/stands/{row.id}/reserver", data={"slot": "1"})
    agenda = _page(client, f"/forum/{event.id}/agenda")
    assert "Les Jardins de la Seille" in agenda
    assert re.search(r"\d:\d\d", agenda) and not re.search(r"\d{1,2}h\d\d", agenda)  # no "16h30"

    # the exhibitor's report form, once the forum has begun
    event.start_at = utcnow() - timedelta(hours=3)
    event.end_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    login(team[1])
    speak(code)
    client.get("/")
    _page(client, f"/forum/{event.id}/exposants/{row.id}/bilan")


def test_saved_search_labels_name_territories_and_sectors(app, db, refdata):
    from network.directory.models import Sector, Territory

    territory = db.session.query(Territory).filter_by(code="metz").one()
    sector = db.session.query(Sector).filter_by(code="insertion").one()
    filters = listing.OfferFilters(territories=("metz", "nulle-part"), sectors=("insertion",))
    described = filters.describe()
    assert described == f"{territory.name} · nulle-part · {sector.name}"
    assert filters.describe(listing.reference_names()) == described  # the batch form agrees
