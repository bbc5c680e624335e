"""Find French left in an English or German page, mail, CSV or PDF (issue #17).

`fragments(html)` takes the text a person reads (text nodes, and the attributes read aloud or
shown: alt, title, aria-label, placeholder, button values), without <script>/<style> and
without anything inside an element marked `lang="fr…"` or `translate="no"`.
`DataStrings` removes what people typed (every text column of every table: names, titles,
descriptions, communes are not translated). `french_words(text, lang)` then names the words
that betray French: accented French words, French function words, the point médian and the
French words of the interface that carry no accent ("Annuler", "Connexion"…).

Tuned in test_detector.py on the French pages (every one is flagged) and on real English and
German text (none is).
"""

from __future__ import annotations

import re
from collections import defaultdict
from html.parser import HTMLParser

#: Elements whose content nobody reads as text.
HIDDEN_ELEMENTS = {"script", "style", "template", "noscript", "svg", "math"}
VOID_ELEMENTS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                 "source", "track", "wbr", "param"}
#: Attributes a person reads or hears.
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder", "aria-description")


class _Visible(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, hides its content)
        self.parts: list[str] = []
        self.html_lang: str | None = None

    @property
    def hidden(self) -> bool:
        return any(hides for _tag, hides in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        hides = (tag in HIDDEN_ELEMENTS
                 or (tag != "html" and (attrs.get("lang") or "").lower().startswith("fr"))
                 or (attrs.get("translate") or "").lower() == "no")
        if not self.hidden and not hides:
            for name in READ_ATTRIBUTES:
                if attrs.get(name):
                    self.parts.append(attrs[name])
            if tag == "input" and (attrs.get("type") or "").lower() in ("submit", "button",
                                                                         "reset"):
                if attrs.get("value"):
                    self.parts.append(attrs["value"])
            if tag == "meta" and (attrs.get("name") or "").lower() == "description":
                self.parts.append(attrs.get("content") or "")
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, hides))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID_ELEMENTS and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID_ELEMENTS:
            return
        # Close up to the matching tag (browsers forgive unclosed <p>, <li>…).
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.parts.append(data)


def parse(html: str) -> tuple[str | None, list[str]]:
    """(<html lang>, the visible text fragments, whitespace folded)."""
    parser = _Visible()
    parser.feed(html)
    parser.close()
    return parser.html_lang, [f for f in (fold(p) for p in parser.parts) if f]


def fragments(html: str) -> list[str]:
    return parse(html)[1]


def fold(text: str) -> str:
    return " ".join(text.split())


# --- what betrays French ----------------------------------------------------------------

