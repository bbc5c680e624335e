"""Directory use cases: profiles, approval, membership, search, exports. One commit each."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from network.accounts import services as accounts
from network.accounts.models import Organisation, OrganisationKind, OrgRole, User
from network.core import signals
from network.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from network.core.time import utcnow
from network.core.tokens import make_token, read_token
from network.core.urls import external_url
from network.directory import search, validators
from network.directory.images import InvalidImage, clean_logo
from network.directory.models import (
    AREAS_SERVED,
    ASSOCIATIONS_WITH_RNA,
    BUYER_KINDS,
    COMMERCIAL_ESUS,
    LABELS,
    LEGAL_FORMS,
    SCOP_FORMS,
    SERVICE_KINDS,
    SIAE_KINDS,
    AreaServed,
    BuyerKind,
    CoopStatus,
    Invitation,
    JoinRequest,
    LegalForm,
    PurchaseCategory,
    RequestStatus,
    Sector,
    ServiceKind,
    Structure,
    StructureChange,
    StructureLabel,
    StructureLogo,
    StructureOffering,
    StructureStatus,
    Territory,
    structure_sectors,
)
from network.directory.validators import InvalidIdentifier
from network.extensions import db
from network.outbox import services as outbox

INVITATION = "directory-invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600
PER_PAGE = 20
MAX_PER_PAGE = 100


# --- input --------------------------------------------------------------------------------------


@dataclass
class StructureData:
    """Plain values from the form (or a script): the service checks every one of them."""

    name: str
    siret: str
    legal_form: str
    postcode: str
    commune: str
    trade_name: str = ""
    coop_status: str = CoopStatus.NONE.value
    rna: str = ""
    local_register_number: str = ""
    buyer_kind: str = BuyerKind.NONE.value
    address: str = ""
    territory: str = ""
    area_served: str = AreaServed.TERRITOIRE.value
    sectors: Sequence[str] = ()
    # (category code, service kind, area served)
    offerings: Sequence[tuple[str, str, str]] = ()
    # (label code, obtained on, expires on)
    labels: Sequence[tuple[str, date | None, date | None]] = ()
    description: str = ""
    website: str = ""
    public_email: str = ""
    public_phone: str = ""
    show_contact: bool = False
    employees_count: int | None = None
    volunteers_count: int | None = None
    client_references: str = ""


def _invalid(message: str, code: str, field_name: str) -> ValidationError:
    return ValidationError(message, code, field=field_name)


def _choice(enum_cls, value: str, field_name: str, message: str):
    try:
        return enum_cls(value)
    except ValueError as exc:
        raise _invalid(message, f"invalid_{field_name}", field_name) from exc


def _clean(data: StructureData) -> dict[str, Any]:
    """Checked, normalised column values; raises ValidationError at the faulty field."""
    name = " ".join((data.name or "").split())
    if not name:
        raise _invalid("Indiquez le nom de la structure.", "name_required", "name")
    if len(name) > 200:
        raise _invalid("Le nom est trop long (200 caractères au plus).", "name_too_long", "name")
    values: dict[str, Any] = {"name": name,
                              "trade_name": " ".join((data.trade_name or "").split()) or None}
    try:
        values["siret"] = validators.normalize_siret(data.siret)
    except InvalidIdentifier as exc:
        raise _invalid(str(exc), "invalid_siret", "siret") from exc
    values["siren"] = validators.siren_of(values["siret"])
    legal_form = _choice(LegalForm, data.legal_form, "legal_form",
                         "Choisissez une forme juridique dans la liste.")
    values["legal_form"] = legal_form
    values["coop_status"] = _choice(CoopStatus, data.coop_status or "none", "coop_status",
                                    "Choisissez un statut coopératif dans la liste.")
    values["rna"] = None
    values["local_register_number"] = None
    if legal_form in ASSOCIATIONS_WITH_RNA:
        try:
            values["rna"] = validators.normalize_rna(data.rna)
        except InvalidIdentifier as exc:
            raise _invalid(str(exc), "invalid_rna", "rna") from exc
    elif legal_form == LegalForm.ASSOCIATION_DROIT_LOCAL:
        if (data.rna or "").strip():
            raise _invalid("Une association de droit local (Alsace-Moselle) n'a pas de numéro "
                           "RNA : laissez ce champ vide et indiquez son numéro au registre du "
                           "tribunal.", "rna_not_expected", "rna")
        try:
            values["local_register_number"] = validators.normalize_local_register(
                data.local_register_number)
        except InvalidIdentifier as exc:
            raise _invalid(str(exc), "invalid_local_register", "local_register_number") from exc
    values["buyer_kind"] = _choice(BuyerKind, data.buyer_kind or "none", "buyer_kind",
                                   "Choisissez un type de structure dans la liste.")
    try:
        values["postcode"] = validators.normalize_postcode(data.postcode)
    except InvalidIdentifier as exc:
        raise _invalid(str(exc), "invalid_postcode", "postcode") from exc
    commune = " ".join((data.commune or "").split())
    if not commune:
        raise _invalid("Indiquez la commune.", "commune_required", "commune")
    values["commune"] = commune[:120]
    values["address"] = " ".join((data.address or "").split())[:200]
    values["territory"] = None
    if data.territory:
        territory = db.session.scalar(select(Territory).where(Territory.code == data.territory))
        if territory is None:
            raise _invalid("Choisissez un territoire dans la liste.", "invalid_territory",
                           "territory")
        values["territory"] = territory
    values["area_served"] = _choice(AreaServed, data.area_served or "territoire", "area_served",
                                    "Choisissez une zone d'intervention dans la liste.")
    codes = list(dict.fromkeys(data.sectors or ()))
    sectors = list(db.session.scalars(select(Sector).where(Sector.code.in_(codes)))) \
        if codes else []
    if len(sectors) != len(codes):
        raise _invalid("Un des secteurs choisis n'existe pas.", "invalid_sector", "sectors")
    values["sectors"] = sorted(sectors, key=lambda s: codes.index(s.code))
    offerings = []
    by_code = {c.code: c for c in db.session.scalars(select(PurchaseCategory).where(
        PurchaseCategory.code.in_([o[0] for o in data.offerings or ()])))}
    for code, kind, area in data.offerings or ():
        if code not in by_code:
            raise _invalid("Une des catégories d'achat choisies n'existe pas.",
                           "invalid_category", "categories")
        offerings.append((by_code[code],
                          _choice(ServiceKind, kind or "prestation", "categories",
                                  "Type de prestation inconnu."),
                          _choice(AreaServed, area or values["area_served"].value, "categories",
                                  "Zone d'intervention inconnue.")))
    values["offerings"] = offerings
    labels = []
    for code, obtained, expires in data.labels or ():
        if code not in LABELS:
            raise _invalid("Label inconnu.", "invalid_label", "labels")
        if obtained and expires and expires < obtained:
            raise _invalid(f"{LABELS[code]} : la date de fin précède la date d'obtention.",
                           "invalid_label_dates", "labels")
        labels.append((code, obtained, expires))
    values["labels"] = labels
    if legal_form in COMMERCIAL_ESUS and "esus" not in {code for code, _a, _b in labels}:
        raise _invalid("Une société commerciale rejoint le réseau de l'ESS avec l'agrément "
                       "ESUS : cochez-le dans « Labels et agréments » avec sa date.",
                       "esus_required", "labels")
    if legal_form in SCOP_FORMS and values["coop_status"] == CoopStatus.NONE:
        values["coop_status"] = CoopStatus.SCOP
    try:
        values["description"] = validators.check_markdown(data.description)
    except InvalidIdentifier as exc:
        raise _invalid(str(exc), "unsafe_description", "description") from exc
    website = (data.website or "").strip()
    if website and not re.match(r"^https?://[^\s/]+\.[^\s]+$", website, re.I):
        raise _invalid("L'adresse du site doit commencer par https:// (par exemple "
                       "https://www.exemple.fr).", "invalid_website", "website")
    values["website"] = website[:300] or None
    email = (data.public_email or "").strip().lower()
    if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise _invalid("Adresse e-mail de contact invalide.", "invalid_email", "public_email")
    values["public_email"] = email or None
    phone = " ".join((data.public_phone or "").split())
    if phone and not re.match(r"^\+?[0-9 .()-]{6,20}$", phone):
        raise _invalid("Numéro de téléphone invalide.", "invalid_phone", "public_phone")
    values["public_phone"] = phone or None
    values["show_contact"] = bool(data.show_contact)
    for name_ in ("employees_count", "volunteers_count"):
        count = getattr(data, name_)
        if count is not None and not 0 <= int(count) <= 100_000:
            raise _invalid("Indiquez un nombre entre 0 et 100 000.", f"invalid_{name_}", name_)
        values[name_] = int(count) if count is not None else None
    values["client_references"] = (data.client_references or "").strip()[:2000]
    return values


def _clean_logo(raw: bytes | None):
    if not raw:
        return None
    try:
        return clean_logo(raw)
    except InvalidImage as exc:
        raise _invalid(str(exc), "invalid_logo", "logo") from exc


# --- search text --------------------------------------------------------------------------------


def search_text_for(*, name: str, trade_name: str | None = None, commune: str = "",
                    postcode: str = "", territory: str | None = None,
                    sectors: Iterable[str] = (), categories: Iterable[str] = (),
                    legal_form: LegalForm | None = None, buyer_kind: BuyerKind | None = None,
                    labels: Iterable[str] = (), description: str = "") -> str:
    """The accent-free text both engines index (bulk loaders call this too)."""
    parts = [name, trade_name or "", commune, postcode, territory or "", *sectors, *categories,
             LEGAL_FORMS[legal_form][0] if legal_form else "",
             BUYER_KINDS[buyer_kind] if buyer_kind and buyer_kind != BuyerKind.NONE else "",
             *(LABELS.get(code, code) for code in labels), description]
    return search.normalize(" ".join(p for p in parts if p))


def _refresh_search(structure: Structure) -> None:
    sector_names = []
    for sector in structure.sectors:
        sector_names.append(sector.name)
        if sector.parent is not None:
            sector_names.append(sector.parent.name)
    structure.search_text = search_text_for(
        name=structure.name, trade_name=structure.trade_name, commune=structure.commune,
        postcode=structure.postcode,
        territory=structure.territory.name if structure.territory else None,
        sectors=sector_names, categories=[o.category.name for o in structure.offerings],
        legal_form=structure.legal_form, buyer_kind=structure.buyer_kind,
        labels=[lab.label for lab in structure.labels], description=structure.description)
    structure.sort_name = search.normalize(structure.display_name)[:200]


def reindex(structure_ids: Iterable[int] | None = None) -> int:
    """Recompute search text after a reference (sector, category, territory) is renamed."""
    query = select(Structure).options(selectinload(Structure.sectors),
                                      selectinload(Structure.offerings),
                                      selectinload(Structure.labels))
    if structure_ids is not None:
        ids = list(structure_ids)
        if not ids:
            return 0
        query = query.where(Structure.id.in_(ids))
    count = 0
    for structure in db.session.scalars(query):
        _refresh_search(structure)
        count += 1
    return count


# --- reading ------------------------------------------------------------------------------------


def get_structure(structure_id: int) -> Structure:
    structure = db.session.get(Structure, structure_id)
    if structure is None:
        raise NotFound("Cette structure n'existe pas.", "structure_not_found")
    return structure


def structure_by_siret(siret: str) -> Structure | None:
    return db.session.scalar(select(Structure).where(Structure.siret == siret))


def can_view(user: User | None, structure: Structure) -> bool:
    return structure.status == StructureStatus.APPROVED or accounts.can_edit(
        user, structure.organisation_id)


def get_visible_structure(structure_id: int, viewer: User | None) -> Structure:
    """Published profiles for everyone; pending or suspended ones for their members and staff."""
    structure = db.session.get(Structure, structure_id)
    if structure is None or not can_view(viewer, structure):
        raise NotFound("Cette structure n'existe pas ou n'est pas publiée.",
                       "structure_not_found")
    return structure


def can_edit(user: User | None, structure: Structure) -> bool:
    return accounts.can_edit(user, structure.organisation_id)


def can_manage(user: User | None, structure: Structure) -> bool:
    return accounts.can_manage_members(user, structure.organisation_id)


def _require_edit(user: User, structure: Structure) -> None:
    if not can_edit(user, structure):
        raise PermissionDenied("Seuls les membres de cette structure et l'équipe du réseau "
                               "peuvent modifier sa fiche.", "forbidden")


def _require_manage(user: User, structure: Structure) -> None:
    if not can_manage(user, structure):
        raise PermissionDenied("Seuls les responsables de la structure peuvent faire cela.",
                               "forbidden")


def _require_staff(user: User) -> None:
    if not getattr(user, "is_staff", False):
        raise PermissionDenied("Réservé à l'équipe du réseau.", "forbidden")


def list_my_structures(user: User) -> list[Structure]:
    org_ids = [m.organisation_id for m in user.memberships]
    if not org_ids:
        return []
    return list(db.session.scalars(select(Structure).where(
        Structure.organisation_id.in_(org_ids)).order_by(Structure.sort_name)))


def role_of(user: User | None, structure: Structure) -> OrgRole | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.role_in(structure.organisation_id)


def list_members(structure: Structure) -> list:
    org = db.session.get(Organisation, structure.organisation_id)
    return sorted(org.members, key=lambda m: (m.role != OrgRole.OWNER, m.user.name.lower()))


def list_changes(structure: Structure, limit: int = 200) -> list[StructureChange]:
    return list(db.session.scalars(
        select(StructureChange).where(StructureChange.structure_id == structure.id)
        .order_by(StructureChange.changed_at.desc(), StructureChange.id.desc()).limit(limit)))


def list_pending_structures() -> list[Structure]:
    return list(db.session.scalars(select(Structure).where(
        Structure.status == StructureStatus.PENDING).order_by(Structure.created_at)))


def list_structures_for_staff(status: str | None = None, q: str = "") -> list[Structure]:
    query = select(Structure).order_by(Structure.sort_name)
    if status in {s.value for s in StructureStatus}:
        query = query.where(Structure.status == StructureStatus(status))
    words = search.terms(q)
    for word in words:
        query = query.where(Structure.search_text.like(f"%{word}%"))
    return list(db.session.scalars(query.limit(500)))


def list_join_requests(structure: Structure | None = None) -> list[JoinRequest]:
    query = select(JoinRequest).where(JoinRequest.status == RequestStatus.PENDING)
    if structure is not None:
        query = query.where(JoinRequest.structure_id == structure.id)
    return list(db.session.scalars(query.order_by(JoinRequest.created_at)))


def list_invitations(structure: Structure) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).where(
        Invitation.structure_id == structure.id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None)).order_by(Invitation.created_at)))


def json_ld(structure: Structure, url: str) -> dict[str, Any]:
    """schema.org data for search engines: only what the public page shows."""
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "Organization", "name": structure.name,
        "url": url, "identifier": structure.siret,
        "address": {"@type": "PostalAddress", "postalCode": structure.postcode,
                    "addressLocality": structure.commune, "addressCountry": "FR",
                    **({"streetAddress": structure.address} if structure.address else {})},
    }
    if structure.trade_name:
        data["alternateName"] = structure.trade_name
    if structure.website:
        data["sameAs"] = structure.website
    if structure.show_contact and structure.public_email:
        data["email"] = structure.public_email
    if structure.show_contact and structure.public_phone:
        data["telephone"] = structure.public_phone
    return data


def description_html(structure: Structure) -> str:
    return validators.render_markdown(structure.description)


def territory_of_organisation_name(name: str | None) -> str | None:
    """Territory name of the published structure with this name (events' figures use it)."""
    key = search.normalize(name)
    if not key:
        return None
    return db.session.scalar(
        select(Territory.name).join(Structure, Structure.territory_id == Territory.id)
        .where(Structure.status == StructureStatus.APPROVED,
               or_(Structure.sort_name == key, func.lower(Structure.name) == name.lower()))
        .limit(1))


def get_logo(structure_id: int) -> StructureLogo | None:
    return db.session.get(StructureLogo, structure_id)


def logo_version(structure: Structure) -> str | None:
    return db.session.scalar(select(StructureLogo.sha256).where(
        StructureLogo.structure_id == structure.id))


# --- writing a profile --------------------------------------------------------------------------


_TRACKED = ("name", "trade_name", "siret", "legal_form", "coop_status", "rna",
            "local_register_number", "buyer_kind", "address", "postcode", "commune",
            "area_served", "description", "website", "public_email", "public_phone",
            "show_contact", "employees_count", "volunteers_count", "client_references")


def _snapshot(structure: Structure) -> dict[str, Any]:
    snap = {name: _plain(getattr(structure, name)) for name in _TRACKED}
    snap["territory"] = structure.territory.code if structure.territory else None
    snap["sectors"] = [s.code for s in structure.sectors]
    snap["offerings"] = [[o.category.code, o.service_kind.value, o.area_served.value]
                         for o in structure.offerings]
    snap["labels"] = [[lab.label, _plain(lab.obtained_on), _plain(lab.expires_on)]
                      for lab in structure.labels]
    return snap


def _plain(value: Any) -> Any:
    if hasattr(value, "value"):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def _apply(structure: Structure, values: dict[str, Any]) -> None:
    structure.siren = values["siren"]
    for name in _TRACKED:
        if name in values:
            setattr(structure, name, values[name])
    structure.territory = values["territory"]
    structure.sectors = values["sectors"]
    existing = {o.category_id: o for o in structure.offerings}
    offerings = []
    for category, kind, area in values["offerings"]:
        offering = existing.get(category.id) or StructureOffering(category=category)
        offering.service_kind, offering.area_served = kind, area
        offerings.append(offering)
    structure.offerings = offerings
    existing_labels = {lab.label: lab for lab in structure.labels}
    labels = []
    for code, obtained, expires in values["labels"]:
        label = existing_labels.get(code) or StructureLabel(label=code)
        label.obtained_on, label.expires_on = obtained, expires
        labels.append(label)
    structure.labels = labels


def _set_logo(structure: Structure, image) -> None:
    digest = hashlib.sha256(image.data).hexdigest()
    if structure.logo is None:
        structure.logo = StructureLogo(data=image.data, content_type=image.content_type,
                                       width=image.width, height=image.height, sha256=digest)
    else:
        logo = structure.logo
        logo.data, logo.content_type, logo.sha256 = image.data, image.content_type, digest
        logo.width, logo.height, logo.updated_at = image.width, image.height, utcnow()


def _log(structure: Structure, user: User | None, what: str, old: Any, new: Any) -> None:
    db.session.add(StructureChange(structure_id=structure.id, user_id=user.id if user else None,
                                   field=what, old_value=old, new_value=new))


def _siret_taken(siret: str, structure_id: int | None = None) -> bool:
    query = select(Structure.id).where(Structure.siret == siret)
    if structure_id is not None:
        query = query.where(Structure.id != structure_id)
    return db.session.scalar(query) is not None


def _siret_conflict() -> Conflict:
    return Conflict("Une structure avec ce SIRET est déjà inscrite au réseau : demandez à la "
                    "rejoindre depuis sa fiche.", "siret_taken", field="siret")


def create_structure(user: User, data: StructureData, *, logo: bytes | None = None) -> Structure:
    """A signed-in person registers a structure: pending until staff validate it."""
    values = _clean(data)
    image = _clean_logo(logo)
    if _siret_taken(values["siret"]):
        raise _siret_conflict()
    org = accounts.create_organisation(user, name=values["name"],
                                       kind=OrganisationKind.STRUCTURE)
    structure = Structure(organisation_id=org.id, status=StructureStatus.PENDING,
                          created_by_id=user.id)
    _apply(structure, values)
    if image is not None:
        _set_logo(structure, image)
    db.session.add(structure)
    _refresh_search(structure)
    db.session.flush()
    _log(structure, user, "creation", None, _snapshot(structure))
    outbox.enqueue(_staff_address(), "directory_pending",
                   subject=f"Nouvelle structure à valider : {structure.name}",
                   context={"structure": structure, "user": user,
                            "link": external_url("directory.staff_queue")})
    _commit_unique_siret()
    return structure


def _commit_unique_siret() -> None:
    try:
        db.session.commit()
    except IntegrityError as exc:  # two registrations of the same SIRET at the same time
        db.session.rollback()
        if "siret" in str(exc.orig).lower():
            raise _siret_conflict() from exc
        raise


def update_structure(structure: Structure, data: StructureData, *, acting: User,
                     logo: bytes | None = None, remove_logo: bool = False) -> list[str]:
    """Owners, editors and staff edit the profile; each changed field goes to the history."""
    _require_edit(acting, structure)
    values = _clean(data)
    image = _clean_logo(logo)
    if _siret_taken(values["siret"], structure.id):
        raise _siret_conflict()
    before = _snapshot(structure)
    _apply(structure, values)
    after = _snapshot(structure)
    changed = [key for key in after if after[key] != before[key]]
    for key in changed:
        _log(structure, acting, key, before[key], after[key])
    if image is not None:
        _set_logo(structure, image)
        _log(structure, acting, "logo", None, {"sha256": structure.logo.sha256})
        changed.append("logo")
    elif remove_logo and structure.logo is not None:
        structure.logo = None
        _log(structure, acting, "logo", "supprimé", None)
        changed.append("logo")
    if changed:
        structure.updated_at = utcnow()
        _refresh_search(structure)
    if "name" in changed:
        accounts.rename_organisation(structure.organisation_id, structure.name)
    _commit_unique_siret()
    return changed


def _staff_address() -> str:
    return current_app.config["DIRECTORY_STAFF_EMAIL"]


def _owner_emails(structure: Structure) -> list[str]:
    org = db.session.get(Organisation, structure.organisation_id)
    return [m.user.email for m in org.members if m.role == OrgRole.OWNER]


def _mail_owners(structure: Structure, template: str, subject: str, **context: Any) -> None:
    for email in _owner_emails(structure):
        outbox.enqueue(email, template, subject=subject,
                       context={"structure": structure, **context})


def _set_status(structure: Structure, status: StructureStatus, staff: User,
                reason: str | None) -> None:
    _log(structure, staff, "statut", structure.status.value, status.value)
    structure.status = status
    structure.status_reason = reason
    structure.updated_at = utcnow()


def approve_structure(structure: Structure, *, staff: User) -> None:
    _require_staff(staff)
    if structure.status == StructureStatus.APPROVED:
        raise Conflict("Cette structure est déjà publiée.", "already_approved")
    _set_status(structure, StructureStatus.APPROVED, staff, None)
    structure.approved_at = structure.approved_at or utcnow()
    _mail_owners(structure, "directory_approved",
                 f"Votre structure « {structure.name} » est publiée dans l'annuaire",
                 link=external_url("directory.profile", structure_id=structure.id),
                 edit_link=external_url("directory.edit", structure_id=structure.id))
    db.session.commit()


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise _invalid("Indiquez la raison (elle sera envoyée à la structure).",
                       "reason_required", "reason")
    return reason[:2000]


def refuse_structure(structure: Structure, *, staff: User, reason: str) -> None:
    _require_staff(staff)
    reason = _reason(reason)
    if structure.status != StructureStatus.PENDING:
        raise Conflict("Seule une structure en attente peut être refusée.", "not_pending")
    _set_status(structure, StructureStatus.REFUSED, staff, reason)
    _mail_owners(structure, "directory_refused",
                 f"Votre demande d'inscription de « {structure.name} »", reason=reason,
                 edit_link=external_url("directory.edit", structure_id=structure.id))
    db.session.commit()


def suspend_structure(structure: Structure, *, staff: User, reason: str) -> None:
    _require_staff(staff)
    reason = _reason(reason)
    if structure.status == StructureStatus.SUSPENDED:
        raise Conflict("Cette structure est déjà suspendue.", "already_suspended")
    _set_status(structure, StructureStatus.SUSPENDED, staff, reason)
    _mail_owners(structure, "directory_suspended",
                 f"La fiche de « {structure.name} » est suspendue", reason=reason)
    db.session.commit()


def resubmit_structure(structure: Structure, *, acting: User) -> None:
    """After a refusal and corrections, the owners ask again."""
    _require_edit(acting, structure)
    if structure.status != StructureStatus.REFUSED:
        raise Conflict("Seule une demande refusée peut être renvoyée.", "not_refused")
    _log(structure, acting, "statut", structure.status.value, StructureStatus.PENDING.value)
    structure.status = StructureStatus.PENDING
    outbox.enqueue(_staff_address(), "directory_pending",
                   subject=f"Structure à valider de nouveau : {structure.name}",
                   context={"structure": structure, "user": acting,
                            "link": external_url("directory.staff_queue")})
    db.session.commit()


# --- membership ---------------------------------------------------------------------------------


def request_to_join(structure: Structure, user: User, message: str = "") -> JoinRequest:
    if structure.status != StructureStatus.APPROVED:
        raise NotFound("Cette structure n'est pas publiée.", "structure_not_found")
    if role_of(user, structure) is not None:
        raise Conflict("Vous êtes déjà membre de cette structure.", "already_member")
    request = db.session.scalar(select(JoinRequest).where(
        JoinRequest.structure_id == structure.id, JoinRequest.user_id == user.id))
    if request is not None and request.status == RequestStatus.PENDING:
        raise Conflict("Votre demande est déjà en attente.", "already_requested")
    if request is None:
        request = JoinRequest(structure_id=structure.id, user_id=user.id)
        db.session.add(request)
    request.status, request.message = RequestStatus.PENDING, (message or "").strip()[:1000]
    request.created_at, request.decided_at, request.decided_by_id = utcnow(), None, None
    _mail_owners(structure, "directory_join_request",
                 f"{user.name} demande à rejoindre « {structure.name} »", requester=user,
                 message=request.message,
                 link=external_url("directory.members", structure_id=structure.id))
    try:
        db.session.commit()
    except IntegrityError as exc:  # the same person clicked twice at once
        db.session.rollback()
        raise Conflict("Votre demande est déjà en attente.", "already_requested") from exc
    return request


def get_join_request(request_id: int) -> JoinRequest:
    request = db.session.get(JoinRequest, request_id)
    if request is None:
        raise NotFound("Demande introuvable.", "request_not_found")
    return request


def decide_join_request(request: JoinRequest, *, acting: User, accept: bool,
                        role: OrgRole = OrgRole.EDITOR) -> None:
    structure = request.structure
    _require_manage(acting, structure)
    if request.status != RequestStatus.PENDING:
        raise Conflict("Cette demande a déjà été traitée.", "already_decided")
    request.status = RequestStatus.ACCEPTED if accept else RequestStatus.REFUSED
    request.decided_at, request.decided_by_id = utcnow(), acting.id
    outbox.enqueue(request.user.email, "directory_join_decided",
                   subject=f"Votre demande pour rejoindre « {structure.name} »",
                   context={"structure": structure, "accepted": accept, "user": request.user,
                            "link": external_url("directory.mine")})
    if accept:
        _log(structure, acting, "membres", None, {"ajout": request.user.email,
                                                  "role": role.value})
        accounts.set_member(structure.organisation_id, request.user, role, acting=acting)
    else:
        db.session.commit()


def invite(structure: Structure, *, email: str, role: OrgRole, acting: User) -> Invitation:
    _require_manage(acting, structure)
    email = accounts.normalize_email(email or "")
    if not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
        raise _invalid("Adresse e-mail invalide.", "invalid_email", "email")
    existing = accounts.get_user_by_email(email)
    if existing is not None and role_of(existing, structure) is not None:
        raise Conflict("Cette personne est déjà membre de la structure.", "already_member",
                       field="email")
    invitation = Invitation(structure_id=structure.id, email=email, role=OrgRole(role).value,
                            nonce=secrets.token_hex(8), invited_by_id=acting.id)
    db.session.add(invitation)
    db.session.flush()
    token = make_token(INVITATION, {"id": invitation.id, "n": invitation.nonce})
    outbox.enqueue(email, "directory_invitation",
                   subject=f"{acting.name} vous invite à gérer « {structure.name} »",
                   context={"structure": structure, "inviter": acting,
                            "role": "responsable" if role == OrgRole.OWNER else "éditeur",
                            "link": external_url("directory.invitation", token=token),
                            "days": INVITATION_MAX_AGE // 86400})
    db.session.commit()
    return invitation


def invitation_from_token(token: str) -> Invitation:
    data = read_token(INVITATION, token, INVITATION_MAX_AGE)
    invitation = db.session.get(Invitation, int(data.get("id", 0)))
    if invitation is None or invitation.nonce != data.get("n") \
            or invitation.revoked_at is not None:
        raise NotFound("Cette invitation n'existe plus.", "invitation_invalid")
    if invitation.accepted_at is not None:
        raise Conflict("Cette invitation a déjà été acceptée.", "invitation_used")
    return invitation


def accept_invitation(token: str, user: User) -> Structure:
    invitation = invitation_from_token(token)
    if not user.is_verified:
        raise PermissionDenied("Confirmez d'abord votre adresse e-mail (lien reçu à "
                               "l'inscription), puis rouvrez l'invitation.",
                               "email_not_verified")
    if accounts.normalize_email(user.email) != invitation.email:
        raise PermissionDenied(
            f"Cette invitation a été envoyée à {invitation.email} : connectez-vous avec "
            "ce compte pour l'accepter.", "invitation_other_user")
    structure = invitation.structure
    inviter = accounts.get_user(invitation.invited_by_id) if invitation.invited_by_id else None
    if inviter is None or not can_manage(inviter, structure):
        raise Conflict("La personne qui vous a invité(e) ne gère plus cette structure : "
                       "demandez une nouvelle invitation.", "invitation_stale")
    invitation.accepted_at = utcnow()
    role = OrgRole(invitation.role)
    _log(structure, user, "membres", None, {"ajout": user.email, "role": role.value})
    if role_of(user, structure) is None:
        accounts.join_by_invitation(structure.organisation_id, role, acting=user,
                                    invited_by=inviter)
    else:
        db.session.commit()
    return structure


def get_invitation(invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise NotFound("Invitation introuvable.", "invitation_invalid")
    return invitation


def revoke_invitation(invitation_id: int, *, acting: User) -> None:
    invitation = get_invitation(invitation_id)
    _require_manage(acting, invitation.structure)
    invitation.revoked_at = utcnow()
    db.session.commit()


def change_role(structure: Structure, user_id: int, role: OrgRole, *, acting: User) -> None:
    _require_manage(acting, structure)
    member = accounts.get_membership(structure.organisation_id, user_id)
    if member is None:
        raise NotFound("Cette personne n'est pas membre.", "not_member")
    _log(structure, acting, "membres", {member.user.email: member.role.value},
         {member.user.email: OrgRole(role).value})
    try:
        accounts.set_member(structure.organisation_id, member.user, OrgRole(role),
                            acting=acting)
    except Conflict:  # the last owner: nothing of this attempt may stay in the session
        db.session.rollback()
        raise


def remove_from_structure(structure: Structure, user_id: int, *, acting: User) -> None:
    """An owner removes a colleague, or anyone leaves; the last owner cannot."""
    if acting.id != user_id:
        _require_manage(acting, structure)
    member = accounts.get_membership(structure.organisation_id, user_id)
    if member is None:
        raise NotFound("Cette personne n'est pas membre.", "not_member")
    _log(structure, acting, "membres", {"retrait": member.user.email}, None)
    try:
        accounts.remove_member(structure.organisation_id, member.user, acting=acting)
    except Conflict:
        db.session.rollback()
        raise


# --- reference lists ----------------------------------------------------------------------------

TERRITORIES = (
    ("metz", "Metz"),
    ("thionville", "Thionville"),
    ("forbach-boulay", "Forbach – Boulay-Moselle"),
    ("sarreguemines-bitche", "Sarreguemines – Bitche"),
    ("sarrebourg-chateau-salins", "Sarrebourg – Château-Salins"),
)

SECTORS = (
    ("action-sociale", "Action sociale et solidarités", (
        ("insertion", "Insertion par l'activité économique"),
        ("handicap", "Handicap et autonomie"),
        ("personnes-agees", "Personnes âgées"),
        ("enfance-famille", "Enfance et famille"),
        ("logement", "Logement et hébergement"),
        ("aide-alimentaire", "Aide alimentaire"),
    )),
    ("sport", "Sport", (("sport-loisir", "Sport loisir et santé"),
                        ("sport-competition", "Clubs et compétition"))),
    ("culture", "Culture", (("spectacle-vivant", "Spectacle vivant"),
                            ("patrimoine", "Patrimoine et mémoire"),
                            ("lecture", "Livre et lecture"))),
    ("tourisme", "Tourisme", (("tourisme-social", "Tourisme social et solidaire"),
                              ("hebergement-touristique", "Hébergement touristique"))),
    ("education", "Éducation et formation", (("education-populaire", "Éducation populaire"),
                                             ("formation", "Formation professionnelle"))),
    ("agriculture", "Agriculture et alimentation", (("circuits-courts", "Circuits courts"),
                                                    ("maraichage", "Maraîchage"))),
    ("environnement", "Environnement et transition", (
        ("reemploi-recyclage", "Réemploi et recyclage"),
        ("energie", "Énergie"),
        ("mobilite", "Mobilité"),
        ("biodiversite", "Biodiversité"),
    )),
    ("economie-emploi", "Économie et emploi", (("finance-solidaire", "Finance solidaire"),
                                               ("entrepreneuriat", "Entrepreneuriat"))),
    ("sante", "Santé", (("prevention", "Prévention"), ("soins", "Soins et mutuelles"))),
)

PURCHASE_CATEGORIES = (
    ("traiteur", "Traiteur et restauration"),
    ("proprete", "Propreté et nettoyage"),
    ("espaces-verts", "Espaces verts"),
    ("reemploi", "Réemploi et recyclage"),
    ("impression", "Impression et reprographie"),
    ("informatique-reconditionnee", "Informatique reconditionnée"),
    ("logistique", "Logistique et manutention"),
    ("blanchisserie", "Blanchisserie"),
    ("batiment", "Bâtiment et second œuvre"),
    ("evenementiel", "Événementiel"),
    ("mise-a-disposition", "Mise à disposition de personnel"),
    ("transport", "Transport de personnes"),
    ("textile", "Textile et couture"),
    ("communication", "Communication et graphisme"),
)

REFERENCE_MODELS = {"territoires": Territory, "secteurs": Sector, "categories": PurchaseCategory}


def ensure_reference_data() -> list[str]:
    """Seed territories, sectors and purchase categories once (codes are stable). Commits."""
    added = []
    existing = set(db.session.scalars(select(Territory.code)))
    for position, (code, name) in enumerate(TERRITORIES):
        if code not in existing:
            db.session.add(Territory(code=code, name=name, position=position))
            added.append(f"territoire {name}")
    sectors = {s.code: s for s in db.session.scalars(select(Sector))}
    for position, (code, name, children) in enumerate(SECTORS):
        parent = sectors.get(code)
        if parent is None:
            parent = Sector(code=code, name=name, position=position * 100)
            db.session.add(parent)
            added.append(f"secteur {name}")
        for sub_position, (child_code, child_name) in enumerate(children):
            if child_code not in sectors:
                db.session.add(Sector(code=child_code, name=child_name, parent=parent,
                                      position=position * 100 + sub_position + 1))
    existing = set(db.session.scalars(select(PurchaseCategory.code)))
    for position, (code, name) in enumerate(PURCHASE_CATEGORIES):
        if code not in existing:
            db.session.add(PurchaseCategory(code=code, name=name, position=position))
            added.append(f"catégorie {name}")
    db.session.commit()
    return added


def list_territories(*, active_only: bool = True) -> list[Territory]:
    query = select(Territory).order_by(Territory.position, Territory.name)
    if active_only:
        query = query.where(Territory.is_active.is_(True))
    return list(db.session.scalars(query))


def list_sectors(*, active_only: bool = True) -> list[Sector]:
    """Parents followed by their children, in display order."""
    query = select(Sector).order_by(Sector.position, Sector.name)
    if active_only:
        query = query.where(Sector.is_active.is_(True))
    return list(db.session.scalars(query))


def list_categories(*, active_only: bool = True) -> list[PurchaseCategory]:
    query = select(PurchaseCategory).order_by(PurchaseCategory.position, PurchaseCategory.name)
    if active_only:
        query = query.where(PurchaseCategory.is_active.is_(True))
    return list(db.session.scalars(query))


def list_reference(kind: str) -> list:
    model = _reference_model(kind)
    return list(db.session.scalars(select(model).order_by(model.position, model.name)))


def _reference_model(kind: str):
    if kind not in REFERENCE_MODELS:
        raise NotFound("Liste inconnue.", "not_found")
    return REFERENCE_MODELS[kind]


def _slug(name: str) -> str:
    return search.normalize(name).replace(" ", "-")[:60]


def add_reference(kind: str, name: str, *, staff: User, parent_code: str | None = None):
    _require_staff(staff)
    model = _reference_model(kind)
    name = " ".join((name or "").split())
    if not name:
        raise _invalid("Indiquez un nom.", "name_required", "name")
    code = _slug(name)
    if not code:
        raise _invalid("Le nom doit contenir des lettres ou des chiffres.", "invalid_name", "name")
    if db.session.scalar(select(model.id).where(model.code == code)) is not None:
        raise Conflict("Cet élément existe déjà.", "duplicate", field="name")
    position = (db.session.scalar(select(func.max(model.position))) or 0) + 1
    parent = None
    if parent_code and model is Sector:
        parent = db.session.scalar(select(Sector).where(Sector.code == parent_code,
                                                        Sector.parent_id.is_(None)))
        if parent is None:
            raise _invalid("Secteur parent inconnu.", "invalid_parent", "parent")
        position = (db.session.scalar(select(func.max(Sector.position)).where(
            Sector.parent_id == parent.id)) or parent.position) + 1
    item = model(code=code, name=name[:120], position=position)
    if parent is not None:
        item.parent = parent
    db.session.add(item)
    db.session.commit()
    return item


def rename_reference(kind: str, item_id: int, name: str, *, staff: User) -> None:
    """The code stays (URLs, API and ESSpresso rely on it); search text follows the name."""
    _require_staff(staff)
    model = _reference_model(kind)
    item = db.session.get(model, item_id)
    if item is None:
        raise NotFound("Élément introuvable.", "not_found")
    name = " ".join((name or "").split())
    if not name:
        raise _invalid("Indiquez un nom.", "name_required", "name")
    item.name = name[:120]
    db.session.flush()
    reindex(_structures_using(model, item))
    db.session.commit()


def _structures_using(model, item) -> list[int]:
    if model is Territory:
        return list(db.session.scalars(select(Structure.id).where(
            Structure.territory_id == item.id)))
    if model is Sector:
        ids = [item.id] + [child.id for child in item.children]
        return list(db.session.scalars(select(structure_sectors.c.structure_id).where(
            structure_sectors.c.sector_id.in_(ids))))
    return list(db.session.scalars(select(StructureOffering.structure_id).where(
        StructureOffering.category_id == item.id)))


def set_reference_active(kind: str, item_id: int, active: bool, *, staff: User) -> None:
    """Deactivated items leave the forms and filters; profiles keep them."""
    _require_staff(staff)
    model = _reference_model(kind)
    item = db.session.get(model, item_id)
    if item is None:
        raise NotFound("Élément introuvable.", "not_found")
    item.is_active = bool(active)
    db.session.commit()


# --- search -------------------------------------------------------------------------------------

SORTS = {"pertinence": "Pertinence", "nom": "Nom", "recent": "Inscription récente",
         "commune": "Commune"}


@dataclass(frozen=True)
class SearchFilters:
    territories: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    legal_forms: tuple[str, ...] = ()
    buyer_kinds: tuple[str, ...] = ()  # "siae" stands for the five SIAE kinds
    labels: tuple[str, ...] = ()

    # query-string names (French, shared by the page, the API and the exports)
    ARGS = {"territoire": "territories", "secteur": "sectors", "categorie": "categories",
            "forme": "legal_forms", "type": "buyer_kinds", "label": "labels"}

    @classmethod
    def from_args(cls, args: Mapping) -> SearchFilters:
        values = {}
        for arg, attr in cls.ARGS.items():
            raw = args.getlist(arg) if hasattr(args, "getlist") else [args.get(arg)]
            values[attr] = tuple(dict.fromkeys(v.strip()[:60] for v in raw if v and v.strip()))[
                :20]
        return cls(**values)

    def to_args(self) -> dict[str, list[str]]:
        return {arg: list(getattr(self, attr)) for arg, attr in self.ARGS.items()
                if getattr(self, attr)}

    def is_empty(self) -> bool:
        return not any(getattr(self, attr) for attr in self.ARGS.values())


@dataclass
class SearchPage:
    items: list[Structure]
    total: int
    page: int
    per_page: int
    sort: str
    query: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _filtered(filters: SearchFilters):
    conditions = [Structure.status == StructureStatus.APPROVED]
    if filters.territories:
        conditions.append(Structure.territory_id.in_(
            select(Territory.id).where(Territory.code.in_(filters.territories))))
    if filters.sectors:
        chosen = select(Sector.id).where(Sector.code.in_(filters.sectors))
        sector_ids = select(Sector.id).where(or_(Sector.id.in_(chosen),
                                                 Sector.parent_id.in_(chosen)))
        conditions.append(Structure.id.in_(select(structure_sectors.c.structure_id).where(
            structure_sectors.c.sector_id.in_(sector_ids))))
    if filters.categories:
        conditions.append(Structure.id.in_(
            select(StructureOffering.structure_id).join(PurchaseCategory).where(
                PurchaseCategory.code.in_(filters.categories))))
    if filters.legal_forms:
        forms = [f for f in (LegalForm.__members__.values()) if f.value in filters.legal_forms]
        conditions.append(Structure.legal_form.in_(forms))
    if filters.buyer_kinds:
        kinds = {k for k in BuyerKind if k.value in filters.buyer_kinds}
        if "siae" in filters.buyer_kinds:
            kinds |= SIAE_KINDS
        conditions.append(Structure.buyer_kind.in_(sorted(kinds)))
    if filters.labels:
        conditions.append(Structure.id.in_(select(StructureLabel.structure_id).where(
            StructureLabel.label.in_(filters.labels))))
    return conditions


def search_structures(query: str = "", filters: SearchFilters | None = None,
                      sort: str = "", page: int = 1, per_page: int = PER_PAGE) -> SearchPage:
    """Published structures matching every word (accent- and case-insensitive) and filters."""
    filters = filters or SearchFilters()
    per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
    page = max(int(page), 1)
    words = search.terms(query)
    sort = sort if sort in SORTS else ("pertinence" if words else "nom")
    if sort == "pertinence" and not words:
        sort = "nom"
    conditions = _filtered(filters)
    ids = select(Structure.id)
    rank = None
    if words:
        found = search.match(db.engine.dialect.name, Structure.id, Structure.search_text, words)
        if found.join is not None:
            ids = ids.join(*found.join)
        if found.condition is not None:
            conditions.append(found.condition)
        rank = found.rank
    ids = ids.where(*conditions)
    order = {"nom": [Structure.sort_name], "recent": [Structure.approved_at.desc()],
             "commune": [Structure.commune, Structure.sort_name]}.get(sort)
    if order is None:
        order = [rank, Structure.sort_name]
    # One pass for the page and the total (a window count), instead of matching twice.
    rows = db.session.execute(ids.add_columns(func.count().over().label("total"))
                              .order_by(*order, Structure.id)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    page_ids = [row[0] for row in rows]
    if rows:
        total = rows[0][1]
    else:  # past the last page: count apart
        total = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    items = []
    if page_ids:
        rows = db.session.scalars(select(Structure).where(Structure.id.in_(page_ids)).options(
            selectinload(Structure.offerings), selectinload(Structure.labels),
            selectinload(Structure.sectors)))
        by_id = {s.id: s for s in rows}
        items = [by_id[i] for i in page_ids]
    return SearchPage(items=items, total=total, page=page, per_page=per_page, sort=sort,
                      query=query or "", filters=filters)


# --- public data: API and exports ---------------------------------------------------------------


def public_dict(structure: Structure, *, base_url: str | None = None) -> dict[str, Any]:
    """Only what the structure publishes: private contact only when it chose to show it."""
    data: dict[str, Any] = {
        "id": structure.id,
        "nom": structure.name,
        "nom_commercial": structure.trade_name,
        "siret": structure.siret,
        "siren": structure.siren,
        "forme_juridique": {"code": structure.legal_form.value,
                            "libelle": structure.legal_form_label,
                            "code_insee": structure.insee_code},
        "statut_cooperatif": None if structure.coop_status == CoopStatus.NONE
        else structure.coop_status.value,
        "rna": structure.rna,
        "registre_tribunal": structure.local_register_number,
        "type_structure": None if structure.buyer_kind == BuyerKind.NONE
        else structure.buyer_kind.value,
        "siae": structure.is_siae,
        "adresse": structure.address or None,
        "code_postal": structure.postcode,
        "commune": structure.commune,
        "territoire": {"code": structure.territory.code, "nom": structure.territory.name}
        if structure.territory else None,
        "zone_intervention": structure.area_served.value,
        "secteurs": [{"code": s.code, "nom": s.name} for s in structure.sectors],
        "achats": [{"categorie": o.category.code, "nom": o.category.name,
                    "type": o.service_kind.value, "zone": o.area_served.value}
                   for o in structure.offerings],
        "labels": [{"code": lab.label, "nom": lab.name,
                    "obtenu_le": _plain(lab.obtained_on), "expire_le": _plain(lab.expires_on)}
                   for lab in structure.labels],
        "description": structure.description,
        "site_web": structure.website,
        "salaries": structure.employees_count,
        "benevoles": structure.volunteers_count,
        "references_clients": structure.client_references or None,
        "contact": {"email": structure.public_email, "telephone": structure.public_phone}
        if structure.show_contact else None,
        "publiee_le": structure.approved_at.isoformat() if structure.approved_at else None,
        "mise_a_jour_le": structure.updated_at.isoformat(),
    }
    if base_url is not None:
        data["url"] = f"{base_url.rstrip('/')}/annuaire/{structure.id}"
    return data


def api_payload(args: Mapping, *, base_url: str) -> tuple[bytes, str]:
    """The JSON body of GET /api/v1/structures and its ETag (a hash of the body)."""
    try:
        page = max(int(args.get("page", 1)), 1)
        per_page = min(max(int(args.get("per_page", PER_PAGE)), 1), MAX_PER_PAGE)
    except ValueError as exc:
        raise ValidationError("page et per_page doivent être des nombres entiers.",
                              "invalid_page") from exc
    result = search_structures(args.get("q", ""), SearchFilters.from_args(args),
                               args.get("tri", ""), page, per_page)
    body = {
        "total": result.total, "page": result.page, "per_page": result.per_page,
        "pages": result.pages,
        "structures": [public_dict(s, base_url=base_url) for s in result.items],
    }
    data = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    raw = data.encode("utf-8")
    return raw, hashlib.sha256(raw).hexdigest()[:32]


EXPORT_COLUMNS = (
    ("id", "Identifiant"), ("statut", "Statut"), ("nom", "Nom"),
    ("nom_commercial", "Nom commercial"), ("siret", "SIRET"), ("siren", "SIREN"),
    ("forme", "Forme juridique"), ("code_insee", "Code INSEE"),
    ("statut_cooperatif", "Statut coopératif"), ("rna", "RNA"),
    ("registre", "Registre du tribunal"), ("type", "Type (SIAE, EA, ESAT)"),
    ("adresse", "Adresse"), ("code_postal", "Code postal"), ("commune", "Commune"),
    ("territoire", "Territoire"), ("secteurs", "Secteurs"), ("achats", "Catégories d'achat"),
    ("labels", "Labels"), ("site", "Site web"), ("email_public", "E-mail public"),
    ("telephone_public", "Téléphone public"), ("contact_visible", "Contact affiché"),
    ("salaries", "Salariés"), ("benevoles", "Bénévoles"), ("responsables", "Responsables"),
    ("cree_le", "Inscrite le"), ("publiee_le", "Publiée le"),
)


def export_rows(status: str | None = None) -> list[dict[str, Any]]:
    """Staff exports: every structure (or one status), with the owners' addresses."""
    query = select(Structure).options(selectinload(Structure.sectors),
                                      selectinload(Structure.offerings),
                                      selectinload(Structure.labels)).order_by(Structure.sort_name)
    if status in {s.value for s in StructureStatus}:
        query = query.where(Structure.status == StructureStatus(status))
    rows = []
    for s in db.session.scalars(query):
        rows.append({
            "id": s.id, "statut": s.status.value, "nom": s.name,
            "nom_commercial": s.trade_name or "", "siret": s.siret, "siren": s.siren,
            "forme": s.legal_form_label, "code_insee": s.insee_code,
            "statut_cooperatif": "" if s.coop_status == CoopStatus.NONE else s.coop_status.value,
            "rna": s.rna or "", "registre": s.local_register_number or "",
            "type": "" if s.buyer_kind == BuyerKind.NONE else s.buyer_kind.value.upper(),
            "adresse": s.address, "code_postal": s.postcode, "commune": s.commune,
            "territoire": s.territory.name if s.territory else "",
            "secteurs": ", ".join(x.name for x in s.sectors),
            "achats": ", ".join(o.category.name for o in s.offerings),
            "labels": ", ".join(lab.name for lab in s.labels),
            "site": s.website or "", "email_public": s.public_email or "",
            "telephone_public": s.public_phone or "",
            "contact_visible": "oui" if s.show_contact else "non",
            "salaries": s.employees_count, "benevoles": s.volunteers_count,
            "responsables": ", ".join(_owner_emails(s)),
            "cree_le": s.created_at.date().isoformat(),
            "publiee_le": s.approved_at.date().isoformat() if s.approved_at else "",
        })
    return rows


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    # Excel runs cells that start with these as formulas: neutralise them.
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        text = "'" + text
    return text


def export_csv(status: str | None = None) -> bytes:
    """UTF-8 with BOM and `;`: what French Excel opens without an import wizard."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([label for _key, label in EXPORT_COLUMNS])
    for row in export_rows(status):
        writer.writerow([_csv_cell(row[key]) for key, _label in EXPORT_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def export_json(status: str | None = None) -> bytes:
    return json.dumps(export_rows(status), ensure_ascii=False, indent=1).encode("utf-8")


# --- completeness -------------------------------------------------------------------------------

_COMPLETENESS = (
    (15, "une description d'au moins 200 caractères", lambda s: len(s.description) >= 200),
    (10, "un logo", lambda s: s.logo is not None),
    (10, "le territoire", lambda s: s.territory_id is not None),
    (10, "au moins un secteur d'activité", lambda s: bool(s.sectors)),
    (15, "ce que vous vendez (catégories d'achat)", lambda s: bool(s.offerings)),
    (10, "un contact public affiché", lambda s: s.show_contact and bool(
        s.public_email or s.public_phone)),
    (10, "le site web", lambda s: bool(s.website)),
    (5, "l'adresse", lambda s: bool(s.address)),
    (5, "le nombre de salariés ou de bénévoles",
     lambda s: s.employees_count is not None or s.volunteers_count is not None),
    (10, "des références clients", lambda s: bool(s.client_references)),
)


def completeness(structure: Structure) -> tuple[int, list[str]]:
    """(score out of 100, what is missing), shown to the structure's members."""
    score, missing = 0, []
    for weight, label, check in _COMPLETENESS:
        if check(structure):
            score += weight
        else:
            missing.append(label)
    return score, missing


# --- staff dashboard and GDPR -------------------------------------------------------------------


@signals.staff_figures.connect
def _staff_figures(_sender) -> tuple[str, list[tuple[str, int | str, str]]]:
    return "Annuaire", staff_summary()


def staff_summary() -> list[tuple[str, int | str, str]]:
    counts = dict(db.session.execute(select(Structure.status, func.count(Structure.id))
                                     .group_by(Structure.status)).all())
    requests = db.session.scalar(select(func.count(JoinRequest.id)).where(
        JoinRequest.status == RequestStatus.PENDING)) or 0
    return [
        ("Structures publiées", counts.get(StructureStatus.APPROVED, 0),
         external_url("directory.staff_structures", statut="approved")),
        ("Structures à valider", counts.get(StructureStatus.PENDING, 0),
         external_url("directory.staff_queue")),
        ("Demandes d'adhésion en attente", requests, external_url("directory.staff_queue")),
        ("Structures suspendues", counts.get(StructureStatus.SUSPENDED, 0),
         external_url("directory.staff_structures", statut="suspended")),
    ]


def _export_person(user: User) -> dict[str, Any]:
    requests = db.session.scalars(select(JoinRequest).where(JoinRequest.user_id == user.id))
    changes = db.session.scalar(select(func.count(StructureChange.id)).where(
        StructureChange.user_id == user.id)) or 0
    return {
        "demandes_adhesion": [{"structure": r.structure.name, "statut": r.status.value,
                               "message": r.message, "le": r.created_at.isoformat()}
                              for r in requests],
        "modifications_de_fiches": changes,
    }


def _erase_person(user: User) -> None:
    """Join requests and invitations name the person: they go; the history keeps no user."""
    for request in db.session.scalars(select(JoinRequest).where(JoinRequest.user_id == user.id)):
        db.session.delete(request)
    for invitation in db.session.scalars(select(Invitation).where(
            Invitation.email == user.email)):
        db.session.delete(invitation)


@signals.personal_data_export.connect
def _export_signal(user) -> tuple[str, Any]:
    return "annuaire", _export_person(user)


signals.personal_data_erase.connect(_erase_person)

# For templates: labels of the fixed lists.
CHOICES = {"legal_forms": LEGAL_FORMS, "buyer_kinds": BUYER_KINDS, "labels": LABELS,
           "areas": AREAS_SERVED, "service_kinds": SERVICE_KINDS}
