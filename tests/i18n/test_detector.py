"""The French detector is tuned here: it flags the French of the interface (the msgids of
the catalogues, the French pages) and flags no real English or German text."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from i18n.french import (
    GERMAN_SAMPLE,
    DataStrings,
    _no_placeholders,
    fragments,
    french_words,
    is_french,
    parse,
)

ROOT = Path(__file__).resolve().parents[2]
SITE_NAME = "Réseau ESS Moselle"

ENGLISH_SAMPLE = """
Skip to content. Main menu. Home, Events, Directory, Offers, Log in, Create an account,
My account, Log out. Jobs and volunteering offers from the social and solidarity economy
organisations of Moselle. Search by job, skill, organisation or town. All areas, all
sectors. Permanent contract, fixed-term contract, apprenticeship, internship, civic service.
This organisation answers 100% of applications, usually within 2 days. Your registration is
confirmed. You are on the waiting list (position 3). 12 places left. Full. Cancel, Save,
Send, Confirm, Back, Next, Delete, Edit, Download, Print, Close, Filter, Sort by, Rename,
Accept, Refuse, Suspend. Your password must be at least twelve characters long. Forgot your
password? Please confirm your e-mail address through the link we sent you. This link has
expired: ask for a new one. Welcome! Privacy, Accessibility, Legal notice. Door: scan a
badge, arrivals, door volunteers, devices, list of participants, print a badge. Checked in
at 4:42 pm. Wednesday 2 December 2026, 4:30–7:30 pm. Business meetings for responsible
purchasing: buyers and suppliers of the social economy meet at tables. Wishes, meetings,
time slots, table plan, room screen, outcomes, impact. Annual report, figures and map,
accounts, write to the network, import, outbox. Two-factor authentication: enter the
six-digit code shown by your app. Legal form, cooperative, registered association, sector,
purchase categories, labels, area, town, postcode, phone, website, description, members,
invitations, join requests, history, approve, queue. Stand, exhibitors, visitors,
interviews, floor plan, subscribe to the calendar, notifications. Contact: contact@example.org,
https://example.de/en/ — the Moselle Département.
"""


def _catalogue_texts():
    """(msgid, [msgstr…], language) of every catalogue under translations/."""
    for po in sorted((ROOT / "translations").rglob("*.po")):
        name = str(po.relative_to(ROOT))
        lang = "de" if "/de/" in name or name.endswith(".de.po") else "en"
        with po.open("rb") as f:
            catalog = read_po(f)
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
            strings = message.string if isinstance(message.string, tuple | list) \
                else (message.string,)
            yield ids, [s for s in strings if s and s not in ids], lang, name


def test_flags_the_french_of_the_interface():
    """Nearly every msgid (they are French) is flagged; the rest are words English shares
    ("Contact", "Date", "Organisation", "Badge")."""
    missed, total = set(), 0
    for ids, _strings, _lang, _name in _catalogue_texts():
        for text in ids:
            total += 1
            if not is_french(text, "en") and not is_french(text, "de"):
                missed.add(text)
    assert total > 300
    assert len(missed) <= total * 0.1, sorted(missed)


def test_flags_no_real_english_or_german():
    data = DataStrings([], extra=[SITE_NAME])
    assert not french_words(ENGLISH_SAMPLE, "en")
    assert not french_words(GERMAN_SAMPLE, "de")
    flagged = []
    for _ids, strings, lang, name in _catalogue_texts():
        for text in strings:
            rest = _no_placeholders(data.without(text))  # "%(n)s", "%(commune)s" are names
            if is_french(rest, lang):
                flagged.append(f"{name}: {text!r} {french_words(rest, lang)}")
    assert not flagged, "translations the detector takes for French:\n" + "\n".join(flagged)


def test_french_sentences_and_single_words():
    for text in ["Annuler", "Se connecter", "Mot de passe oublié ?", "Inscription confirmée",
                 "3 places restantes", "Vous êtes inscrit·e.", "Lieu", "Quitter la structure",
                 "Trier par", "mercredi 2 décembre 2026 à 16h30",
                 "Thursday 26 November 2026 à 15h07",
                 "La double authentification est active depuis le 26 November 2026."]:
        assert is_french(text, "en") and is_french(text, "de"), text
    for text, lang in [("Cancel", "en"), ("Abbrechen", "de"),
                       ("Die Anmeldung des Teilnehmers", "de"), ("du bist", "de"),
                       ("Café and résumé", "en"), ("www.example.de", "de"),
                       ("Mai 2026", "de"), ("Plan", "de"), ("Forum", "en")]:
        assert not is_french(text, lang), (text, french_words(text, lang))


def test_visible_text_only():
    html = """<!doctype html><html lang="en"><head><title>Events</title>
      <style>.a::before { content: "Événements" }</style></head><body>
      <script>const label = "Annuler";</script>
      <p>Welcome <span lang="fr">Réseau ESS Moselle</span></p>
      <p translate="no">Mentions légales</p>
      <img src="x.png" alt="Logo du réseau"><input type="submit" value="Envoyer">
      <button aria-label="Fermer">×</button><input name="q" placeholder="Rechercher">
      <ul><li>one<li>two</ul><p>after</body></html>"""
    lang, found = parse(html)
    assert lang == "en"
    assert found == ["Events", "Welcome", "Logo du réseau", "Envoyer", "Fermer", "×",
                     "Rechercher", "one", "two", "after"]
    assert fragments("<p>a &amp; b</p>") == ["a & b"]


def test_what_people_typed_is_not_looked_at():
    data = DataStrings(["Les Jardins de la Seille", "Salle des fêtes de Yutz",
                        "Un long texte de présentation écrit par la structure elle-même."])
    assert data.without("Les Jardins de la Seille") == ""
    assert data.without("Organised by Les Jardins de la Seille") == "Organised by"
    assert data.without("Un long texte de présentation écrit par la structure…") == ""
    assert data.without("Inscription à Salle des fêtes de Yutz") == "Inscription à"
    # A name cut over two lines of a PDF: each piece is dropped there, not on a page.
    assert data.without("Jardins de la", broken=True) == ""
    assert data.without("Jardins de la") == "Jardins de la"
