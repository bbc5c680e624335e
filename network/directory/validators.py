"""Identifiers of French structures: pure functions, French messages, no Flask."""

from __future__ import annotations

import re

from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siret as stdnum_siret

# Moselle and the départements around it (Meurthe-et-Moselle, Meuse, Bas-Rhin, Vosges).
ACCEPTED_DEPARTMENTS = ("57", "54", "55", "67", "88")

RNA_RE = re.compile(r"^W[0-9][0-9AB][0-9]{7}$")
POSTCODE_RE = re.compile(r"^[0-9]{5}$")


class InvalidIdentifier(ValueError):
    """`str(err)` is a message for people, in French."""


def clean_digits(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def normalize_siret(value: str) -> str:
    """14 digits, Luhn key checked by python-stdnum (including La Poste's exception)."""
    digits = clean_digits(value)
    if not digits:
        raise InvalidIdentifier("Indiquez le numéro SIRET de la structure (14 chiffres).")
    if not digits.isdigit() or len(digits) != 14:
        raise InvalidIdentifier("Le SIRET doit comporter exactement 14 chiffres.")
    try:
        return stdnum_siret.validate(digits)
    except stdnum_exceptions.ValidationError as exc:
        raise InvalidIdentifier(
            "Ce numéro SIRET n'est pas valide (la clé de contrôle ne correspond pas) : "
            "vérifiez-le sur l'avis de situation INSEE."
        ) from exc


def siren_of(siret: str) -> str:
    return stdnum_siret.to_siren(siret)


def normalize_rna(value: str) -> str:
    """RNA: W, then 9 characters (département on 3, e.g. 572 or 2A0, then 6 digits)."""
    rna = re.sub(r"\s", "", value or "").upper()
    if not RNA_RE.match(rna):
        raise InvalidIdentifier(
            "Le numéro RNA commence par W suivi de 9 caractères (par exemple W572001234)."
        )
    return rna


def normalize_postcode(value: str) -> str:
    code = re.sub(r"\s", "", value or "")
    if not POSTCODE_RE.match(code):
        raise InvalidIdentifier("Le code postal doit comporter 5 chiffres (par exemple 57000).")
    if code[:2] not in ACCEPTED_DEPARTMENTS:
        raise InvalidIdentifier(
            "Le réseau fédère les structures de la Moselle et des départements voisins : "
            "le code postal doit commencer par 57, 54, 55, 67 ou 88."
        )
    return code


def normalize_local_register(value: str) -> str:
    """Number in the register of associations of a tribunal judiciaire (AMALIA): free form."""
    number = " ".join((value or "").split())
    if not number:
        raise InvalidIdentifier(
            "Une association de droit local n'a pas de numéro RNA : indiquez son numéro "
            "d'inscription au registre des associations du tribunal (volume, folio)."
        )
    if len(number) > 60 or not re.search(r"[0-9]", number):
        raise InvalidIdentifier(
            "Le numéro d'inscription au registre du tribunal doit contenir des chiffres "
            "(par exemple « Vol. 42 Folio 118 »)."
        )
    return number


# --- descriptions in Markdown -----------------------------------------------------------------

_ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h3", "h4",
                 "code", "pre", "hr"}
_BAD_LINK = re.compile(r"\]\(\s*<?\s*(javascript|vbscript|data)\s*:", re.I)
_HEADINGS = re.compile(r"<(/?)h[12]>")


def _markdown():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True, "linkify": False}).disable("image")


def check_markdown(source: str) -> str:
    """Refuse raw HTML (a <script>, an <iframe>…) outright rather than store it silently."""
    source = (source or "").replace("\r\n", "\n").strip()
    for token in _markdown().parse(source):
        kinds = [token.type] + [child.type for child in token.children or []]
        if "html_block" in kinds or "html_inline" in kinds:
            raise InvalidIdentifier(
                "La description ne peut pas contenir de code HTML ni de script "
                "(balises comme <script> ou <iframe>) : utilisez la mise en forme Markdown "
                "(**gras**, listes avec « - », liens [texte](https://…))."
            )
        for child in token.children or []:
            href = (child.attrs or {}).get("href", "") if child.type == "link_open" else ""
            if href and not re.match(r"^(https?:|mailto:|/|#)", str(href), re.I):
                raise InvalidIdentifier("Les liens de la description doivent commencer par "
                                        "https:// ou mailto:.")
    if _BAD_LINK.search(source):
        raise InvalidIdentifier("Les liens de la description doivent commencer par https:// ou "
                                "mailto: (les liens « javascript: » sont refusés).")
    if len(source) > 10_000:
        raise InvalidIdentifier("La description est trop longue (10 000 caractères au plus).")
    return source


def render_markdown(source: str) -> str:
    """Markdown to HTML, then sanitised by nh3 anyway (defence in depth)."""
    import nh3

    html = _markdown().render(source or "")
    html = _HEADINGS.sub(r"<\1h3>", html)  # the page already has its h1 and h2
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes={"a": {"href", "title"}},
                     url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener")