#: Letters French uses and English and German do not (ä ö ü ß are German, never French here).
FRENCH_ACCENTS = set("éèêëàâùûçôîïœÉÈÊËÀÂÙÛÇÔÎÏŒ")
#: Borrowed words English or German write with a French accent.
ACCENTED_LOANWORDS = {
    "café", "cafés", "résumé", "résumés", "naïve", "rosé", "crêpe", "crêpes", "protégé",
    "cliché", "façade", "fiancé", "attaché",
    # The French administrative unit keeps its name in English and German ("the Moselle
    # Département", "Département Moselle").
    "département", "départements",
}
#: Function words of French that English and German text does not use.
FUNCTION_WORDS = {
    "le", "les", "des", "du", "un", "une", "pour", "avec", "vous", "votre", "vos", "dans",
    "sur", "est", "à", "au", "aux", "et", "ou", "ne", "pas", "qui", "que", "quand", "ce",
    "cet", "cette", "ces", "nous", "notre", "nos", "sont", "été", "être", "par", "sa", "ses",
    "son", "leur", "leurs", "mais", "il", "elle", "ils", "elles", "lui", "mes", "mon", "ma",
    "ton", "tes", "déjà", "aussi", "encore", "très", "sans", "sous", "chez", "entre", "vers",
    "depuis", "avant", "après", "jusqu", "puis", "donc", "car", "comme", "tout", "tous",
    "toute", "toutes", "peut", "pouvez", "doit", "devez", "avez", "êtes", "sera", "seront",
    "ici", "où", "si", "non", "oui", "aucun", "aucune", "autre", "autres", "même",
    # l'offre, d'un, qu'il, n'est, j'ai, c'est, s'inscrire
    "de", "la", "l", "d", "qu", "n", "j", "c", "s",
}
#: Function words German or English also use: not French evidence in that language.
SHARED_WORDS = {
    "de": {"des", "du", "an", "so", "in", "sie", "die", "ist", "am", "war", "d", "s", "l",
           "puis", "si", "non", "tout", "ton", "mon", "son", "car", "elle", "vers", "sa", "mais"},
    "en": {"car", "son", "ton", "mon", "non", "puis", "si", "tout", "pas", "elle", "sa",
           "d", "s", "l", "n", "j", "c", "est", "ma", "me", "vers", "ne", "ce", "sous", "par",
           "nos", "au", "pagination"},
}
#: Words of the interface French writes without accent, which English/German never use.
FRENCH_UI_WORDS = {
    "accueil", "annuaire", "annuler", "adhérent", "adresse", "afficher", "ajouter", "aller",
    "appareil", "appareils", "arrivées", "bienvenue", "bilan", "bonjour", "cadeau", "choisir",
    "compte", "confirmer", "connexion", "connecter", "contenu", "courriel", "courriels",
    "créneau", "créneaux", "demande", "demandes", "déconnexion", "enregistrer", "envoyer",
    "equipe", "fermer", "fiche", "fournisseur", "fournisseurs", "acheteur", "acheteurs",
    "gestion", "inscription", "inscriptions", "inscrire", "lien", "lieu", "liste", "listes",
    "mardi", "lundi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "janvier",
    "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
    "novembre", "décembre", "membres", "mentions", "modifier", "mot", "passe", "nom",
    "nouveau", "nouvelle", "nouvelles", "offres", "oublié", "page", "pages", "participants",
    "personnes", "plan", "prénom", "rechercher", "recherche", "retirer", "retour", "salle",
    "secteur", "secteurs", "structure", "structures", "suivant", "supprimer", "télécharger",
    "territoire", "territoires", "valider", "voir", "évènement", "événement", "événements",
    "heure", "heures", "jour", "jours", "minutes", "semaine", "places", "restantes",
    "complet", "ouvert", "ouverte", "fermé", "fermée", "inscrit", "inscrite", "bénévole",
    "bénévoles", "imprimer", "badge", "rendez", "souhaits", "emploi", "candidature",
    "candidatures", "répondre", "réponse", "réponses", "alerte", "alertes", "publier",
    "gérer", "tableau", "chiffres", "rapport", "annuel", "comptes", "écrire", "importer",
    "accessibilité", "confidentialité", "légales", "mes", "données", "merci", "entrez",
    "saisissez", "obligatoire", "facultatif", "envoyé", "envoyée", "aucune", "rien",
    "ajout", "oui", "non", "agenda", "écran", "organisation", "catalogue",
    "réserver", "fiches", "tables", "besoin", "besoins", "achat", "achats", "impact",
    "forum", "exposer", "exposants", "stand", "plans", "accueillir", "historique", "raison",
    "quitter", "trier", "principal", "commune", "communes",
}
#: Words that are the same in English or German: not evidence by themselves.
SHARED_UI_WORDS = {
    "en": {"page", "pages", "plan", "plans", "structure", "structures", "minutes", "principal",
           "participants", "badge", "agenda", "organisation", "catalogue", "impact",
           "forum", "stand", "tables", "mars", "places", "rapport"},
    "de": {"page", "plan", "plans", "badge", "agenda", "organisation", "impact", "forum",
           "stand", "liste", "mai", "rapport", "adresse", "aller", "mais", "minuten"},
}
#: Addresses and links: "example.de" or "…/de/…" say nothing of the language around them.
ADDRESSES = re.compile(r"\S+@\S+|https?://\S+|\b[\w-]+(?:\.[\w-]+)+/\S*|\b[\w-]+(?:\.[\w-]+)*\.(?:de|fr|org|"
                       r"com|net|eu|lu)\b")
