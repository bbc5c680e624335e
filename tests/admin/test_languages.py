"""The back office in English and German: no French left in what the back office itself
writes (the database's own content — names, titles — stays as typed)."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

from network.core.time import utcnow

ROOT = Path(__file__).resolve().parents[2] / "translations"


#: Words only French text has; any of them in a page's main part is an untranslated string.
FRENCH = re.compile(r"\b(Structures?|Événements?|Rapport|Importer|Aperçu|À faire|Chiffres|"
                    r"inscrit\w*|Télécharger|réseau|équipe|déjà|Écrire|Boîte|Courriels?|"
                    r"Comptes?|Rechercher|Valider|fichier|ligne|Colonnes?|Aucune?|"
                    r"Nouvelles|Territoire|Secteur|Forme juridique|Destinataires|Envoyer|"
                    r"Année|Afficher|Filtrer|Mois|Inscriptions|Journal|Enregistrer)\b")

PAGES = ("/equipe/", "/equipe/chiffres", "/equipe/rapport-annuel", "/equipe/comptes",
         "/equipe/ecrire", "/equipe/import", "/equipe/import/membres")


def main_text(html: str, skip: tuple[str, ...] = ()) -> str:
    """The page's <main>, tags and the database's own strings taken out."""
    body = html.split("<main", 1)[1].split("</main>", 1)[0]
    # Scripts, charts, and what is file content rather than text (column names, the sample).
    body = re.sub(r"<(script|style|svg|code|pre)\b.*?</\1>", " ", body, flags=re.S)
    # The dashboard's figures come from every domain (`signals.staff_figures`): each domain
    # answers for its own; the back office's own two sections are checked below.
    body = re.sub(r'<section[^>]*class="figures-section".*?</section>', " ", body, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    for value in skip:
        text = text.replace(value, " ")
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["en", "de"])
def test_back_office_pages_speak_the_visitors_language(client, login, db, staff, lang,
                                                       make_structure, make_event,
                                                       add_registration):
    own = ("Les Jardins de la Seille", "Petit-déjeuner de Metz", "Metz", "Camille Équipe",
           "camille@example.org")
    make_structure(name=own[0], approved_at=utcnow() - timedelta(days=2))
    past = make_event(days=-1, title=own[1])
    add_registration(past, came=True)
    login(staff)
    client.set_cookie("lang", lang)
    client.get("/")  # the greeting flashed at login is the accounts' page's
    for path in PAGES:
        page = client.get(path)
        assert page.status_code == 200, path
        text = main_text(page.get_data(as_text=True), own)
        assert not FRENCH.findall(text), (path, FRENCH.findall(text), text[:400])

    raw = ("Structure;SIRET;Forme juridique;Commune;Code postal;E-mail du contact\r\n"
           "Coopérative Fantôme;123;Société anonyme;Thionville;99000;pas-une-adresse\r\n")
    preview = client.post("/equipe/import/membres", data={
        "file": (io.BytesIO(raw.encode()), "membres.csv"), "preview": "1"},
        content_type="multipart/form-data")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    heading = {"en": "Preview: nothing is saved yet", "de": "Vorschau: Noch ist nichts"}
    assert heading[lang] in html


@pytest.mark.parametrize(("lang", "titles"), [("en", ["Accounts", "E-mails"]),
                                              ("de", ["Konten", "E-Mails"])])
def test_dashboard_own_figures_are_translated(app, db, lang, titles):
    from network.admin import services
    from network.core.i18n import in_locale

    with app.test_request_context(), in_locale(lang):
        sections = services.dashboard()
    assert [title for title, _figures in sections[:2]] == titles
