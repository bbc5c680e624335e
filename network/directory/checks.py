"""Checking what people type into a profile: every faulty field reported at once (422),
NUL bytes and column sizes refused at their field, identifiers normalised."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from network.core.errors import FieldErrors, ValidationError
from network.core.text import check_email, check_markdown
from network.directory import validators
from network.directory.fields import BY_NAME, INPUT_FIELDS, StructureData
from network.directory.images import InvalidImage, clean_logo
from network.directory.models import (
    ASSOCIATIONS_WITH_RNA,
    COMMERCIAL_ESUS,
    LABELS,
    SCOP_FORMS,
    AreaServed,
    BuyerKind,
    CoopStatus,
    LegalForm,
    PurchaseCategory,
    Sector,
    ServiceKind,
    Territory,
)
from network.directory.rules import check_all, no_nul
from network.directory.validators import InvalidIdentifier
from network.extensions import db

MAX_COUNT = 100_000

# --- checking input -------------------------------------------------------------------------------


def _one_line(value: Any) -> str:
    return " ".join(str(value or "").split())


def _check_text_fields(data: StructureData, errors: FieldErrors) -> None:
    """NUL bytes and column sizes, for every text field at once (PostgreSQL refuses both)."""
    for spec in INPUT_FIELDS:
        value = getattr(data, spec.name)
        if not isinstance(value, str):
            continue
        if not no_nul(value):
            errors.add(spec.name, _("Ce champ contient un caractère invalide (octet nul)."),
                       "invalid_character")
        elif spec.max_length and len(value.strip()) > spec.max_length and spec.kind not in (
                "identifier", "markdown"):
            errors.add(spec.name, _("Ce champ est trop long (%(n)s caractères au plus).",
                                    n=spec.max_length), f"{spec.name}_too_long")


def _choice(enum_cls, value: str, field_name: str, message: str, errors: FieldErrors):
    try:
        return enum_cls(value)
    except ValueError:
        errors.add(field_name, message, f"invalid_{field_name}")
        return None


def _identifier(check, value: str, field_name: str, code: str, errors: FieldErrors):
    try:
        return check(value)
    except InvalidIdentifier as exc:
        errors.add(field_name, str(exc), code)
        return None


def clean(data: StructureData) -> dict[str, Any]:
    """Checked, normalised column values; every faulty field reported at once (422)."""
    errors = FieldErrors()
    _check_text_fields(data, errors)
    check_all(errors)
    values: dict[str, Any] = {}
    name = _one_line(data.name)
    if not name:
        errors.add("name", _("Indiquez le nom de la structure."), "name_required")
    values["name"] = name
    values["trade_name"] = _one_line(data.trade_name) or None
    values["siret"] = _identifier(validators.normalize_siret, data.siret, "siret",
                                  "invalid_siret", errors)
    values["siren"] = validators.siren_of(values["siret"]) if values["siret"] else None
    legal_form = _choice(LegalForm, data.legal_form, "legal_form",
                         _("Choisissez une forme juridique dans la liste."), errors)
    values["legal_form"] = legal_form
    values["coop_status"] = _choice(CoopStatus, data.coop_status or "none", "coop_status",
                                    _("Choisissez un statut coopératif dans la liste."), errors)
    values["rna"] = None
    values["local_register_number"] = None
    if legal_form in ASSOCIATIONS_WITH_RNA:
        values["rna"] = _identifier(validators.normalize_rna, data.rna, "rna", "invalid_rna",
                                    errors)
    elif legal_form == LegalForm.ASSOCIATION_DROIT_LOCAL:
        if (data.rna or "").strip():
            errors.add("rna", _("Une association de droit local (Alsace-Moselle) n'a pas de "
                                "numéro RNA : laissez ce champ vide et indiquez son numéro au "
                                "registre du tribunal."), "rna_not_expected")
        values["local_register_number"] = _identifier(
            validators.normalize_local_register, data.local_register_number,
            "local_register_number", "invalid_local_register", errors)
    values["buyer_kind"] = _choice(BuyerKind, data.buyer_kind or "none", "buyer_kind",
                                   _("Choisissez un type de structure dans la liste."), errors)
    values["postcode"] = _identifier(validators.normalize_postcode, data.postcode, "postcode",
                                     "invalid_postcode", errors)
    values["commune"] = _one_line(data.commune)
    if not values["commune"]:
        errors.add("commune", _("Indiquez la commune."), "commune_required")
    values["address"] = _one_line(data.address)
    values["territory"] = None
    if data.territory:
        values["territory"] = db.session.scalar(select(Territory).where(
            Territory.code == str(data.territory)))
        if values["territory"] is None:
            errors.add("territory", _("Choisissez un territoire dans la liste."),
                       "invalid_territory")
    area = _choice(AreaServed, data.area_served or "territoire", "area_served",
                   _("Choisissez une zone d'intervention dans la liste."), errors)
    values["area_served"] = area
    values["sectors"] = _sectors(data, errors)
    values["offerings"] = _offerings(data, area or AreaServed.TERRITOIRE, errors)
    values["labels"] = _labels(data, legal_form, errors)
    if legal_form in SCOP_FORMS and values["coop_status"] == CoopStatus.NONE:
        values["coop_status"] = CoopStatus.SCOP
    try:
        values["description"] = check_markdown(data.description, field="description",
                                                max_length=BY_NAME["description"].max_length)
    except ValidationError as exc:
        errors.add("description", exc.message, "unsafe_description")
    website = (data.website or "").strip()
    if website and not re.match(r"^https?://[^\s/]+\.[^\s]+$", website, re.I):
        errors.add("website", _("L'adresse du site doit commencer par https:// (par exemple "
                                "https://www.exemple.fr)."), "invalid_website")
    values["website"] = website or None
    values["public_email"] = None
    if (data.public_email or "").strip():
        try:
            values["public_email"] = check_email(data.public_email, field="public_email")
        except ValidationError:
            errors.add("public_email", _("Adresse e-mail de contact invalide."),
                       "invalid_email")
    phone = _one_line(data.public_phone)
    if phone and not re.match(r"^\+?[0-9 .()-]{6,20}$", phone):
        errors.add("public_phone", _("Numéro de téléphone invalide."), "invalid_phone")
    values["public_phone"] = phone or None
    values["show_contact"] = bool(data.show_contact)
    for name_ in ("employees_count", "volunteers_count"):
        values[name_] = _count(getattr(data, name_), name_, errors)
    values["client_references"] = (data.client_references or "").strip()
    check_all(errors)
    return values


def _count(value: Any, field_name: str, errors: FieldErrors) -> int | None:
    if value is None or value == "":
        return None
    try:
        count = int(value)
    except (TypeError, ValueError):
        count = -1
    if not 0 <= count <= MAX_COUNT:
        errors.add(field_name, _("Indiquez un nombre entre 0 et 100 000."),
                   f"invalid_{field_name}")
        return None
    return count


def _sectors(data: StructureData, errors: FieldErrors) -> list[Sector]:
    codes = list(dict.fromkeys(str(c) for c in data.sectors or ()))
    sectors = list(db.session.scalars(select(Sector).where(Sector.code.in_(codes)))) \
        if codes else []
    if len(sectors) != len(codes):
        errors.add("sectors", _("Un des secteurs choisis n'existe pas."), "invalid_sector")
    return sorted(sectors, key=lambda s: codes.index(s.code))


def _offerings(data: StructureData, area: AreaServed, errors: FieldErrors) -> list:
    offerings = []
    by_code = {c.code: c for c in db.session.scalars(select(PurchaseCategory).where(
        PurchaseCategory.code.in_([str(o[0]) for o in data.offerings or ()])))}
    for code, kind, zone in data.offerings or ():
        if code not in by_code:
            errors.add("offerings", _("Une des catégories d'achat choisies n'existe pas."),
                       "invalid_category")
            continue
        kind = _choice(ServiceKind, kind or "prestation", "offerings",
                       _("Type de prestation inconnu."), errors)
        zone = _choice(AreaServed, zone or area.value, "offerings",
                       _("Zone d'intervention inconnue."), errors)
        if kind and zone:
            offerings.append((by_code[code], kind, zone))
    return offerings


def _labels(data: StructureData, legal_form: LegalForm | None, errors: FieldErrors) -> list:
    labels = []
    for code, obtained, expires in data.labels or ():
        if code not in LABELS:
            errors.add("labels", _("Label inconnu."), "invalid_label")
            continue
        if obtained and expires and expires < obtained:
            errors.add("labels", _("%(label)s : la date de fin précède la date d'obtention.",
                                   label=LABELS[code]), "invalid_label_dates")
        labels.append((code, obtained, expires))
    if legal_form in COMMERCIAL_ESUS and "esus" not in {code for code, _a, _b in labels}:
        errors.add("labels", _("Une société commerciale rejoint le réseau de l'ESS avec "
                               "l'agrément ESUS : cochez-le dans « Labels et agréments » avec "
                               "sa date."), "esus_required")
    return labels


def clean_logo_upload(raw: bytes | None):
    if not raw:
        return None
    try:
        return clean_logo(raw)
    except InvalidImage as exc:
        raise ValidationError(str(exc), "invalid_logo", field="logo") from exc