#: French names kept in English and German text on purpose: institutions and places, the
#: literal values a file or a form must hold (quoted), and the language codes themselves.
NAMES = re.compile(r"Défenseur des droits|Hôtel du(?: Département)?|Grand Est|rue du Pont Moreau"
                   r"|\bSarre\b|\b[A-Z0-9]{4}-[A-Z0-9]{4}\b"  # a badge code
                   r"|„[^“]*“|«[^»]*»|\"[^\"]*\"|“[^”]*”|\bfr, en (?:or|oder|et|ou) de\b")
WORD = re.compile(r"[^\W\d_]+(?:·[^\W\d_]+)*", re.UNICODE)
MIDDLE_DOT = re.compile(r"[^\W\d_][·][^\W\d_]")


_VOCABULARY: set[str] | None = None


def catalogue_vocabulary() -> set[str]:
    """Words of the interface's French (the msgids of every catalogue under translations/)
    that no English or German translation uses and that are not common English words
    (zxcvbn's frequency lists) nor German (GERMAN_SAMPLE): "statut", "renommer", "filtrer"…
    Read once; it grows as strings are wrapped and translated."""
    global _VOCABULARY
    if _VOCABULARY is not None:
        return _VOCABULARY
    from pathlib import Path

    from babel.messages.pofile import read_po
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    root = Path(__file__).resolve().parents[2] / "translations"
    french: set[str] = set()
    others: set[str] = set()
    for po in sorted(root.rglob("*.po")):
        with po.open("rb") as f:
            catalog = read_po(f)
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
            strings = message.string if isinstance(message.string, tuple | list) \
                else (message.string,)
            for text in ids:
                french.update(w.lower() for w in WORD.findall(_no_placeholders(text)))
            for text in strings:
                if text and text not in ids:
                    others.update(w.lower() for w in WORD.findall(_no_placeholders(text)))
    english = {w for name in ("english_wikipedia", "us_tv_and_film")
               for w in FREQUENCY_LISTS[name]}
    german = {w.lower() for w in WORD.findall(GERMAN_SAMPLE)}
    _VOCABULARY = {w for w in french - others - english - german if len(w) > 4}
    return _VOCABULARY


def _no_placeholders(text: str) -> str:
    return re.sub(r"%\([a-z_]+\)[sdif]|\{[^}]*\}", " ", text)


#: Real German of the kind the site shows (formal "Sie"), for tuning: none of it is French.
GERMAN_SAMPLE = """
Zum Inhalt springen. Hauptmenü. Startseite, Veranstaltungen, Verzeichnis, Angebote,
Anmelden, Konto erstellen, Mein Konto, Abmelden. Sprache: Deutsch, Englisch, Französisch.
Stellen- und Ehrenamtsangebote der Strukturen der Sozial- und Solidarwirtschaft in der
Moselle. Suchen Sie nach Beruf, Kompetenz, Struktur oder Gemeinde. Alle Gebiete, alle
Branchen. Vollzeit, Teilzeit, befristeter Vertrag, Ausbildungsvertrag, Praktikum,
Freiwilligendienst. Diese Struktur beantwortet 100 % der Bewerbungen, meist innerhalb von
2 Tagen. Ihre Anmeldung ist bestätigt. Sie stehen auf der Warteliste (Position 3). Es sind
noch 12 Plätze frei. Ausgebucht. Abbrechen, Speichern, Senden, Bestätigen, Zurück, Weiter,
Löschen, Bearbeiten, Herunterladen, Drucken, Schließen, Filtern, Sortieren nach,
Umbenennen, Annehmen, Ablehnen, Aussetzen. Ihr Passwort muss mindestens zwölf Zeichen
haben. Passwort vergessen? Bitte bestätigen Sie Ihre E-Mail-Adresse über den Link, den wir
Ihnen gesendet haben. Dieser Link ist abgelaufen: fordern Sie einen neuen an. Willkommen!
Datenschutz, Barrierefreiheit, Impressum. Einlass: Ausweis scannen, Ankünfte, Helferinnen
und Helfer am Empfang, Geräte, Teilnehmerliste, Namensschild drucken. Eingecheckt um 16:42
Uhr. Mittwoch, 2. Dezember 2026, 16:30–19:30 Uhr. Geschäftstermine für verantwortungsvolle
Beschaffung: Einkäufer und Anbieter der Sozialwirtschaft treffen sich an Tischen. Wünsche,
Termine, Zeitfenster, Tischplan, Bildschirm im Saal, Ergebnisse, Wirkung. Jahresbericht,
Zahlen und Karte, Nutzerkonten, An das Netzwerk schreiben, Importieren, Postausgang.
Zwei-Faktor-Authentifizierung: Geben Sie den sechsstelligen Code aus Ihrer App ein.
Rechtsform, Genossenschaft, eingetragener Verein, Sektor, Einkaufskategorien, Kennzeichen,
Gebiet, Gemeinde, Postleitzahl, Telefon, Webseite, Beschreibung, Mitglieder, Einladungen,
Beitrittsanfragen, Verlauf, Freigeben, Warteschlange. Stand, Aussteller, Besucherinnen und
Besucher, Vorstellungsgespräche, Messeplan, Kalender abonnieren, Benachrichtigungen.
"""


