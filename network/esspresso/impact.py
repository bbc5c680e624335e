"""The Département's responsible-purchasing figures: meetings held, follow-ups and contracts
reported, by purchase category, territory and kind of supplier; a chart, its table, a CSV.

A meeting counts as held when an organiser marked it so, or (unmarked) when one side reports
it held; a follow-up or a contract counts when either side reports it (each meeting once).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from network.core.auth import require_staff
from network.core.exports import csv_bytes
from network.esspresso import adapters
from network.esspresso.models import KIND, PurchaseNeed, SupplierOffer
from network.extensions import db
from network.meetings.models import (
    Attendance,
    FollowUp,
    Meeting,
    MeetingOutcome,
    MeetingSession,
)

DIMENSIONS = ("category", "territory", "supplier_kind")


@dataclass
class Line:
    label: str
    meetings: int = 0
    held: int = 0
    follow_ups: int = 0
    contracts: int = 0


@dataclass
class Figures:
    totals: Line
    by: dict[str, list[Line]] = field(default_factory=dict)
    sessions: list[MeetingSession] = field(default_factory=list)


def dimension_titles() -> dict[str, str]:
    return {"category": _("Par catégorie d'achat"), "territory": _("Par territoire"),
            "supplier_kind": _("Par type de fournisseur")}


def chart_titles() -> dict[str, str]:
    return {"category": _("Rendez-vous tenus par catégorie d'achat"),
            "territory": _("Rendez-vous tenus par territoire"),
            "supplier_kind": _("Rendez-vous tenus par type de fournisseur")}


def supplier_kind(structure: Any) -> str:
    if structure is None:
        return _("Autre")
    if adapters.is_siae(structure):
        return _("SIAE (insertion)")
    if adapters.is_ea_esat(structure):
        return _("EA / ESAT (handicap)")
    form = str(getattr(structure.legal_form, "value", structure.legal_form))
    if form.startswith(("association", "fondation")):
        return _("Association ou fondation")
    if form.startswith(("scop", "coop", "scic")):
        return _("Coopérative")
    if form.startswith("mutuelle"):
        return _("Mutuelle")
    return _("Autre structure de l'ESS")


def figures(*, acting: Any, session_id: int | None = None) -> Figures:
    require_staff(acting)
    query = select(MeetingSession).where(MeetingSession.kind == KIND)
    sessions = db.session.scalars(query.order_by(MeetingSession.starts_at)).all()
    if session_id:
        query = query.where(MeetingSession.id == session_id)
    ids = list(db.session.scalars(query.with_only_columns(MeetingSession.id)))
    meetings = db.session.scalars(select(Meeting).where(Meeting.session_id.in_(ids or [-1]))
                                  .order_by(Meeting.id)).all()
    outcomes: dict[int, list[MeetingOutcome]] = defaultdict(list)
    for o in db.session.scalars(select(MeetingOutcome).where(
            MeetingOutcome.session_id.in_(ids or [-1]))):
        outcomes[o.meeting_id].append(o)
    needs: dict[int, list[Any]] = defaultdict(list)
    offers: dict[int, set[int]] = defaultdict(set)
    people = {m.a_id for m in meetings} | {m.b_id for m in meetings}
    for n in db.session.scalars(select(PurchaseNeed).where(
            PurchaseNeed.participant_id.in_(people or {-1})).order_by(PurchaseNeed.id)):
        needs[n.participant_id].append(n.category)
    for o in db.session.scalars(select(SupplierOffer).where(
            SupplierOffer.participant_id.in_(people or {-1}))):
        offers[o.participant_id].add(o.category_id)
    structures = adapters.structures_by_organisation(
        [m.b.organisation_id for m in meetings if m.b.organisation_id])
    names = adapters.territories()

    totals = Line(_("Total"))
    by: dict[str, dict[str, Line]] = {d: {} for d in DIMENSIONS}
    for m in meetings:
        said = outcomes.get(m.id, [])
        if m.attendance is not None:
            held = m.attendance == Attendance.HELD
        else:
            held = any(o.was_held for o in said)
        follow = any(o.follow_up != FollowUp.NONE for o in said)
        contract = any(o.follow_up == FollowUp.CONTRACT for o in said)
        cats = needs.get(m.a_id, [])
        common = [c for c in cats if c.id in offers.get(m.b_id, set())]
        category = adapters.category_label((common or cats)[0]) if (common or cats) \
            else _("Non précisée")
        structure = structures.get(m.b.organisation_id)
        territory = structure.territory.name if structure is not None \
            and structure.territory is not None else ""
        if not territory and structure is not None:
            territory = names.get(getattr(structure, "territory_code", ""), "")
        keys = {"category": category, "territory": territory or _("Non précisé"),
                "supplier_kind": supplier_kind(structure)}
        for line in [totals, *(by[d].setdefault(k, Line(k)) for d, k in keys.items())]:
            line.meetings += 1
            line.held += held
            line.follow_ups += follow
            line.contracts += contract
    ordered = {d: sorted(lines.values(), key=lambda line: (-line.held, -line.meetings,
                                                           line.label))
               for d, lines in by.items()}
    return Figures(totals, ordered, list(sessions))


def charts(fig: Figures) -> list[tuple[str, Any]]:
    """(dimension, Chart of meetings held) for the page; the table beside holds the rest."""
    from network.core.charts import Chart

    titles, chart_title = dimension_titles(), chart_titles()
    return [(d, Chart(title=chart_title[d],
                      rows=[(line.label, line.held) for line in fig.by[d]], unit="",
                      key=f"impact-{d}", header=(titles[d], _("Rendez-vous tenus"))))
            for d in DIMENSIONS]


def csv_export(fig: Figures) -> bytes:
    titles = dimension_titles()
    rows = [(_("Total"), "", fig.totals.meetings, fig.totals.held, fig.totals.follow_ups,
             fig.totals.contracts)]
    for d in DIMENSIONS:
        rows += [(titles[d], line.label, line.meetings, line.held, line.follow_ups,
                  line.contracts) for line in fig.by[d]]
    return csv_bytes([_("Regroupement"), _("Valeur"), _("Rendez-vous"), _("Tenus"),
                      _("Suites annoncées"), _("Contrats annoncés")], rows)
