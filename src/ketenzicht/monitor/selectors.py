"""Reads of the monitor: the figures of a selection, live (own municipality) or protected.

One selection is one *series* (a source and a unit: never added to another) over an area
(region, district or one municipality) and a period, published as: gemeente × vorm (its row
totals feed the map, its column totals the chart by form), the trend per period, by age
group, by sector, for own signals kanaal × uitkomst, and every series side by side.

`compute` builds these from count rows with one rule per cell: a cell is the set of rows it
covers, its value is ``publish(n, key)`` of their summed count and key. Protected figures
(`protected.figures`) read the latest release and publish with the Cell Key Method, so a
total is its own perturbed cell, not the sum of perturbed parts, and the same cell has the
same value in every table, page, export and report. Live figures (the AF's own municipality
only, decided by the policy) read the count table and publish the true count.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from ketenzicht.accounts.models import District, Municipality, Region
from ketenzicht.domain.cellkey import KEY_MODULUS, PTableParams
from ketenzicht.monitor.models import (
    NOT_COUNTED_STATES,
    OUTCOME_LABELS,
    OWN_SIGNALS,
    AgeGroup,
    Channel,
    CountRefresh,
    Form,
    ImportStatus,
    Indicator,
    MonitorCount,
    RiskIndicator,
    Sector,
    Source,
    Unit,
)

if TYPE_CHECKING:
    from ketenzicht.monitor.protected import Protected

GRAINS = {"maand": 1, "kwartaal": 3, "halfjaar": 6, "jaar": 12}
PARTS = {"": (1, 12), "H1": (1, 6), "H2": (7, 12), "K1": (1, 3), "K2": (4, 6), "K3": (7, 9), "K4": (10, 12)}
FIRST_YEAR = 2000

Value = int | str  # a published count (str only in charts' own marks)
Publish = Callable[[int, int], int]


def threshold() -> int:
    return int(getattr(settings, "MONITOR_DISCLOSURE_THRESHOLD", 5))


@dataclass(frozen=True)
class Selection:
    region: Region
    source: Source
    unit: str
    district: District | None = None
    municipality: Municipality | None = None
    year: int | None = None
    part: str = ""
    grain: str = "jaar"

    def municipalities(self) -> list[Municipality]:
        if self.municipality is not None:
            return [self.municipality]
        qs = Municipality.objects.filter(region=self.region)
        if self.district is not None:
            qs = qs.filter(district=self.district)
        return list(qs.order_by("name"))

    def month_range(self) -> tuple[date, date] | None:
        if self.year is None:
            return None
        first, last = PARTS.get(self.part, (1, 12))
        return date(self.year, first, 1), date(self.year, last, 1)

    def area_label(self) -> str:
        if self.municipality is not None:
            return self.municipality.name
        if self.district is not None:
            return f"{self.region.name} – {self.district.name}"
        return self.region.name

    def period_label(self) -> str:
        if self.year is None:
            return _("alle jaren")
        return f"{self.year}{' ' + self.part if self.part else ''}"

    def key(self) -> str:
        return "|".join(
            str(x)
            for x in (
                self.region.pk,
                self.source.pk,
                self.unit,
                self.district.pk if self.district else "",
                self.municipality.pk if self.municipality else "",
                self.year or "",
                self.part,
                self.grain,
            )
        )


@dataclass
class Figures:
    """Everything a page, export or report shows for one selection: published values only."""

    title: str
    area: str
    period: str
    source: str
    unit: str
    protected: bool
    threshold: int
    note: str = ""  # "Vrijgegeven cijfers van …" or "Stand per …": shown beside every output
    max_deviation: int = 0
    through: str = ""  # protected: the last released month the selection reaches, if it is cut off
    total: Value = 0
    forms: list[tuple[str, str]] = field(default_factory=list)  # (code, label)
    municipality_form: list[dict[str, Any]] = field(default_factory=list)  # rows: name, code, cells, total
    form_totals: list[Value] = field(default_factory=list)
    by_form: list[tuple[str, Value]] = field(default_factory=list)
    by_municipality: dict[str, Value] = field(default_factory=dict)  # cbs code → value
    trend: list[tuple[str, Value]] = field(default_factory=list)
    by_age: list[tuple[str, Value]] = field(default_factory=list)
    by_sector: list[tuple[str, Value]] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    channel_outcome: list[dict[str, Any]] = field(default_factory=list)
    channel_totals: list[Value] = field(default_factory=list)
    by_source: list[tuple[str, str, Value]] = field(default_factory=list)
    # Persons in own signals by vulnerable group (kind ``kwetsbaregroepen``): (label, value), never summed.
    by_group: list[tuple[str, Value]] = field(default_factory=list)
    grain: str = "jaar"
    empty: bool = False  # protected: nothing released for this period yet


def data_version() -> int:
    return CountRefresh.objects.aggregate(v=Max("id"))["v"] or 0


def live_note() -> str:
    """'Stand per <datum en tijd>' of the live count table (its latest refresh)."""
    latest = CountRefresh.objects.order_by("-id").values_list("at", flat=True).first()
    if latest is None:
        return _("Nog niet geteld.")
    return _("Stand per %(moment)s.") % {"moment": formats.date_format(timezone.localtime(latest), "j F Y, H:i")}


def _period_buckets(selection: Selection, months: dict[date, tuple[int, int]], last: date | None) -> list[tuple[str, int, int]]:
    step = GRAINS.get(selection.grain, 12)
    rng = selection.month_range()
    if rng is None:
        if not months:
            return []
        start, end = date(min(months).year, 1, 1), date(max(months).year, 12, 1)
    else:
        start, end = rng
    if last is not None:
        end = min(end, last)
    buckets: dict[str, list[int]] = {}
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        buckets.setdefault(_bucket_label(y, m, step), [0, 0])
        m += 1
        if m > 12:
            y, m = y + 1, 1
    for month, (n, key) in months.items():
        label = _bucket_label(month.year, month.month, step)
        if label in buckets:
            buckets[label][0] += n
            buckets[label][1] += key
    return [(label, n, key) for label, (n, key) in buckets.items()]


def _bucket_label(year: int, month: int, step: int) -> str:
    if step == 1:
        return f"{year}-{month:02d}"
    if step == 3:
        return f"{year} K{(month - 1) // 3 + 1}"
    if step == 6:
        return f"{year} H{(month - 1) // 6 + 1}"
    return str(year)


def figures_key(selection: Selection, *, protect: bool) -> str:
    """Cache key of a selection's figures: the release (protected) or the data version (live)."""
    if protect:
        from ketenzicht.monitor import protected

        return protected.figures_key(selection, protected.current_release())
    raw = f"live3|{data_version()}|{_persons_version(selection)}|{selection.key()}"
    return "monitor:fig:" + hashlib.sha256(raw.encode()).hexdigest()


