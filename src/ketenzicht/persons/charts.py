"""The overlap between sources as an UpSet-style chart (inline SVG, CSP-safe).

One column per combination of sources, ordered by size: a bar with the number of persons and,
below it, a dot for every source in the combination (dots joined by a line). The table beside
the chart on the page is the full text alternative; <title> and <desc> summarise it.
"""

from __future__ import annotations

from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ketenzicht.monitor.charts import BAR, HATCH_STROKE, INK, MUTED, _fmt, _hatch

OFF = "#d0d0d0"


def upset(overlap: list[dict[str, Any]], sources: list[str], names: dict[str, str], *, uid: str) -> SafeString:
    """``overlap``: [{"bronnen": [...], "aantal": int | None}] (None = suppressed, drawn as x)."""
    cells = sorted(overlap, key=lambda c: (c["aantal"] is None, -(c["aantal"] or 0)))
    col_w, label_w, bar_h, row_h, top = 44, 210, 150, 24, 22
    width = label_w + col_w * max(len(cells), 1) + 10
    height = top + bar_h + 12 + row_h * len(sources) + 8
    peak = max((c["aantal"] or 0 for c in cells), default=0) or 1

    def label(cell: dict[str, Any]) -> str:
        return " + ".join(names.get(s, s) for s in cell["bronnen"])

    described = "; ".join(f"{label(c)}: {_('x (afgeschermd)') if c['aantal'] is None else _fmt(c['aantal'])}" for c in cells)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kz-chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{uid}-t {uid}-d" font-family="sans-serif" font-size="13">'
        f'<title id="{uid}-t">{escape(_("Overlap tussen bronnen: personen per combinatie van bronnen"))}</title>'
        f'<desc id="{uid}-d">{escape(described or _("geen gegevens"))}</desc>{_hatch(uid)}'
    ]
    matrix_top = top + bar_h + 12
    for r, source in enumerate(sources):
        y = matrix_top + r * row_h
        parts.append(f'<text x="{label_w - 10}" y="{y + 16}" text-anchor="end" fill="{INK}">{escape(names.get(source, source))}</text>')
    for i, cell in enumerate(cells):
        x = label_w + i * col_w + col_w / 2
        if cell["aantal"] is None:
            parts.append(f'<rect x="{x - 9}" y="{top + bar_h - 18}" width="18" height="18" fill="url(#{uid}-hatch)" stroke="{HATCH_STROKE}"/>')
            parts.append(f'<text x="{x}" y="{top + bar_h - 24}" text-anchor="middle" fill="{INK}">x</text>')
        else:
            h = round(bar_h * cell["aantal"] / peak, 1)
            parts.append(f'<rect x="{x - 12}" y="{top + bar_h - h}" width="24" height="{h}" fill="{BAR}"/>')
            parts.append(f'<text x="{x}" y="{top + bar_h - h - 5}" text-anchor="middle" fill="{INK}">{_fmt(cell["aantal"])}</text>')
        rows = [r for r, s in enumerate(sources) if s in cell["bronnen"]]
        if len(rows) > 1:
            y1, y2 = matrix_top + rows[0] * row_h + 11, matrix_top + rows[-1] * row_h + 11
            parts.append(f'<line x1="{x}" y1="{y1}" x2="{x}" y2="{y2}" stroke="{INK}" stroke-width="3"/>')
        for r in range(len(sources)):
            fill = INK if r in rows else OFF
            parts.append(f'<circle cx="{x}" cy="{matrix_top + r * row_h + 11}" r="7" fill="{fill}"/>')
    parts.append(f'<line x1="{label_w}" y1="{top + bar_h}" x2="{width - 10}" y2="{top + bar_h}" stroke="{MUTED}"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above


def trend(years: list[Any], *, uid: str) -> SafeString:
    """Seen (bars) and estimated (a dot with its 95 % interval) per year; ``years`` are
    ``published.YearFigures``. The table beside it is the full text alternative."""
    col_w, left, top, plot_h, bottom = 90, 60, 24, 180, 40
    width = max(left + col_w * max(len(years), 1) + 20, 480)
    height = top + plot_h + bottom
    peak = max([y.high or y.estimate or y.seen or 0 for y in years] + [1])

    def y_of(value: float) -> float:
        return round(top + plot_h - plot_h * value / peak, 1)

    def say(y: Any) -> str:
        seen = _("niet vrijgegeven") if y.seen is None else _fmt(y.seen)
        text = f"{y.year}: {_('gezien')} {seen}"
        if y.estimate is not None:
            text += f", {_('geschat')} {_fmt(y.estimate)} ({_('95%-interval')} {_fmt(y.low)}–{_fmt(y.high)})"
        return text

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kz-chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-labelledby="{uid}-t {uid}-d" font-family="sans-serif" font-size="13">'
        f'<title id="{uid}-t">{escape(_("Unieke personen (gezien) en geschatte omvang per jaar"))}</title>'
        f'<desc id="{uid}-d">{escape("; ".join(say(y) for y in years) or _("geen gegevens"))}</desc>'
    ]
    for i, y in enumerate(years):
        x = left + i * col_w + col_w / 2
        if y.seen is not None:
            parts.append(f'<rect x="{x - 18}" y="{y_of(y.seen)}" width="36" height="{round(plot_h * y.seen / peak, 1)}" fill="{BAR}"/>')
            parts.append(f'<text x="{x - 22}" y="{y_of(y.seen) + 14}" text-anchor="end" fill="{INK}">{_fmt(y.seen)}</text>')
        if y.estimate is not None and y.low is not None and y.high is not None:
            parts.append(f'<line x1="{x + 26}" y1="{y_of(y.low)}" x2="{x + 26}" y2="{y_of(y.high)}" stroke="{INK}" stroke-width="2"/>')
            for v in (y.low, y.high):
                parts.append(f'<line x1="{x + 20}" y1="{y_of(v)}" x2="{x + 32}" y2="{y_of(v)}" stroke="{INK}" stroke-width="2"/>')
            parts.append(f'<circle cx="{x + 26}" cy="{y_of(y.estimate)}" r="5" fill="#ffffff" stroke="{INK}" stroke-width="2"/>')
        parts.append(f'<text x="{x}" y="{top + plot_h + 18}" text-anchor="middle" fill="{INK}">{y.year}</text>')
    parts.append(f'<line x1="{left - 10}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" stroke="{MUTED}"/>')
    legend_y = top + plot_h + 34
    parts.append(f'<rect x="{left}" y="{legend_y - 10}" width="12" height="12" fill="{BAR}"/>')
    parts.append(f'<text x="{left + 18}" y="{legend_y}" fill="{INK}">{escape(_("gezien (unieke personen)"))}</text>')
    parts.append(f'<circle cx="{left + 216}" cy="{legend_y - 4}" r="5" fill="#ffffff" stroke="{INK}" stroke-width="2"/>')
    parts.append(f'<text x="{left + 228}" y="{legend_y}" fill="{INK}">{escape(_("geschat, met 95%-interval"))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text is escaped above
