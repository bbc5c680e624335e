"""The directory in English and German: pages, reference lists, mails; no French left over.

A "French leftover" is any msgid of the directory's own sources (Python, pages, mails) found
as is in a page or mail rendered in another language, when the catalogue translates it
differently. Data people typed (names, descriptions, communes) is not UI text and stays.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from flask_babel import force_locale
from flask_babel import gettext as babel_gettext

from network.core.uow import unit_of_work
from network.directory import membership, profiles, reference
from network.directory.models import PurchaseCategory, StructureStatus
from network.directory.search import refresh_search_text
from support import link_from_outbox, outbox_messages

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "network" / "directory").glob("*.py")),
           *sorted((ROOT / "templates" / "directory").glob("*.html")),
           *sorted((ROOT / "templates" / "emails").glob("directory_*.*"))]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")
ATTRIBUTES = {"aria-label", "alt", "title", "placeholder", "content"}

EXPECTED = {  # a few words each page must show in each language
    "en": {"profile": ["At a glance", "Operates in", "Catering"],
           "search": ["Search the directory", "Sort by", "Catering"],
           "form": ["Postal address", "What you sell to buyers", "Catering"]},
    "de": {"profile": ["Auf einen Blick", "Tätig in", "Catering und Gastronomie"],
           "search": ["Im Verzeichnis suchen", "Sortieren nach", "Catering und Gastronomie"],
           "form": ["Postanschrift", "Was Sie Einkäufern anbieten", "Catering und Gastronomie"]},
}


def _msgids() -> list[str]:
    found: set[str] = set()
    for path in SOURCES:
        method = "python" if path.suffix == ".py" else "jinja2.ext:babel_extract"
        options = {} if method == "python" else {"trimmed": "false"}
        for _line, message, _comments, _context in extract_from_file(
                method, str(path), keywords=KEYWORDS, options=options):
            found.update([message] if isinstance(message, str) else message)
    return sorted(found)


MSGIDS = _msgids()


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.chunks += [v for k, v in attrs if k in ATTRIBUTES and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.chunks.append(data)


def _chunks(body: str, html: bool = True) -> list[str]:
    if html:
        parser = _Text()
        parser.feed(body)
        raw = parser.chunks
    else:
        raw = body.splitlines()
    return [" ".join(c.split()) for c in raw if c.strip()]


def french_left(app, lang: str, body: str, *, html: bool = True) -> list[str]:
    """Directory msgids still in French in `body` rendered in `lang`."""
    chunks = _chunks(body, html)
    text = "\n".join(chunks)
    left = []
    with app.test_request_context(), force_locale(lang):
        for msgid in MSGIDS:
            if babel_gettext(msgid.replace("%", "%%")).replace("%%", "%") == msgid:
                continue  # the same in this language ("Logo", "Code", "Sport")
            pieces = [p.strip(" :,.()«»") for p in PLACEHOLDER.split(msgid)]
            longest = max(pieces, key=len)
            if len(longest) >= 12 and longest in text:
                left.append(msgid)
            elif len(pieces) == 1 and msgid in chunks:
                left.append(msgid)
    return left


def _in(client, lang: str):
    client.set_cookie("lang", lang)
    return client


@pytest.fixture
def published(make_structure, make_user):
    owner = make_user(name="Camille Martin")
    structure = make_structure(
        owner, buyer_kind="aci", labels=[("esus", None, None)],
        offerings=[("traiteur", "prestation", "departement")], sectors=["insertion", "sport"],
        employees_count=12, volunteers_count=1500)
    return owner, structure


@pytest.mark.parametrize("lang", ["en", "de"])
def test_profile_page_in_english_and_german(app, client, published, lang):
    _owner, structure = published
    html = _in(client, lang).get(f"/annuaire/{structure.id}").get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    for words in EXPECTED[lang]["profile"]:
        assert words in html, words
    assert french_left(app, lang, html) == []
    # the structure's own words stay as typed
    assert structure.name in html and "Une <strong>association</strong> de Metz." in html


@pytest.mark.parametrize("lang", ["en", "de"])
def test_directory_search_in_english_and_german(app, client, published, make_structure, lang):
    make_structure(name="Régie Solidaire", commune="Thionville", postcode="57100",
                   territory="thionville")
    page = _in(client, lang).get("/annuaire/?q=thionville&categorie=traiteur")
    html = page.get_data(as_text=True)
    for words in EXPECTED[lang]["search"]:
        assert words in html, words
    assert {"en": "1 organisation", "de": "1 Organisation"}[lang] in html
    assert french_left(app, lang, html) == []
    everything = _in(client, lang).get("/annuaire/").get_data(as_text=True)
    assert {"en": "2 organisations", "de": "2 Organisationen"}[lang] in everything
    assert french_left(app, lang, everything) == []


@pytest.mark.parametrize("lang", ["en", "de"])
def test_member_and_staff_pages_in_english_and_german(app, client, login, published,
                                                      make_staff, make_structure, lang):
    owner, structure = published
    make_structure(status=StructureStatus.PENDING, name="Structure En Attente")
    login(owner)
    _in(client, lang)
    for path in (f"/annuaire/{structure.id}/modifier", f"/annuaire/{structure.id}/membres",
                 "/annuaire/mes-structures", "/annuaire/inscrire"):
        html = client.get(path).get_data(as_text=True)
        assert french_left(app, lang, html) == [], path
    form = client.get(f"/annuaire/{structure.id}/modifier").get_data(as_text=True)
    for words in EXPECTED[lang]["form"]:
        assert words in form, words
    client.post("/deconnexion")
    login(make_staff())
    _in(client, lang)
    for path in ("/annuaire/gestion/", "/annuaire/gestion/structures",
                 f"/annuaire/gestion/{structure.id}/historique",
                 "/annuaire/gestion/listes/secteurs", "/annuaire/gestion/listes/categories",
                 "/annuaire/gestion/listes/territoires"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert french_left(app, lang, response.get_data(as_text=True)) == [], path


@pytest.mark.parametrize("lang", ["en", "de"])
def test_staff_csv_headers_follow_the_language_json_keys_stay(client, login, published,
                                                             make_staff, lang):
    login(make_staff())
    csv = _in(client, lang).get("/annuaire/gestion/export.csv").get_data(as_text=True)
    header = csv.splitlines()[0]
    assert {"en": "Legal form", "de": "Rechtsform"}[lang] in header
    assert "Forme juridique" not in header
    rows = _in(client, lang).get("/annuaire/gestion/export.json").get_json()
    assert "forme" in rows[0] and "statut" in rows[0]  # machine keys do not move


def test_open_data_api_stays_french_whatever_the_language(client, published):
    _owner, structure = published
    for lang in ("fr", "en", "de"):
        body = _in(client, lang).get(f"/api/v1/structures/{structure.id}").get_json()
        assert body["forme_juridique"]["libelle"] == "Association déclarée"
        assert body["labels"][0]["nom"] == "Agrément ESUS"
        assert body["achats"][0]["nom"] == "Traiteur et restauration"


def test_the_search_text_does_not_depend_on_the_editors_language(app, make_structure, db):
    structure = make_structure(buyer_kind="aci", labels=[("esus", None, None)])
    french = structure.search_text
    with app.test_request_context(), force_locale("de"), unit_of_work():
        refresh_search_text(db.session.merge(structure))
    assert db.session.merge(structure).search_text == french
    assert "association declaree" in french and "agrement esus" in french


def test_renamed_reference_item_shows_as_typed_in_every_language(app, client, published,
                                                                 make_staff, db):
    _owner, structure = published
    with unit_of_work():
        category = db.session.query(PurchaseCategory).filter_by(code="traiteur").one()
        reference.rename_reference("categories", category.id, "Traiteur bio",
                                   acting=make_staff())
    html = _in(client, "en").get(f"/annuaire/{structure.id}").get_data(as_text=True)
    assert "Traiteur bio" in html and "Catering" not in html


def _mail_to(address: str):
    found = [m for m in outbox_messages() if m.to_address == address]
    assert found, address
    return found[-1]


@pytest.mark.parametrize("lang,subject,greeting", [
    ("en", "Your organisation “{name}” is published in the directory", "Good news"),
    ("de", "Ihre Organisation „{name}“ ist im Verzeichnis veröffentlicht", "Gute Nachricht"),
])
def test_directory_mail_in_the_owners_language(app, make_user, make_structure, make_staff,
                                              lang, subject, greeting):
    owner = make_user(locale=lang)
    structure = make_structure(owner, status=StructureStatus.PENDING)
    with app.test_request_context():  # the staff member reads French: the owner does not
        with unit_of_work():
            profiles.approve_structure(structure, acting=make_staff())
    mail = _mail_to(owner.email)
    assert mail.subject == subject.format(name=structure.name)
    assert greeting in mail.body_text and greeting in mail.body_html
    assert french_left(app, lang, mail.body_text, html=False) == []
    assert french_left(app, lang, mail.body_html) == []


def test_invitation_to_a_guest_in_the_page_language_and_staff_mail_in_french(
        app, client, login, make_user, make_structure):
    owner = make_user(locale="de")
    login(owner)
    structure = make_structure(owner)
    _in(client, "de")
    response = client.post(f"/annuaire/{structure.id}/membres/inviter",
                           data={"email": "gast@example.org", "role": "editor"})
    assert response.status_code == 302
    mail = _mail_to("gast@example.org")
    assert "lädt Sie ein" in mail.subject and "Bearbeiter·in" in mail.body_text
    assert "14 Tage gültig" in mail.body_text
    assert french_left(app, "de", mail.body_text, html=False) == []
    # the network team's mailbox, held by no account, reads French
    staff_mail = _mail_to(app.config["DIRECTORY_STAFF_EMAIL"])
    assert staff_mail.subject.startswith("Nouvelle structure à valider")


def test_join_request_mail_names_the_owner_role_in_german(app, make_user, make_structure):
    owner = make_user(locale="de")
    structure = make_structure(owner)
    requester = make_user(name="Jo Weber")
    with app.test_request_context(), unit_of_work():
        membership.request_to_join(structure, acting=requester, message="Hallo")
    mail = _mail_to(owner.email)
    assert mail.subject == f"Jo Weber möchte „{structure.name}“ beitreten"
    assert french_left(app, "de", mail.body_text, html=False) == []
    assert "Hallo" in mail.body_text and "Nachricht:" in mail.body_text  # typed text kept


def test_the_leftover_check_sees_french(app, client, published):
    """The French page, checked as if it were English, is full of leftovers: the check bites."""
    _owner, structure = published
    html = _in(client, "fr").get(f"/annuaire/{structure.id}").get_data(as_text=True)
    left = french_left(app, "en", html)
    assert "En bref" in left and "Intervient sur" in left and "Traiteur et restauration" in left


def test_invitation_to_an_account_in_its_language_and_its_page(app, client, login, make_user,
                                                              make_structure):
    owner = make_user(locale="de")
    invitee = make_user(email="sam@example.org", locale="en")
    structure = make_structure(owner)
    login(owner)
    _in(client, "de")  # the inviter reads German; the invitee chose English on the account
    client.post(f"/annuaire/{structure.id}/membres/inviter",
                data={"email": "sam@example.org", "role": "owner"})
    mail = _mail_to("sam@example.org")
    assert mail.subject.endswith(f"invites you to manage “{structure.name}”")
    assert "as an owner" in mail.body_text and "valid for 14 days" in mail.body_text
    assert french_left(app, "en", mail.body_html) == []
    link = link_from_outbox("sam@example.org", "/annuaire/invitation/")
    client.post("/deconnexion")
    client.delete_cookie("lang")
    login(invitee)
    page = client.get(link).get_data(as_text=True)  # the account's language, no cookie
    assert '<html lang="en">' in page and "Accept the invitation" in page
    assert french_left(app, "en", page) == []


@pytest.mark.parametrize("lang,typed,shown", [("en", "catering", "Catering"),
                                              ("de", "reinig", "Reinigung"),
                                              ("en", "reuse", "Reuse and recycling")])
def test_words_in_the_page_language_lead_to_the_reference_filter(app, client, published, lang,
                                                                  typed, shown):
    """The index is French: "catering" finds no text, but the category's filter is offered."""
    html = _in(client, lang).get(f"/annuaire/?q={typed}").get_data(as_text=True)
    suggestions = html.split('id="suggestions"')[1].split("</p>")[0]
    assert f">{shown}</a>" in suggestions
    assert french_left(app, lang, html) == []
    assert 'id="suggestions"' not in _in(client, "fr").get(
        "/annuaire/?q=traiteur").get_data(as_text=True)  # French words are searched as is


def test_following_the_suggested_filter_finds_the_structure(client, published):
    _owner, structure = published
    html = _in(client, "en").get("/annuaire/?q=catering").get_data(as_text=True)
    link = re.search(r'id="suggestions".*?href="([^"]+)"', html, re.S).group(1)
    found = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert "1 organisation" in found and structure.name in found
