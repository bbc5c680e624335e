"""Every back-office management table at 360 px, filled with real rows (long names, long
error messages): the page never scrolls sideways and no table scrolls inside its wrapper
either — the tables turn into cards (`table.stack`)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from conftest import DEFAULT_PASSWORD
from network.core.time import utcnow

pytestmark = pytest.mark.e2e

#: Any element wider than the screen, or a table wrapper that scrolls: their selectors.
OVERFLOW = """() => {
  const out = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) out.push('page ' +
      document.documentElement.scrollWidth);
  for (const el of document.querySelectorAll('.table-wrap, table, .todo-item, .cards')) {
    if (el.scrollWidth > el.clientWidth + 1) out.push(el.tagName + '.' + el.className +
        ' ' + el.scrollWidth + '>' + el.clientWidth);
    if (el.getBoundingClientRect().right > width + 1) out.push(el.tagName + '.' +
        el.className + ' right ' + el.getBoundingClientRect().right);
  }
  return out;
}"""

LONG = "Association intermédiaire de développement solidaire du Pays de Bitche et environs"


def member_csv() -> bytes:
    from network.directory.demo import make_siret

    return ("Structure;SIRET;Forme juridique;RNA;Territoire;Commune;Code postal;Secteurs;"
            "Nom du contact;E-mail du contact;Fonction;Rôle\r\n"
            f"{LONG};{make_siret(4_321)};association;W572001234;Sarreguemines – Bitche;"
            "Bitche;57230;insertion;Marie-Françoise Schwartzenberger;"
            "marie-francoise.schwartzenberger@association-developpement-bitche.org;"
            "Directrice;responsable\r\n"
            "Coopérative Fantôme;123;Société anonyme;;Nulle part;Thionville;99000;;X;"
            "pas-une-adresse;;chef\r\n").encode()


def test_back_office_tables_fit_360_px(live_server, db, browser, staff, make_user,
                                       make_structure, make_event, add_registration):
    from network.admin import accounts, broadcast
    from network.events.models import EventKind

    for i in range(3):
        person = make_user(email=f"personne.avec.une.adresse.tres.longue.{i}"
                                 "@structure-de-l-economie-sociale.example.org")
        accounts.apply(person, "deactivate", acting=staff)
    structure = make_structure(name=LONG, approved_at=utcnow() - timedelta(days=3))
    past = make_event(days=-2, title="Petit-déjeuner territorial de Sarreguemines – Bitche "
                                     "consacré à l'insertion par l'activité économique")
    for came in (True, False):
        add_registration(past, came=came)
    make_event(kind=EventKind.EVENING, days=12, title="Soirée de lancement du réseau",
               venue_name="Lieu à préciser")
    broadcast.send("Nouvelles du réseau", "Bonjour.", {"territory": "", "sector": "",
                                                        "legal_form": ""}, acting=staff)
    db.session.commit()
    assert structure.id

    context = browser.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(live_server.url + "/connexion")
    page.get_by_label("Adresse e-mail").fill(staff.email)
    page.get_by_label(re.compile("^Mot de passe")).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"^(?!.*connexion)"))

    pages = {"à faire": "/equipe/", "comptes": "/equipe/comptes",
             "chiffres": "/equipe/chiffres", "rapport": "/equipe/rapport-annuel",
             "écrire": "/equipe/ecrire", "import": "/equipe/import",
             "import membres": "/equipe/import/membres",
             # the other domains' staff tables
             "structures": "/annuaire/gestion/structures", "courriels": "/boite-envoi/",
             "offres": "/offres/gestion"}
    overflows = {}
    for name, path in pages.items():
        page.goto(live_server.url + path)
        overflows[name] = page.evaluate(OVERFLOW)
    assert overflows == {name: [] for name in pages}
    page.goto(live_server.url + "/equipe/import/membres")
    assert page.locator("table.stack").count() == 0  # nothing imported yet: no table

    # The member import's preview: one long line, one line full of errors, as cards.
    page.set_input_files("input[type=file]", files=[{
        "name": "membres.csv", "mimeType": "text/csv", "buffer": member_csv()}])
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_role("heading", name=re.compile("^Aperçu")).wait_for()
    assert page.locator("table.stack tbody tr").count() == 2
    assert page.locator("table.stack thead").bounding_box()["width"] <= 1  # header hidden
    assert page.evaluate(OVERFLOW) == [], "import membres (aperçu)"

    # The registrations import's preview, same cards.
    page.goto(live_server.url + "/equipe/import")
    assert page.locator("select#event option").count() >= 1
    page.set_input_files("input[type=file]", files=[{
        "name": "inscriptions.csv", "mimeType": "text/csv",
        "buffer": ("Nom;E-mail;Structure\r\nMarie-Françoise Schwartzenberger;"
                   "marie-francoise.schwartzenberger@association-developpement-bitche.org;"
                   f"{LONG}\r\nSans adresse;pas-une-adresse;\r\n").encode()}])
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_role("heading", name=re.compile("^Aperçu")).wait_for()
    assert page.evaluate(OVERFLOW) == [], "import inscriptions (aperçu)"
    context.close()
