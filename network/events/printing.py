"""PDF documents for printing: badges, the sign-in sheet, lists. Values in, bytes out.

reportlab (BSD, pure Python plus a small optional C accelerator, no system library): it
draws exactly where it is told, which badges and cut marks need, and its platypus tables
paginate long lists; fpdf2 would do the drawing but has weaker tables, and WeasyPrint needs
Pango/Cairo from the system. The ESSpresso agendas can reuse `table_pdf`.

No Flask, no database: callers pass the texts (already translated) and get the file.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

PAGE_W, PAGE_H = A4
#: Four A6 badges (105 × 148.5 mm) fill an A4 sheet, two by two.
BADGE_W, BADGE_H = PAGE_W / 2, PAGE_H / 2
REGULAR, BOLD = "Vera", "VeraBd"


@cache
def _fonts() -> None:
    """Bitstream Vera ships with reportlab: accents and ·, embedded, no system font needed."""
    pdfmetrics.registerFont(TTFont(REGULAR, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))


@dataclass(frozen=True)
class BadgeFace:
    name: str
    organisation: str
    role_label: str
    role_colour: str  # "#rrggbb"
    event_title: str
    event_when: str
    qr_text: str
    code: str  # as printed under the QR code


def qr_matrix(text: str) -> list[list[bool]]:
    # A fixed mask: choosing the "best" of eight costs 80 % of the time, and any mask scans.
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=2)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.get_matrix()


def _draw_qr(c: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Vector QR code with a white quiet zone of 4 modules; one path, runs merged per row."""
    matrix = qr_matrix(text)
    n = len(matrix)
    module = size / (n + 8)
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    path = c.beginPath()
    ox, oy = x + 4 * module, y + size - 4 * module
    for row, cells in enumerate(matrix):
        col = 0
        while col < n:
            if cells[col]:
                start = col
                while col < n and cells[col]:
                    col += 1
                path.rect(ox + start * module, oy - (row + 1) * module,
                          (col - start) * module, module)
            else:
                col += 1
    c.setFillColor(colors.black)
    c.drawPath(path, stroke=0, fill=1)


def _fit(text: str, font: str, size: float, width: float, lines: int,
         min_size: float = 7) -> tuple[float, list[str]]:
    """The largest size (down to `min_size`) at which `text` wraps into `lines` lines."""
    from reportlab.lib.utils import simpleSplit

    while True:
        wrapped = simpleSplit(text, font, size, width) or [""]
        if len(wrapped) <= lines or size <= min_size:
            if len(wrapped) > lines:
                wrapped = wrapped[:lines]
                last = wrapped[-1]
                while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
                    last = last[:-1]
                wrapped[-1] = last + "…"
            return size, wrapped
        size -= 1


def _centred(c: Canvas, lines: list[str], font: str, size: float, cx: float, top: float,
             leading: float | None = None) -> float:
    leading = leading or size * 1.2
    c.setFont(font, size)
    y = top
    for line in lines:
        y -= leading
        c.drawCentredString(cx, y + (leading - size) / 2, line)
    return y


def _cut_marks(c: Canvas) -> None:
    """Ticks in the margins and a cross in the middle, where the guillotine goes."""
    c.setStrokeColor(colors.black)
    c.setLineWidth(0.5)
    mark = 6 * mm
    cx, cy = PAGE_W / 2, PAGE_H / 2
    for x in (cx,):
        c.line(x, 0, x, mark)
        c.line(x, PAGE_H - mark, x, PAGE_H)
    for y in (cy,):
        c.line(0, y, mark, y)
        c.line(PAGE_W - mark, y, PAGE_W, y)
    c.line(cx - mark / 2, cy, cx + mark / 2, cy)
    c.line(cx, cy - mark / 2, cx, cy + mark / 2)


