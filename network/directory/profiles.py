"""Structure profiles: registering, editing, the staff's decision (approve, refuse, suspend),
the owners' resubmission, and reading a profile (input is checked by `checks`)."""

from __future__ import annotations

import hashlib
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from network.accounts import services as accounts
from network.accounts.models import OrganisationKind
from network.core import signals
from network.core.auth import is_verified_user, require_staff, require_verified
from network.core.errors import Conflict, NotFound, ValidationError
from network.core.text import render_markdown
from network.core.time import utcnow
from network.core.urls import external_url
from network.directory import validators
from network.directory.checks import clean, clean_logo_upload
from network.directory.fields import BY_NAME, TRACKED, StructureData, snapshot
from network.directory.models import (
    Structure,
    StructureChange,
    StructureLabel,
    StructureLogo,
    StructureOffering,
    StructureStatus,
)
from network.directory.rules import (
    can_edit,
    get_structure,
    log_change,
    mail_owners,
    no_nul,
    require_edit,
    staff_address,
    staff_locale,
)
from network.directory.search import refresh_search_text
from network.extensions import db
from network.outbox import services as outbox

MAX_REASON = 2000


# --- writing a profile --------------------------------------------------------------------------


def _apply(structure: Structure, values: dict[str, Any]) -> None:
    structure.siren = values["siren"]
    for name in TRACKED:
        if BY_NAME[name].kind not in ("territory", "sectors", "offerings", "labels"):
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


def structure_by_siret(siret: str) -> Structure | None:
    return db.session.scalar(select(Structure).where(Structure.siret == siret))


def _siret_conflict() -> Conflict:
    """The duplicate-SIRET refusal; the form then links to the existing structure's page
    (`duplicate_of`), where a verified person may ask to join it, even while pending."""
    return Conflict(_("Une structure avec ce SIRET est déjà inscrite au réseau : demandez à "
                      "la rejoindre depuis sa fiche."), "siret_taken", field="siret")


def duplicate_of(siret: str | None, *, structure_id: int | None = None) -> Structure | None:
    """The structure already registered with this SIRET (the form links to its page)."""
    try:
        siret = validators.normalize_siret(siret or "")
    except validators.InvalidIdentifier:
        return None
    found = structure_by_siret(siret)
    return found if found is not None and found.id != structure_id else None


def _check_siret_free(siret: str, structure_id: int | None = None) -> None:
    query = select(Structure.id).where(Structure.siret == siret)
    if structure_id is not None:
        query = query.where(Structure.id != structure_id)
    if db.session.scalar(query) is not None:
        raise _siret_conflict()


