"""Finding structures: the text the core search service indexes, the public search with its
filters and pages, the staff list, and the territory of a published organisation name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from network.core import search as fulltext
from network.core.pagination import Paged
from network.directory.models import (
    BUYER_KINDS,
    LABELS,
    LEGAL_FORMS,
    SIAE_KINDS,
    STRUCTURE_SEARCH,
    BuyerKind,
    LegalForm,
    PurchaseCategory,
    Sector,
    Structure,
    StructureLabel,
    StructureOffering,
    StructureStatus,
    Territory,
    structure_sectors,
)
from network.directory.seeds import french
from network.extensions import db

PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000  # an OFFSET beyond what any engine accepts is never built
SORTS = {"pertinence": _l("Pertinence"), "nom": _l("Nom"), "recent": _l("Inscription récente"),
         "commune": _l("Commune")}


# --- the indexed text ---------------------------------------------------------------------------


def search_text_for(*, name: str, trade_name: str | None = None, commune: str = "",
                    postcode: str = "", territory: str | None = None,
                    sectors: Iterable[str] = (), categories: Iterable[str] = (),
                    legal_form: LegalForm | None = None, buyer_kind: BuyerKind | None = None,
                    labels: Iterable[str] = (), description: str = "") -> str:
    """The accent-free text both engines index (bulk loaders call this too)."""
    parts = [name, trade_name or "", commune, postcode, territory or "", *sectors, *categories,
             french(LEGAL_FORMS[legal_form][0]) if legal_form else "",
             french(BUYER_KINDS[buyer_kind]) if buyer_kind and buyer_kind != BuyerKind.NONE
             else "",
             *(french(LABELS.get(code, code)) for code in labels), description]
    return fulltext.normalise(" ".join(p for p in parts if p))


def refresh_search_text(structure: Structure) -> None:
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
    structure.sort_name = fulltext.normalise(structure.display_name)[:200]


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
        refresh_search_text(structure)
        count += 1
    return count


# --- public search ------------------------------------------------------------------------------


def _arg_values(raw: Iterable[str | None]) -> tuple[str, ...]:
    """Filter values from a query string: NUL and blanks dropped, 60 characters, 20 values."""
    cleaned = (v.replace("\x00", "").strip()[:60] for v in raw if v)
    return tuple(dict.fromkeys(v for v in cleaned if v))[:20]


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
            values[attr] = _arg_values(raw)
        return cls(**values)

    def to_args(self) -> dict[str, list[str]]:
        return {arg: list(getattr(self, attr)) for arg, attr in self.ARGS.items()
                if getattr(self, attr)}

    def is_empty(self) -> bool:
        return not any(getattr(self, attr) for attr in self.ARGS.values())


@dataclass
class SearchPage(Paged):
    items: list[Structure]
    total: int
    page: int
    per_page: int
    sort: str
    query: str = ""
    filters: SearchFilters = field(default_factory=SearchFilters)


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
        forms = [f for f in LegalForm if f.value in filters.legal_forms]
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


def matching_labels(query: str, items: Iterable, limit: int = 5) -> list:
    """Reference items (sectors, categories) whose label in the page's language holds every
    word of `query` as a word prefix. The index is French: a visitor reading English or German
    who types "catering" is offered the category's filter instead of an empty page."""
    words = fulltext.terms(query)
    if not words:
        return []
    found = []
    for item in items:
        label_words = fulltext.normalise(str(item.label)).split()
        if all(any(w.startswith(word) for w in label_words) for word in words):
            found.append(item)
    return found[:limit]


def search_structures(query: str = "", filters: SearchFilters | None = None,
                      sort: str = "", page: int = 1, per_page: int = PER_PAGE) -> SearchPage:
    """Published structures matching every word (accent- and case-insensitive) and filters."""
    filters = filters or SearchFilters()
    per_page = min(max(int(per_page), 1), MAX_PER_PAGE)
    page = min(max(int(page), 1), MAX_PAGE)
    words = fulltext.terms(query)
    sort = sort if sort in SORTS else ("pertinence" if words else "nom")
    if sort == "pertinence" and not words:
        sort = "nom"
    ids, rank = fulltext.apply(select(Structure.id), STRUCTURE_SEARCH, query)
    ids = ids.where(*_filtered(filters))
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
        found = db.session.scalars(select(Structure).where(Structure.id.in_(page_ids)).options(
            selectinload(Structure.offerings), selectinload(Structure.labels),
            selectinload(Structure.sectors)))
        by_id = {s.id: s for s in found}
        items = [by_id[i] for i in page_ids]
    return SearchPage(items=items, total=total, page=page, per_page=per_page, sort=sort,
                      query=(query or "").replace("\x00", ""), filters=filters)


# --- staff and other domains ----------------------------------------------------------------------


def list_structures_for_staff(status: str | None = None, q: str = "") -> list[Structure]:
    query = select(Structure).order_by(Structure.sort_name)
    if status in {s.value for s in StructureStatus}:
        query = query.where(Structure.status == StructureStatus(status))
    for word in fulltext.terms(q):
        query = query.where(Structure.search_text.like(f"%{word}%"))
    return list(db.session.scalars(query.limit(500)))


def list_pending_structures() -> list[Structure]:
    return list(db.session.scalars(select(Structure).where(
        Structure.status == StructureStatus.PENDING).order_by(Structure.created_at)))


def territory_of_organisation_name(name: str | None) -> str | None:
    """Territory name of the published structure with this name (events' figures use it)."""
    key = fulltext.normalise(name)
    if not key:
        return None
    return db.session.scalar(
        select(Territory.name).join(Structure, Structure.territory_id == Territory.id)
        .where(Structure.status == StructureStatus.APPROVED,
               or_(Structure.sort_name == key,
                   func.lower(Structure.name) == name.replace("\x00", "").lower()))
        .limit(1))