def _persons_version(selection: Selection) -> str:
    """What the live vulnerable-group counts depend on (recorded on persons, not in the count
    table): a digest of the selection's persons in a group, so an edit shows at once."""
    from ketenzicht.cases.models import Subject

    rows = (
        Subject.objects.filter(case__municipality__in=selection.municipalities()).exclude(vulnerable_groups=[])
        .order_by("pk").values_list("pk", "vulnerable_groups", "case__state", "case__created_at", "case__municipality_id")
    )
    return hashlib.sha256(repr(list(rows)).encode()).hexdigest()


def case_proposals_published(*, region: Region, municipalities: list[Municipality], first: date, last: date) -> Protected:
    """The protected count of case proposals (kind ``casusvoorstellen``) in these municipalities
    for the months ``first`` … ``last``, from the latest release: the district KPI dashboard's
    and the board reports' figure. Never add a live count to it (no "3 + x")."""
    from ketenzicht.monitor import kinds, protected

    return protected.count(
        kinds.CASE_PROPOSALS, region=region, first=first, last=last, municipalities=municipalities, category=kinds.CASE_PROPOSAL,
    )


def vulnerable_groups(selection: Selection, *, protect: bool, last_month: date | None = None) -> list[tuple[str, Value]]:
    """Persons in own signals of the selection's municipalities and period by vulnerable group.

    Protected (``protect``): one count per group of the kind ``kwetsbaregroepen`` from the
    latest release, up to ``last_month`` (the release's period). Live and exact otherwise, for
    the AF's own municipality only (views ask ``monitor.unsuppressed`` first).
    """
    from ketenzicht.cases.models import Subject, VulnerableGroup
    from ketenzicht.monitor import kinds, protected

    municipalities = selection.municipalities()
    rng = selection.month_range()
    first, last = rng if rng is not None else (date(FIRST_YEAR, 1, 1), date(9999, 12, 1))
    if protect:
        if last_month is None:
            return []
        published = [
            (str(label), protected.count(
                kinds.VULNERABLE_GROUPS, region=selection.region, first=first, last=min(last, last_month),
                municipalities=municipalities, category=code,
            ).value)
            for code, label in VulnerableGroup.choices
        ]
        return [(label, "—" if value is None else value) for label, value in published]
    counts = dict.fromkeys(VulnerableGroup.values, 0)
    persons = (
        Subject.objects.filter(case__municipality__in=municipalities).exclude(vulnerable_groups=[])
        .exclude(case__state__in=NOT_COUNTED_STATES).values_list("vulnerable_groups", "case__created_at")
    )
    for groups, created in persons:
        if first <= timezone.localtime(created).date().replace(day=1) <= last:
            for group in set(groups) & counts.keys():
                counts[group] += 1
    return [(str(label), counts[code]) for code, label in VulnerableGroup.choices]


