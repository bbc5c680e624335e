"""Offers: a structure's team writes, publishes, fills or closes them; staff may take one down.

Every write takes `acting=` and checks the right itself; nothing here commits (the request or
command edge does). Expiry is automatic: public reads never show an offer whose closing date
has passed, reading one flips it to "expired", and `flask offers expire` sweeps the rest.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from network.accounts.models import OrganisationMember, OrgRole, User
from network.core import search, signals
from network.core.auth import require, require_staff
from network.core.errors import FieldErrors, NotFound, ValidationError
from network.core.pagination import Paged
from network.core.text import check_markdown, render_markdown, single_line
from network.core.time import utcnow
from network.core.urls import external_url
from network.directory.models import (
    Sector,
    Structure,
    StructureStatus,
    Territory,
    structure_sectors,
)
from network.extensions import db
from network.offers.models import (
    ACCESSIBILITY,
    ENGAGEMENT_KINDS,
    FAMILIES,
    JOB_KINDS,
    OFFER_SEARCH,
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

PER_PAGE = 20
MAX_PER_PAGE = 100
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
    subject = single_line(_("Offre retirée : %(title)s", title=offer.title))
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
        select(Offer).where(Offer.structure_id == structure.id, *_open_conditions(now))
        .order_by(Offer.published_at.desc())))


def list_published_for_staff(limit: int = 200) -> list[Offer]:
    return list(db.session.scalars(select(Offer).where(Offer.state == OfferState.PUBLISHED)
                                   .order_by(Offer.published_at.desc()).limit(limit)))


def description_html(offer: Offer) -> str:
    return render_markdown(offer.description)


# --- search ---------------------------------------------------------------------------------------

SORTS = {"pertinence": _l("Pertinence"), "recent": _l("Les plus récentes"),
         "date-limite": _l("Date limite la plus proche"), "debut": _l("Début le plus proche")}


def _clip(values: Iterable[str | None], limit: int = 20) -> tuple[str, ...]:
    """At most `limit` distinct values of 60 characters, without control characters (a NUL
    byte would make PostgreSQL refuse the query)."""
    cleaned = (single_line(v, max_length=60) for v in values if v)
    return tuple(dict.fromkeys(v for v in cleaned if v))[:limit]


def _date_arg(value: str | None) -> date | None:
    try:
        parsed = date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None
    return parsed if date(2000, 1, 1) <= parsed <= date(2100, 1, 1) else None


@dataclass(frozen=True)
class OfferFilters:
    """The list's filters; the query-string names are shared by the page, the feed, the API
    and saved searches."""

    q: str = ""
    kinds: tuple[str, ...] = ()
    families: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    work_modes: tuple[str, ...] = ()
    starts_by: date | None = None

    ARGS = {"type": "kinds", "famille": "families", "territoire": "territories",
            "secteur": "sectors", "commune": "communes", "mode": "work_modes"}

    @classmethod
    def from_args(cls, args: Mapping) -> OfferFilters:
        values: dict[str, Any] = {}
        for arg, attr in cls.ARGS.items():
            raw = args.getlist(arg) if hasattr(args, "getlist") else (
                args.get(arg) if isinstance(args.get(arg), list) else [args.get(arg)])
            values[attr] = _clip(str(v) for v in raw or [] if v is not None)
        q = args.get("q") or ""
        if isinstance(q, list):
            q = q[0] if q else ""
        starts = args.get("debut_avant")
        if isinstance(starts, list):
            starts = starts[0] if starts else None
        return cls(q=single_line(str(q), max_length=200), starts_by=_date_arg(starts), **values)

    def to_args(self) -> dict[str, Any]:
        out: dict[str, Any] = {arg: list(getattr(self, attr)) for arg, attr in self.ARGS.items()
                               if getattr(self, attr)}
        if self.q.strip():
            out["q"] = self.q.strip()
        if self.starts_by:
            out["debut_avant"] = self.starts_by.isoformat()
        return out

    def is_empty(self) -> bool:
        return not self.to_args()

    def kind_set(self) -> set[OfferKind]:
        kinds = {k for k in OfferKind if k.value in self.kinds}
        for family in self.families:
            kinds |= FAMILIES.get(family, set())
        return kinds

    def describe(self) -> str:
        """A short French label for a saved search ("service civique · Metz · « jardin »")."""
        parts = [str(KIND_LABELS[k]) for k in OfferKind if k.value in self.kinds]
        parts += [str(f) for f in self.families]
        parts += list(self.territories) + list(self.communes) + list(self.sectors)
        if self.q.strip():
            parts.append(f"« {self.q.strip()} »")
        return single_line(" · ".join(parts) or _("toutes les offres"), max_length=200)


@dataclass
class OfferPage(Paged):
    items: list[Offer]
    total: int
    page: int
    per_page: int
    sort: str
    filters: OfferFilters


def _open_conditions(now: datetime | None = None) -> list[Any]:
    return [Offer.state == OfferState.PUBLISHED, Offer.closes_on >= today(now),
            Offer.structure_id.in_(select(Structure.id).where(
                Structure.status == StructureStatus.APPROVED))]


def _filter_conditions(filters: OfferFilters) -> list[Any]:
    conditions = []
    kinds = filters.kind_set()
    if filters.kinds or filters.families:
        conditions.append(Offer.kind.in_(sorted(kinds)) if kinds else Offer.id.is_(None))
    if filters.territories:
        conditions.append(Offer.territory_id.in_(
            select(Territory.id).where(Territory.code.in_(filters.territories))))
    if filters.sectors:
        chosen = select(Sector.id).where(Sector.code.in_(filters.sectors))
        sector_ids = select(Sector.id).where(or_(Sector.id.in_(chosen),
                                                 Sector.parent_id.in_(chosen)))
        conditions.append(Offer.structure_id.in_(
            select(structure_sectors.c.structure_id).where(
                structure_sectors.c.sector_id.in_(sector_ids))))
    if filters.communes:
        conditions.append(func.lower(Offer.commune).in_([c.lower() for c in filters.communes]))
    if filters.work_modes:
        modes = [m for m in WorkMode if m.value in filters.work_modes]
        conditions.append(Offer.work_mode.in_(modes) if modes else Offer.id.is_(None))
    if filters.starts_by:
        conditions.append(or_(Offer.starts_on.is_(None), Offer.starts_on <= filters.starts_by))
    return conditions


def search_offers(filters: OfferFilters | None = None, *, sort: str = "", page: int = 1,
                  per_page: int = PER_PAGE, now: datetime | None = None) -> OfferPage:
    """Open offers matching every word (accent- and case-free prefixes) and every filter."""
    filters = filters or OfferFilters()
    per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
    page = min(max(int(page), 1), 100_000)
    words = search.terms(filters.q)
    sort = sort if sort in SORTS else ("pertinence" if words else "recent")
    if sort == "pertinence" and not words:
        sort = "recent"
    ids, rank = search.apply(select(Offer.id), OFFER_SEARCH, filters.q)
    ids = ids.where(*_open_conditions(now), *_filter_conditions(filters))
    order = {"recent": [Offer.published_at.desc()], "date-limite": [Offer.closes_on],
             "debut": [Offer.starts_on.is_not(None), Offer.starts_on]}.get(sort)
    if order is None:
        order = [rank, Offer.published_at.desc()]
    rows = db.session.execute(ids.add_columns(func.count().over().label("total"))
                              .order_by(*order, Offer.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    page_ids = [row[0] for row in rows]
    if rows:
        total = rows[0][1]
    else:
        total = db.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    items: list[Offer] = []
    if page_ids:
        by_id = {o.id: o for o in db.session.scalars(select(Offer).where(
            Offer.id.in_(page_ids)))}
        items = [by_id[i] for i in page_ids]
    return OfferPage(items=items, total=total, page=page, per_page=per_page, sort=sort,
                     filters=filters)


def matches(filters: OfferFilters, offer: Offer) -> bool:
    """Does this one offer match a saved search? The same rules as `search_offers`, in Python
    (every word a prefix of a word of the offer's text), so alerts need no query per search."""
    kinds = filters.kind_set()
    if (filters.kinds or filters.families) and offer.kind not in kinds:
        return False
    if filters.territories and (offer.territory is None
                                or offer.territory.code not in filters.territories):
        return False
    if filters.sectors:
        codes = set()
        for sector in offer.structure.sectors:
            codes.add(sector.code)
            if sector.parent is not None:
                codes.add(sector.parent.code)
        if not codes & set(filters.sectors):
            return False
    if filters.communes and offer.commune.lower() not in {c.lower() for c in filters.communes}:
        return False
    if filters.work_modes and offer.work_mode.value not in filters.work_modes:
        return False
    if filters.starts_by and offer.starts_on and offer.starts_on > filters.starts_by:
        return False
    words = (offer.search_text or "").split()
    return all(any(w.startswith(term) for w in words) for term in search.terms(filters.q))


# --- public data: page, JSON-LD, API, feed, sitemap -----------------------------------------------

EMPLOYMENT_TYPES = {
    OfferKind.CDI: ["FULL_TIME"], OfferKind.CDD: ["TEMPORARY"], OfferKind.CDDI: ["TEMPORARY"],
    OfferKind.APPRENTICESHIP: ["TEMPORARY", "OTHER"],
    OfferKind.PROFESSIONALISATION: ["TEMPORARY", "OTHER"], OfferKind.INTERNSHIP: ["INTERN"],
    OfferKind.VOLUNTEERING: ["VOLUNTEER"], OfferKind.CIVIC_SERVICE: ["VOLUNTEER"],
    OfferKind.VOLONTARIAT: ["VOLUNTEER"],
}


def offer_url(offer: Offer) -> str:
    return external_url("offers.detail", offer_id=offer.id)


def json_ld(offer: Offer) -> dict[str, Any]:
    """schema.org `JobPosting` for both families: engagement offers say `VOLUNTEER` as their
    employmentType (schema.org has no separate volunteering type)."""
    structure = offer.structure
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "JobPosting",
        "title": offer.title,
        "description": description_html(offer),
        "datePosted": (offer.published_at or offer.created_at).date().isoformat(),
        "validThrough": f"{offer.closes_on.isoformat()}T23:59:59+01:00",
        "employmentType": EMPLOYMENT_TYPES[offer.kind],
        "hiringOrganization": {
            "@type": "Organization", "name": structure.display_name,
            "sameAs": external_url("directory.profile", structure_id=structure.id)},
        "jobLocation": {"@type": "Place", "address": {
            "@type": "PostalAddress", "addressLocality": offer.commune,
            "addressRegion": "Moselle", "addressCountry": "FR",
            **({"postalCode": offer.postcode} if offer.postcode else {})}},
        "totalJobOpenings": offer.places,
        "directApply": True,
        "url": offer_url(offer),
        "identifier": {"@type": "PropertyValue", "name": structure.display_name,
                       "value": str(offer.id)},
    }
    if offer.work_mode == WorkMode.REMOTE:
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": "FR"}
    if offer.starts_on:
        data["jobStartDate"] = offer.starts_on.isoformat()
    if offer.skill_list:
        data["skills"] = ", ".join(offer.skill_list)
    if offer.time_commitment:
        data["workHours"] = offer.time_commitment
    if offer.kind in ENGAGEMENT_KINDS:
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "EUR", "value": 0}
    return data


