"""The network's figures as charts: members, events, mail; filtered by period and territory.

Read-only queries over the other domains' tables (read-mostly is allowed to staff pages);
grouping by month is done here in Python on the Europe/Paris date, so SQLite and PostgreSQL
give the same answer.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from network.core.auth import require_staff
from network.core.charts import Chart, Tile
from network.core.errors import FieldErrors
from network.core.exports import csv_bytes
from network.core.time import PARIS, paris_to_utc, to_paris, utcnow
from network.directory.models import (
    LEGAL_FORMS,
    Sector,
    Structure,
    StructureStatus,
    Territory,
    structure_sectors,
)
from network.events.models import KIND_LABELS, Event, EventStatus, Registration
from network.events.models import RegistrationStatus as R
from network.extensions import db
from network.outbox.models import OutboxMessage, OutboxStatus

CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,59}")

# Where each known territory sits on the schematic map (column, row), roughly as on a map
# of the Moselle: Thionville north-west, Metz below, the coal basin east, Sarrebourg south.
# A territory staff add later gets the next free square of the bottom row.
LAYOUT = {
    "thionville": (0, 0),
    "forbach-boulay": (1, 0),
    "metz": (0, 1),
    "sarreguemines-bitche": (2, 1),
    "sarrebourg-chateau-salins": (1, 2),
}


def is_code(value: str) -> bool:
    """A reference-list code (letters, digits, dashes): anything else never reaches a query
    (PostgreSQL refuses NUL bytes that SQLite would take)."""
    return bool(CODE.fullmatch(value))


@dataclass(frozen=True)
class Filters:
    start: date
    end: date  # inclusive
    territory: Territory | None = None

    @property
    def start_utc(self) -> datetime:
        return paris_to_utc(datetime.combine(self.start, time.min))

    @property
    def end_utc(self) -> datetime:
        return paris_to_utc(datetime.combine(self.end + timedelta(days=1), time.min))

    def args(self, **over: Any) -> dict[str, str]:
        values = {"du": self.start.isoformat(), "au": self.end.isoformat(),
                  "territoire": self.territory.code if self.territory else ""}
        values.update(over)
        return {k: v for k, v in values.items() if v}


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months, whole months."""
    start = date(today.year - 1, today.month, 1)
    if today.month == 12:
        start = date(today.year, 1, 1)
    return start, today


def parse_filters(args: dict[str, str], *, today: date | None = None) -> Filters:
    """`du`, `au` (YYYY-MM-DD) and `territoire` (code) from the query string, every bad one
    named at once (422 with a French message at the field)."""
    today = today or utcnow().astimezone(PARIS).date()
    start, end = default_period(today)
    errors = FieldErrors()
    parsed: dict[str, date] = {}
    for name, default in (("du", start), ("au", end)):
        raw = (args.get(name) or "").strip()
        if not raw:
            parsed[name] = default
            continue
        try:
            value = date.fromisoformat(raw[:10]) if len(raw) <= 10 else None
        except ValueError:
            value = None
        if value is None or not 2000 <= value.year <= 2100:
            errors.add(name, _("Date invalide (attendu : AAAA-MM-JJ, entre 2000 et 2100)."),
                       "bad_date")
        else:
            parsed[name] = value
    territory = None
    code = (args.get("territoire") or "").strip()
    if code:
        territory = db.session.scalar(select(Territory).where(Territory.code == code)) \
            if is_code(code) else None
        if territory is None:
            errors.add("territoire", _("Territoire inconnu."), "unknown_territory")
    if "du" in parsed and "au" in parsed and parsed["du"] > parsed["au"]:
        errors.add("au", _("La fin de la période précède son début."), "bad_period")
    errors.check()
    return Filters(parsed["du"], parsed["au"], territory)