@dataclass
class ThroughputFigures:
    """The regional throughput of the tables for released months, protected (kinds in monitor/throughput.py)."""

    note: str
    first: date | None
    last: date | None
    outcome_labels: list[str]
    rows: list[tuple[str, list[int]]]  # municipality name, [received, outcome 1, …]
    totals: list[int]  # the region's own protected cells (not sums of the rows above)
    durations: list[tuple[str, list[tuple[str, int]], str]]  # step label, [(band label, count)], median band label


def released_months(limit: int = 24) -> list[date]:
    """The months a protected page may offer: the latest release's month and the ``limit - 1`` before it."""
    from ketenzicht.monitor import protected

    release = protected.current_release()
    if release is None:
        return []
    month, months = release.period, []
    for _step in range(limit):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months


def _median_band(counts: list[tuple[str, int]]) -> str:
    """The band holding the median, from the published band counts only ("" when they are all 0)."""
    total = sum(n for _label, n in counts)
    running = 0
    for label, n in counts:
        running += n
        if total and 2 * running >= total:
            return label
    return ""


def throughput_published(*, region: Region, first: date, last: date) -> ThroughputFigures:
    """The tables' outcomes and durations per municipality of ``region`` for released months
    ``first`` … ``last``: every figure from the latest release (Cell Key Method)."""
    from ketenzicht.meetings.selectors import DURATION_LABELS, OUTCOME_LABELS, TABLE_ACTIONS
    from ketenzicht.monitor import protected, throughput

    outcomes = protected.cells(throughput.OUTCOMES_KIND, region=region, first=first, last=last)
    bands = protected.cells(throughput.DURATIONS_KIND, region=region, first=first, last=last)
    categories = [throughput.RECEIVED, *TABLE_ACTIONS]
    places = Municipality.objects.filter(region=region).order_by("name").values_list("pk", "name")
    rows = [(name, [outcomes.by_municipality.get((pk, c), 0) for c in categories]) for pk, name in places]
    durations = []
    for step, label in DURATION_LABELS.items():
        counts = [(band_label, bands.by_category.get(f"{step}:{code}", 0)) for code, band_label, _lo, _hi in throughput.BANDS]
        durations.append((label, counts, _median_band(counts)))
    return ThroughputFigures(
        note=protected.release_note(outcomes.release), first=outcomes.first, last=outcomes.last,
        outcome_labels=[OUTCOME_LABELS[a] for a in TABLE_ACTIONS], rows=rows,
        totals=[outcomes.by_category.get(c, 0) for c in categories], durations=durations,
    )