def public_dict(offer: Offer) -> dict[str, Any]:
    """Only what the public page shows (never who answered)."""
    return {
        "id": offer.id,
        "titre": offer.title,
        "type": {"code": offer.kind.value, "libelle": str(KIND_LABELS[offer.kind])},
        "famille": "emploi" if offer.kind in JOB_KINDS else "engagement",
        "etat": offer.state.value,
        "description": offer.description,
        "structure": {"id": offer.structure.id, "nom": offer.structure.display_name,
                      "url": external_url("directory.profile", structure_id=offer.structure.id)},
        "commune": offer.commune,
        "code_postal": offer.postcode or None,
        "territoire": {"code": offer.territory.code, "nom": offer.territory.name}
        if offer.territory else None,
        "debut": offer.starts_on.isoformat() if offer.starts_on else None,
        "temps": offer.time_commitment or None,
        "places": offer.places,
        "modalite": offer.work_mode.value,
        "accessibilite": [{"code": c, "libelle": str(ACCESSIBILITY_LABELS[c])}
                          for c in offer.accessibility or [] if c in ACCESSIBILITY_LABELS],
        "competences": offer.skill_list,
        "date_limite": offer.closes_on.isoformat(),
        "publiee_le": offer.published_at.isoformat() if offer.published_at else None,
        "url": offer_url(offer),
    }


