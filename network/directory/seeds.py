"""The reference lists the directory starts with (territories, sectors, purchase categories).

Their rows live in the database, where the staff rename, add and deactivate them; codes stay.
A seeded name the staff never renamed is UI text: `display_label()` shows it in the page's
language through the lazy label of its code. A name the staff typed is data and shows as is.
Nothing here imports the rest of the directory, so the models can use it.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

#: Place names: the same in every language, so they are not UI text.
TERRITORIES = (
    ("metz", "Metz"),
    ("thionville", "Thionville"),
    ("forbach-boulay", "Forbach – Boulay-Moselle"),
    ("sarreguemines-bitche", "Sarreguemines – Bitche"),
    ("sarrebourg-chateau-salins", "Sarrebourg – Château-Salins"),
)

SECTORS = (
    ("action-sociale", _l("Action sociale et solidarités"), (
        ("insertion", _l("Insertion par l'activité économique")),
        ("handicap", _l("Handicap et autonomie")),
        ("personnes-agees", _l("Personnes âgées")),
        ("enfance-famille", _l("Enfance et famille")),
        ("logement", _l("Logement et hébergement")),
        ("aide-alimentaire", _l("Aide alimentaire")),
    )),
    ("sport", _l("Sport"), (("sport-loisir", _l("Sport loisir et santé")),
                            ("sport-competition", _l("Clubs et compétition")))),
    ("culture", _l("Culture"), (("spectacle-vivant", _l("Spectacle vivant")),
                                ("patrimoine", _l("Patrimoine et mémoire")),
                                ("lecture", _l("Livre et lecture")))),
    ("tourisme", _l("Tourisme"), (
        ("tourisme-social", _l("Tourisme social et solidaire")),
        ("hebergement-touristique", _l("Hébergement touristique")))),
    ("education", _l("Éducation et formation"), (
        ("education-populaire", _l("Éducation populaire")),
        ("formation", _l("Formation professionnelle")))),
    ("agriculture", _l("Agriculture et alimentation"), (
        ("circuits-courts", _l("Circuits courts")),
        ("maraichage", _l("Maraîchage")))),
    ("environnement", _l("Environnement et transition"), (
        ("reemploi-recyclage", _l("Réemploi et recyclage")),
        ("energie", _l("Énergie")),
        ("mobilite", _l("Mobilité")),
        ("biodiversite", _l("Biodiversité")),
    )),
    ("economie-emploi", _l("Économie et emploi"), (
        ("finance-solidaire", _l("Finance solidaire")),
        ("entrepreneuriat", _l("Entrepreneuriat")))),
    ("sante", _l("Santé"), (("prevention", _l("Prévention")),
                            ("soins", _l("Soins et mutuelles")))),
)

PURCHASE_CATEGORIES = (
    ("traiteur", _l("Traiteur et restauration")),
    ("proprete", _l("Propreté et nettoyage")),
    ("espaces-verts", _l("Espaces verts")),
    ("reemploi", _l("Réemploi et recyclage")),
    ("impression", _l("Impression et reprographie")),
    ("informatique-reconditionnee", _l("Informatique reconditionnée")),
    ("logistique", _l("Logistique et manutention")),
    ("blanchisserie", _l("Blanchisserie")),
    ("batiment", _l("Bâtiment et second œuvre")),
    ("evenementiel", _l("Événementiel")),
    ("mise-a-disposition", _l("Mise à disposition de personnel")),
    ("transport", _l("Transport de personnes")),
    ("textile", _l("Textile et couture")),
    ("communication", _l("Communication et graphisme")),
)


def french(text) -> str:
    """The French text of a label, whatever the page's language (stored names, the
    open-data API, the search index are French)."""
    with force_locale("fr"):
        return str(text)


SECTOR_LABELS = {code: label for code, label, children in SECTORS} | {
    code: label for _code, _label, children in SECTORS for code, label in children}
CATEGORY_LABELS = dict(PURCHASE_CATEGORIES)
#: code -> French seed name, computed once (the lazy labels are not evaluated at import).
_FRENCH: dict[tuple[str, str], str] = {}


def display_label(kind: str, code: str, name: str) -> str:
    """`name` in the page's language when it is the seeded name of `code`, else as typed."""
    labels = SECTOR_LABELS if kind == "sector" else CATEGORY_LABELS
    lazy = labels.get(code)
    if lazy is None:
        return name
    key = (kind, code)
    if key not in _FRENCH:
        _FRENCH[key] = french(lazy)
    return str(lazy) if name == _FRENCH[key] else name
