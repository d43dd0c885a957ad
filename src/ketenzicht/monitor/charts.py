"""Server-rendered inline SVG charts and the choropleth map, for pages and the PDF report.

No JavaScript and no style attributes (the CSP forbids inline styles): colours are SVG
presentation attributes. Each chart has a <title> and a <desc> with the text alternative,
and every page shows the underlying table next to it. A suppressed figure is drawn as a
hatched mark labelled "x", never as a bar of some length.
"""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape
from math import cos, radians
from pathlib import Path
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

SUPPRESSION_MARK = "x"  # a figure shown as withheld (drawn hatched, never as a bar)

TOPOJSON = Path(__file__).resolve().parent.parent / "data" / "nl" / "gemeente_2025.topojson"
BAR = "#1f5f8b"  # 6.6:1 against white
INK = "#1a1a1a"
MUTED = "#595959"
PALETTE = ["#f2f6fa", "#c6dbef", "#6baed6", "#2b7bba", "#08306b"]  # sequential, light → dark
HATCH_STROKE = "#4d4d4d"


def _fmt(value: Any) -> str:
    return SUPPRESSION_MARK if value == SUPPRESSION_MARK else f"{int(value):,}".replace(",", ".")


def _say(value: Any) -> str:
    return _("x (afgeschermd)") if value == SUPPRESSION_MARK else _fmt(value)


def _hatch(uid: str) -> str:
    return (
        f'<defs><pattern id="{uid}-hatch" patternUnits="userSpaceOnUse" width="6" height="6" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HATCH_STROKE}" stroke-width="2"/></pattern></defs>'
    )


def _open(uid: str, width: int, height: int, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kz-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{uid}-t {uid}-d" '
        f'font-family="sans-serif" font-size="13">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>{_hatch(uid)}'
    )


def describe(items: list[tuple[str, Any]]) -> str:
    return "; ".join(f"{label}: {_say(v)}" for label, v in items) or _("geen gegevens")


