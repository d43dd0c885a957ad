"""Reads of the monitor: the figures of a selection, protected by disclosure control.

Pages read only the pre-aggregated `MonitorCount` table. One selection is one *series*
(a source and a unit: never added to another), over an area (region, district or one
municipality) and a period. Its breakdowns are published as four groups of tables that
share nothing but the grand total:

* A: gemeente × vorm (its row totals feed the map, its column totals the chart by form),
* B: the trend (per period), C: by age group, D: by sector,
* E (own signals only): kanaal × uitkomst.

Within a group tables are protected together (`protect_linked`); across groups the only
shared figure is the grand total. When it is published in every group, a table that agrees
with all published figures of one group can always be completed to a full table that agrees
with the other groups too (two margins with the same sum always have a non-negative joint
table), so protection per group is protection of the whole page. When the grand total is
suppressed anywhere, the page publishes nothing of this series. See docs/monitor.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q, Sum
from django.utils.translation import gettext as _

from ketenzicht.accounts.models import District, Municipality, Region
from ketenzicht.domain.disclosure import (
    SUPPRESSION_MARK,
    ProtectedSeries,
    ProtectedTable,
    Suppressed,
    protect_linked,
    protect_series,
)
from ketenzicht.monitor.models import (
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

GRAINS = {"maand": 1, "kwartaal": 3, "halfjaar": 6, "jaar": 12}
PARTS = {"": (1, 12), "H1": (1, 6), "H2": (7, 12), "K1": (1, 3), "K2": (4, 6), "K3": (7, 9), "K4": (10, 12)}
FIRST_YEAR = 2000

Value = int | str  # a published count, or SUPPRESSION_MARK


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
    suppressed_all: bool = False
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
    grain: str = "jaar"


def data_version() -> int:
    return CountRefresh.objects.aggregate(v=Max("id"))["v"] or 0


def _base_q(selection: Selection, municipality_ids: list[int]) -> Q:
    q = Q(municipality_id__in=municipality_ids)
    months = selection.month_range()
    if months is not None:
        q &= Q(period_month__gte=months[0], period_month__lte=months[1])
    return q


def _published(value: Any) -> Value:
    return SUPPRESSION_MARK if isinstance(value, Suppressed) else int(value)


def _period_buckets(selection: Selection, months: dict[date, int]) -> list[tuple[str, int]]:
    step = GRAINS.get(selection.grain, 12)
    rng = selection.month_range()
    if rng is None:
        if not months:
            return []
        start, end = date(min(months).year, 1, 1), date(max(months).year, 12, 1)
    else:
        start, end = rng
    buckets: dict[str, int] = {}
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        buckets.setdefault(_bucket_label(y, m, step), 0)
        m += 1
        if m > 12:
            y, m = y + 1, 1
    for month, n in months.items():
        label = _bucket_label(month.year, month.month, step)
        if label in buckets:
            buckets[label] += n
    return list(buckets.items())


def _bucket_label(year: int, month: int, step: int) -> str:
    if step == 1:
        return f"{year}-{month:02d}"
    if step == 3:
        return f"{year} K{(month - 1) // 3 + 1}"
    if step == 6:
        return f"{year} H{(month - 1) // 6 + 1}"
    return str(year)


def figures_key(selection: Selection, *, protect: bool) -> str:
    """Cache key of a selection's figures: changes with every refresh of the count table."""
    raw = f"v2|{data_version()}|{selection.key()}|{int(protect)}|{threshold()}"
    return "monitor:fig:" + hashlib.sha256(raw.encode()).hexdigest()


def figures(selection: Selection, *, protect: bool, key: str | None = None) -> Figures:
    """The figures of a selection; cached per data version (they only change on refresh)."""
    limit = threshold()
    key = key or figures_key(selection, protect=protect)
    found = cache.get(key)
    if found is None:
        found = _compute(selection, protect=protect, limit=limit)
        cache.set(key, found, timeout=24 * 3600)
    return found