def french_words(text: str, lang: str) -> list[str]:
    """The words of `text` that are French evidence in a page meant to be in `lang`."""
    shared = SHARED_WORDS.get(lang, set()) | SHARED_UI_WORDS.get(lang, set())
    vocabulary = catalogue_vocabulary()
    found: list[str] = []
    for word in WORD.findall(NAMES.sub(" ", ADDRESSES.sub(" ", text))):
        low = word.lower()
        if "·" in word and lang != "de":  # German writes "Organisator·innen" too (Mediopunkt)
            found.append(word)
        elif low in shared:
            continue
        elif low in FUNCTION_WORDS or low in FRENCH_UI_WORDS or low in vocabulary:
            found.append(word)
        elif FRENCH_ACCENTS.intersection(word) and low not in ACCENTED_LOANWORDS:
            found.append(word)
    return found


def is_french(text: str, lang: str) -> bool:
    return bool(french_words(text, lang))


# --- what people typed --------------------------------------------------------------------

MARKDOWN_CUTS = re.compile(r"\*\*|__|[*_#>`\[\]]|\]\([^)]*\)|\n+(?:\s*(?:[-+]|\d+\.)\s+)?")


class DataStrings:
    """Every text value stored in the database, to remove from a fragment before looking for
    French: what people typed is shown as typed."""

    def __init__(self, values, extra=()):
        found = {fold(str(v)) for v in values if v}
        # Markdown shows a stored text in pieces ("Soirée de clôture du **Mois de l'ESS**"):
        # each piece between marks or lines is shown as typed too.
        found.update(fold(piece) for v in values if v and isinstance(v, str)
                     for piece in MARKDOWN_CUTS.split(v) if len(piece.strip()) >= 4)
        found.update(fold(v) for v in extra if v)
        # Values shorter than 3 characters ("M.", "57") would erase letters inside words.
        self.values = sorted((v for v in found if len(v) >= 3), key=len, reverse=True)
        self.by_word: dict[str, list[str]] = defaultdict(list)
        for value in self.values:
            words = WORD.findall(value.lower())
            key = max(words, key=len) if words else value.lower()[:3]
            self.by_word[key].append(value)
        self.blob = "\x00".join(self.values)
        self.exact = set(self.values)
        self.short_blob = "\x00".join(v for v in self.values if len(v) <= 80)
        self._cache: dict[tuple[str, bool], str] = {}

    def without(self, fragment: str, *, broken: bool = False) -> str:
        """The fragment without any stored value in it (and nothing if it is part of one).

        `broken`: text whose lines were cut where they fell (a PDF), so that a name may be
        split over two lines: a piece of a short stored value ("Recyclerie du Pays de") is
        dropped too."""
        cached = self._cache.get((fragment, broken))
        if cached is not None:
            return cached
        fragment = ADDRESSES.sub(" ", fragment)  # before a stored value cuts a link in two
        result = fragment
        core = fragment.rstrip(" ….").strip()
        if core in self.exact or (len(core) >= 40 and core in self.blob) \
                or (broken and len(core) >= 6 and core in self.short_blob):
            result = ""  # a stored value, or a paragraph or an excerpt of a description
        elif broken and " — " in fragment:  # a PDF heading "Table plan — <title cut here"
            result = " — ".join(self.without(piece, broken=True)
                                for piece in fragment.split(" — "))
            self._cache[(fragment, broken)] = result
            return result
        else:
            words = set(WORD.findall(fragment.lower()))
            candidates = {v for w in words for v in self.by_word.get(w, ())}
            for value in sorted(candidates, key=len, reverse=True):
                if value in result:
                    result = result.replace(value, " ")
            result = fold(result)
        self._cache[(fragment, broken)] = result
        return result


