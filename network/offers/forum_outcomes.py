"""What the forum achieved: each exhibitor reports, per offer it brought, how many people it
hired or welcomed as volunteers; staff read the figures by territory, sector and kind of offer
(a chart with its table) and download them as CSV."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from network.core.auth import require_staff
from network.core.errors import Conflict, FieldErrors
from network.core.exports import csv_bytes
from network.core.time import as_utc, utcnow
from network.extensions import db
from network.offers.models import ExhibitorStatus, ForumExhibitor, ForumOutcome
from network.offers.rules import KIND_LABELS, require_manage

MAX_COUNT = 1000


def _parse(value: Any) -> int | None:
    try:
        number = int(str(value).strip() or "0")
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= MAX_COUNT else None


def report(exhibitor: ForumExhibitor, counts: dict[int, tuple[Any, Any]], *, acting: Any,
           now: datetime | None = None) -> list[ForumOutcome]:
    """counts: offer id -> (hired, volunteers). Once the forum has started; again to correct."""
    now = now or utcnow()
    require_manage(acting, exhibitor.structure)
    if exhibitor.status != ExhibitorStatus.ACCEPTED:
        raise Conflict(_("Seuls les exposants acceptés rendent compte du forum."),
                       "not_accepted")
    if now < as_utc(exhibitor.event.start_at):
        raise Conflict(_("Le bilan s'ouvre le jour du forum."), "too_early")
    brought = {o.id for o in exhibitor.offers}
    errors = FieldErrors()
    clean: dict[int, tuple[int, int]] = {}
    for offer_id, (hired, volunteers) in counts.items():
        if offer_id not in brought:
            continue
        h, v = _parse(hired), _parse(volunteers)
        if h is None:
            errors.add(f"hired_{offer_id}", _("Un nombre entre 0 et %(n)s.", n=MAX_COUNT),
                       "bad_count")
        if v is None:
            errors.add(f"volunteers_{offer_id}", _("Un nombre entre 0 et %(n)s.", n=MAX_COUNT),
                       "bad_count")
        if h is not None and v is not None:
            clean[offer_id] = (h, v)
    errors.check()
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    by = getattr(acting, "id", None)
    for offer_id, (h, v) in clean.items():
        stmt = insert(ForumOutcome).values(exhibitor_id=exhibitor.id, offer_id=offer_id,
                                           hired=h, volunteers=v, reported_by_id=by,
                                           reported_at=now)
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["exhibitor_id", "offer_id"],
            set_={"hired": h, "volunteers": v, "reported_by_id": by, "reported_at": now}))
    db.session.flush()
    return outcomes_of(exhibitor)


def outcomes_of(exhibitor: ForumExhibitor) -> list[ForumOutcome]:
    return list(db.session.scalars(select(ForumOutcome).where(
        ForumOutcome.exhibitor_id == exhibitor.id).execution_options(populate_existing=True)))


@dataclass
class Figures:
    exhibitors: int
    reported: int
    hired: int
    volunteers: int
    by_territory: list[tuple[str, int, int]]
    by_sector: list[tuple[str, int, int]]
    by_kind: list[tuple[str, int, int]]
    rows: list[tuple[str, str, str, str, str, int, int]]


def figures(event: Any, *, acting: Any) -> Figures:
    """Staff only: the totals, and (label, hired, volunteers) per territory, sector, kind."""
    require_staff(acting)
    exhibitors = list(db.session.scalars(select(ForumExhibitor).where(
        ForumExhibitor.event_id == event.id,
        ForumExhibitor.status == ExhibitorStatus.ACCEPTED)))
    by_id = {e.id: e for e in exhibitors}
    outcomes = list(db.session.scalars(select(ForumOutcome).where(
        ForumOutcome.exhibitor_id.in_(list(by_id) or [-1])).order_by(ForumOutcome.id)))
    territory: Counter[tuple[str, str]] = Counter()
    sector: Counter[tuple[str, str]] = Counter()
    kind: Counter[tuple[str, str]] = Counter()
    rows = []
    for o in outcomes:
        s = by_id[o.exhibitor_id].structure
        t_name = s.territory.name if s.territory else _("Sans territoire")
        k_name = str(KIND_LABELS[o.offer.kind])
        sectors = sorted({x.parent.name if x.parent else x.name for x in s.sectors}) or [
            _("Sans secteur")]
        for key, counter in ((t_name, territory), (k_name, kind)):
            counter[(key, "h")] += o.hired
            counter[(key, "v")] += o.volunteers
        for name in sectors:
            sector[(name, "h")] += o.hired
            sector[(name, "v")] += o.volunteers
        rows.append((s.display_name, o.offer.title, k_name, t_name, ", ".join(sectors),
                     o.hired, o.volunteers))

    def table(counter: Counter[tuple[str, str]]) -> list[tuple[str, int, int]]:
        names = sorted({k for k, _x in counter})
        return sorted(((n, counter[(n, "h")], counter[(n, "v")]) for n in names),
                      key=lambda r: (-(r[1] + r[2]), r[0]))

    return Figures(exhibitors=len(exhibitors),
                   reported=len({o.exhibitor_id for o in outcomes}),
                   hired=sum(o.hired for o in outcomes),
                   volunteers=sum(o.volunteers for o in outcomes),
                   by_territory=table(territory), by_sector=table(sector), by_kind=table(kind),
                   rows=rows)


def figures_csv(event: Any, *, acting: Any) -> bytes:
    data = figures(event, acting=acting)
    header = [_("Structure"), _("Offre"), _("Type"), _("Territoire"), _("Secteurs"),
              _("Personnes recrutées"), _("Bénévoles accueilli·es")]
    return csv_bytes(header, data.rows)
