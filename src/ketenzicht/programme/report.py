"""The progress report to the board: programme status, training coverage, the monitor's figures
(protected) and the district KPIs, for a municipality, district or region, per half-year (mayor,
portefeuillehouder, regional table) or year (council). Rendered to PDF with WeasyPrint.

A published report never contains personal data: it is built from counts and from programme
fields only (no progress notes, no responsible person, no case); the monitor figures and the
KPI counts come from the protected source (the latest release, Cell Key Method); and as a last safeguard every name the system knows
in the report's area (staff and persons in case files) is removed from the rendered text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from ketenzicht.accounts.models import District, Municipality, Region, User
from ketenzicht.barriers.models import AwarenessCampaign
from ketenzicht.domain import kpi
from ketenzicht.domain.programme import ReportPeriod
from ketenzicht.domain.redaction import redact
from ketenzicht.programme import selectors
from ketenzicht.programme.models import Programme, TrainingNeed, scope_of

Area = Municipality | District | Region


@dataclass
class Rendered:
    html: str
    redactions: int


def _level(area: Area) -> str:
    return str(scope_of(area)["level"])


def _region(area: Area) -> Region:
    return area if isinstance(area, Region) else area.region


def _municipalities(area: Area) -> list[Municipality]:
    if isinstance(area, Municipality):
        return [area]
    qs = Municipality.objects.filter(district=area) if isinstance(area, District) else Municipality.objects.filter(region=area)
    return list(qs.order_by("name"))


def _districts(area: Area) -> list[District]:
    if isinstance(area, Municipality):
        return [area.district] if area.district_id else []
    if isinstance(area, District):
        return [area]
    return list(District.objects.filter(region=area).order_by("name"))


def _programmes(area: Area) -> list[Programme]:
    field = {"gemeente": "municipality", "district": "district", "regio": "region"}[_level(area)]
    qs = Programme.objects.filter(level=_level(area), **{field: area})
    return list(qs.order_by("-last_year", "name"))


def _programme_section(area: Area, period: ReportPeriod) -> list[dict[str, Any]]:
    sections = []
    for programme in _programmes(area):
        if not (programme.first_year <= period.year <= programme.last_year):
            continue
        status = selectors.status_in_period(programme, period.start, period.end)
        sections.append({"programme": programme, **status})
    return sections


def _training_section(area: Area, period: ReportPeriod) -> dict[str, Any]:
    municipalities = [m for m in _municipalities(area) if m.on_platform or isinstance(area, Municipality)]
    rows = selectors.region_coverage(_region(area), period.year, municipalities)
    groups = []
    if isinstance(area, Municipality) and rows:
        groups = [
            {"label": selectors.function_label(g.function), "group": g} for g in rows[0]["coverage"].groups
        ]
    campaigns = AwarenessCampaign.objects.filter(
        district__in=_districts(area), held_on__gte=period.start, held_on__lte=period.end
    ).select_related("district").order_by("held_on")
    districts_with = {c.district_id for c in campaigns}
    needs = TrainingNeed.objects.filter(municipality__in=municipalities, year=period.year).count()
    return {
        "rows": rows, "groups": groups, "campaigns": list(campaigns),
        "districts_without_campaign": [d.name for d in _districts(area) if d.pk not in districts_with],
        "needs": needs,
    }


def _monitor_section(area: Area, period: ReportPeriod) -> dict[str, Any]:
    from ketenzicht.monitor import selectors as monitor
    from ketenzicht.monitor.models import Source
    from ketenzicht.monitor.sources import ensure_default_sources

    ensure_default_sources()
    source = Source.objects.order_by("position").first()
    selection = monitor.Selection(
        region=_region(area), source=source, unit=source.default_unit,
        district=area if isinstance(area, District) else None,
        municipality=area if isinstance(area, Municipality) else None,
        year=period.year, part=f"H{period.half}" if period.half else "",
    )
    # protect=True: the report leaves every municipality's own detail level (latest release).
    fig = monitor.figures(selection, protect=True)
    return {"figures": fig, "threshold": monitor.threshold(), "method_note": monitor.method_note(fig)}


def _kpi_section(area: Area, period: ReportPeriod, today: date) -> list[dict[str, Any]]:
    quarters = [q for q in (kpi.Quarter(period.year, n) for n in range(1, 5)) if period.start <= q.start <= period.end]
    blocks = []
    for district in _districts(area):
        lines: dict[tuple[str, Any], dict[str, Any]] = {}
        for quarter in quarters:
            for row in _kpi_rows(district, quarter, today):
                # A yearly target spans every quarter: one line, with its latest stand. The
                # case-proposal count is the protected figure and its status is judged on it.
                lines[(row.target.code, row.period)] = {
                    "quarter": quarter.label if row.period == (quarter.start, quarter.end) else str(quarter.year),
                    "target": row.target, "shown": row.shown, "status": row.status_text,
                }
        blocks.append({"district": district, "lines": list(lines.values())})
    return blocks


def _kpi_rows(district: District, quarter: kpi.Quarter, today: date) -> list[Any]:
    from ketenzicht.barriers.selectors import kpi_rows_published

    return kpi_rows_published(district, quarter, today)


def known_names(area: Area) -> list[str]:
    """Every name the system holds in this area: staff of the region and persons in its case files."""
    from ketenzicht.cases.models import Subject

    region = _region(area)
    names: list[str] = []
    for first, last, email in User.objects.filter(Q(organisation__region=region) | Q(organisation__municipality__region=region)).values_list(
        "first_name", "last_name", "email"
    ):
        names += [f"{first} {last}", email]
    names += list(
        Subject.objects.filter(case__municipality__in=_municipalities(area)).exclude(name="").values_list("name", flat=True)
    )
    return names


def render_html(area: Area, period: ReportPeriod, *, today: date | None = None) -> Rendered:
    today = today or timezone.localdate()
    context = {
        "area": area,
        "level": _level(area),
        "period": period,
        "audience": (
            "Voor de burgemeester en portefeuillehouder en de regionale tafel" if period.half
            else "Jaarrapportage voor de gemeenteraad en het regionaal bestuur"
        ),
        "programmes": _programme_section(area, period),
        "training": _training_section(area, period),
        "monitor": _monitor_section(area, period),
        "kpis": _kpi_section(area, period, today),
        "generated": timezone.localtime(),
    }
    html = render_to_string("programme/report_pdf.html", context)
    html, count = redact(html, known_names(area))
    return Rendered(html, count)


def render_pdf(area: Area, period: ReportPeriod, *, today: date | None = None) -> tuple[bytes, int, int]:
    """(pdf, pages, redactions)."""
    from weasyprint import HTML

    rendered = render_html(area, period, today=today)
    document = HTML(string=rendered.html).render()
    return document.write_pdf(), len(document.pages), rendered.redactions
