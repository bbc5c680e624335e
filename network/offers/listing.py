"""Finding offers: the list's filters (shared by the page, the feed, the API and saved
searches), the search itself and the same rules in Python for alerts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from network.core import search
from network.core.pagination import Paged
from network.core.text import single_line
from network.directory.models import (
    Sector,
    Structure,
    StructureStatus,
    Territory,
    structure_sectors,
)
from network.extensions import db
from network.offers.models import FAMILIES, OFFER_SEARCH, Offer, OfferKind, OfferState, WorkMode
from network.offers.rules import FAMILY_LABELS, KIND_LABELS, today

PER_PAGE = 20
MAX_PER_PAGE = 100

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
class ReferenceNames:
    """Territory and sector names by code, for labels that show names, not codes."""

    territories: Mapping[str, str]
    sectors: Mapping[str, str]


def reference_names(territories: Iterable[str] | None = None,
                    sectors: Iterable[str] | None = None) -> ReferenceNames:
    """The names of these codes (`None`: every code — one query each for a batch)."""
    def load(model, codes):
        if codes is not None and not codes:
            return {}
        query = select(model.code, model.name)
        if codes is not None:
            query = query.where(model.code.in_(list(codes)))
        return dict(db.session.execute(query).all())

    return ReferenceNames(territories=load(Territory, None if territories is None
                                           else tuple(territories)),
                          sectors=load(Sector, None if sectors is None else tuple(sectors)))


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

    def describe(self, names: ReferenceNames | None = None) -> str:
        """A short label for a saved search in the current language ("Service civique ·
        Metz · « jardin »"): built when shown, so a mail reads in its recipient's language.
        `names` (territory and sector names by code) spares queries when describing many."""
        parts = [str(KIND_LABELS[k]) for k in OfferKind if k.value in self.kinds]
        parts += [str(FAMILY_LABELS.get(f, f)) for f in self.families]
        names = names or reference_names(self.territories, self.sectors)
        parts += [names.territories.get(t, t) for t in self.territories]
        parts += list(self.communes)
        parts += [names.sectors.get(s, s) for s in self.sectors]
        if self.q.strip():
            parts.append(_("« %(words)s »", words=self.q.strip()))
        return single_line(" · ".join(parts) or _("toutes les offres"), max_length=200)


@dataclass
class OfferPage(Paged):
    items: list[Offer]
    total: int
    page: int
    per_page: int
    sort: str
    filters: OfferFilters


def open_conditions(now: datetime | None = None) -> list[Any]:
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
    ids = ids.where(*open_conditions(now), *_filter_conditions(filters))
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