def figures(selection: Selection, *, protect: bool, key: str | None = None) -> Figures:
    """The figures of a selection: protected (from the release) unless ``protect`` is False.

    ``protect=False`` is for the AF's own municipality only; views ask the policy
    (``monitor.unsuppressed``) before passing it.
    """
    if protect:
        from ketenzicht.monitor import protected

        return protected.figures(selection, key=key)
    key = key or figures_key(selection, protect=False)
    found = cache.get(key)
    if found is None:
        found = compute(
            selection, rows=MonitorCount.objects.all(), publish=lambda n, _key: n, key_field=None,
            last_month=None, note=live_note(), protected=False, params=None,
        )
        found.by_group = vulnerable_groups(selection, protect=False)
        cache.set(key, found, timeout=24 * 3600)
    return found


def _header(selection: Selection, *, note: str, protected: bool, params: PTableParams | None) -> Figures:
    unit_label = str(dict(Unit.choices).get(selection.unit, selection.unit))
    return Figures(
        title=f"{selection.source.name} · {unit_label}",
        area=selection.area_label(),
        period=selection.period_label(),
        source=selection.source.name,
        unit=unit_label,
        protected=protected,
        threshold=params.threshold if params else threshold(),
        max_deviation=params.max_deviation if params else 0,
        note=note,
        grain=selection.grain,
    )


def empty_figures(selection: Selection, *, note: str, protected: bool) -> Figures:
    fig = _header(selection, note=note, protected=protected, params=None)
    fig.empty = True
    return fig


class _Cells:
    """The (n, key) of every cell of a series, aggregated from its count rows in one pass.

    The rows of a selection are read once (a few thousand at most: the count table and a
    release hold one row per month and category); every published cell is a sum of them.
    """

    DIMS = ("municipality_id", "period_month", "form", "age_group", "sector", "channel", "outcome")

    def __init__(self, rows: QuerySet[Any], publish: Publish, key_field: str | None) -> None:
        self.publish = publish
        self.sums: dict[tuple[str, Any], list[int]] = {}
        total = [0, 0]
        fields = [*self.DIMS, "n", *([key_field] if key_field else [])]
        for row in rows.values_list(*fields):
            n, key = row[7], (row[8] if key_field else 0)
            total[0] += n
            total[1] += key
            mun, month, form, age, sector, channel, outcome = row[:7]
            for cell in (("mf", (mun, form)), ("m", mun), ("f", form), ("t", month), ("a", age), ("s", sector),
                         ("co", (channel, outcome)), ("c", channel), ("o", outcome)):
                acc = self.sums.setdefault(cell, [0, 0])
                acc[0] += n
                acc[1] += key
        self.all = (total[0], total[1])

    def get(self, group: str, label: Any) -> tuple[int, int] | None:
        found = self.sums.get((group, label))
        return (found[0], found[1]) if found else None

    def grouped(self, group: str) -> dict[Any, tuple[int, int]]:
        return {label: (n, key) for (g, label), (n, key) in self.sums.items() if g == group}

    def value(self, cell: tuple[int, int] | None) -> int:
        if cell is None:
            return 0
        n, key = cell
        return self.publish(n, key % KEY_MODULUS) if n else 0


def _channel_outcome(fig: Figures, cells: _Cells) -> None:
    fig.channels = [str(label) for _c, label in Channel.choices]
    fig.channel_outcome = [
        {
            "name": label,
            "cells": [cells.value(cells.get("co", (ch, o))) for ch in Channel.values],
            "total": cells.value(cells.get("o", o)),
        }
        for o, label in OUTCOME_LABELS.items()
    ]
    fig.channel_totals = [cells.value(cells.get("c", ch)) for ch in Channel.values] + [fig.total]


