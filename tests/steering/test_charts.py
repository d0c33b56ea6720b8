"""The SVG charts: well-formed, accessible (role, title, desc), values written as text, the
target drawn, colours by class with the better end darkest."""

import xml.etree.ElementTree as ET

from django.utils import translation

from teranga.steering import charts

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_numbers_read_like_figures_in_the_pages_language():
    with translation.override("en"):
        assert charts.number(None) == "—"
        assert charts.number(12.0) == "12"
        assert charts.number(87.5, "%") == "87.5 %"
        assert charts.number(20, "min") == "20 min"
        assert charts.number(-3.25) == "-3.2"
    with translation.override("fr"):
        assert charts.number(87.5, "%") == "87,5 %"
        assert charts.number(8.44, "/10") == "8,4/10"
        assert charts.number(12.0) == "12"


def test_line_chart_is_an_accessible_image_with_values_and_target():
    svg = charts.line_chart(
        "wait",
        [("oct.", 12), ("nov.", None), ("déc.", 25.5)],
        title="Median wait <by month>",
        desc="Twelve months",
        unit="min",
        target=20,
        target_label="target 20 min",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "wait-t wait-d"
    assert root.find("s:title", NS).text == "Median wait <by month>"
    assert root.find("s:desc", NS).text == "Twelve months"
    words = texts(root)
    assert {"12 min", "25,5 min", "—", "oct.", "déc.", "target 20 min"} <= set(words)
    assert len(root.findall(".//s:line[@class='target']", NS)) == 1
    # a gap splits the line: two segments of one point each
    assert len(root.findall(".//s:polyline", NS)) == 2


def test_line_chart_puts_a_higher_value_higher():
    root = parse(charts.line_chart("c", [("a", 10), ("b", 30)], title="t", desc="d"))
    (low, high) = [float(c.get("cy")) for c in root.iter("{http://www.w3.org/2000/svg}circle")]
    assert high < low  # SVG y grows downwards


def test_bar_chart_writes_each_value_and_a_dash_for_none():
    root = parse(
        charts.bar_chart(
            "b", [("DKR", 80), ("THS", None)], title="t", desc="d", unit="%", target=90
        )
    )
    assert {"DKR", "THS", "80 %", "—"} <= set(texts(root))
    assert len(root.findall(".//s:rect", NS)) == 1


def test_classes_put_the_better_end_darkest():
    up = charts.classes([0, 50, 100])
    assert up[0] == (0, 20) and up[-1] == (80, 100)
    assert charts.colour_of(100, up) == charts.PALETTE[-1]
    assert charts.colour_of(0, up) == charts.PALETTE[0]
    down = charts.classes([0, 50, 100], reverse=True)
    assert charts.colour_of(0, down) == charts.PALETTE[-1]  # a short wait is the darkest
    assert charts.colour_of(100, down) == charts.PALETTE[0]
    assert charts.colour_of(None, up) is None
    assert charts.classes([]) == []
    assert charts.colour_of(7, charts.classes([7, 7])) == charts.PALETTE[-1]


def test_tile_map_writes_code_and_value_in_each_tile_and_a_legend():
    tiles = [
        charts.Tile("DKR", "Dakar", 0, 0, 12, href="/espace-pro/sites/DKR/pilotage/"),
        charts.Tile("THS", "Thiès", 1, 0, 30),
        charts.Tile("KDG", "Kédougou", 2, 1, None),
    ]
    root = parse(
        charts.tile_map(
            "map",
            tiles,
            title="Median wait by site",
            desc="46 sites",
            unit="min",
            bounds=charts.classes([12, 30], reverse=True),
            legend_title="Median wait",
            no_data="not enough data",
        )
    )
    assert root.get("role") == "group"  # it holds links: not a single image
    words = texts(root)
    assert {"DKR", "12 min", "THS", "30 min", "KDG", "—", "not enough data"} <= set(words)
    assert "Median wait" in words
    links = root.findall(".//s:a", NS)
    assert [a.get("href") for a in links] == ["/espace-pro/sites/DKR/pilotage/"]
    assert links[0].get("aria-label") == "Dakar: 12 min"
    fills = {r.get("fill") for r in root.iter("{http://www.w3.org/2000/svg}rect")}
    assert charts.PALETTE[-1] in fills and charts.PALETTE[0] in fills


def test_heatmap_shows_every_value_and_leaves_empty_cells_blank():
    root = parse(
        charts.heatmap(
            "h",
            ["Mon", "Tue"],
            ["8h", "9h"],
            [[10, 40], [None, 25]],
            title="Arrivals",
            desc="by weekday and hour",
        )
    )
    words = texts(root)
    assert {"Mon", "Tue", "8h", "9h", "10", "40", "25", "—"} <= set(words)
    percent = parse(charts.heatmap("p", ["Mon"], ["8h"], [[87.5]], title="t", desc="d", unit="%"))
    assert "87,5%" in texts(percent)