def _compute(selection: Selection, *, protect: bool, limit: int) -> Figures:
    municipalities = selection.municipalities()
    ids = [m.pk for m in municipalities]
    base = MonitorCount.objects.filter(_base_q(selection, ids))
    series = base.filter(source=selection.source, unit=selection.unit)
    unit_label = str(dict(Unit.choices).get(selection.unit, selection.unit))
    fig = Figures(
        title=f"{selection.source.name} · {unit_label}",
        area=selection.area_label(),
        period=selection.period_label(),
        source=selection.source.name,
        unit=unit_label,
        protected=protect,
        threshold=limit,
        grain=selection.grain,
    )

    # Raw counts per group, aggregated by the database over the count table.
    by_code = {m.pk: m for m in municipalities}
    mun_form: dict[tuple[str, str], int] = {}
    for row in series.values("municipality_id", "form").annotate(n=Sum("n")).order_by():
        mun_form[(by_code[row["municipality_id"]].cbs_code, row["form"])] = row["n"]
    months: dict[date, int] = {
        r["period_month"]: r["n"] for r in series.values("period_month").annotate(n=Sum("n")).order_by()
    }
    ages = {r["age_group"]: r["n"] for r in series.values("age_group").annotate(n=Sum("n")).order_by()}
    sectors = {r["sector"]: r["n"] for r in series.values("sector").annotate(n=Sum("n")).order_by()}
    own = selection.source.slug == OWN_SIGNALS
    chan_out: dict[tuple[str, str], int] = {}
    if own:
        for r in series.values("channel", "outcome").annotate(n=Sum("n")).order_by():
            chan_out[(r["channel"], r["outcome"])] = r["n"]

    codes = [m.cbs_code for m in municipalities]
    names = {m.cbs_code: m.name for m in municipalities}
    form_codes = [str(c) for c in Form.values]
    form_labels = dict(Form.choices)
    fig.forms = [(c, str(form_labels[c])) for c in form_codes]
    trend = _period_buckets(selection, months)
    age_codes = [str(c) for c in AgeGroup.values]
    sector_codes = [str(c) for c in Sector.values]
    outcome_codes = list(OUTCOME_LABELS)
    channel_codes = [str(c) for c in Channel.values]

    if protect:
        table_a = protect_linked(
            mun_form, ("gemeente", "vorm"), [("gemeente", "vorm")], threshold=limit,
            categories={"gemeente": codes, "vorm": form_codes},
        )[("gemeente", "vorm")]
        assert isinstance(table_a, ProtectedTable)
        series_b = protect_series(dict(trend), limit, labels=[t[0] for t in trend] or ["-"], dimension="periode") if trend else None
        series_c = protect_series(ages, limit, labels=age_codes, dimension="leeftijd")
        series_d = protect_series(sectors, limit, labels=sector_codes, dimension="sector")
        table_e = None
        if own:
            table_e = protect_linked(
                chan_out, ("kanaal", "uitkomst"), [("uitkomst", "kanaal")], threshold=limit,
                categories={"kanaal": channel_codes, "uitkomst": outcome_codes},
            )[("uitkomst", "kanaal")]
        totals = [table_a.grand_total, series_c.total, series_d.total]
        totals += [series_b.total] if series_b else []
        totals += [table_e.grand_total] if table_e is not None else []
        if any(isinstance(t, Suppressed) for t in totals):
            fig.suppressed_all = True
        _fill_protected(fig, table_a, series_b, series_c, series_d, table_e, names)
    else:
        _fill_raw(fig, mun_form, trend, ages, sectors, chan_out if own else None, codes, names)

    pks = {m.cbs_code: m.pk for m in municipalities}
    for row in fig.municipality_form:
        row["pk"] = pks[row["code"]]
    if fig.suppressed_all:
        _blank(fig)

    # Every series in the same area and period, side by side (never summed).
    sources = {s.pk: s for s in Source.objects.all()}
    unit_labels = dict(Unit.choices)
    for r in base.values("source_id", "unit").annotate(n=Sum("n")).order_by("source_id", "unit"):
        src = sources[r["source_id"]]
        value: Value = r["n"]
        if protect:
            value = _published(protect_series({"t": r["n"]}, limit, labels=["t"]).total)
            if src.pk == selection.source.pk and r["unit"] == selection.unit:
                value = fig.total  # the same figure: one decision
        fig.by_source.append((src.name, str(unit_labels.get(r["unit"], r["unit"])), value))
    fig.by_source.sort(key=lambda t: (next((s.position for s in sources.values() if s.name == t[0]), 0), t[1]))
    return fig