def compute(
    selection: Selection,
    *,
    rows: QuerySet[Any],
    publish: Publish,
    key_field: str | None,
    last_month: date | None,
    note: str,
    protected: bool,
    params: PTableParams | None,
) -> Figures:
    """The figures of a selection from count rows (live or released); every cell published once."""
    municipalities = selection.municipalities()
    fig = _header(selection, note=note, protected=protected, params=params)
    rng = selection.month_range()
    if last_month is not None and rng is not None and rng[0] > last_month:
        fig.empty = True
        return fig
    if last_month is not None and (rng is None or rng[1] > last_month):
        fig.through = formats.date_format(last_month, "F Y")
    q = Q(municipality_id__in=[m.pk for m in municipalities])
    if rng is not None:
        q &= Q(period_month__gte=rng[0], period_month__lte=rng[1])
    if last_month is not None:
        q &= Q(period_month__lte=last_month)
    base = rows.filter(q)
    series = base.filter(source=selection.source, unit=selection.unit)
    cells = _Cells(series, publish, key_field)

    form_codes = [str(c) for c in Form.values]
    form_labels = dict(Form.choices)
    fig.forms = [(c, str(form_labels[c])) for c in form_codes]

    fig.total = cells.value(cells.all)
    fig.municipality_form = [
        {
            "code": m.cbs_code,
            "name": m.name,
            "pk": m.pk,
            "cells": [cells.value(cells.get("mf", (m.pk, f))) for f in form_codes],
            "total": cells.value(cells.get("m", m.pk)),
        }
        for m in municipalities
    ]
    fig.form_totals = [cells.value(cells.get("f", f)) for f in form_codes]
    fig.by_form = [(label, fig.form_totals[i]) for i, (_f, label) in enumerate(fig.forms)]
    fig.by_municipality = {row["code"]: row["total"] for row in fig.municipality_form}
    months = cells.grouped("t")
    fig.trend = [(label, cells.value((n, key))) for label, n, key in _period_buckets(selection, months, last_month)]
    fig.by_age = [(str(label), cells.value(cells.get("a", code))) for code, label in AgeGroup.choices]
    fig.by_sector = [(str(label), cells.value(cells.get("s", code))) for code, label in Sector.choices]
    if selection.source.slug == OWN_SIGNALS:
        _channel_outcome(fig, cells)

    # Every series in the same area and period, side by side (never summed). The selected
    # series' own entry is the same cell as its total, so it has the same value.
    sources = {src.pk: src for src in Source.objects.all()}
    unit_labels = dict(Unit.choices)
    sums = {"n": Sum("n"), **({"k": Sum(key_field)} if key_field else {})}
    # Every source and unit named explicitly: the series index (source, unit, municipality,
    # month) is then searched per series and area instead of scanned over the whole release
    # (SQLite otherwise walks that index for its GROUP BY order: 0.3 s at 1M registrations).
    every_series = base.filter(source_id__in=list(sources), unit__in=list(Unit.values))
    every = {(r["source_id"], r["unit"]): (int(r["n"] or 0), int(r.get("k") or 0)) for r in every_series.values("source_id", "unit").annotate(**sums).order_by()}
    for (source_id, unit), cell in sorted(every.items(), key=lambda item: (sources[item[0][0]].position, item[0][1])):
        fig.by_source.append((sources[source_id].name, str(unit_labels.get(unit, unit)), cells.value(cell)))
    return fig


def risk_picture(municipalities: list[Municipality], year: int | None) -> list[dict[str, Any]]:
    """Latest imported risk indicators per municipality (up to `year`), from accepted imports.

    These are counts of addresses, companies and registrations, not of people in trafficking,
    and come from public or register sources; they are shown without suppression.
    """
    qs = RiskIndicator.objects.filter(
        municipality__in=municipalities, source_import__status=ImportStatus.GEACCEPTEERD
    )
    if year is not None:
        qs = qs.filter(year__lte=year)
    latest: dict[tuple[int, str], tuple[int, Any, Any]] = {}
    for row in qs.values("municipality_id", "indicator", "year", "value", "source_import__uploaded_at"):
        key = (row["municipality_id"], row["indicator"])
        rank = (row["year"], row["source_import__uploaded_at"])
        if key not in latest or rank > latest[key][:2]:
            latest[key] = (row["year"], row["source_import__uploaded_at"], row["value"])
    out = []
    for m in municipalities:
        values = {}
        for code in Indicator.values:
            found = latest.get((m.pk, code))
            values[code] = None if found is None else {"value": found[2], "year": found[0]}
        out.append({"code": m.cbs_code, "name": m.name, "pk": m.pk, "values": values})
    return out


def indicator_columns() -> list[tuple[str, str]]:
    return [(str(c), str(label)) for c, label in Indicator.choices]


