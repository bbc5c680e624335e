"""The day in the room: the room screen's data (no login, names and organisations only), the
printable table plan and one sheet per table."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from network.core.errors import NotFound
from network.core.i18n import when
from network.core.time import as_utc
from network.esspresso import adapters
from network.meetings.booking import list_meetings
from network.meetings.day import rounds
from network.meetings.models import Meeting, MeetingSession, MeetingSlot
from network.meetings.rules import require_organiser


@dataclass(frozen=True)
class Seat:
    table: int
    buyer: str
    supplier: str


@dataclass(frozen=True)
class Round:
    slot: MeetingSlot
    seats: list[Seat]


@dataclass(frozen=True)
class Screen:
    session: MeetingSession
    current: Round | None
    next: Round | None
    is_over: bool
    seconds_left: int  # until the current round ends, or the next begins


def _round(slot: MeetingSlot | None, by_slot: dict[int, list[Meeting]]) -> Round | None:
    if slot is None:
        return None
    return Round(slot, [Seat(m.table_number, m.a.display_name, m.b.display_name)
                        for m in by_slot.get(slot.index, [])])


def screen(session: MeetingSession, now: datetime) -> Screen:
    """What the room's screen shows: only a published schedule, organisations' names only."""
    if session.published_at is None:
        raise NotFound(_("L'agenda de cette session n'est pas encore publié."),
                       "not_published")
    state = rounds(session, now)
    by_slot: dict[int, list[Meeting]] = {}
    for m in list_meetings(session, published_only=True):
        by_slot.setdefault(m.slot_index, []).append(m)
    target = state.current.ends_at if state.current else (
        state.next.starts_at if state.next else None)
    left = max(int((as_utc(target) - now).total_seconds()), 0) if target else 0
    return Screen(session, _round(state.current, by_slot), _round(state.next, by_slot),
                  state.is_over, left)


# --- printing -----------------------------------------------------------------------------------


def _doc_parts():
    from network.events import printing

    printing._fonts()
    return printing, printing._styles()


def _grid(rows: list[list[str]], widths: list[float], st: dict[str, Any]) -> Table:
    from network.events.printing import _escape

    data = [[Paragraph(_escape(v), st["head"] if i == 0 else st["cell"]) for v in row]
            for i, row in enumerate(rows)]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 5)]))
    return table


def _hours(slot: MeetingSlot) -> str:
    from network.esspresso.meetings import hours

    return hours(slot.starts_at, slot.ends_at)


def _subtitle(session: MeetingSession) -> str:
    event = adapters.event_of(session.event_id)
    place = f" — {event.location}" if event is not None and event.location else ""
    return f"{when(session.starts_at, 'date')}{place}"


def _build(session: MeetingSession, story: list) -> bytes:
    printing, _st = _doc_parts()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=session.title, leftMargin=14 * mm,
                            rightMargin=14 * mm, topMargin=14 * mm, bottomMargin=16 * mm)

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(printing.REGULAR, 8)
        canvas.drawRightString(A4[0] - 14 * mm, 9 * mm, f"{session.title} — {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def table_plan_pdf(session: MeetingSession, *, acting: Any) -> bytes:
    """Round by round, who sits at which table: for the organisers' desk and the door."""
    require_organiser(acting, session)
    printing, st = _doc_parts()
    by_slot: dict[int, list[Meeting]] = {}
    for m in list_meetings(session):
        by_slot.setdefault(m.slot_index, []).append(m)
    story: list = [Paragraph(printing._escape(_("Plan des tables — %(t)s", t=session.title)),
                             st["title"]),
                   Paragraph(printing._escape(_subtitle(session)), st["sub"]),
                   Spacer(1, 4 * mm)]
    rows = [[_("Créneau"), _("Table"), _("Acheteur"), _("Fournisseur ESS")]]
    for slot in session.slots:
        for m in by_slot.get(slot.index, []):
            rows.append([_hours(slot), str(m.table_number), m.a.display_name, m.b.display_name])
    if len(rows) == 1:
        story.append(Paragraph(printing._escape(_("Aucun rendez-vous.")), st["sub"]))
    else:
        story.append(_grid(rows, [28, 16, 69, 69], st))
    return _build(session, story)


def table_sheets_pdf(session: MeetingSession, *, acting: Any) -> bytes:
    """One page per table, to leave on it: each round, who meets there."""
    require_organiser(acting, session)
    printing, st = _doc_parts()
    by_table: dict[int, dict[int, Meeting]] = {}
    for m in list_meetings(session):
        by_table.setdefault(m.table_number, {})[m.slot_index] = m
    story: list = []
    for number in range(1, session.tables_count + 1):
        if story:
            story.append(PageBreak())
        story += [Paragraph(printing._escape(_("Table %(n)s", n=number)), st["title"]),
                  Paragraph(printing._escape(f"{session.title} — {_subtitle(session)}"),
                            st["sub"]), Spacer(1, 4 * mm)]
        rows = [[_("Créneau"), _("Acheteur"), _("Fournisseur ESS")]]
        for slot in session.slots:
            m = by_table.get(number, {}).get(slot.index)
            rows.append([_hours(slot), m.a.display_name if m else "—",
                         m.b.display_name if m else _("table libre")])
        story.append(_grid(rows, [30, 76, 76], st))
    return _build(session, story)
