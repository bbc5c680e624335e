"""A structure's fields, declared once.

`FIELDS` lists every field of a profile in display/export order, with its label, kind,
column size, and where it goes: typed by people (`input`), written to the history
(`tracked`), published in the open-data JSON (`api`), exported to staff (`export`). From
it come `StructureData` (what a form or a script hands to the services), the history
snapshot, the form's labels, lengths and round trip, `public_dict` and the export columns.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import LazyString, gettext, lazy_pgettext
from flask_babel import lazy_gettext as _l

from network.directory.models import (
    AREAS_SERVED,
    BUYER_KINDS,
    LABELS,
    LEGAL_FORMS,
    SERVICE_KINDS,
    AreaServed,
    BuyerKind,
    CoopStatus,
    Structure,
)
from network.directory.seeds import french

#: Kinds of input field. Scalars map one form field to one column; the last four are lists.
TEXT_KINDS = frozenset({"text", "identifier", "markdown", "url", "email", "phone", "longtext"})
RELATION_KINDS = frozenset({"territory", "sectors", "offerings", "labels"})


def plain(value: Any) -> Any:
    """JSON-friendly: enums by their code, dates as ISO strings."""
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    name: str  # attribute of Structure and StructureData, name of the form field
    label: str  # lazy label (form, export header), in the page's language
    kind: str  # see TEXT_KINDS, RELATION_KINDS, "choice", "count", "flag", "derived"
    default: Any = ""
    required: bool = False
    max_length: int | None = None  # the column size: longer input is refused at the field
    input: bool = True  # typed by people (StructureData, the form)
    tracked: bool = True  # each change goes to the profile's history
    api: str | None = None  # key in the public JSON (None: never published)
    to_api: Callable[[Structure], Any] | None = None  # default: the plain value
    export: tuple[str, str] | None = None  # (stable key, lazy column header), staff exports
    to_export: Callable[[Structure], Any] | None = None  # default: the plain value or ""

    def value(self, structure: Structure) -> Any:
        return getattr(structure, self.name)

    def api_value(self, structure: Structure) -> Any:
        return self.to_api(structure) if self.to_api else plain(self.value(structure))

    def export_value(self, structure: Structure) -> Any:
        if self.to_export:
            return self.to_export(structure)
        value = plain(self.value(structure))
        return "" if value is None else value


def _none_if(default: Any, attr: str) -> Callable[[Structure], Any]:
    return lambda s: None if getattr(s, attr) == default else getattr(s, attr).value


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _owner_emails(structure: Structure) -> str:
    from network.directory.rules import owner_emails  # rules imports this module

    return ", ".join(owner_emails(structure))


F = FieldSpec
FIELDS: tuple[FieldSpec, ...] = (
    F("id", _l("Identifiant"), "derived", input=False, api="id",
      export=("id", _l("Identifiant"))),
    F("status", _l("Statut"), "derived", input=False, export=("statut", _l("Statut")),
      to_export=lambda s: s.status_label),
    F("name", _l("Nom de la structure"), "text", required=True, max_length=200, api="nom",
      export=("nom", _l("Nom")), to_export=lambda s: s.name),
    F("trade_name", _l("Nom d'usage ou sigle"), "text", max_length=200, api="nom_commercial",
      export=("nom_commercial", _l("Nom commercial"))),
    F("siret", "SIRET", "identifier", required=True, max_length=14, api="siret",
      export=("siret", "SIRET")),
    F("siren", "SIREN", "derived", input=False, api="siren", export=("siren", "SIREN")),
    F("legal_form", _l("Forme juridique (code INSEE)"), "choice", required=True,
      api="forme_juridique",
      to_api=lambda s: {"code": s.legal_form.value, "libelle": french(s.legal_form_label),
                        "code_insee": s.insee_code},
      export=("forme", _l("Forme juridique")), to_export=lambda s: s.legal_form_label),
    F("insee_code", _l("Code INSEE"), "derived", input=False,
      export=("code_insee", _l("Code INSEE"))),
    F("coop_status", _l("Statut coopératif"), "choice", default=CoopStatus.NONE.value,
      api="statut_cooperatif", to_api=_none_if(CoopStatus.NONE, "coop_status"),
      export=("statut_cooperatif", _l("Statut coopératif")),
      to_export=lambda s: "" if s.coop_status == CoopStatus.NONE else s.coop_status.value),
    F("rna", _l("Numéro RNA"), "identifier", max_length=10, api="rna", export=("rna", "RNA")),
    F("local_register_number", _l("Numéro au registre des associations du tribunal"),
      "identifier", max_length=60, api="registre_tribunal",
      export=("registre", _l("Registre du tribunal"))),
    F("buyer_kind", _l("Type de structure pour les acheteurs"), "choice",
      default=BuyerKind.NONE.value, api="type_structure",
      to_api=_none_if(BuyerKind.NONE, "buyer_kind"),
      export=("type", _l("Type (SIAE, EA, ESAT)")),
      to_export=lambda s: "" if s.buyer_kind == BuyerKind.NONE
      else s.buyer_kind.value.upper()),
    F("is_siae", "SIAE", "derived", input=False, api="siae"),
    F("address", _l("Adresse postale"), "text", max_length=200, api="adresse",
      to_api=lambda s: s.address or None, export=("adresse", _l("Adresse postale"))),
    F("postcode", _l("Code postal"), "identifier", required=True, max_length=5,
      api="code_postal", export=("code_postal", _l("Code postal"))),
    F("commune", _l("Commune"), "text", required=True, max_length=120, api="commune",
      export=("commune", _l("Commune"))),
    F("territory", _l("Territoire"), "territory", api="territoire",
      to_api=lambda s: {"code": s.territory.code, "nom": s.territory.name}
      if s.territory else None,
      export=("territoire", _l("Territoire")),
      to_export=lambda s: s.territory.name if s.territory else ""),
    F("area_served", _l("Zone d'intervention"), "choice", default=AreaServed.TERRITOIRE.value,
      api="zone_intervention"),
    F("sectors", _l("Secteurs d'activité"), "sectors", default=(), api="secteurs",
      to_api=lambda s: [{"code": x.code, "nom": x.name} for x in s.sectors],
      export=("secteurs", _l("Secteurs")),
      to_export=lambda s: ", ".join(x.label for x in s.sectors)),
    F("offerings", _l("Ce que vous vendez aux acheteurs"), "offerings", default=(),
      api="achats",
      to_api=lambda s: [{"categorie": o.category.code, "nom": o.category.name,
                         "type": o.service_kind.value, "zone": o.area_served.value}
                        for o in s.offerings],
      export=("achats", _l("Catégories d'achat")),
      to_export=lambda s: ", ".join(o.category.label for o in s.offerings)),
    F("labels", _l("Labels et agréments"), "labels", default=(), api="labels",
      to_api=lambda s: [{"code": lab.label, "nom": french(lab.name), "obtenu_le": plain(
          lab.obtained_on), "expire_le": plain(lab.expires_on)} for lab in s.labels],
      export=("labels", _l("Labels")),
      to_export=lambda s: ", ".join(str(lab.name) for lab in s.labels)),
    F("description", _l("Présentation"), "markdown", max_length=10_000, api="description"),
    F("website", _l("Site web"), "url", max_length=300, api="site_web",
      export=("site", _l("Site web"))),
    F("public_email", _l("E-mail de contact"), "email", max_length=254,
      export=("email_public", _l("E-mail public"))),
    F("public_phone", _l("Téléphone de contact"), "phone", max_length=30,
      export=("telephone_public", _l("Téléphone public"))),
    F("show_contact", _l("Afficher ce contact sur la fiche publique"), "flag", default=False,
      api="contact",
      to_api=lambda s: {"email": s.public_email, "telephone": s.public_phone}
      if s.show_contact else None,
      export=("contact_visible", _l("Contact affiché")),
      to_export=lambda s: gettext("oui") if s.show_contact else gettext("non")),
    F("employees_count", _l("Nombre de salarié·es"), "count", default=None, api="salaries",
      export=("salaries", _l("Salarié·es")), to_export=lambda s: s.employees_count),
    F("volunteers_count", _l("Nombre de bénévoles"), "count", default=None, api="benevoles",
      export=("benevoles", _l("Bénévoles")), to_export=lambda s: s.volunteers_count),
    F("client_references", _l("Références clients"), "longtext", max_length=2000,
      api="references_clients", to_api=lambda s: s.client_references or None),
    F("owners", _l("Responsables"), "derived", input=False,
      export=("responsables", _l("Responsables")), to_export=_owner_emails),
    F("created_at", _l("Inscrite le"), "derived", input=False,
      export=("cree_le", _l("Inscrite le")), to_export=lambda s: s.created_at.date().isoformat()),
    F("approved_at", _l("Publiée le"), "derived", input=False, api="publiee_le",
      to_api=lambda s: _iso(s.approved_at), export=("publiee_le", _l("Publiée le")),
      to_export=lambda s: s.approved_at.date().isoformat() if s.approved_at else ""),
    F("updated_at", _l("Mise à jour le"), "derived", input=False, api="mise_a_jour_le",
      to_api=lambda s: s.updated_at.isoformat()),
)
del F

BY_NAME = {spec.name: spec for spec in FIELDS}
INPUT_FIELDS = tuple(spec for spec in FIELDS if spec.input)
#: Scalar input fields: one form field, one column.
SCALAR_FIELDS = tuple(spec for spec in INPUT_FIELDS if spec.kind not in RELATION_KINDS)
TRACKED = tuple(spec.name for spec in INPUT_FIELDS if spec.tracked)
API_FIELDS = tuple(spec for spec in FIELDS if spec.api)
EXPORT_FIELDS = tuple(spec for spec in FIELDS if spec.export)
#: (key, column header) of the staff exports, in column order.
EXPORT_COLUMNS = tuple(spec.export for spec in EXPORT_FIELDS)


def _data_field(spec: FieldSpec) -> tuple[str, Any, dataclasses.Field]:
    if spec.required:
        return spec.name, Any, dataclasses.field()
    default = spec.default
    if isinstance(default, list | tuple):
        return spec.name, Any, dataclasses.field(default=tuple(default))
    return spec.name, Any, dataclasses.field(default=default)


#: Plain values from a form or a script; the services check every one of them.
#: offerings: (category code, service kind, area served); labels: (code, obtained, expires).
StructureData = dataclasses.make_dataclass(
    "StructureData", [_data_field(spec) for spec in INPUT_FIELDS], kw_only=True)
StructureData.__module__ = __name__
StructureData.__doc__ = ("Plain values from the form (or a script): the service checks every "
                         "one of them. Fields: " + ", ".join(s.name for s in INPUT_FIELDS))


def snapshot(structure: Structure) -> dict[str, Any]:
    """Every tracked field as plain JSON (the history compares two snapshots)."""
    snap: dict[str, Any] = {}
    for name in TRACKED:
        kind = BY_NAME[name].kind
        if kind == "territory":
            snap[name] = structure.territory.code if structure.territory else None
        elif kind == "sectors":
            snap[name] = [s.code for s in structure.sectors]
        elif kind == "offerings":
            snap[name] = [[o.category.code, o.service_kind.value, o.area_served.value]
                          for o in structure.offerings]
        elif kind == "labels":
            snap[name] = [[lab.label, plain(lab.obtained_on), plain(lab.expires_on)]
                          for lab in structure.labels]
        else:
            snap[name] = plain(getattr(structure, name))
    return snap


def public_dict(structure: Structure, *, base_url: str | None = None) -> dict[str, Any]:
    """Only what the structure publishes: private contact only when it chose to show it."""
    data = {spec.api: spec.api_value(structure) for spec in API_FIELDS}
    if base_url is not None:
        data["url"] = f"{base_url.rstrip('/')}/annuaire/{structure.id}"
    return data


def export_row(structure: Structure) -> dict[str, Any]:
    """Stable keys; values for people (labels) in the staff member's language."""
    return {spec.export[0]: _text(spec.export_value(structure)) for spec in EXPORT_FIELDS}


def _text(value: Any) -> Any:
    return str(value) if isinstance(value, LazyString) else value


#: For the history page: what each recorded change is about.
CHANGE_LABELS = {spec.name: spec.label for spec in FIELDS} | {
    "creation": lazy_pgettext("structure record", "Inscription"), "statut": _l("Statut"),
    "membres": _l("Membres"), "logo": _l("Logo")}

# For templates: labels of the fixed lists.
CHOICES = {"legal_forms": LEGAL_FORMS, "buyer_kinds": BUYER_KINDS, "labels": LABELS,
           "areas": AREAS_SERVED, "service_kinds": SERVICE_KINDS}
