"""The half-yearly report for the mayor and the regional table, as a PDF (WeasyPrint).

Same figures as the pages, from the latest release (protected: the report leaves every
municipality's detail level), one section per series (source and unit) that has data, with
charts, the map and the tables, and the release date on its first page.
"""

from __future__ import annotations

import re
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from ketenzicht.accounts.models import District, Region
from ketenzicht.core.errors import ServiceError
from ketenzicht.monitor import selectors
from ketenzicht.monitor.models import Source, Unit
from ketenzicht.monitor.sources import ensure_default_sources

PERIOD = re.compile(r"^(\d{4})(H[12]|K[1-4])?$")


class ReportError(ServiceError):
    pass


def parse_period(text: str) -> tuple[int, str]:
    """'2025H1' → (2025, 'H1'); '2025' → (2025, '')."""
    match = PERIOD.match((text or "").strip().upper().replace("Q", "K"))
    if not match:
        raise ReportError(f"Periode '{text}' niet herkend; gebruik bijvoorbeeld 2025H1, 2025H2, 2025K3 of 2025.")
    return int(match[1]), match[2] or ""


def render_html(*, region: Region, year: int | None, part: str = "", district: District | None = None) -> str:
    from ketenzicht.monitor.views import figure_context

    ensure_default_sources()
    sources = list(Source.objects.order_by("position"))
    first = selectors.Selection(region=region, source=sources[0], unit=sources[0].default_unit, district=district, year=year, part=part, grain="maand" if year else "jaar")
    overview = selectors.figures(first, protect=True)
    sections: list[dict[str, Any]] = []
    by_name = {s.name: s for s in sources}
    unit_codes = {str(label): code for code, label in Unit.choices}
    for i, (source_name, unit_label, _value) in enumerate(overview.by_source):
        source = by_name[source_name]
        selection = selectors.Selection(
            region=region, source=source, unit=unit_codes.get(unit_label, source.default_unit), district=district,
            year=year, part=part, grain=first.grain,
        )
        fig = selectors.figures(selection, protect=True)
        sections.append(figure_context(fig, prefix=f"r{i}"))
    return render_to_string(
        "monitor/report_pdf.html",
        {
            "region": region,
            "district": district,
            "period": first.period_label(),
            "overview": figure_context(overview, prefix="r-overzicht"),
            "sections": sections,
            "sources": sources,
            "threshold": selectors.threshold(),
            "method_note": selectors.method_note(overview),
            "generated": timezone.localtime(),
        },
    )


def render_pdf(*, region: Region, year: int | None, part: str = "", district: District | None = None) -> bytes:
    from weasyprint import HTML

    html = render_html(region=region, year=year, part=part, district=district)
    return HTML(string=html).write_pdf()