def bar_chart(items: list[tuple[str, Any]], *, uid: str, title: str) -> SafeString:
    """Horizontal bars, one per category; suppressed categories get a hatched 'x' mark."""
    label_w, bar_w, row_h, top = 230, 330, 26, 8
    width, height = label_w + bar_w + 70, top + row_h * max(len(items), 1) + 8
    numbers = [v for _label, v in items if v != SUPPRESSION_MARK]
    peak = max(numbers, default=0) or 1
    parts = [_open(uid, width, height, title, _("Staafdiagram. ") + describe(items))]
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        parts.append(f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end" fill="{INK}">{escape(label)}</text>')
        if value == SUPPRESSION_MARK:
            parts.append(f'<rect x="{label_w}" y="{y + 4}" width="18" height="{row_h - 8}" fill="url(#{uid}-hatch)" stroke="{HATCH_STROKE}"/>')
            parts.append(f'<text x="{label_w + 24}" y="{y + 17}" fill="{INK}">x</text>')
            continue
        w = round(bar_w * int(value) / peak, 1)
        parts.append(f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row_h - 8}" fill="{BAR}"/>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 17}" fill="{INK}">{_fmt(value)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def column_chart(items: list[tuple[str, Any]], *, uid: str, title: str) -> SafeString:
    """The trend: one column per period, suppressed periods as a hatched 'x' mark."""
    n = max(len(items), 1)
    left, bottom, plot_h = 48, 44, 180
    col_w = max(6, min(40, 600 // n))
    width = left + col_w * n + 16
    height = plot_h + bottom + 16
    numbers = [v for _label, v in items if v != SUPPRESSION_MARK]
    peak = max(numbers, default=0) or 1
    parts = [_open(uid, width, height, title, _("Kolomdiagram van het verloop. ") + describe(items))]
    base_y = 8 + plot_h
    parts.append(f'<line x1="{left}" y1="{base_y}" x2="{width - 8}" y2="{base_y}" stroke="{MUTED}"/>')
    parts.append(f'<text x="{left - 6}" y="16" text-anchor="end" fill="{INK}">{_fmt(peak)}</text>')
    parts.append(f'<text x="{left - 6}" y="{base_y}" text-anchor="end" fill="{INK}">0</text>')
    every = max(1, -(-56 // col_w))  # a label needs about 56 px: skip some when columns are narrow
    for i, (label, value) in enumerate(items):
        x = left + i * col_w + 2
        if value == SUPPRESSION_MARK:
            parts.append(f'<rect x="{x}" y="{base_y - 14}" width="{col_w - 4}" height="14" fill="url(#{uid}-hatch)" stroke="{HATCH_STROKE}"/>')
        else:
            h = round(plot_h * int(value) / peak, 1)
            parts.append(f'<rect x="{x}" y="{base_y - h}" width="{col_w - 4}" height="{h}" fill="{BAR}"><title>{escape(label)}: {_fmt(value)}</title></rect>')
        if i % every == 0:
            parts.append(f'<text x="{x + (col_w - 4) / 2}" y="{base_y + 16}" text-anchor="middle" font-size="11" fill="{INK}">{escape(label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


@lru_cache(maxsize=1)
def _geometry() -> dict[str, list[list[tuple[float, float]]]]:
    """Rings (lon, lat) per CBS code, decoded once from the shipped TopoJSON."""
    topo = json.loads(TOPOJSON.read_text(encoding="utf-8"))
    sx, sy = topo["transform"]["scale"]
    tx, ty = topo["transform"]["translate"]
    arcs: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indices: list[int]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for i in indices:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(points if not out else points[1:])
        return out

    shapes: dict[str, list[list[tuple[float, float]]]] = {}
    for geom in topo["objects"]["gemeente_2025"]["geometries"]:
        code = geom["properties"]["statcode"]
        if geom["type"] == "Polygon":
            shapes[code] = [ring(r) for r in geom["arcs"]]
        elif geom["type"] == "MultiPolygon":
            shapes[code] = [ring(r) for poly in geom["arcs"] for r in poly]
    return shapes


def _classes(values: list[int]) -> list[int]:
    """Upper bounds of up to four classes of positive values (quantiles, distinct)."""
    positive = sorted(v for v in values if v > 0)
    if not positive:
        return []
    bounds = []
    for q in (0.25, 0.5, 0.75, 1.0):
        b = positive[min(len(positive) - 1, int(q * len(positive)) - (1 if q == 1.0 else 0))]
        if not bounds or b > bounds[-1]:
            bounds.append(b)
    return bounds


def choropleth(values: dict[str, Any], names: dict[str, str], *, uid: str, title: str) -> SafeString:
    """Map of the given municipalities, shaded by published value; suppressed = hatched."""
    shapes = _geometry()
    codes = [c for c in values if c in shapes]
    if not codes:
        return mark_safe("")
    lats = [lat for c in codes for r in shapes[c] for _lon, lat in r]
    kx = cos(radians((min(lats) + max(lats)) / 2))
    pts = [(lon * kx, lat) for c in codes for r in shapes[c] for lon, lat in r]
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    y0, y1 = min(p[1] for p in pts), max(p[1] for p in pts)
    map_w = 560
    scale = map_w / max(x1 - x0, 1e-9)
    map_h = round((y1 - y0) * scale)
    if map_h > 520:
        scale *= 520 / map_h
        map_h = 520
    bounds = _classes([int(v) for v in values.values() if v not in (SUPPRESSION_MARK, None)])
    legend_rows = 2 + len(bounds)
    width, height = map_w + 20, map_h + 24 + legend_rows * 22

    def fill(value: Any) -> str:
        if value == SUPPRESSION_MARK:
            return f"url(#{uid}-hatch)"
        if value is None or int(value) == 0:
            return PALETTE[0]
        for i, b in enumerate(bounds):
            if int(value) <= b:
                return PALETTE[min(i + 1, len(PALETTE) - 1)]
        return PALETTE[-1]

    described = "; ".join(f"{names.get(c, c)}: {_say(values[c])}" for c in codes)
    parts = [_open(uid, width, height, title, _("Kaart van de gemeenten. ") + described)]
    for c in codes:
        d = ""
        for r in shapes[c]:
            d += "M" + "L".join(f"{(lon * kx - x0) * scale + 10:.1f},{(y1 - lat) * scale + 10:.1f}" for lon, lat in r) + "Z"
        parts.append(
            f'<path d="{d}" fill="{fill(values[c])}" stroke="#333333" stroke-width="0.6">'
            f"<title>{escape(names.get(c, c))}: {escape(_say(values[c]))}</title></path>"
        )
    y = map_h + 28
    legend = [(PALETTE[0], _("0 of geen"))]
    low = 1
    for i, b in enumerate(bounds):
        legend.append((PALETTE[min(i + 1, len(PALETTE) - 1)], f"{_fmt(low)}–{_fmt(b)}" if b > low else _fmt(b)))
        low = b + 1
    legend.append((f"url(#{uid}-hatch)", _("x: afgeschermd (klein aantal of om een klein aantal te beschermen)")))
    for i, (colour, text) in enumerate(legend):
        yy = y + i * 22
        parts.append(f'<rect x="10" y="{yy - 12}" width="18" height="14" fill="{colour}" stroke="#333333"/>')
        parts.append(f'<text x="36" y="{yy}" fill="{INK}">{escape(text)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