def _badge(c: Canvas, face: BadgeFace, x: float, y: float) -> None:
    pad = 8 * mm
    inner = BADGE_W - 2 * pad
    cx = x + BADGE_W / 2
    top = y + BADGE_H - pad
    c.setFillColor(colors.HexColor("#333333"))
    size, lines = _fit(face.event_title, BOLD, 11, inner, 2)
    top = _centred(c, lines, BOLD, size, cx, top)
    c.setFont(REGULAR, 9)
    top = _centred(c, [face.event_when], REGULAR, 9, cx, top - 1 * mm)
    c.setFillColor(colors.black)
    size, lines = _fit(face.name, BOLD, 22, inner, 2, min_size=11)
    top = _centred(c, lines, BOLD, size, cx, top - 7 * mm)
    if face.organisation:
        size, lines = _fit(face.organisation, REGULAR, 13, inner, 2, min_size=8)
        top = _centred(c, lines, REGULAR, size, cx, top - 1.5 * mm)
    band_h = 17 * mm
    qr_size = 46 * mm
    qr_y = y + band_h + 9 * mm
    _draw_qr(c, face.qr_text, cx - qr_size / 2, qr_y, qr_size)
    c.setFont(REGULAR, 9)
    c.drawCentredString(cx, qr_y - 4.5 * mm, face.code)
    c.setFillColor(colors.HexColor(face.role_colour))
    c.rect(x, y, BADGE_W, band_h, stroke=0, fill=1)
    c.setFillColor(colors.white)
    size, lines = _fit(face.role_label.upper(), BOLD, 18, inner, 1, min_size=10)
    c.setFont(BOLD, size)
    c.drawCentredString(cx, y + band_h / 2 - size / 3, lines[0])


def badges_pdf(faces: Sequence[BadgeFace], *, title: str = "Badges") -> bytes:
    """A6 badges, four to an A4 sheet (left to right, top to bottom), with cut marks."""
    _fonts()
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, pageCompression=1)
    c.setTitle(title)
    slots = [(0, BADGE_H), (BADGE_W, BADGE_H), (0, 0), (BADGE_W, 0)]
    for start in range(0, max(len(faces), 1), 4):
        for face, (x, y) in zip(faces[start:start + 4], slots, strict=False):
            _badge(c, face, x, y)
        _cut_marks(c)
        c.showPage()
    c.save()
    return out.getvalue()


# --- lists: the sign-in sheet, the participants list -----------------------------------------

def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    return {
        "title": ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20, spaceAfter=4),
        "sub": ParagraphStyle("sub", fontName=REGULAR, fontSize=10, leading=13, spaceAfter=2),
        "cell": ParagraphStyle("cell", fontName=REGULAR, fontSize=9.5, leading=12),
        "head": ParagraphStyle("head", fontName=BOLD, fontSize=9.5, leading=12),
    }


def _escape(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def table_pdf(*, title: str, subtitle_lines: Sequence[str], columns: Sequence[str],
              widths: Sequence[float], rows: Sequence[Sequence[str]], row_height: float | None,
              footer: str = "", empty: str = "") -> bytes:
    """A titled table over as many A4 pages as needed; the header row repeats on each page."""
    st = _styles()
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=title, leftMargin=14 * mm,
                            rightMargin=14 * mm, topMargin=14 * mm, bottomMargin=16 * mm)
    story: list = [Paragraph(_escape(title), st["title"])]
    story += [Paragraph(_escape(line), st["sub"]) for line in subtitle_lines if line]
    story.append(Spacer(1, 4 * mm))
    data = [[Paragraph(_escape(h), st["head"]) for h in columns]]
    data += [[Paragraph(_escape(str(v)), st["cell"]) for v in row] for row in rows]
    if not rows and empty:
        story.append(Paragraph(_escape(empty), st["sub"]))
    else:
        table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1,
                      rowHeights=[None] + [row_height] * len(rows) if row_height else None)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]))
        story.append(table)

    def page_footer(canvas: Canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        text = f"{footer} — {document.page}" if footer else str(document.page)
        canvas.drawRightString(PAGE_W - 14 * mm, 9 * mm, text)
        canvas.restoreState()

    doc.build(story, onFirstPage=page_footer, onLaterPages=page_footer)
    return out.getvalue()
