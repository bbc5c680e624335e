"""The one chart approach: pure functions, values in, accessible SVG out."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from network.core import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # well-formed XML, or this raises


def test_bar_chart_has_title_summary_and_one_bar_per_row():
    chart = charts.Chart("Structures par territoire", [("Metz", 12), ("Thionville", 3)],
                         key="t")
    root = parse(charts.bar_svg(chart))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "t-title t-desc"
    assert root.find(f"{SVG}title").text == "Structures par territoire"
    assert "Metz, 12" in root.find(f"{SVG}desc").text
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert len(widths) == 2 and widths[0] > widths[1] * 3.5


def test_labels_are_escaped_and_no_inline_style():
    chart = charts.Chart("<script>", [("</text><script>alert(1)</script>", 1)])
    svg = charts.bar_svg(chart)
    parse(svg)
    assert "<script>" not in svg
    assert "style=" not in svg  # the CSP forbids inline styles: presentation attributes only


def test_line_chart_and_empty_chart():
    rows = [(f"m{i}", i * 2) for i in range(12)]
    root = parse(charts.line_svg(charts.Chart("Par mois", rows, kind="line")))
    assert len(list(root.iter(f"{SVG}circle"))) == 12
    points = root.find(f"{SVG}polyline").get("points").split()
    assert len(points) == 12
    empty = charts.Chart("Rien", [])
    assert empty.is_empty
    assert "Aucune donnée" in charts.svg(empty)


def test_tile_map_colours_by_value_and_links():
    tiles = [charts.Tile("metz", "Metz", 0, 1, 10, "/x?territoire=metz"),
             charts.Tile("bitche", "Sarreguemines – Bitche", 2, 1, 0, ""),
             charts.Tile("new", "Nouveau territoire", 0, 3, 5, "")]
    root = parse(charts.tile_map_svg(tiles, title="Carte"))
    assert root.get("role") == "group"  # it holds links: not an image
    rects = list(root.iter(f"{SVG}rect"))
    assert [r.get("fill") for r in rects] == [charts.SCALE[4], charts.SCALE[0], charts.SCALE[2]]
    assert root.find(f"{SVG}a").get("href") == "/x?territoire=metz"
    assert "Nouveau territoire : 5" in root.find(f"{SVG}desc").text


def test_french_numbers():
    assert charts.fmt(1234) == "1\u202f234"
    assert charts.fmt(12.5) == "12,5"
