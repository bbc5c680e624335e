"""The network's annual report (PDF through reportlab, and CSV): members joined, events
held and attendance, then the sections other domains add through
`signals.annual_report_sections` (ESSpresso meetings, forum offers and hires …)."""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from network.core import signals
from network.core.auth import require_staff
from network.core.exports import cell, csv_bytes
from network.core.i18n import when
from network.core.time import PARIS, paris_to_utc, to_paris, utcnow
from network.directory.models import LEGAL_FORMS, Structure, StructureStatus, Territory
from network.events.models import KIND_LABELS, Event, EventStatus, Registration
from network.events.models import RegistrationStatus as R
from network.extensions import db


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list[Any]]
    summary: str = ""


@dataclass
class Report:
    year: int
    generated_at: datetime
    sections: list[Section] = field(default_factory=list)


def parse_year(raw: str | None) -> int:
    """A year between 2000 and next year; anything else is the current year."""
    this_year = utcnow().astimezone(PARIS).year
    try:
        year = int((raw or "").strip()[:4])
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year + 1 else this_year


def years_available() -> list[int]:
    first = db.session.scalar(select(func.min(Structure.approved_at)))
    this_year = utcnow().astimezone(PARIS).year
    start = to_paris(first).year if first else this_year
    return list(range(this_year, max(start, 2000) - 1, -1))


def _bounds(year: int) -> tuple[datetime, datetime]:
    return paris_to_utc(datetime(year, 1, 1)), paris_to_utc(datetime(year + 1, 1, 1))


def members_section(year: int) -> Section:
    start, end = _bounds(year)
    rows = db.session.execute(
        select(Structure.name, Structure.commune, Territory.name, Structure.legal_form,
               Structure.approved_at)
        .outerjoin(Territory, Territory.id == Structure.territory_id)
        .where(Structure.status == StructureStatus.APPROVED, Structure.approved_at >= start,
               Structure.approved_at < end)
        .order_by(Structure.approved_at)).all()
    total = db.session.scalar(select(func.count(Structure.id)).where(
        Structure.status == StructureStatus.APPROVED, Structure.approved_at < end)) or 0
    by_territory = Counter(t or _("Non renseigné") for _n, _c, t, _f, _a in rows)
    summary = " ".join((
        ngettext("%(num)s structure a rejoint le réseau ;",
                 "%(num)s structures ont rejoint le réseau ;", len(rows)),
        ngettext("%(num)s membre au 31 décembre.", "%(num)s membres au 31 décembre.", total)))
    if by_territory:
        summary += " " + ", ".join(f"{t} : {n}" for t, n in by_territory.most_common()) + "."
    return Section(_("Structures membres ayant rejoint le réseau"),
                   [_("Structure"), _("Commune"), _("Territoire"), _("Forme juridique"),
                    _("Membre depuis")],
                   [[n, c, t or "", LEGAL_FORMS[f][0], a] for n, c, t, f, a in rows], summary)


def events_section(year: int) -> Section:
    start, end = _bounds(year)
    events = db.session.scalars(select(Event).where(
        Event.start_at >= start, Event.start_at < end, Event.status == EventStatus.PUBLISHED)
        .order_by(Event.start_at)).all()
    ids = [e.id for e in events]
    stats: dict[int, list[int]] = {i: [0, 0, 0] for i in ids}
    if ids:
        for event_id, status, checked, attended, waitlisted in db.session.execute(
                select(Registration.event_id, Registration.status, Registration.checked_in_at,
                       Registration.attended, Registration.waitlisted_at)
                .where(Registration.event_id.in_(ids))):
            if status == R.CONFIRMED:
                stats[event_id][0] += 1
                stats[event_id][1] += int(checked is not None or attended is True)
            stats[event_id][2] += int(waitlisted is not None)
    rows = []
    for e in events:
        confirmed, came, waited = stats[e.id]
        rate = f"{round(100 * came / confirmed)} %" if confirmed and e.end_at < utcnow() else ""
        rows.append([e.title, e.start_at, KIND_LABELS[e.kind], e.territory.name, confirmed,
                     came, rate, waited])
    held = [r for r, e in zip(rows, events, strict=True) if e.end_at < utcnow()]
    confirmed = sum(r[4] for r in held)
    came = sum(r[5] for r in held)
    summary = " ".join((
        ngettext("%(num)s événement tenu,", "%(num)s événements tenus,", len(held)),
        ngettext("%(num)s inscription confirmée,", "%(num)s inscriptions confirmées,",
                 confirmed),
        ngettext("%(num)s personne présente", "%(num)s personnes présentes", came)))
    if confirmed:
        summary += _(" (taux de présence : %(r)s %%)", r=round(100 * came / confirmed))
    return Section(_("Événements et participation"),
                   [_("Événement"), _("Date"), _("Type"), _("Territoire"), _("Inscrits"),
                    _("Présents"), _("Taux de présence"), _("Passés par la liste d'attente")],
                   rows, summary + ".")


def build(year: int, *, acting: Any) -> Report:
    require_staff(acting)
    report = Report(year, utcnow(), [members_section(year), events_section(year)])
    start, end = _bounds(year)
    for value in signals.collect(signals.annual_report_sections, year, start=start, end=end):
        title, header, rows, summary = value
        report.sections.append(Section(title, list(header), [list(r) for r in rows], summary))
    return report


def csv_bytes_of(report: Report) -> bytes:
    """One file: each section's title row, summary row, header and rows, then a blank row."""
    width = max((len(s.header) for s in report.sections), default=1)
    rows: list[list[Any]] = []
    for s in report.sections:
        rows.append([s.title])
        if s.summary:
            rows.append([s.summary])
        rows.append(s.header)
        rows.extend(s.rows)
        rows.append([])
    pad = [r + [""] * (width - len(r)) for r in rows]
    return csv_bytes([_("Rapport annuel du réseau %(y)s", y=report.year)] + [""] * (width - 1),
                     pad)


def _pdf_cell(value: Any) -> str:
    """A table cell for people: dates in the page's style ("09/01/2026 11h00" in French);
    the CSV keeps `cell`'s spreadsheet format."""
    if isinstance(value, datetime | date):
        return when(value, "short" if isinstance(value, datetime) else "shortdate")
    return cell(value)


def pdf_bytes(report: Report) -> bytes:
    """A4, the site's name and year, each section: title, summary, table (header repeated)."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm,
                            title=_("Rapport annuel %(y)s", y=report.year),
                            author=current_app.config["SITE_NAME"])
    story = [Paragraph(escape(current_app.config["SITE_NAME"]), styles["Title"]),
             Paragraph(escape(_("Rapport annuel %(y)s", y=report.year)), styles["Heading1"]),
             Paragraph(escape(_("Établi le %(d)s", d=when(report.generated_at, "short"))),
                       styles["BodyText"]), Spacer(1, 6 * mm)]
    for s in report.sections:
        story.append(Paragraph(escape(s.title), styles["Heading2"]))
        if s.summary:
            story.append(Paragraph(escape(s.summary), styles["BodyText"]))
        story.append(Spacer(1, 3 * mm))
        if s.rows:
            data = [[Paragraph(escape(str(h)), small) for h in s.header]]
            data += [[Paragraph(escape(_pdf_cell(v)), small) for v in row] for row in s.rows]
            table = Table(data, repeatRows=1, hAlign="LEFT")
            table.setStyle(TableStyle([
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef6")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#9aa5b1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story.append(table)
        else:
            story.append(Paragraph(escape(_("Rien sur l'année.")), styles["BodyText"]))
        story.append(Spacer(1, 6 * mm))
    doc.build(story)
    return buf.getvalue()
