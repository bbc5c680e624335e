"""The one chart approach of the site: server-rendered SVG, each chart with its data table.

Why not a vendored JavaScript library (Chart.js, ECharts …): the figures are a few dozen
bars at most, known on the server; an SVG written here needs no build step, no script
under the Content-Security-Policy (`script-src 'self'`, no inline style either: every
colour is an SVG presentation attribute), prints and goes into the PDF report unchanged,
works with JavaScript off, and screen readers get the same numbers from the table that
always comes with the chart. The chart is `role="img"` with a title and a summary; the
table is the accessible form of the data.

Pure: values in, markup out; nothing here touches a request or the database. Its few words
go through gettext (the page's language; French outside a request).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from flask import has_app_context
from flask_babel import gettext as _
from flask_babel import ngettext

from network.core.i18n import number

# Colour-blind safe, 4.5:1 on white for the text drawn in them (Okabe–Ito, darkened).
PALETTE = ("#0b5394", "#b35900", "#2e7d32", "#8e3b8e", "#a0522d", "#00695c")
BAR = PALETTE[0]
TEXT = "#1f2328"
GRID = "#d0d7de"
# Light to dark: the tile map's five classes (sequential blues, readable text on each).
SCALE = ("#eef4fb", "#c6dbef", "#84b5dc", "#3a80c0", "#0b4f8a")
SCALE_TEXT = ("#1f2328", "#1f2328", "#1f2328", "#ffffff", "#ffffff")


@dataclass(frozen=True)
class Chart:
    """A titled list of (label, value) rows; `kind` is "bar" (categories) or "line" (time)."""

    title: str
    rows: Sequence[tuple[str, float]]
    unit: str = ""
    kind: str = "bar"
    key: str = ""
    header: tuple[str, str] = ("", "")
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(v for _label, v in self.rows)

    @property
    def is_empty(self) -> bool:
        return not self.rows or all(v == 0 for _l, v in self.rows)


def fmt(value: float) -> str:
    """A number in the page's language (French outside a request: 1 234, 12,5)."""
    if has_app_context():
        return number(value, 0 if float(value).is_integer() else 1)
    if float(value).is_integer():
        return f"{int(value):,}".replace(",", "\u202f")
    return f"{value:,.1f}".replace(",", "\u202f").replace(".", ",")


def _ids(key: str) -> tuple[str, str]:
    safe = "".join(c if c.isalnum() else "-" for c in key) or "chart"
    return f"{safe}-title", f"{safe}-desc"


def _no_data() -> str:
    return _("Aucune donnée sur la période.")


def _summary(chart: Chart) -> str:
    if chart.is_empty:
        return _no_data()
    top = max(chart.rows, key=lambda r: r[1])
    value = f"{fmt(top[1])}{(' ' + chart.unit) if chart.unit else ''}"
    return ngettext("%(num)s valeur ; la plus haute : %(label)s, %(value)s.",
                    "%(num)s valeurs ; la plus haute : %(label)s, %(value)s.",
                    len(chart.rows), label=top[0], value=value)


def bar_svg(chart: Chart, *, width: int = 640) -> str:
    """Horizontal bars, label above each bar: readable at 360 px since the SVG scales down
    while the labels keep their own line."""
    title_id, desc_id = _ids(chart.key or chart.title)
    rows = list(chart.rows)
    top = max((v for _l, v in rows), default=0) or 1
    row_h, bar_h, pad = 38, 16, 4
    height = max(row_h * len(rows) + pad * 2, 40)
    value_w = 70
    usable = width - value_w - pad * 2
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(_summary(chart))}</desc>',
    ]
    if not rows:
        parts.append(f'<text x="{pad}" y="24" fill="{TEXT}" font-size="14">'
                     f'{escape(_no_data())}</text>')
    for i, (label, value) in enumerate(rows):
        y = pad + i * row_h
        w = 0 if value <= 0 else max(2.0, usable * value / top)
        parts.append(f'<text x="{pad}" y="{y + 13}" fill="{TEXT}" font-size="13">'
                     f'{escape(str(label))}</text>')
        parts.append(f'<rect x="{pad}" y="{y + 18}" width="{w:.1f}" height="{bar_h}" '
                     f'fill="{BAR}" rx="2"/>')
        parts.append(f'<text x="{pad + w + 6:.1f}" y="{y + 31}" fill="{TEXT}" '
                     f'font-size="13">{escape(fmt(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_svg(chart: Chart, *, width: int = 640, height: int = 220) -> str:
    """A line over time (labels are periods, in order), with a dot and a value per point."""
    title_id, desc_id = _ids(chart.key or chart.title)
    rows = list(chart.rows)
    left, right, top_pad, bottom = 44, 40, 16, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = max((v for _l, v in rows), default=0) or 1
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(_summary(chart))}</desc>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" '
        f'y2="{top_pad + plot_h}" stroke="{GRID}"/>',
        f'<text x="{left - 6}" y="{top_pad + 4}" fill="{TEXT}" font-size="12" '
        f'text-anchor="end">{escape(fmt(top))}</text>',
        f'<text x="{left - 6}" y="{top_pad + plot_h}" fill="{TEXT}" font-size="12" '
        f'text-anchor="end">0</text>',
    ]
    if not rows:
        parts.append(f'<text x="{left}" y="{top_pad + 20}" fill="{TEXT}" font-size="14">'
                     f'{escape(_no_data())}</text>')
    n = len(rows)
    step = plot_w / (n - 1) if n > 1 else 0
    points = []
    for i, (_label, value) in enumerate(rows):
        x = left + (i * step if n > 1 else plot_w / 2)
        y = top_pad + plot_h - plot_h * max(value, 0) / top
        points.append((x, y))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="2.5"/>')
    every = max(1, n // 6)  # at most ~6 axis labels: they stay legible on a phone
    for i, ((label, value), (x, y)) in enumerate(zip(rows, points, strict=True)):
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{BAR}"/>')
        if i % every == 0 or i == n - 1:
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 18}" fill="{TEXT}" '
                         f'font-size="12" text-anchor="middle">{escape(str(label))}</text>')
            parts.append(f'<text x="{x:.1f}" y="{y - 8:.1f}" fill="{TEXT}" font-size="11" '
                         f'text-anchor="middle">{escape(fmt(value))}</text>')
    parts.append("</svg>")
    return "".join(parts)


