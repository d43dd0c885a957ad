"""Reads of the persons app: the persons figures and the state of the linkage.

Every count that leaves here is protected by the Cell Key Method (``monitor/protected.py``;
docs/adr/0001-cell-key-method.md): distinct persons and the overlap cells are counts of the kind
``personen`` (persons/kinds.py), repeat registrations of ``personen-eerder``, the registrations
the monitor's own count of the year's rows of those sources. The estimate is a model output of
the linkage job, published rounded with its interval widened (``_estimate``).

* ``published`` / ``trend``: from the latest release. The persons page reads ``published``; the
  monitor page, its exports, the PDF and the board report read ``trend`` (same values).
* ``live``: ``GET /api/v1/monitor/personen`` and ``ketenzicht monitor personen`` (issue 15 item
  4): the same rows computed now from every accepted import and the latest linkage, protected
  exactly as a release protects the same records, so the same persons give the same value and
  the next release publishes that value for them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from ketenzicht.accounts.models import District, Municipality, Region
from ketenzicht.monitor import protected
from ketenzicht.monitor.models import Release, Source
from ketenzicht.persons import kinds, linkage
from ketenzicht.persons.models import LinkageRun, PersonsFigure, RunStatus

NO_DATA = "Er zijn voor deze regio en dit jaar (nog) geen gecodeerde registraties gekoppeld."
NOT_RELEASED = "Voor {year} zijn nog geen cijfers vrijgegeven; ze verschijnen met de eerstvolgende release."


@dataclass(frozen=True)
class Published:
    """The figures of one region-year (or district-year) as they may be shown."""

    payload: dict[str, Any]  # exactly the API contract
    extra: dict[str, Any]  # further published figures (repeat registrations, the release note)
    run: LinkageRun | None
    pending: LinkageRun | None


def _figure(run: LinkageRun | None, year: int, district: District | None) -> dict[str, Any] | None:
    if run is None:
        return None
    found = PersonsFigure.objects.filter(run=run, year=year, district=district).first()
    return found.data if found is not None else None


def _overlap(
    region: Region, year: int, municipalities: list[Municipality] | None, release: Release, data: dict[str, Any] | None
) -> tuple[list[str], list[dict[str, Any]]]:
    """The released sources and the protected overlap cells (one per combination of sources)."""
    first, last = date(year, 1, 1), date(year, 12, 1)
    if municipalities is None:
        values = protected.cells(kinds.KIND, region=region, first=first, last=last, release=release).by_category
    else:
        cats = release.counts.filter(kind=kinds.KIND, region=region, period_month__gte=first, period_month__lte=last, municipality__in=municipalities)
        values = {
            cat: protected.count(kinds.KIND, region=region, first=first, last=last, municipalities=municipalities, category=cat, release=release).value or 0
            for cat in sorted(set(cats.values_list("category", flat=True)))
        }
    return _ordered(values, data)


def _ordered(values: dict[str, int], data: dict[str, Any] | None) -> tuple[list[str], list[dict[str, Any]]]:
    """The sources and the overlap cells of protected values per category, in the linkage's order."""
    slugs = dict(Source.objects.values_list("pk", "slug"))
    combos = {cat: [slugs[int(pk)] for pk in cat.split("+")] for cat in values}
    known = list((data or {}).get("bronnen", []))
    released = {slug for combo in combos.values() for slug in combo}
    order = [s for s in known if s in released] + sorted(released - set(known))
    live_order = [tuple(c["bronnen"]) for c in (data or {}).get("overlap", [])]

    def rank(cat: str) -> tuple[int, int, list[int]]:
        combo = tuple(sorted(combos[cat], key=order.index))
        return (live_order.index(combo) if combo in live_order else len(live_order), len(combo), [order.index(s) for s in combo])

    overlap = [{"bronnen": sorted(combos[cat], key=order.index), "aantal": values[cat]} for cat in sorted(values, key=rank)]
    return order, overlap


