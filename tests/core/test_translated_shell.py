"""The shell, the account pages, the main pages, the outbox and the account mails read in
English and German: no French left, apart from names and the French legal texts (which say
so and carry lang="fr"). Another domain's own section on a page is that domain's test."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from conftest import DEFAULT_PASSWORD
from network.accounts import services
from network.accounts.models import User
from network.extensions import db as _db
from support import outbox_messages

#: Words that only French uses (whole words, any case): one is enough to fail.
FRENCH = re.compile(r"(?<![\w-])(le|la|les|vous|votre|vos|est|une|pour|avec|dans|pas|aux|et|ou|"
                    r"nous|sont|cette|ce|à|été|être|courriel|compte|mot de passe|connexion|"
                    r"envoyer|lien)(?![\w-])", re.I)
#: Names that stay as they are in every language.
NAMES = ("Réseau ESS Moselle", "CRESS Grand Est", "Hôtel du Département", "Département",
         "Défenseur des droits", "Pont Moreau", "Français")
#: Attributes people read (or hear).
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
SKIPPED = {"script", "style", "code", "pre"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class ReadableText(HTMLParser):
    """The text a person reads, without elements marked lang="fr", scripts or code, and
    without sections another domain draws (`data-domain` is not used: their ids are listed)."""

    def __init__(self, skip_ids: tuple[str, ...] = ()):
        super().__init__(convert_charrefs=True)
        self.skip_ids = skip_ids
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    @property
    def skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        skip = (tag in SKIPPED or attributes.get("lang") == "fr"
                or attributes.get("id") in self.skip_ids
                or attributes.get("aria-labelledby") in self.skip_ids)
        if not self.skipping and not skip:
            self.parts += [attributes[a] for a in READ_ATTRIBUTES if attributes.get(a)]
            if tag == "meta" and attributes.get("name") == "description":
                self.parts.append(attributes.get("content") or "")
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def french_left(html: str, skip_ids: tuple[str, ...] = (), allowed: tuple[str, ...] = ()) -> list:
    parser = ReadableText(skip_ids)
    parser.feed(html)
    text = re.sub(r"(https?://|/)\S+", " ", parser.text())  # addresses are not prose
    for name in NAMES + allowed:
        text = text.replace(name, " ")
    found = list(FRENCH.finditer(text)) + list(re.finditer(r"\w*[éèêàç]\w*", text))
    # Each word with a little of its context, so that a failure says where it is.
    return sorted({text[max(m.start() - 30, 0):m.end() + 30] for m in found})


LANGS = ("en", "de")
PUBLIC = ("/", "/connexion", "/inscription", "/mot-de-passe-oublie", "/accessibilite",
          "/confidentialite", "/mentions-legales", "/inscription/verifiez-vos-courriels",
          "/nulle-part", "/verifier/pas-un-jeton", "/mot-de-passe/pas-un-jeton")
#: Sections of these pages that other domains draw (their own tests check them).
OTHERS = ("next-events",)


@pytest.mark.parametrize("lang", LANGS)
def test_public_pages_speak_the_visitors_language(client, db, lang):
    client.set_cookie("lang", lang)
    for path in PUBLIC:
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, path
        assert french_left(html, OTHERS) == [], path


@pytest.mark.parametrize("lang", LANGS)
def test_account_pages_and_forms_with_errors_speak_it_too(client, db, make_user, login, lang):
    client.set_cookie("lang", lang)
    user = make_user(name="Alex Martin")
    page = client.post("/inscription", data={"email": "pas-une-adresse", "password": "court"})
    assert page.status_code == 422
    assert french_left(page.get_data(as_text=True)) == []
    page = client.post("/connexion", data={"email": user.email, "password": "faux mot"})
    assert page.status_code == 422
    assert french_left(page.get_data(as_text=True)) == []
    login(user)
    for path in ("/compte", "/compte/double-authentification"):
        html = client.get(path).get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        assert french_left(html, ("my-events",)) == [], path
    page = client.post("/compte/mot-de-passe", data={
        "pw-current_password": "faux", "pw-password": "court", "pw-password_confirm": "x"})
    assert page.status_code == 422
    assert french_left(page.get_data(as_text=True), ("my-events",)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_outbox_pages_speak_the_staff_language(client, db, make_staff, login, lang):
    staff = make_staff(locale=lang)
    login(staff)
    client.set_cookie("lang", lang)
    services.request_password_reset(staff.email)
    db.session.commit()
    message = outbox_messages()[-1]
    for path in ("/boite-envoi/", "/boite-envoi/?statut=failed", f"/boite-envoi/{message.id}"):
        html = client.get(path).get_data(as_text=True)
        # The mail itself (shown in the detail) is checked below, in its own language.
        assert french_left(html, ("mail",)) == [], path


ACCOUNT_MAILS = ("verify_email", "password_reset", "change_email", "email_change_notice",
                 "already_registered")


@pytest.mark.parametrize("lang", LANGS)
def test_account_mails_speak_their_recipients_language(app, client, db, make_user, lang):
    # Signing up in a language makes it the account's: the verification mail follows it.
    client.set_cookie("lang", lang)
    client.post("/inscription", data={
        "name": "Alex Martin", "email": "alex@example.org", "password": "une phrase assez "
        "longue pour la Moselle", "password_confirm": "une phrase assez longue pour la "
        "Moselle", "accept_privacy": "y"})
    assert _db.session.scalar(_db.select(User.locale).where(
        User.email == "alex@example.org")) == lang
    user = make_user(locale=lang, name="Sam Weber")
    services.request_password_reset(user.email)
    services.request_email_change(acting=user, new_email="neu@example.org",
                                  password=DEFAULT_PASSWORD)
    services.sign_up(name="Sam Weber", email=user.email, password="une autre phrase assez "
                     "longue pour Metz")
    db.session.commit()
    sent = {m.kind: m for m in outbox_messages()}
    assert set(ACCOUNT_MAILS) <= set(sent)
    for kind in ACCOUNT_MAILS:
        message = sent[kind]
        if kind == "change_email":  # to the new address, no account yet: the page's language
            continue
        assert french_left(message.subject) == [], kind
        assert french_left(message.body_text) == [], kind
        assert f'<html lang="{lang}">' in message.body_html, kind
        assert french_left(message.body_html) == [], kind