def available_years() -> list[int]:
    """Years to choose from: up to 15 back from the latest month with data (cached per version)."""
    key = f"monitor:years:{data_version()}"
    latest = cache.get(key)
    if latest is None:
        # The latest month per municipality (one search of the area index each) rather than
        # MAX over the whole count table, which no index leads with (0.1 s at 1M registrations).
        newest = MonitorCount.objects.filter(municipality=OuterRef("pk")).order_by("-period_month").values("period_month")[:1]
        found = Municipality.objects.annotate(newest=Subquery(newest)).aggregate(last=Max("newest"))
        latest = found["last"].year if found["last"] else timezone.localdate().year
        cache.set(key, latest, timeout=24 * 3600)
    return list(range(latest, max(FIRST_YEAR, latest - 14) - 1, -1))


def method_note(fig: Figures) -> str:
    """How the figures of a selection are protected, in words (pages, exports, reports)."""
    if not fig.protected:
        return _("Cijfers van uw eigen gemeente, zonder afscherming (live).")
    return _(
        "Afgeschermd met de celsleutelmethode: elk getal kan iets afwijken van de werkelijke telling "
        "(meestal 1 of 2, nooit meer dan %(d)s); aantallen van 1 tot en met %(small)s worden als 0 of %(t)s getoond. "
        "Een totaal is zelf een afgeschermd getal en niet de som van de getoonde delen."
    ) % {"d": fig.max_deviation, "small": fig.threshold - 1, "t": fig.threshold}


def export_rows(fig: Figures) -> list[tuple[str, list[list[Value]]]]:
    """Blocks (title, rows) for CSV/XLSX: exactly the published figures of the selection."""
    selection_rows: list[list[Value]] = [
        [_("Reeks"), fig.title],
        [_("Gebied"), fig.area],
        [_("Periode"), fig.period + (f" ({_('tot en met')} {fig.through})" if fig.through else "")],
        [_("Stand"), fig.note],
        [_("Afscherming"), method_note(fig)],
    ]
    blocks: list[tuple[str, list[list[Value]]]] = [(_("Selectie"), selection_rows)]
    if fig.empty:
        return blocks
    blocks += [
        (
            _("Naar gemeente en vorm van uitbuiting"),
            [[_("Gemeente"), *[label for _c, label in fig.forms], _("Totaal")]]
            + [[row["name"], *row["cells"], row["total"]] for row in fig.municipality_form]
            + [[_("Totaal"), *fig.form_totals, fig.total]],
        ),
        (_("Verloop"), [[_("Periode"), _("Aantal")]] + [[p, v] for p, v in fig.trend]),
        (_("Naar leeftijdsgroep"), [[_("Leeftijdsgroep"), _("Aantal")]] + [[p, v] for p, v in fig.by_age]),
        (_("Naar sector"), [[_("Sector"), _("Aantal")]] + [[p, v] for p, v in fig.by_sector]),
    ]
    if fig.channel_outcome:
        blocks.append(
            (
                _("Eigen signalen naar uitkomst en kanaal"),
                [[_("Uitkomst"), *fig.channels, _("Totaal")]]
                + [[row["name"], *row["cells"], row["total"]] for row in fig.channel_outcome]
                + [[_("Totaal"), *fig.channel_totals]],
            )
        )
    if fig.by_group:
        blocks.append(
            (
                _("Personen in eigen signalen naar kwetsbare groep (niet optellen: een persoon kan in meer groepen vallen)"),
                [[_("Kwetsbare groep"), _("Aantal personen")]] + [[p, v] for p, v in fig.by_group],
            )
        )
    blocks.append(
        (
            _("Alle bronnen naast elkaar (niet optellen: andere eenheden en overlap)"),
            [[_("Bron"), _("Eenheid"), _("Aantal")]] + [[s, u, v] for s, u, v in fig.by_source],
        )
    )
    return blocks


def flat_values(fig: Figures) -> list[Value]:
    """Every published number of a selection (for tests and checks)."""
    out: list[Value] = [fig.total, *fig.form_totals]
    for row in fig.municipality_form:
        out += [*row["cells"], row["total"]]
    out += [v for _p, v in fig.trend] + [v for _p, v in fig.by_age] + [v for _p, v in fig.by_sector]
    for row in fig.channel_outcome:
        out += [*row["cells"], row["total"]]
    out += fig.channel_totals + [v for _s, _u, v in fig.by_source] + [v for _g, v in fig.by_group]
    return out