def published(region: Region, year: int, district: District | None = None) -> Published:
    """The contract JSON for a region (or district) and year, from the latest release."""
    run = linkage.latest(region)
    pending = linkage.pending(region)
    data = _figure(run, year, district)
    release = protected.current_release()
    payload: dict[str, Any] = {"regio": region.slug, "jaar": year}
    if district is not None:
        payload["district"] = district.slug
    first, last = date(year, 1, 1), date(year, 12, 1)
    if release is None or release.period < first:
        payload.update({"bronnen": [], "registraties": None, "uniekePersonen": None, "overlap": [], "schatting": None, "weigering": NOT_RELEASED.format(year=year)})
        return Published(payload, {"eerderGezien": None, "note": protected.release_note(release), "through": ""}, run, pending)
    municipalities = list(district.municipalities.all()) if district is not None else None
    sources, overlap = _overlap(region, year, municipalities, release, data)
    seen = protected.count(kinds.KIND, region=region, first=first, last=last, municipalities=municipalities, release=release)
    registrations = protected.count(
        protected.MONITOR_KIND, region=region, first=first, last=last, municipalities=municipalities, release=release,
        sources=list(Source.objects.filter(slug__in=sources)),
    )
    partial = seen.last_month is not None and seen.last_month < last
    estimate, low, high, why = _estimate(data, seen.value, release.threshold, whole_year=not partial)
    if data is None and not sources:
        why = NO_DATA
    elif partial:
        why = _("Vrijgegeven tot en met %(maand)s. ") % {"maand": seen.last_month_label} + why
    schatting = None
    if estimate is not None and data is not None:
        schatting = {"waarde": estimate, "interval": [low, high], "methode": data["schatting"]["methode"], "model": data["schatting"]["model"]}
    payload.update(
        {
            "bronnen": sources,
            "registraties": registrations.value,
            "uniekePersonen": seen.value,
            "overlap": overlap,
            "schatting": schatting,
            "weigering": None if schatting else why,
        }
    )
    repeat = protected.count(kinds.REPEAT_KIND, region=region, first=first, last=last, municipalities=municipalities, release=release)
    extra = {
        "eerderGezien": repeat.value,
        "selectie": data["schatting"].get("selectie") if schatting and data else None,
        "note": protected.release_note(release),
        "through": seen.last_month_label if partial else "",
    }
    return Published(payload, extra, run, pending)


def live(region: Region, year: int, district: District | None = None, *, later: bool = False) -> Published:
    """The contract JSON for a region (or district) and year computed now from every accepted
    import and the latest linkage, every count protected by the Cell Key Method exactly as a
    release would protect the same records (``protected.live_cells``/``live_registrations``).
    Only ``ketenzicht monitor personen`` and ``GET /api/v1/monitor/personen`` read this; every
    page and publication reads ``published``/``trend`` (the release). ``later``: add
    ``laterOpnieuw``, the protected count of the year's persons registered again in a later year."""
    run = linkage.latest(region)
    data = _figure(run, year, district)
    payload: dict[str, Any] = {"regio": region.slug, "jaar": year}
    if district is not None:
        payload["district"] = district.slug
    rows = kinds.live_rows(run, year) if run is not None else {kinds.KIND: [], kinds.REPEAT_KIND: [], kinds.LATER: []}
    chosen = set(district.municipalities.values_list("pk", flat=True)) if district is not None else None
    persons = protected.live_cells(rows[kinds.KIND], municipalities=chosen)
    sources, overlap = _ordered(persons.by_category, data)
    first, last = date(year, 1, 1), date(year, 12, 1)
    registrations = protected.live_registrations(
        region=region, first=first, last=last, sources=list(Source.objects.filter(slug__in=sources)),
        municipalities=list(district.municipalities.all()) if district is not None else None,
    )  # fmt: skip
    estimate, low, high, why = _estimate(data, persons.total, protected.ptable_params().threshold, whole_year=True)
    if data is None and not sources:
        why = NO_DATA
    schatting = None
    if estimate is not None and data is not None:
        schatting = {"waarde": estimate, "interval": [low, high], "methode": data["schatting"]["methode"], "model": data["schatting"]["model"]}
    payload.update(
        {
            "bronnen": sources,
            "registraties": registrations,
            "uniekePersonen": persons.total,
            "overlap": overlap,
            "schatting": schatting,
            "weigering": None if schatting else why,
        }
    )
    again = protected.live_cells(rows[kinds.LATER], municipalities=chosen).total
    if later:
        payload["laterOpnieuw"] = again
    extra = {
        "eerderGezien": protected.live_cells(rows[kinds.REPEAT_KIND], municipalities=chosen).total,
        "laterOpnieuw": again,
        "selectie": data["schatting"].get("selectie") if schatting and data else None,
    }
    return Published(payload, extra, run, linkage.pending(region))


def years(region: Region) -> list[int]:
    run = linkage.latest(region)
    if run is None:
        return []
    return sorted(PersonsFigure.objects.filter(run=run, district=None).values_list("year", flat=True), reverse=True)


def source_names() -> dict[str, str]:
    return dict(Source.objects.values_list("slug", "name"))