def _flush_unique_siret() -> None:
    """Two registrations of one SIRET at once: the unique constraint refuses the second."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as exc:
        if "siret" in str(exc.orig).lower():
            raise _siret_conflict() from exc
        raise


def create_structure(data: StructureData, *, acting: Any, logo: bytes | None = None
                     ) -> Structure:
    """A signed-in person with a verified address registers a structure: pending until staff
    validate it."""
    require_verified(acting)
    values = clean(data)
    image = clean_logo_upload(logo)
    _check_siret_free(values["siret"])
    org = accounts.create_organisation(acting, name=values["name"],
                                       kind=OrganisationKind.STRUCTURE)
    structure = Structure(organisation_id=org.id, status=StructureStatus.PENDING,
                          created_by_id=acting.id)
    _apply(structure, values)
    if image is not None:
        _set_logo(structure, image)
    db.session.add(structure)
    refresh_search_text(structure)
    _flush_unique_siret()
    log_change(structure, acting, "creation", None, snapshot(structure))
    outbox.enqueue(staff_address(), "directory_pending", locale=staff_locale(),
                   subject=_l("Nouvelle structure à valider : %(name)s", name=structure.name),
                   context={"structure": structure, "user": acting,
                            "link": external_url("directory.staff_queue")})
    db.session.flush()
    return structure


def update_structure(structure: Structure, data: StructureData, *, acting: Any,
                     logo: bytes | None = None, remove_logo: bool = False) -> list[str]:
    """Owners, editors and staff edit the profile; each changed field goes to the history."""
    require_edit(acting, structure)
    values = clean(data)
    image = clean_logo_upload(logo)
    _check_siret_free(values["siret"], structure.id)
    before = snapshot(structure)
    _apply(structure, values)
    after = snapshot(structure)
    changed = [key for key in after if after[key] != before[key]]
    for key in changed:
        log_change(structure, acting, key, before[key], after[key])
    if image is not None:
        _set_logo(structure, image)
        log_change(structure, acting, "logo", None, {"sha256": structure.logo.sha256})
        changed.append("logo")
    elif remove_logo and structure.logo is not None:
        structure.logo = None
        log_change(structure, acting, "logo", "supprimé", None)
        changed.append("logo")
    if changed:
        structure.updated_at = utcnow()
        refresh_search_text(structure)
    if "name" in changed:
        accounts.rename_organisation(structure.organisation_id, structure.name)
    _flush_unique_siret()
    return changed


# --- staff decisions ----------------------------------------------------------------------------


def _set_status(structure: Structure, status: StructureStatus, acting: Any,
                reason: str | None) -> None:
    log_change(structure, acting, "statut", structure.status.value, status.value)
    structure.status = status
    structure.status_reason = reason
    structure.updated_at = utcnow()


def _reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not no_nul(reason):
        raise ValidationError(_("Ce champ contient un caractère invalide (octet nul)."),
                              "invalid_character", field="reason")
    if len(reason) < 5:
        raise ValidationError(_("Indiquez la raison (elle sera envoyée à la structure)."),
                              "reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(_("La raison est trop longue (%(n)s caractères au plus).",
                                n=MAX_REASON), "reason_too_long", field="reason")
    return reason


def approve_structure(structure: Structure, *, acting: Any) -> None:
    require_staff(acting)
    if structure.status == StructureStatus.APPROVED:
        raise Conflict(_("Cette structure est déjà publiée."), "already_approved")
    _set_status(structure, StructureStatus.APPROVED, acting, None)
    structure.approved_at = structure.approved_at or utcnow()
    mail_owners(structure, "directory_approved",
                _l("Votre structure « %(name)s » est publiée dans l'annuaire",
                   name=structure.name),
                link=external_url("directory.profile", structure_id=structure.id),
                edit_link=external_url("directory.edit", structure_id=structure.id))
    db.session.flush()
    signals.structure_approved.send(structure, acting=acting)


def refuse_structure(structure: Structure, *, acting: Any, reason: str) -> None:
    require_staff(acting)
    reason = _reason(reason)
    if structure.status != StructureStatus.PENDING:
        raise Conflict(_("Seule une structure en attente peut être refusée."), "not_pending")
    _set_status(structure, StructureStatus.REFUSED, acting, reason)
    mail_owners(structure, "directory_refused",
                _l("Votre demande d'inscription de « %(name)s »", name=structure.name),
                reason=reason, edit_link=external_url("directory.edit",
                                                      structure_id=structure.id))
    db.session.flush()


def suspend_structure(structure: Structure, *, acting: Any, reason: str) -> None:
    require_staff(acting)
    reason = _reason(reason)
    if structure.status == StructureStatus.SUSPENDED:
        raise Conflict(_("Cette structure est déjà suspendue."), "already_suspended")
    _set_status(structure, StructureStatus.SUSPENDED, acting, reason)
    mail_owners(structure, "directory_suspended",
                _l("La fiche de « %(name)s » est suspendue", name=structure.name),
                reason=reason)
    db.session.flush()


def resubmit_structure(structure: Structure, *, acting: Any) -> None:
    """After a refusal and corrections, the owners ask again."""
    require_edit(acting, structure)
    if structure.status != StructureStatus.REFUSED:
        raise Conflict(_("Seule une demande refusée peut être renvoyée."), "not_refused")
    log_change(structure, acting, "statut", structure.status.value,
               StructureStatus.PENDING.value)
    structure.status = StructureStatus.PENDING
    outbox.enqueue(staff_address(), "directory_pending", locale=staff_locale(),
                   subject=_l("Structure à valider de nouveau : %(name)s",
                              name=structure.name),
                   context={"structure": structure, "user": acting,
                            "link": external_url("directory.staff_queue")})
    db.session.flush()


# --- reading ------------------------------------------------------------------------------------


def can_view(user: Any, structure: Structure) -> bool:
    """The full profile: published ones for everyone, the others for members and staff."""
    return structure.status == StructureStatus.APPROVED or can_edit(user, structure)


def get_visible_structure(structure_id: int, viewer: Any) -> Structure:
    """Published profiles for everyone; pending or suspended ones for their members and staff."""
    structure = db.session.get(Structure, structure_id)
    if structure is None or not can_view(viewer, structure):
        raise NotFound(_("Cette structure n'existe pas ou n'est pas publiée."),
                       "structure_not_found")
    return structure


def get_profile_page(structure_id: int, viewer: Any) -> tuple[Structure, bool]:
    """(structure, full?) for the profile page. A PENDING structure also answers, minimally
    (name, commune, status, a way to ask to join), to any verified person: that is where the
    duplicate-SIRET message sends them. Refused and suspended ones stay hidden."""
    structure = db.session.get(Structure, structure_id)
    if structure is not None and can_view(viewer, structure):
        return structure, True
    if structure is not None and structure.status == StructureStatus.PENDING \
            and is_verified_user(viewer):
        return structure, False
    raise NotFound(_("Cette structure n'existe pas ou n'est pas publiée."),
                   "structure_not_found")


def get_editable_structure(structure_id: int, *, acting: Any) -> Structure:
    """The edit form and members' page: members and staff only."""
    structure = get_structure(structure_id)
    require_edit(acting, structure)
    return structure