#: Reference lists stored in tables but seeded by the app: issue #17 asks for them translated
#: ("directory reference lists (sectors, purchase categories…)"), so they are not exempt.
TRANSLATED_TABLES = {"directory_sectors", "purchase_categories"}


def database_strings(db, extra=(), skip=()) -> DataStrings:
    """Every String/Text column value of every table (but TRANSLATED_TABLES and `skip`)."""
    from sqlalchemy import String, Text, select

    values = []
    for table in db.metadata.sorted_tables:
        if table.name in TRANSLATED_TABLES or table.name in skip:
            continue
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            values.extend(v for v in row if isinstance(v, str))
    return DataStrings(values, extra)


# --- a report a developer reads once ------------------------------------------------------

class Leftovers:
    """French fragments found, by language and fragment, with the pages showing them."""

    def __init__(self):
        self.by_lang: dict[str, dict[str, dict]] = defaultdict(dict)

    def add(self, lang: str, where: str, fragment: str, words: list[str], domain: str = "",
            key: str | None = None):
        """`key` groups fragments that differ only by what people typed (names, titles): the
        first fragment is shown."""
        entry = self.by_lang[lang].setdefault(key or fragment, {
            "words": words, "where": [], "domains": set(), "example": fragment})
        entry["domains"].add(domain or "?")
        if where not in entry["where"]:
            entry["where"].append(where)

    @staticmethod
    def domain_of(entry) -> str:
        """Text shown by the pages of three domains or more comes from the shared layout."""
        domains = entry["domains"]
        return "layout (shared)" if len(domains) >= 3 else "+".join(sorted(domains))

    def count(self, lang: str | None = None) -> int:
        return sum(len(v) for k, v in self.by_lang.items() if lang in (None, k))

    def by_domain(self, lang: str) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for entry in self.by_lang.get(lang, {}).values():
            counts[self.domain_of(entry)] += 1
        return dict(sorted(counts.items()))

    def report(self, limit_per_domain: int | None = None) -> str:
        """Every leftover, by language and domain (most shown first), or the first
        `limit_per_domain` of each domain."""
        limit_per_domain = limit_per_domain or 10**9
        lines = []
        for lang, found in sorted(self.by_lang.items()):
            if not found:
                continue
            pages = {w for entry in found.values() for w in entry["where"]}
            lines.append(f"=== {lang}: {len(found)} French fragments on {len(pages)} pages/mails")
            grouped: dict[str, list[tuple[str, dict]]] = defaultdict(list)
            for fragment, entry in found.items():
                grouped[self.domain_of(entry)].append((fragment, entry))
            for domain, items in sorted(grouped.items()):
                lines.append(f"--- [{domain}] {len(items)} fragments")
                items.sort(key=lambda item: (-len(item[1]["where"]), item[0]))
                for _key, entry in items[:limit_per_domain]:
                    fragment = entry["example"]
                    where = entry["where"]
                    shown = ", ".join(where[:3]) + (f" (+{len(where) - 3})" if len(where) > 3
                                                    else "")
                    text = fragment if len(fragment) <= 110 else fragment[:107] + "…"
                    lines.append(f"  {text!r}  [{', '.join(dict.fromkeys(entry['words']))}]"
                                 f"  — {shown}")
                if len(items) > limit_per_domain:
                    lines.append(f"  … and {len(items) - limit_per_domain} more in [{domain}]")
        return "\n".join(lines)