def status(region: Region) -> dict[str, Any]:
    """The linkage state of a region for the imports page (no figures)."""
    latest = linkage.latest(region)
    failed = LinkageRun.objects.filter(region=region, status=RunStatus.MISLUKT).order_by("-requested_at").first()
    failed_last = failed is not None and (latest is None or failed.requested_at > latest.requested_at)
    return {"latest": latest, "pending": linkage.pending(region), "failed_last": failed_last}


# --- in every output (issue 15 item 5) ---------------------------------------------------------
# Seen per year is the protected count of the kind ``personen`` (persons/kinds.py) from the latest
# release; the estimate is a model output computed by the linkage job from the linked records and
# published rounded to tens (the interval widened outward to tens), only beside a published seen
# count of at least the release's threshold. The monitor page, its exports, the half-yearly PDF
# and the reports to the board all read ``trend`` and nothing else.
ROUND_TO = 10


def _round(value: float, how: Any = round) -> int:
    return int(how(value / ROUND_TO) * ROUND_TO)


@dataclass(frozen=True)
class YearFigures:
    """One year of a region as every output shows it (values already protected or rounded)."""

    year: int
    seen: int | None  # protected distinct persons (None: not released)
    through: str  # "juni 2025" when the seen count covers the year only up to that month, else ""
    estimate: int | None
    low: int | None
    high: int | None
    why_not: str  # why there is no estimate (Dutch), "" when there is one

    @property
    def seen_label(self) -> str:
        return "" if self.seen is None else _fmt(self.seen)

    @property
    def estimate_label(self) -> str:
        return "" if self.estimate is None else _fmt(self.estimate)

    @property
    def interval_label(self) -> str:
        if self.low is None or self.high is None:
            return ""
        return f"{_fmt(self.low)} – {_fmt(self.high)}"


def _fmt(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@dataclass(frozen=True)
class Trend:
    region: Region
    years: list[YearFigures]
    note: str  # the release sentence
    release: Release | None

    @property
    def empty(self) -> bool:
        return not any(y.seen is not None for y in self.years)


def _estimate(
    figure: dict[str, Any] | None, seen: int | None, threshold: int, *, whole_year: bool
) -> tuple[int | None, int | None, int | None, str]:
    if seen is None:
        return None, None, None, _("Voor dit jaar zijn nog geen cijfers vrijgegeven.")
    if not whole_year:
        # The model assumes a closed population within the year; part of a year is not one.
        return None, None, None, _("De schatting volgt als het hele jaar is vrijgegeven.")
    if seen < threshold:
        return None, None, None, _("Te weinig personen om een schatting te publiceren.")
    if figure is None:
        return None, None, None, _("Er is (nog) geen koppeling van gecodeerde registraties voor dit jaar.")
    estimate = figure.get("schatting")
    if not estimate:
        return None, None, None, figure.get("weigering") or _("Geen schatting mogelijk voor dit jaar.")
    low, high = estimate["interval"]
    return _round(estimate["waarde"]), _round(low, math.floor), _round(high, math.ceil), ""


def trend(region: Region) -> Trend:
    """Seen and estimated per year for ``region``: the figures of every output."""
    release = protected.current_release()
    run = linkage.latest(region)
    figures = {f.year: f.data for f in PersonsFigure.objects.filter(run=run, district=None)} if run else {}
    years: set[int] = set(figures)
    if release is not None:
        months = release.counts.filter(kind=kinds.KIND, region=region).values_list("period_month", flat=True).distinct()
        years |= {m.year for m in months}
    out = []
    for year in sorted(years):
        seen = protected.count(kinds.KIND, region=region, first=date(year, 1, 1), last=date(year, 12, 1), release=release)
        value = seen.value if seen.release is not None and seen.last_month is not None else None
        partial = seen.last_month is not None and seen.last_month < date(year, 12, 1)
        estimate, low, high, why = _estimate(figures.get(year), value, release.threshold if release else 0, whole_year=not partial)
        out.append(YearFigures(year, value, seen.last_month_label if partial else "", estimate, low, high, why))
    return Trend(region, out, protected.release_note(release), release)


def export_block(region: Region) -> tuple[str, list[list[Any]]]:
    """The persons block of a monitor export (CSV/XLSX): the same figures as the page."""
    data = trend(region)
    rows: list[list[Any]] = [[_("Jaar"), _("Unieke personen (gezien)"), _("Tot en met"), _("Geschatte omvang"), _("95%-interval laag"), _("95%-interval hoog"), _("Toelichting")]]
    for y in data.years:
        rows.append([y.year, "" if y.seen is None else y.seen, y.through, "" if y.estimate is None else y.estimate, "" if y.low is None else y.low, "" if y.high is None else y.high, y.why_not])
    rows.append([_("Stand"), data.note])
    return (_("Personen en geschatte omvang"), rows)