def svg(chart: Chart) -> str:
    return line_svg(chart) if chart.kind == "line" else bar_svg(chart)


@dataclass(frozen=True)
class Tile:
    """One territory on the schematic map: grid column and row, label, value, link."""

    code: str
    label: str
    col: int
    row: int
    value: float = 0
    href: str = ""


def scale_class(value: float, low: float, top: float) -> int:
    """0..4: which of the five colours a value takes, spread between the lowest and the
    highest value shown (0 only for nothing; all alike: the middle colour)."""
    if value <= 0 or top <= 0:
        return 0
    if top <= low:
        return 3
    return min(4, 1 + int(3.999 * (value - low) / (top - low)))


def tile_map_svg(tiles: Sequence[Tile], *, title: str, key: str = "map", unit: str = "",
                 tile: int = 120, gap: int = 6) -> str:
    """A schematic map: one square per territory, placed roughly where it lies, coloured by
    the value (five classes); each square names the territory and its value, and links to
    the same figures filtered on it."""
    title_id, desc_id = _ids(key)
    cols = max((t.col for t in tiles), default=0) + 1
    rows = max((t.row for t in tiles), default=0) + 1
    width, height = cols * (tile + gap) + gap, rows * (tile + gap) + gap
    top = max((t.value for t in tiles), default=0)
    low = min((t.value for t in tiles), default=0)
    listed = "; ".join(_("%(label)s : %(value)s", label=t.label, value=fmt(t.value))
                       for t in tiles)
    parts = [
        f'<svg class="chart tile-map" viewBox="0 0 {width} {height}" width="100%" '
        f'role="{"group" if any(t.href for t in tiles) else "img"}" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(listed or _("Aucun territoire."))}</desc>',
    ]
    for t in tiles:
        x, y = gap + t.col * (tile + gap), gap + t.row * (tile + gap)
        c = scale_class(t.value, low, top)
        words = _wrap(t.label, 14)
        shape = (f'<rect x="{x}" y="{y}" width="{tile}" height="{tile}" rx="8" '
                 f'fill="{SCALE[c]}" stroke="{GRID}"/>')
        text = "".join(
            f'<text x="{x + tile / 2}" y="{y + 24 + 15 * i}" fill="{SCALE_TEXT[c]}" '
            f'font-size="13" text-anchor="middle">{escape(w)}</text>'
            for i, w in enumerate(words[:4]))
        text += (f'<text x="{x + tile / 2}" y="{y + tile - 14}" fill="{SCALE_TEXT[c]}" '
                 f'font-size="20" font-weight="bold" text-anchor="middle">'
                 f'{escape(fmt(t.value))}</text>')
        if t.href:
            # A group of links (an image may not hold controls); each link is named by the
            # territory and value it shows.
            parts.append(f'<a href="{escape(t.href)}">{shape}{text}</a>')
        else:
            parts.append(shape + text)
    parts.append("</svg>")
    return "".join(parts)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.replace("-", "- ").split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] = (lines[-1] + ("" if lines[-1].endswith("-") else " ") + word)
        else:
            lines.append(word)
    return lines