def _fill_protected(
    fig: Figures,
    a: ProtectedTable,
    b: ProtectedSeries | None,
    c: ProtectedSeries,
    d: ProtectedSeries,
    e: ProtectedTable | None,
    names: dict[str, str],
) -> None:
    fig.total = _published(a.grand_total)
    fig.municipality_form = [
        {
            "code": code,
            "name": names[code],
            "cells": [_published(a.cells[code, f]) for f, _label in fig.forms],
            "total": _published(a.row_totals[code]),
        }
        for code in a.row_labels
    ]
    fig.form_totals = [_published(a.col_totals[f]) for f, _label in fig.forms]
    fig.by_form = [(label, _published(a.col_totals[f])) for f, label in fig.forms]
    fig.by_municipality = {code: _published(a.row_totals[code]) for code in a.row_labels}
    fig.trend = [(p, _published(b.values[p])) for p in b.labels] if b else []
    age_labels = dict(AgeGroup.choices)
    fig.by_age = [(str(age_labels[k]), _published(c.values[k])) for k in c.labels]
    sector_labels = dict(Sector.choices)
    fig.by_sector = [(str(sector_labels[k]), _published(d.values[k])) for k in d.labels]
    if e is not None:
        channel_labels = dict(Channel.choices)
        fig.channels = [str(channel_labels[k]) for k in e.col_labels]
        fig.channel_outcome = [
            {
                "name": OUTCOME_LABELS[o],
                "cells": [_published(e.cells[o, ch]) for ch in e.col_labels],
                "total": _published(e.row_totals[o]),
            }
            for o in e.row_labels
        ]
        fig.channel_totals = [_published(e.col_totals[ch]) for ch in e.col_labels] + [_published(e.grand_total)]


def _fill_raw(
    fig: Figures,
    mun_form: dict[tuple[str, str], int],
    trend: list[tuple[str, int]],
    ages: dict[str, int],
    sectors: dict[str, int],
    chan_out: dict[tuple[str, str], int] | None,
    codes: list[str],
    names: dict[str, str],
) -> None:
    fig.total = sum(mun_form.values())
    fig.municipality_form = [
        {
            "code": code,
            "name": names[code],
            "cells": [mun_form.get((code, f), 0) for f, _label in fig.forms],
            "total": sum(mun_form.get((code, f), 0) for f, _label in fig.forms),
        }
        for code in codes
    ]
    fig.form_totals = [sum(mun_form.get((code, f), 0) for code in codes) for f, _label in fig.forms]
    fig.by_form = [(label, fig.form_totals[i]) for i, (_f, label) in enumerate(fig.forms)]
    fig.by_municipality = {row["code"]: row["total"] for row in fig.municipality_form}
    fig.trend = list(trend)
    fig.by_age = [(str(label), ages.get(code, 0)) for code, label in AgeGroup.choices]
    fig.by_sector = [(str(label), sectors.get(code, 0)) for code, label in Sector.choices]
    if chan_out is not None:
        fig.channels = [str(label) for _c, label in Channel.choices]
        fig.channel_outcome = [
            {
                "name": label,
                "cells": [chan_out.get((ch, o), 0) for ch in Channel.values],
                "total": sum(chan_out.get((ch, o), 0) for ch in Channel.values),
            }
            for o, label in OUTCOME_LABELS.items()
        ]
        fig.channel_totals = [sum(chan_out.get((ch, o), 0) for o in OUTCOME_LABELS) for ch in Channel.values]
        fig.channel_totals.append(sum(chan_out.values()))


def _blank(fig: Figures) -> None:
    """The grand total of the series is suppressed: publish none of its breakdowns."""
    x = SUPPRESSION_MARK
    fig.total = x
    for row in fig.municipality_form:
        row["cells"] = [x] * len(row["cells"])
        row["total"] = x
    fig.form_totals = [x] * len(fig.form_totals)
    fig.by_form = [(label, x) for label, _v in fig.by_form]
    fig.by_municipality = dict.fromkeys(fig.by_municipality, x)
    fig.trend = [(label, x) for label, _v in fig.trend]
    fig.by_age = [(label, x) for label, _v in fig.by_age]
    fig.by_sector = [(label, x) for label, _v in fig.by_sector]
    for row in fig.channel_outcome:
        row["cells"] = [x] * len(row["cells"])
        row["total"] = x
    fig.channel_totals = [x] * len(fig.channel_totals)


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
        found = MonitorCount.objects.aggregate(last=Max("period_month"))
        latest = found["last"].year if found["last"] else date.today().year
        cache.set(key, latest, timeout=24 * 3600)
    return list(range(latest, max(FIRST_YEAR, latest - 14) - 1, -1))


def export_rows(fig: Figures) -> list[tuple[str, list[list[Value]]]]:
    """Blocks (title, rows) for CSV/XLSX: exactly the published figures, suppressions as 'x'."""
    x_note = _("x = afgeschermd (kleine aantallen, drempel %(n)s)") % {"n": fig.threshold}
    blocks: list[tuple[str, list[list[Value]]]] = [
        (
            _("Selectie"),
            [
                [_("Reeks"), fig.title],
                [_("Gebied"), fig.area],
                [_("Periode"), fig.period],
                [_("Afscherming"), x_note if fig.protected else _("geen (eigen gemeente)")],
            ],
        ),
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
    out += fig.channel_totals + [v for _s, _u, v in fig.by_source]
    return out

