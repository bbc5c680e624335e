"""Identifiers of French structures: pure functions, lazy messages (the page's language)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from stdnum import exceptions as stdnum_exceptions
from stdnum.fr import siret as stdnum_siret

# Moselle and the départements around it (Meurthe-et-Moselle, Meuse, Bas-Rhin, Vosges).
ACCEPTED_DEPARTMENTS = ("57", "54", "55", "67", "88")

RNA_RE = re.compile(r"^W[0-9][0-9AB][0-9]{7}$")
POSTCODE_RE = re.compile(r"^[0-9]{5}$")


class InvalidIdentifier(ValueError):
    """`str(err)` is a message for people, in the page's language."""


def clean_digits(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def normalize_siret(value: str) -> str:
    """14 digits, Luhn key checked by python-stdnum (including La Poste's exception)."""
    digits = clean_digits(value)
    if not digits:
        raise InvalidIdentifier(_l("Indiquez le numéro SIRET de la structure (14 chiffres)."))
    if not digits.isdigit() or len(digits) != 14:
        raise InvalidIdentifier(_l("Le SIRET doit comporter exactement 14 chiffres."))
    try:
        return stdnum_siret.validate(digits)
    except stdnum_exceptions.ValidationError as exc:
        raise InvalidIdentifier(_l(
            "Ce numéro SIRET n'est pas valide (la clé de contrôle ne correspond pas) : "
            "vérifiez-le sur l'avis de situation INSEE.")) from exc


def siren_of(siret: str) -> str:
    return stdnum_siret.to_siren(siret)


def normalize_rna(value: str) -> str:
    """RNA: W, then 9 characters (département on 3, e.g. 572 or 2A0, then 6 digits)."""
    rna = re.sub(r"\s", "", value or "").upper()
    if not RNA_RE.match(rna):
        raise InvalidIdentifier(_l(
            "Le numéro RNA commence par W suivi de 9 caractères (par exemple W572001234)."))
    return rna


def normalize_postcode(value: str) -> str:
    code = re.sub(r"\s", "", value or "")
    if not POSTCODE_RE.match(code):
        raise InvalidIdentifier(_l("Le code postal doit comporter 5 chiffres (par exemple 57000)."))
    if code[:2] not in ACCEPTED_DEPARTMENTS:
        raise InvalidIdentifier(_l(
            "Le réseau fédère les structures de la Moselle et des départements voisins : "
            "le code postal doit commencer par 57, 54, 55, 67 ou 88."))
    return code


def normalize_local_register(value: str) -> str:
    """Number in the register of associations of a tribunal judiciaire (AMALIA): free form."""
    number = " ".join((value or "").split())
    if not number:
        raise InvalidIdentifier(_l(
            "Une association de droit local n'a pas de numéro RNA : indiquez son numéro "
            "d'inscription au registre des associations du tribunal (volume, folio)."))
    if len(number) > 60 or not re.search(r"[0-9]", number):
        raise InvalidIdentifier(_l(
            "Le numéro d'inscription au registre du tribunal doit contenir des chiffres "
            "(par exemple « Vol. 42 Folio 118 »)."))
    return number

