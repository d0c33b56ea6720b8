"""Charts drawn as SVG on the server: pure functions from figures to markup.

No database, no request: the dashboards, the reports and the public pages pass figures and
already translated words. Every chart is an accessible image (role="img", a <title> and a
<desc>), shows its values as text (so it reads without colour and in print), and uses a
colour-blind safe sequential palette (ColorBrewer YlGnBu) where colour carries meaning.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from teranga.lib.numbers import number  # noqa: F401 (the charts' figures)

# ColorBrewer YlGnBu, 5 classes: readable by the common colour-blindnesses and in greyscale.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
DARK = frozenset(PALETTE[3:])  # classes whose text is written in white
LINE = "#00693e"
INK = "#1b1f1d"
MUTED = "#59615c"
GRID = "#d5dcd8"


def _svg(
    chart_id: str, title: str, desc: str, width: int, height: int, body: list[str], role="img"
) -> str:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="{role}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" id="{chart_id}">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor="middle", size=11, fill=INK, cls="") -> str:
    extra = f' class="{cls}"' if cls else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}"{extra}>{escape(text)}</text>'
    )


def _scale(values: Sequence[float], floor_zero: bool = True) -> tuple[float, float]:
    low = min([0.0, *values]) if floor_zero else min(values)
    high = max(values) if values else 1.0
    if high <= low:
        high = low + 1
    return low, high * 1.1 if high > 0 else high + 1


def line_chart(
    chart_id: str,
    points: Sequence[tuple[str, float | None]],
    *,
    title: str,
    desc: str,
    unit: str = "",
    target: float | None = None,
    target_label: str = "",
    width: int = 560,
    height: int = 200,
) -> SafeString:
    """A line over periods (label, value or None for a gap), each point labelled with its
    value, and the target as a dashed line with its label."""
    left, right, top, bottom = 12, 12, 22, 34
    inner_w, inner_h = width - left - right, height - top - bottom
    values = [v for _, v in points if v is not None]
    low, high = _scale([*values, *([target] if target is not None else [])])
    step = inner_w / max(len(points), 1)

    def x(i: int) -> float:
        return left + step * (i + 0.5)

    def y(v: float) -> float:
        return top + inner_h * (1 - (v - low) / (high - low))

    body = [
        f'<line x1="{left}" y1="{top + inner_h}" x2="{width - right}" y2="{top + inner_h}" '
        f'stroke="{GRID}"/>'
    ]
    if target is not None:
        ty = y(target)
        body.append(
            f'<line class="target" x1="{left}" y1="{ty:.1f}" x2="{width - right}" y2="{ty:.1f}" '
            f'stroke="{INK}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        body.append(_text(left, ty - 4, target_label, anchor="start", size=10, fill=INK))
    segment: list[str] = []
    segments = []
    for i, (_, value) in enumerate(points):
        if value is None:
            if segment:
                segments.append(segment)
            segment = []
        else:
            segment.append(f"{x(i):.1f},{y(value):.1f}")
    if segment:
        segments.append(segment)
    for seg in segments:
        body.append(
            f'<polyline fill="none" stroke="{LINE}" stroke-width="2.5" points="{" ".join(seg)}"/>'
        )
    for i, (label, value) in enumerate(points):
        body.append(_text(x(i), height - 12, label, size=10, fill=MUTED))
        if value is None:
            body.append(_text(x(i), top + inner_h - 4, "—", size=10, fill=MUTED))
            continue
        body.append(f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="3.5" fill="{LINE}"/>')
        body.append(_text(x(i), y(value) - 8, number(value, unit), size=10, cls="value"))
    return _svg(chart_id, title, desc, width, height, body)


def bar_chart(
    chart_id: str,
    bars: Sequence[tuple[str, float | None]],
    *,
    title: str,
    desc: str,
    unit: str = "",
    target: float | None = None,
    target_label: str = "",
    width: int = 560,
) -> SafeString:
    """Horizontal bars (label, value or None), the value written after each bar, the target
    as a dashed vertical line."""
    row, left, right, top = 24, 150, 70, 22
    height = top + row * len(bars) + 8
    values = [v for _, v in bars if v is not None]
    low, high = _scale([*values, *([target] if target is not None else [])])
    inner_w = width - left - right

    def x(v: float) -> float:
        return left + inner_w * (v - low) / (high - low)

    body = []
    for i, (label, value) in enumerate(bars):
        y = top + row * i
        body.append(_text(left - 6, y + 15, label, anchor="end", size=11))
        if value is None:
            body.append(_text(left + 4, y + 15, "—", anchor="start", size=11, fill=MUTED))
            continue
        body.append(
            f'<rect x="{x(low):.1f}" y="{y + 4}" width="{max(x(value) - x(low), 1):.1f}" '
            f'height="{row - 8}" fill="{PALETTE[3]}"/>'
        )
        body.append(_text(x(value) + 4, y + 15, number(value, unit), anchor="start", size=11))
    if target is not None:
        tx = x(target)
        body.append(
            f'<line class="target" x1="{tx:.1f}" y1="{top - 4}" x2="{tx:.1f}" '
            f'y2="{height - 4}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="6 4"/>'
        )
        body.append(_text(tx, top - 8, target_label, size=10))
    return _svg(chart_id, title, desc, width, height, body)


def classes(values: Sequence[float], *, reverse: bool = False) -> list[tuple[float, float]]:
    """Five equal-width classes (low, high) over the values' range; `reverse` when lower is
    better, so that the darkest class is always the better (or the bigger) one."""
    if not values:
        return []
    low, high = min(values), max(values)
    if high == low:
        return [(low, high)]
    width = (high - low) / len(PALETTE)
    bounds = [(low + width * i, low + width * (i + 1)) for i in range(len(PALETTE))]
    return bounds[::-1] if reverse else bounds


def colour_of(value: float | None, bounds: Sequence[tuple[float, float]]) -> str | None:
    """The palette colour of `value` in the classes `bounds` (None for no value)."""
    if value is None or not bounds:
        return None
    if len(bounds) == 1:
        return PALETTE[-1]
    ordered = sorted(range(len(bounds)), key=lambda i: bounds[i][0])
    for rank, i in enumerate(ordered):
        if value <= bounds[i][1] or rank == len(ordered) - 1:
            return PALETTE[i]
    return PALETTE[-1]  # pragma: no cover  (the loop always returns)


def legend_items(bounds: Sequence[tuple[float, float]], unit: str) -> list[tuple[str, str]]:
    """(colour, "low – high") for each class, in palette order (lightest first)."""
    items = []
    for i, (low, high) in enumerate(bounds):
        text = number(round(low, 1), unit) + (
            "" if high == low else " – " + number(round(high, 1), unit)
        )
        items.append((PALETTE[i] if len(bounds) > 1 else PALETTE[-1], text))
    return items


@dataclass(frozen=True)
class Tile:
    code: str
    name: str
    col: int
    row: int
    value: float | None
    href: str = ""


def _cell(x, y, size, fill, lines: Sequence[str], *, href="", label="", no_data=False) -> str:
    colour = "#fff" if fill in DARK else INK
    rect = f'<rect x="{x}" y="{y}" width="{size - 4}" height="{size - 4}" rx="4" ' + (
        f'fill="#fff" stroke="{MUTED}" stroke-dasharray="3 3"/>'
        if no_data
        else f'fill="{fill}" stroke="{INK}" stroke-width="0.5"/>'
    )
    texts = "".join(
        _text(
            x + (size - 4) / 2,
            y + (size - 4) / 2 + (i - (len(lines) - 1) / 2) * 14 + 4,
            line,
            size=12 if i == 0 else 11,
            fill=MUTED if no_data else colour,
        )
        for i, line in enumerate(lines)
    )
    inner = f"<g>{rect}{texts}</g>"
    if href:
        return f'<a href="{escape(href)}" aria-label="{escape(label)}">{inner}</a>'
    return inner


def tile_map(
    chart_id: str,
    tiles: Sequence[Tile],
    *,
    title: str,
    desc: str,
    unit: str,
    bounds: Sequence[tuple[float, float]],
    legend_title: str,
    no_data: str,
    size: int = 58,
) -> SafeString:
    """One square per site at its place on the grid: its code and its value written inside,
    coloured by the class of its value; a legend with every class and the "no data" tile.
    With links on the tiles the map is a group of links rather than one image (an image may
    not hold links)."""
    cols = max((t.col for t in tiles), default=0) + 1
    rows = max((t.row for t in tiles), default=0) + 1
    legend = legend_items(bounds, unit)
    legend_w = 150
    width = cols * size + legend_w + 16
    height = max(rows * size, (len(legend) + 2) * 24 + 10) + 4
    body = []
    for tile in tiles:
        fill = colour_of(tile.value, bounds)
        text = number(tile.value, unit)
        body.append(
            _cell(
                tile.col * size + 2,
                tile.row * size + 2,
                size,
                fill,
                [tile.code, text],
                href=tile.href,
                label=f"{tile.name}: {text}",
                no_data=fill is None,
            )
        )
    lx = cols * size + 16
    body.append(_text(lx, 16, legend_title, anchor="start", size=12))
    for i, (colour, text) in enumerate([*legend, ("", no_data)]):
        y = 26 + i * 24
        if colour:
            body.append(
                f'<rect x="{lx}" y="{y}" width="18" height="18" fill="{colour}" '
                f'stroke="{INK}" stroke-width="0.5"/>'
            )
        else:
            body.append(
                f'<rect x="{lx}" y="{y}" width="18" height="18" fill="#fff" stroke="{MUTED}" '
                f'stroke-dasharray="3 3"/>'
            )
        body.append(_text(lx + 24, y + 14, text, anchor="start", size=11))
    role = "group" if any(t.href for t in tiles) else "img"
    return _svg(chart_id, title, desc, width, height, body, role=role)


def heatmap(
    chart_id: str,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    title: str,
    desc: str,
    unit: str = "",
    reverse: bool = False,
    cell: int = 38,
) -> SafeString:
    """A grid of rows × columns (weekdays × hours), each cell coloured by its class and
    showing its value; empty cells are left white with a dash."""
    left, top = 48, 20
    flat = [v for row in values for v in row if v is not None]
    bounds = classes(flat, reverse=reverse)
    width = left + cell * len(col_labels) + 4
    height = top + cell * len(row_labels) + 4
    body = [
        _text(left + cell * j + cell / 2, 14, label, size=10, fill=MUTED)
        for j, label in enumerate(col_labels)
    ]
    for i, label in enumerate(row_labels):
        y = top + cell * i
        body.append(_text(left - 6, y + cell / 2 + 4, label, anchor="end", size=11))
        for j, value in enumerate(values[i]):
            fill = colour_of(value, bounds)
            x = left + cell * j
            if fill is None:
                body.append(
                    f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="#fff" '
                    f'stroke="{GRID}"/>'
                )
                body.append(_text(x + cell / 2 - 1, y + cell / 2 + 3, "—", size=10, fill=MUTED))
                continue
            body.append(
                f'<rect x="{x}" y="{y}" width="{cell - 2}" height="{cell - 2}" fill="{fill}"/>'
            )
            text = number(value, "%" if unit == "%" else "").replace(" %", "%")
            body.append(
                _text(
                    x + cell / 2 - 1,
                    y + cell / 2 + 3,
                    text,
                    size=10,
                    fill="#fff" if fill in DARK else INK,
                )
            )
    return _svg(chart_id, title, desc, width, height, body)