def list_my_structures(user: Any) -> list[Structure]:
    org_ids = [m.organisation_id for m in user.memberships]
    if not org_ids:
        return []
    return list(db.session.scalars(select(Structure).where(
        Structure.organisation_id.in_(org_ids)).order_by(Structure.sort_name)))


def list_changes(structure: Structure, limit: int = 200) -> list[StructureChange]:
    return list(db.session.scalars(
        select(StructureChange).where(StructureChange.structure_id == structure.id)
        .order_by(StructureChange.changed_at.desc(), StructureChange.id.desc()).limit(limit)))


def list_history(structure_id: int, *, acting: Any) -> tuple[Structure, list[StructureChange]]:
    require_staff(acting)
    structure = get_structure(structure_id)
    return structure, list_changes(structure)


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
    return render_markdown(structure.description)


def get_logo(structure_id: int) -> StructureLogo | None:
    return db.session.get(StructureLogo, structure_id)


def logo_version(structure: Structure) -> str | None:
    return db.session.scalar(select(StructureLogo.sha256).where(
        StructureLogo.structure_id == structure.id))


# --- completeness -------------------------------------------------------------------------------

_COMPLETENESS = (
    (15, _l("une description d'au moins 200 caractères"), lambda s: len(s.description) >= 200),
    (10, _l("un logo"), lambda s: s.logo is not None),
    (10, _l("le territoire"), lambda s: s.territory_id is not None),
    (10, _l("au moins un secteur d'activité"), lambda s: bool(s.sectors)),
    (15, _l("ce que vous vendez (catégories d'achat)"), lambda s: bool(s.offerings)),
    (10, _l("un contact public affiché"), lambda s: s.show_contact and bool(
        s.public_email or s.public_phone)),
    (10, _l("le site web"), lambda s: bool(s.website)),
    (5, _l("l'adresse"), lambda s: bool(s.address)),
    (5, _l("le nombre de salarié·es ou de bénévoles"),
     lambda s: s.employees_count is not None or s.volunteers_count is not None),
    (10, _l("des références clients"), lambda s: bool(s.client_references)),
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