def api_page(args: Mapping, *, now: datetime | None = None) -> dict[str, Any]:
    """GET /api/v1/offers: the same filters as the page, paginated."""
    try:
        page = int(args.get("page", 1))
        per_page = int(args.get("per_page", PER_PAGE))
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("page et per_page doivent être des nombres entiers."),
                              "invalid_page") from exc
    if not (1 <= page <= 100_000 and 1 <= per_page <= MAX_PER_PAGE):
        raise ValidationError(_("page va de 1 à 100000 et per_page de 1 à %(n)s.",
                                n=MAX_PER_PAGE), "invalid_page")
    filters = OfferFilters.from_args(args)
    result = search_offers(filters, sort=str(args.get("tri", "")), page=page,
                           per_page=per_page, now=now)
    return {"total": result.total, "page": result.page, "per_page": result.per_page,
            "pages": result.pages, "offres": [public_dict(o) for o in result.items]}


def atom_feed(filters: OfferFilters, *, now: datetime | None = None) -> bytes:
    """The 50 latest open offers matching the filters, as Atom 1.0."""
    from xml.etree import ElementTree as ET

    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    result = search_offers(filters, sort="recent", per_page=50, now=now)
    feed = ET.Element(f"{{{ns}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "fr"})
    args = filters.to_args()
    self_url = external_url("offers.feed", **args)
    ET.SubElement(feed, f"{{{ns}}}id").text = self_url
    ET.SubElement(feed, f"{{{ns}}}title").text = _("Offres d'emploi et de bénévolat — "
                                                    "Réseau ESS Moselle")
    if filters.to_args():
        ET.SubElement(feed, f"{{{ns}}}subtitle").text = filters.describe()
    latest = max((o.published_at for o in result.items if o.published_at),
                 default=now or utcnow())
    ET.SubElement(feed, f"{{{ns}}}updated").text = latest.isoformat()
    ET.SubElement(feed, f"{{{ns}}}link", {"rel": "self", "href": self_url,
                                          "type": "application/atom+xml"})
    ET.SubElement(feed, f"{{{ns}}}link", {"rel": "alternate", "type": "text/html",
                                          "href": external_url("offers.index", **args)})
    author = ET.SubElement(feed, f"{{{ns}}}author")
    ET.SubElement(author, f"{{{ns}}}name").text = "Réseau ESS Moselle"
    for offer in result.items:
        entry = ET.SubElement(feed, f"{{{ns}}}entry")
        ET.SubElement(entry, f"{{{ns}}}id").text = offer_url(offer)
        ET.SubElement(entry, f"{{{ns}}}title").text = (
            f"{offer.title} — {offer.structure.display_name} ({offer.commune})")
        stamp = (offer.published_at or offer.created_at).isoformat()
        ET.SubElement(entry, f"{{{ns}}}updated").text = stamp
        ET.SubElement(entry, f"{{{ns}}}published").text = stamp
        ET.SubElement(entry, f"{{{ns}}}link", {"rel": "alternate", "type": "text/html",
                                               "href": offer_url(offer)})
        ET.SubElement(entry, f"{{{ns}}}category", {"term": offer.kind.value,
                                                   "label": str(KIND_LABELS[offer.kind])})
        summary = ET.SubElement(entry, f"{{{ns}}}summary", {"type": "text"})
        summary.text = _("%(kind)s · %(commune)s · date limite %(date)s",
                         kind=KIND_LABELS[offer.kind], commune=offer.commune,
                         date=offer.closes_on.strftime("%d/%m/%Y"))
        content = ET.SubElement(entry, f"{{{ns}}}content", {"type": "html"})
        content.text = description_html(offer)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


def sitemap_entries(*, now: datetime | None = None, limit: int = 40_000
                    ) -> list[tuple[str, datetime | None]]:
    rows = db.session.execute(select(Offer.id, Offer.updated_at).where(*_open_conditions(now))
                              .order_by(Offer.id).limit(limit)).all()
    return [(external_url("offers.detail", offer_id=i), updated) for i, updated in rows]


# --- labels for templates -------------------------------------------------------------------------

CHOICES = {"kinds": KIND_LABELS, "work_modes": WORK_MODE_LABELS,
           "accessibility": ACCESSIBILITY_LABELS}


@signals.staff_figures.connect
def _staff_figures(_sender) -> tuple[str, list[tuple[str, int | str, str | None]]]:
    from network.offers.models import OfferAnswer

    published = db.session.scalar(select(func.count(Offer.id)).where(*_open_conditions())) or 0
    answers = db.session.scalar(select(func.count(OfferAnswer.id)).where(
        OfferAnswer.confirmed_at.is_not(None))) or 0
    return (_("Offres d'emploi et de bénévolat"), [
        (_("Offres en ligne"), published, external_url("offers.staff")),
        (_("Réponses reçues"), answers, None)])
