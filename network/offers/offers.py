"""Offers' lifecycle: a team writes, publishes, fills or closes them; staff may take one down.

Every write takes `acting=` and checks the right itself; nothing here commits (the request or
command edge does). Expiry is automatic: public reads never show an offer whose closing date
has passed, reading one flips it to "expired", and `flask offers expire` sweeps the rest.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from network.accounts.models import OrganisationMember, OrgRole, User
from network.core import search, signals
from network.core.auth import require, require_staff
from network.core.errors import FieldErrors, NotFound, ValidationError
from network.core.text import check_markdown, render_markdown, single_line
from network.core.time import utcnow
from network.core.urls import external_url
from network.directory.models import (
    Structure,
    StructureStatus,
    Territory,
)
from network.extensions import db
from network.offers.listing import open_conditions
from network.offers.models import (
    ACCESSIBILITY,
    Offer,
    OfferKind,
    OfferState,
    WorkMode,
)
from network.offers.rules import (
    ACCESSIBILITY_LABELS,
    KIND_LABELS,
    WORK_MODE_LABELS,
    can_manage,
    require_manage,
    today,
)
from network.outbox import services as outbox

MAX_OPEN_DAYS = 366
#: Offers a structure may hold at once (drafts included): a spam limit, not a business rule.
MAX_OFFERS_PER_STRUCTURE = 200


# --- input ----------------------------------------------------------------------------------------

@dataclass
class OfferData:
    kind: str
    title: str
    commune: str
    territory: str
    closes_on: date | None
    description: str = ""
    postcode: str = ""
    starts_on: date | None = None
    time_commitment: str = ""
    places: int | None = 1
    work_mode: str = WorkMode.ON_SITE.value
    accessibility: list[str] = field(default_factory=list)
    skills: str = ""

    @classmethod
    def of(cls, offer: Offer) -> OfferData:
        return cls(kind=offer.kind.value, title=offer.title, commune=offer.commune,
                   territory=offer.territory.code if offer.territory else "",
                   closes_on=offer.closes_on, description=offer.description,
                   postcode=offer.postcode, starts_on=offer.starts_on,
                   time_commitment=offer.time_commitment, places=offer.places,
                   work_mode=offer.work_mode.value, accessibility=list(offer.accessibility or []),
                   skills=offer.skills)


def _territory(code: str) -> Territory | None:
    code = single_line(code, max_length=60)  # no NUL byte may reach PostgreSQL
    if not code:
        return None
    return db.session.scalar(select(Territory).where(Territory.code == code))


def _clean(data: OfferData, *, now: datetime) -> dict[str, Any]:
    """Every bad field at once, in French, at the field."""
    errors = FieldErrors()
    values: dict[str, Any] = {}
    try:
        values["kind"] = OfferKind(data.kind)
    except ValueError:
        errors.add("kind", _("Choisissez un type d'offre dans la liste."), "bad_kind")
    title = single_line(data.title, max_length=400)
    if len(title) < 3:
        errors.add("title", _("Indiquez un intitulé (3 caractères au moins)."), "title_required")
    elif len(title) > 160:
        errors.add("title", _("L'intitulé est trop long (160 caractères au plus)."), "too_long")
    values["title"] = title
    try:
        values["description"] = check_markdown(data.description, max_length=8000)
    except ValidationError as err:
        errors.add("description", err.message, err.code)
    if not values.get("description") and "description" not in errors.errors:
        errors.add("description", _("Décrivez la mission : ce que la personne fera, avec qui, "
                                    "et ce que vous attendez."), "description_required")
    commune = single_line(data.commune, max_length=400)
    if not commune:
        errors.add("commune", _("Indiquez la commune où se déroule la mission."),
                   "commune_required")
    elif len(commune) > 120:
        errors.add("commune", _("Le nom de la commune est trop long."), "too_long")
    values["commune"] = commune
    postcode = (data.postcode or "").strip()
    if postcode and not (len(postcode) == 5 and postcode.isascii() and postcode.isdigit()):
        errors.add("postcode", _("Le code postal compte cinq chiffres, par exemple 57000."),
                   "bad_postcode")
    values["postcode"] = postcode
    territory = _territory(data.territory or "")
    if territory is None or not territory.is_active:
        errors.add("territory", _("Choisissez un territoire de la liste."), "bad_territory")
    values["territory_id"] = territory.id if territory else None
    day = today(now)
    closes_on = data.closes_on
    if closes_on is None:
        errors.add("closes_on", _("Indiquez la date limite pour répondre."), "closes_required")
    elif closes_on < day:
        errors.add("closes_on", _("La date limite est déjà passée."), "closes_past")
    elif closes_on > day + timedelta(days=MAX_OPEN_DAYS):
        errors.add("closes_on", _("La date limite ne peut pas dépasser un an."), "closes_far")
    values["closes_on"] = closes_on
    starts_on = data.starts_on
    if starts_on is not None and not (day - timedelta(days=MAX_OPEN_DAYS) <= starts_on
                                      <= day + timedelta(days=2 * MAX_OPEN_DAYS)):
        errors.add("starts_on", _("Indiquez une date de début dans les deux ans à venir, ou "
                                  "laissez vide pour « dès que possible »."), "bad_start")
    values["starts_on"] = starts_on
    commitment = single_line(data.time_commitment, max_length=400)
    if len(commitment) > 120:
        errors.add("time_commitment", _("120 caractères au plus."), "too_long")
    values["time_commitment"] = commitment
    places = data.places
    if places is None or not 1 <= places <= 1000:
        errors.add("places", _("Indiquez un nombre de places entre 1 et 1000."), "bad_places")
    values["places"] = places
    try:
        values["work_mode"] = WorkMode(data.work_mode)
    except ValueError:
        errors.add("work_mode", _("Choisissez sur place, à distance ou mixte."), "bad_mode")
    chosen = list(dict.fromkeys(data.accessibility or []))
    if any(code not in ACCESSIBILITY for code in chosen):
        errors.add("accessibility", _("Choisissez dans la liste."), "bad_accessibility")
    values["accessibility"] = [code for code in ACCESSIBILITY if code in chosen]
    skills = [single_line(s, max_length=100) for s in (data.skills or "").split(",")]
    skills = [s for s in dict.fromkeys(skills) if s]
    if len(skills) > 15 or any(len(s) > 60 for s in skills):
        errors.add("skills", _("Quinze compétences au plus, de 60 caractères chacune, "
                               "séparées par des virgules."), "bad_skills")
    values["skills"] = ", ".join(skills)[:500]
    errors.check()
    return values


def search_text_for(offer: Offer) -> str:
    """The accent-free text the search index holds (bulk loaders call this too)."""
    structure = offer.structure or db.session.get(Structure, offer.structure_id)
    territory = offer.territory or (db.session.get(Territory, offer.territory_id)
                                    if offer.territory_id else None)
    sectors = []
    for sector in structure.sectors if structure else []:
        sectors.append(sector.name)
        if sector.parent is not None:
            sectors.append(sector.parent.name)
    parts = [offer.title, str(KIND_LABELS[offer.kind]), structure.display_name if structure
             else "", offer.commune, offer.postcode, territory.name if territory else "",
             offer.skills, *sectors, offer.description]
    return search.normalise(" ".join(p for p in parts if p))


def _refresh_search(offer: Offer) -> None:
    offer.search_text = search_text_for(offer)


# --- writes ---------------------------------------------------------------------------------------

def create_offer(structure: Structure, data: OfferData, *, acting: Any,
                 now: datetime | None = None) -> Offer:
    """A draft offer; the team publishes it when ready."""
    now = now or utcnow()
    require_manage(acting, structure)
    values = _clean(data, now=now)
    count = db.session.scalar(select(func.count(Offer.id)).where(
        Offer.structure_id == structure.id)) or 0
    require(count < MAX_OFFERS_PER_STRUCTURE,
            _("Cette structure a déjà %(n)s offres : supprimez ou fermez les anciennes.",
              n=MAX_OFFERS_PER_STRUCTURE), "too_many_offers")
    offer = Offer(structure_id=structure.id, state=OfferState.DRAFT,
                  created_by_id=getattr(acting, "id", None), created_at=now, updated_at=now,
                  **values)
    offer.structure = structure
    db.session.add(offer)
    db.session.flush()
    _refresh_search(offer)
    db.session.flush()
    return offer


def update_offer(offer: Offer, data: OfferData, *, acting: Any,
                 now: datetime | None = None) -> Offer:
    now = now or utcnow()
    require_manage(acting, offer.structure)
    values = _clean(data, now=now)
    for name, value in values.items():
        setattr(offer, name, value)
    offer.updated_at = now
    db.session.flush()
    db.session.refresh(offer, ["territory"])
    _refresh_search(offer)
    db.session.flush()
    return offer


def publish_offer(offer: Offer, *, acting: Any, now: datetime | None = None) -> Offer:
    """Put it online. Published once: a conditional UPDATE, so alerts go out only once."""
    now = now or utcnow()
    require_manage(acting, offer.structure)
    if offer.structure.status != StructureStatus.APPROVED:
        raise ValidationError(_("La fiche de la structure doit d'abord être validée par "
                                "l'équipe du réseau."), "structure_not_approved")
    if offer.closes_on < today(now):
        raise ValidationError(_("La date limite est passée : modifiez-la avant de publier."),
                              "closes_past", field="closes_on")
    result = db.session.execute(
        update(Offer).where(Offer.id == offer.id, Offer.state != OfferState.PUBLISHED)
        .values(state=OfferState.PUBLISHED, published_at=now, updated_at=now,
                unpublished_reason=None, unpublished_at=None)
        .execution_options(synchronize_session=False))
    db.session.refresh(offer)
    if result.rowcount == 1:
        signals.offer_published.send(offer, now=now)
    return offer


def _set_state(offer: Offer, state: OfferState, *, acting: Any, now: datetime | None,
               allowed_from: Iterable[OfferState]) -> Offer:
    require_manage(acting, offer.structure)
    if offer.state not in allowed_from:
        raise ValidationError(_("Cette offre ne peut pas passer à cet état."), "bad_transition")
    offer.state = state
    offer.updated_at = now or utcnow()
    db.session.flush()
    return offer


def fill_offer(offer: Offer, *, acting: Any, now: datetime | None = None) -> Offer:
    """Pourvue: off the public list, its page says so."""
    return _set_state(offer, OfferState.FILLED, acting=acting, now=now,
                      allowed_from=(OfferState.PUBLISHED, OfferState.CLOSED,
                                    OfferState.EXPIRED))


def close_offer(offer: Offer, *, acting: Any, now: datetime | None = None) -> Offer:
    return _set_state(offer, OfferState.CLOSED, acting=acting, now=now,
                      allowed_from=(OfferState.PUBLISHED, OfferState.DRAFT, OfferState.EXPIRED))


def delete_offer(offer: Offer, *, acting: Any) -> None:
    """Only a draft nobody answered can disappear; otherwise close it."""
    from network.offers.models import OfferAnswer

    require_manage(acting, offer.structure)
    answered = db.session.scalar(select(func.count(OfferAnswer.id)).where(
        OfferAnswer.offer_id == offer.id))
    if offer.state != OfferState.DRAFT or answered:
        raise ValidationError(_("Seul un brouillon sans réponse peut être supprimé : fermez "
                                "plutôt cette offre."), "not_deletable")
    db.session.delete(offer)
    db.session.flush()


def team_emails(structure: Structure) -> list[str]:
    """Owners and editors with a verified address (they receive the structure's mail)."""
    return list(db.session.scalars(
        select(User.email).join(OrganisationMember, OrganisationMember.user_id == User.id)
        .where(OrganisationMember.organisation_id == structure.organisation_id,
               OrganisationMember.role.in_([OrgRole.OWNER, OrgRole.EDITOR]),
               User.email_verified_at.is_not(None))
        .order_by(User.email)))


def unpublish_offer(offer: Offer, *, acting: Any, reason: str,
                    now: datetime | None = None) -> Offer:
    """Staff take an offer down (back to draft) and tell the structure why."""
    now = now or utcnow()
    require_staff(acting)
    reason = (reason or "").replace("\x00", "").strip()
    if len(reason) < 5 or len(reason) > 2000:
        raise ValidationError(_("Expliquez la raison à la structure (5 à 2000 caractères)."),
                              "reason_required", field="reason")
    if offer.state != OfferState.PUBLISHED:
        raise ValidationError(_("Cette offre n'est pas en ligne."), "not_published")
    offer.state = OfferState.DRAFT
    offer.unpublished_reason = reason
    offer.unpublished_at = now
    offer.updated_at = now
    subject = _l("Offre retirée : %(title)s", title=offer.title)
    link = external_url("offers.edit", offer_id=offer.id)
    for address in team_emails(offer.structure):
        outbox.enqueue(address, "offer_unpublished", subject=subject,
                       context={"offer": offer, "reason": reason, "link": link})
    db.session.flush()
    return offer


def expire_offers(*, now: datetime | None = None) -> int:
    """Published offers whose closing date has passed become "expired" (one UPDATE)."""
    result = db.session.execute(
        update(Offer).where(Offer.state == OfferState.PUBLISHED,
                            Offer.closes_on < today(now))
        .values(state=OfferState.EXPIRED).execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount or 0


# --- reads ----------------------------------------------------------------------------------------

def get_offer(offer_id: int) -> Offer:
    offer = db.session.get(Offer, offer_id) if 0 < offer_id < 2**31 else None
    if offer is None:
        raise NotFound(_("Cette offre n'existe pas."), "offer_not_found")
    return offer


def is_public(offer: Offer) -> bool:
    return offer.state != OfferState.DRAFT and offer.structure.status == StructureStatus.APPROVED


def is_open(offer: Offer, now: datetime | None = None) -> bool:
    return (offer.state == OfferState.PUBLISHED and offer.closes_on >= today(now)
            and offer.structure.status == StructureStatus.APPROVED)


def get_visible_offer(offer_id: int, viewer: Any, *, now: datetime | None = None) -> Offer:
    """Drafts only for the team and staff; a published offer past its date turns expired."""
    offer = get_offer(offer_id)
    if not is_public(offer) and not can_manage(viewer, offer.structure):
        raise NotFound(_("Cette offre n'existe pas ou n'est plus en ligne."), "offer_not_found")
    if offer.state == OfferState.PUBLISHED and offer.closes_on < today(now):
        offer.state = OfferState.EXPIRED
        db.session.flush()
    return offer


def get_managed_offer(offer_id: int, acting: Any) -> Offer:
    offer = get_offer(offer_id)
    require_manage(acting, offer.structure)
    return offer


def list_structure_offers(structure: Structure, *, acting: Any) -> list[Offer]:
    require_manage(acting, structure)
    expire_offers()
    return list(db.session.scalars(select(Offer).where(Offer.structure_id == structure.id)
                                   .order_by(Offer.updated_at.desc(), Offer.id.desc())))


def list_open_offers_of(structure: Structure, *, now: datetime | None = None) -> list[Offer]:
    return list(db.session.scalars(
        select(Offer).where(Offer.structure_id == structure.id, *open_conditions(now))
        .order_by(Offer.published_at.desc())))


def list_published_for_staff(limit: int = 200) -> list[Offer]:
    return list(db.session.scalars(select(Offer).where(Offer.state == OfferState.PUBLISHED)
                                   .order_by(Offer.published_at.desc()).limit(limit)))


def description_html(offer: Offer) -> str:
    return render_markdown(offer.description)


# --- labels for templates -------------------------------------------------------------------------

CHOICES = {"kinds": KIND_LABELS, "work_modes": WORK_MODE_LABELS,
           "accessibility": ACCESSIBILITY_LABELS}


@signals.staff_figures.connect
def _staff_figures(_sender) -> tuple[str, list[tuple[str, int | str, str | None]]]:
    from network.offers.models import OfferAnswer

    published = db.session.scalar(select(func.count(Offer.id)).where(*open_conditions())) or 0
    answers = db.session.scalar(select(func.count(OfferAnswer.id)).where(
        OfferAnswer.confirmed_at.is_not(None))) or 0
    return (_("Offres d'emploi et de bénévolat"), [
        (_("Offres en ligne"), published, external_url("offers.staff")),
        (_("Réponses reçues"), answers, None)])