def months(f: Filters) -> list[tuple[int, int]]:
    out, y, m = [], f.start.year, f.start.month
    while (y, m) <= (f.end.year, f.end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def month_label(ym: tuple[int, int]) -> str:
    """"déc. 2026", "Dec 2026", "Dez. 2026": the month in the current language."""
    from flask_babel import format_date

    return format_date(date(ym[0], ym[1], 1), "MMM y")


def _month_of(value: datetime) -> tuple[int, int]:
    local = to_paris(value)
    return local.year, local.month


def _per_month(f: Filters, stamps: list[datetime]) -> list[tuple[str, float]]:
    counts = Counter(_month_of(s) for s in stamps)
    return [(month_label(ym), counts.get(ym, 0)) for ym in months(f)]


# --- members -------------------------------------------------------------------------------


def _members_query(f: Filters):
    q = select(Structure).where(Structure.status == StructureStatus.APPROVED,
                                Structure.approved_at.is_not(None),
                                Structure.approved_at < f.end_utc)
    if f.territory is not None:
        q = q.where(Structure.territory_id == f.territory.id)
    return q


def members_over_time(f: Filters) -> Chart:
    """Members at the end of each month (published structures, by approval date)."""
    stamps = sorted(db.session.scalars(
        select(Structure.approved_at).where(*(_members_query(f).whereclause,))).all())
    rows, i = [], 0
    for y, m in months(f):
        end = paris_to_utc(datetime(y + (m == 12), 1 if m == 12 else m + 1, 1))
        while i < len(stamps) and stamps[i] < end:
            i += 1
        rows.append((month_label((y, m)), i))
    return Chart(_("Structures membres, fin de mois"), rows, unit=_("structures"),
                 kind="line", key="members-time", header=(_("Mois"), _("Structures")))


def members_joined(f: Filters) -> Chart:
    stamps = db.session.scalars(select(Structure.approved_at).where(
        _members_query(f).whereclause, Structure.approved_at >= f.start_utc)).all()
    return Chart(_("Nouvelles structures membres par mois"), _per_month(f, stamps),
                 unit=_("structures"), key="members-joined",
                 header=(_("Mois"), _("Nouvelles structures")))


def members_by_territory(f: Filters) -> Chart:
    rows = db.session.execute(
        select(Territory.name, Structure.id).select_from(Structure)
        .outerjoin(Territory, Territory.id == Structure.territory_id)
        .where(_members_query(f).whereclause)).all()
    counts = Counter(name or _("Non renseigné") for name, _id in rows)
    return Chart(_("Structures membres par territoire"), counts.most_common(),
                 unit=_("structures"), key="members-territory",
                 header=(_("Territoire"), _("Structures")))


def members_by_legal_form(f: Filters) -> Chart:
    forms = db.session.scalars(select(Structure.legal_form)
                               .where(_members_query(f).whereclause)).all()
    counts = Counter(LEGAL_FORMS[form][0] for form in forms)
    return Chart(_("Structures membres par forme juridique"), counts.most_common(),
                 unit=_("structures"), key="members-form",
                 header=(_("Forme juridique"), _("Structures")))


def members_by_sector(f: Filters) -> Chart:
    """By top-level sector (a sub-sector counts for its parent, a structure once per sector)."""
    rows = db.session.execute(
        select(Structure.id, Sector.id, Sector.parent_id)
        .join(structure_sectors, structure_sectors.c.structure_id == Structure.id)
        .join(Sector, Sector.id == structure_sectors.c.sector_id)
        .where(_members_query(f).whereclause)).all()
    labels = {s.id: s.label for s in db.session.scalars(select(Sector))}  # page's language
    pairs = {(sid, labels[parent_id or sector_id]) for sid, sector_id, parent_id in rows}
    counts = Counter(name for _sid, name in pairs)
    return Chart(_("Structures membres par secteur"), counts.most_common(),
                 unit=_("structures"), key="members-sector",
                 header=(_("Secteur"), _("Structures")))


# --- events ----------------------------------------------------------------------------------


def _events_query(f: Filters):
    q = select(Event).where(Event.start_at >= f.start_utc, Event.start_at < f.end_utc)
    if f.territory is not None:
        q = q.where(Event.territory_id == f.territory.id)
    return q


def _registrations(f: Filters):
    q = (select(Registration.created_at, Registration.status, Registration.waitlisted_at,
                Registration.checked_in_at, Registration.attended, Event.kind, Event.id,
                Event.title, Event.end_at, Event.status, Territory.name)
         .join(Event, Event.id == Registration.event_id)
         .join(Territory, Territory.id == Event.territory_id)
         .where(Registration.created_at >= f.start_utc, Registration.created_at < f.end_utc))
    if f.territory is not None:
        q = q.where(Event.territory_id == f.territory.id)
    return db.session.execute(q).all()


def registrations_per_month(f: Filters) -> Chart:
    rows = [r for r in _registrations(f) if r[1] != R.EXPIRED]
    return Chart(_("Inscriptions aux événements par mois"), _per_month(f, [r[0] for r in rows]),
                 unit=_("inscriptions"), kind="line", key="registrations-time",
                 header=(_("Mois"), _("Inscriptions")))


def attendance_rate(f: Filters, now: datetime | None = None, rows=None) -> Chart:
    """Per past event: people let in (or marked present) out of confirmed registrations."""
    now = now or utcnow()
    per_event: dict[str, list[int]] = {}
    for row in _registrations_of_events(f) if rows is None else rows:
        if row["end_at"] >= now or row["event_status"] == EventStatus.CANCELLED:
            continue
        seen = per_event.setdefault(row["title"], [0, 0])
        if row["status"] == R.CONFIRMED:
            seen[1] += 1
            seen[0] += row["came"]
    rows = [(title, round(100 * came_ / total, 1)) for title, (came_, total)
            in per_event.items() if total]
    return Chart(_("Taux de présence des événements passés (%)"), rows, unit="%",
                 key="attendance", header=(_("Événement"), _("Présents / inscrits (%)")))


def _registrations_of_events(f: Filters) -> list[dict[str, Any]]:
    """Registrations of the events held in the period (not registered in it)."""
    q = (select(Registration.status, Registration.checked_in_at, Registration.attended,
                Registration.waitlisted_at, Event.title, Event.end_at, Event.status, Event.kind,
                Territory.name)
         .join(Event, Event.id == Registration.event_id)
         .join(Territory, Territory.id == Event.territory_id)
         .where(_events_query(f).whereclause)
         .order_by(Event.start_at))
    return [{"status": s, "came": int(c is not None or a is True), "waitlisted": w is not None,
             "title": t, "end_at": e, "event_status": es, "kind": k, "territory": tn}
            for s, c, a, w, t, e, es, k, tn in db.session.execute(q).all()]


def waitlist_use(f: Filters, rows=None) -> Chart:
    counts: dict[str, int] = {}
    for row in _registrations_of_events(f) if rows is None else rows:
        counts.setdefault(row["title"], 0)
        counts[row["title"]] += row["waitlisted"]
    return Chart(_("Passages par la liste d'attente, par événement"), list(counts.items()),
                 unit=_("personnes"), key="waitlist",
                 header=(_("Événement"), _("Personnes passées par la liste d'attente")))


def registrations_by_kind(f: Filters, rows=None) -> Chart:
    rows = _registrations_of_events(f) if rows is None else rows
    counts = Counter(KIND_LABELS[row["kind"]] for row in rows if row["status"] == R.CONFIRMED)
    return Chart(_("Inscriptions confirmées par type d'événement"), counts.most_common(),
                 unit=_("inscriptions"), key="registrations-kind",
                 header=(_("Type d'événement"), _("Inscriptions confirmées")))


def registrations_by_territory(f: Filters, rows=None) -> Chart:
    rows = _registrations_of_events(f) if rows is None else rows
    counts = Counter(row["territory"] for row in rows if row["status"] == R.CONFIRMED)
    return Chart(_("Inscriptions confirmées par territoire de l'événement"),
                 counts.most_common(), unit=_("inscriptions"), key="registrations-territory",
                 header=(_("Territoire"), _("Inscriptions confirmées")))


# --- mail ------------------------------------------------------------------------------------


def mails(f: Filters) -> Chart:
    """Sent and failed per month (territory does not apply to mail: not filtered by it)."""
    rows = db.session.execute(select(OutboxMessage.created_at, OutboxMessage.status).where(
        OutboxMessage.created_at >= f.start_utc, OutboxMessage.created_at < f.end_utc)).all()
    sent = Counter(_month_of(c) for c, s in rows if s == OutboxStatus.SENT)
    failed = Counter(_month_of(c) for c, s in rows if s == OutboxStatus.FAILED)
    table = [(month_label(ym), sent.get(ym, 0)) for ym in months(f)]
    return Chart(_("Courriels envoyés par mois"), table, unit=_("courriels"), kind="line",
                 key="mails", header=(_("Mois"), _("Envoyés")),
                 extra={"failed": [(month_label(ym), failed.get(ym, 0)) for ym in months(f)]},
                 notes=_("%(n)s en échec sur la période.", n=sum(failed.values())))


# --- the catalogue ---------------------------------------------------------------------------

FIGURES = {
    "membres-temps": members_over_time,
    "membres-adhesions": members_joined,
    "membres-territoires": members_by_territory,
    "membres-formes": members_by_legal_form,
    "membres-secteurs": members_by_sector,
    "inscriptions-temps": registrations_per_month,
    "presence": attendance_rate,
    "liste-attente": waitlist_use,
    "inscriptions-types": registrations_by_kind,
    "inscriptions-territoires": registrations_by_territory,
    "courriels": mails,
}

# What the map can colour territories by.
MAP_FIGURES = {
    "membres": lambda f: _("Structures membres"),
    "inscriptions": lambda f: _("Inscriptions confirmées"),
    "evenements": lambda f: _("Événements tenus"),
}


#: The charts that read the registrations of the events held in the period: one query for all.
PER_EVENT = {"presence", "liste-attente", "inscriptions-types", "inscriptions-territoires"}


def all_charts(f: Filters, *, acting: Any) -> list[tuple[str, Chart]]:
    require_staff(acting)
    rows = _registrations_of_events(f)
    return [(slug, build(f, rows=rows) if slug in PER_EVENT else build(f))
            for slug, build in FIGURES.items()]


def chart(slug: str, f: Filters, *, acting: Any) -> Chart:
    require_staff(acting)
    from network.core.errors import NotFound

    if slug not in FIGURES:
        raise NotFound(_("Ce chiffre n'existe pas."), "unknown_figure")
    return FIGURES[slug](f)


def chart_csv(c: Chart) -> bytes:
    header = list(c.header)
    rows = [list(r) for r in c.rows]
    if "failed" in c.extra:
        header.append(_("En échec"))
        for row, (_label, failed) in zip(rows, c.extra["failed"], strict=True):
            row.append(failed)
    return csv_bytes(header, rows)


def map_values(by: str, f: Filters) -> dict[int, float]:
    """Per territory id, over the whole department (the territory filter does not apply)."""
    whole = Filters(f.start, f.end, None)
    if by == "inscriptions":
        q = (select(Event.territory_id, Registration.id).join(Event)
             .where(_events_query(whole).whereclause, Registration.status == R.CONFIRMED))
    elif by == "evenements":
        q = select(Event.territory_id, Event.id).where(
            _events_query(whole).whereclause, Event.status != EventStatus.CANCELLED)
    else:
        q = select(Structure.territory_id, Structure.id).where(_members_query(whole).whereclause)
    return dict(Counter(tid for tid, _x in db.session.execute(q).all() if tid is not None))


def territory_tiles(by: str, f: Filters, href) -> list[Tile]:
    """Every active territory gets a tile: known ones where they lie, new ones in a row
    below, in their list order."""
    values = map_values(by, f)
    territories = db.session.scalars(select(Territory).where(Territory.is_active)
                                     .order_by(Territory.position, Territory.name)).all()
    used = {LAYOUT[t.code] for t in territories if t.code in LAYOUT}
    bottom = max((r for _c, r in used), default=-1) + 1
    col, tiles = 0, []
    for t in territories:
        if t.code in LAYOUT:
            c, r = LAYOUT[t.code]
        else:
            c, r = col % 3, bottom + col // 3
            col += 1
        tiles.append(Tile(t.code, t.name, c, r, values.get(t.id, 0), href(t.code)))
    return tiles


def list_territories() -> list[Territory]:
    return list(db.session.scalars(select(Territory).where(Territory.is_active)
                                   .order_by(Territory.position, Territory.name)))
