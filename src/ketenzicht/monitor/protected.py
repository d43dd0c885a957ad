"""The one protected source: every figure that leaves the AF's own municipality comes from here.

Monitor pages, exports (CSV/XLSX), charts, the map, the half-yearly PDF, the district KPI
dashboard and the reports to the board all read their regional figures through this module.
It reads only the latest `Release` (a frozen copy of the counts with their cell keys) and
perturbs every cell with the Cell Key Method (`domain/cellkey.py`), using the p-table stored
with that release. Nothing else may aggregate counts across municipalities for publication.
Why the Cell Key Method, and why releases: docs/adr/0001-cell-key-method.md.

Entry points
------------
* ``current_release()`` — the release everything protected is computed from (or None);
* ``release_note(release)`` — the sentence every protected output shows ("Vrijgegeven op …");
* ``figures(selection)`` — the monitor's figures of a selection (pages, exports, PDF, reports);
* ``count(kind, region=…, municipalities=…, first=…, last=…, category=…)`` — one protected
  count of any registered figure kind (the KPI "casusvoorstellen", and new kinds);
* ``cells(kind, region=…, first=…, last=…)`` — all protected counts of a kind per
  municipality and category (one query; the regional throughput page of the tables);
* ``register_kind(name, collector)`` — add a figure kind to every future release;
* ``keyed_rows(rows)`` — a kind's rows with their row keys, as a release stores them;
* ``live_cells(rows, …)`` / ``live_registrations(…)`` — the same protection applied *now* to
  rows computed from every accepted import (``ketenzicht monitor personen`` and
  ``GET /api/v1/monitor/personen`` only, see the ADR): same records, same cell key, same value
  as the release will publish for that set, with the p-table of the settings (the next release's).

Adding a figure kind (e.g. persons and the estimate)
----------------------------------------------------
1. Give every record you count two keys, drawn once and stored (``models.new_key``), like
   ``Registration.record_key``/``block_key`` or ``SignalKey`` for signals.
2. Write a collector ``collect(after, through) -> Iterable[KindRow]``: one row per region,
   municipality (or None), month (first day) and category for the months ``after < month <=
   through`` (``after`` None: from the start), with ``n`` records and the sums modulo
   ``KEY_MODULUS`` of their record keys (``key_sum``) and block keys (``block_sum``). A record
   counted in a cell must be counted in exactly one row; a cell is then any sum of rows.
3. ``register_kind("personen", collect)`` in your app's ``AppConfig.ready()``. The next
   ``ketenzicht monitor release`` stores your rows with their cell keys.
4. Read with ``count("personen", region=…, first=…, last=…, category=…)``: the value is
   already protected; show ``release_note`` beside it. Never show a live count of another
   municipality next to it, nor a sum of a live and a protected figure.
A model estimate (not a count) should be computed from protected counts, or from linked
records and then published with its interval rounded; say which in the ADR.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import formats, timezone

from ketenzicht.domain.cellkey import KEY_MODULUS, PTable, PTableParams, build_ptable, row_key
from ketenzicht.monitor.models import ImportStatus, Registration, Release, ReleaseCount, Source

if TYPE_CHECKING:
    from ketenzicht.accounts.models import Municipality, Region
    from ketenzicht.monitor.selectors import Figures, Selection

MONITOR_KIND = "monitor"


@dataclass(frozen=True)
class KindRow:
    """One row a figure kind contributes to a release (see the module docstring)."""

    region_id: int
    municipality_id: int | None
    period_month: date
    category: str
    n: int
    key_sum: int
    block_sum: int


Collector = Callable[[date | None, date], Iterable[KindRow]]
_KINDS: dict[str, Collector] = {}


def register_kind(name: str, collector: Collector) -> None:
    """Add a figure kind to every future release (call once, from ``AppConfig.ready``)."""
    if name == MONITOR_KIND or (name in _KINDS and _KINDS[name] is not collector):
        raise RuntimeError(f"figure kind {name!r} registered twice")
    _KINDS[name] = collector


def kinds() -> dict[str, Collector]:
    return dict(_KINDS)


def ptable_params() -> PTableParams:
    """The p-table of the settings (used for the next release; validated by `ketenzicht check`)."""
    return PTableParams(
        threshold=int(settings.MONITOR_DISCLOSURE_THRESHOLD),
        max_deviation=int(settings.MONITOR_PTABLE_MAX_DEVIATION),
        variance=float(settings.MONITOR_PTABLE_VARIANCE),
    )


def ptable_of(release: Release) -> PTable:
    return build_ptable(PTableParams(release.threshold, release.max_deviation, release.variance))


def current_release() -> Release | None:
    return Release.objects.order_by("-released_at", "-id").first()


def month_label(month: date) -> str:
    return formats.date_format(month, "F Y")


def release_note(release: Release | None) -> str:
    """What every protected output says about its figures."""
    if release is None:
        return "Er zijn nog geen cijfers vrijgegeven."
    released = formats.date_format(timezone.localtime(release.released_at), "j F Y")
    return f"Vrijgegeven cijfers van {released}, met gegevens tot en met {month_label(release.period)}."


@dataclass(frozen=True)
class Protected:
    """One protected figure: its published value (None: nothing released for the period)."""

    value: int | None
    release: Release | None
    last_month: date | None  # the last month the value covers (release period or earlier)

    @property
    def note(self) -> str:
        return release_note(self.release)

    @property
    def last_month_label(self) -> str:
        """"juni 2026": the last month the value covers ("" when nothing is released)."""
        return month_label(self.last_month) if self.last_month else ""


def count(
    kind: str,
    *,
    region: Region,
    first: date,
    last: date,
    municipalities: Sequence[Municipality] | None = None,
    category: str = "",
    release: Release | None = None,
    sources: Sequence[Source] | None = None,
) -> Protected:
    """The protected count of ``kind`` in ``region`` (or some of its municipalities) for the
    months ``first`` … ``last`` (only months released: at most up to the release's period).
    ``sources`` (kind "monitor" only): the registrations of these sources together, all units,
    as one cell (the persons figures' "registraties")."""
    if kind != MONITOR_KIND and kind not in _KINDS:
        raise KeyError(f"unknown figure kind {kind!r}")
    release = release or current_release()
    start, end = first.replace(day=1), last.replace(day=1)
    if release is None or start > release.period:
        return Protected(None, release, None)
    end = min(end, release.period)
    rows = ReleaseCount.objects.filter(release=release, kind=kind, region=region, period_month__gte=start, period_month__lte=end)
    if category:
        rows = rows.filter(category=category)
    if municipalities is not None:
        rows = rows.filter(municipality__in=list(municipalities))
    if sources is not None:
        rows = rows.filter(source__in=list(sources))
    found = rows.aggregate(n=Sum("n"), k=Sum("cell_key"))
    n, key = int(found["n"] or 0), int(found["k"] or 0) % KEY_MODULUS
    return Protected(ptable_of(release).perturb(n, key), release, end)


@dataclass(frozen=True)
class Cells:
    """Protected counts of one kind per (municipality, category) and per category for the region."""

    release: Release | None
    first: date | None
    last: date | None
    by_municipality: dict[tuple[int, str], int]
    by_category: dict[str, int]


def cells(kind: str, *, region: Region, first: date, last: date, release: Release | None = None) -> Cells:
    """Every count of ``kind`` in ``region`` for the months ``first`` … ``last`` (released months
    only), per municipality and category and per category over the region, in one query. Each
    value is the same as ``count()`` gives for that cell: one cell, one value."""
    if kind not in _KINDS:
        raise KeyError(f"unknown figure kind {kind!r}")
    release = release or current_release()
    start, end = first.replace(day=1), last.replace(day=1)
    if release is None or start > release.period:
        return Cells(release, None, None, {}, {})
    end = min(end, release.period)
    rows = ReleaseCount.objects.filter(release=release, kind=kind, region=region, period_month__gte=start, period_month__lte=end)
    per_mun: dict[tuple[int, str], list[int]] = {}
    per_cat: dict[str, list[int]] = {}
    for found in rows.values("municipality_id", "category").annotate(n=Sum("n"), k=Sum("cell_key")):
        for acc in (per_mun.setdefault((found["municipality_id"], found["category"]), [0, 0]), per_cat.setdefault(found["category"], [0, 0])):
            acc[0] += int(found["n"])
            acc[1] += int(found["k"])
    perturb = ptable_of(release).perturb
    return Cells(
        release, start, end,
        {cell: perturb(n, key % KEY_MODULUS) for cell, (n, key) in per_mun.items()},
        {cell: perturb(n, key % KEY_MODULUS) for cell, (n, key) in per_cat.items()},
    )


def keyed_rows(rows: Iterable[KindRow]) -> list[tuple[KindRow, int]]:
    """The non-empty rows of a figure kind with their row keys (``domain/cellkey.row_key``): the
    month block B of (region, category, month) is the sum of the block keys of the rows there.
    What a release stores for a kind, and what ``live_cells`` sums: one computation for both."""
    collected = [r for r in rows if r.n > 0]
    blocks: dict[tuple[int, str, date], int] = defaultdict(int)
    for r in collected:
        block = (r.region_id, r.category, r.period_month)
        blocks[block] = (blocks[block] + r.block_sum) % KEY_MODULUS
    return [(r, row_key(r.key_sum, r.n, blocks[(r.region_id, r.category, r.period_month)])) for r in collected]


def live_ptable() -> PTable:
    """The p-table of the settings: the one the next release will use."""
    return build_ptable(ptable_params())


@dataclass(frozen=True)
class LiveCells:
    """Protected counts of a kind computed now: all rows as one cell, and per category."""

    total: int
    by_category: dict[str, int]


def live_cells(rows: Iterable[KindRow], *, municipalities: Collection[int] | None = None) -> LiveCells:
    """Protect a kind's rows computed now from every accepted import (not from a release).

    Pass all rows of the region for the months asked (the month blocks are the region's);
    ``municipalities`` (ids) then selects the rows counted. Each value is the p-table's value
    for the cell's count and key, so the same records always give the same value, and the
    value a release publishes for that set of records (same p-table).
    """
    table = live_ptable()
    total, per_cat = [0, 0], defaultdict(lambda: [0, 0])
    for r, key in keyed_rows(rows):
        if municipalities is not None and r.municipality_id not in municipalities:
            continue
        for acc in (total, per_cat[r.category]):
            acc[0] += r.n
            acc[1] = (acc[1] + key) % KEY_MODULUS
    return LiveCells(table.perturb(*total), {cat: table.perturb(n, key) for cat, (n, key) in per_cat.items()})


def live_registrations(
    *, region: Region, first: date, last: date, sources: Sequence[Source], municipalities: Sequence[Municipality] | None = None
) -> int:
    """The protected count of the accepted registrations of ``sources`` in ``region`` (or some
    of its municipalities) for the months ``first`` … ``last``, all units, as one cell: the value
    ``count(MONITOR_KIND, …, sources=…)`` gives once a release holds the same registrations.

    Read from the registrations themselves (not the count table, which a background task
    rebuilds): a row key is Σ record keys + n·B, B the block of (region, source, unit, month)
    over the whole region, so the cell key is Σ over those blocks of (Σk + n·B) of the selection.
    """
    if not sources:
        return 0
    rows = (
        Registration.objects.filter(
            municipality__region=region, source__in=list(sources), period_month__gte=first.replace(day=1),
            period_month__lte=last.replace(day=1), source_import__status=ImportStatus.GEACCEPTEERD,
        )
        .values("source_id", "unit", "period_month", "municipality_id")
        .annotate(n=Coalesce(Sum("n"), 0), k=Coalesce(Sum("record_key"), 0), b=Coalesce(Sum("block_key"), 0))
    )  # fmt: skip
    chosen = None if municipalities is None else {m.pk for m in municipalities}
    blocks: dict[tuple[int, str, date], list[int]] = defaultdict(lambda: [0, 0, 0])  # B, n and Σk of the selection
    for row in rows:
        acc = blocks[(row["source_id"], row["unit"], row["period_month"])]
        acc[0] = (acc[0] + int(row["b"])) % KEY_MODULUS
        if chosen is None or row["municipality_id"] in chosen:
            acc[1] += int(row["n"])
            acc[2] = (acc[2] + int(row["k"])) % KEY_MODULUS
    n = sum(acc[1] for acc in blocks.values())
    key = sum(acc[2] + acc[1] * acc[0] for acc in blocks.values()) % KEY_MODULUS
    return live_ptable().perturb(n, key)


def figures_key(selection: Selection, release: Release | None) -> str:
    raw = f"p1|{release.pk if release else 0}|{selection.key()}"
    return "monitor:fig:" + hashlib.sha256(raw.encode()).hexdigest()


def figures(selection: Selection, *, key: str | None = None) -> Figures:
    """The protected figures of a selection, from the latest release (cached per release)."""
    from ketenzicht.monitor import selectors

    release = current_release()
    key = key or figures_key(selection, release)
    found = cache.get(key)
    if found is None:
        if release is None:
            found = selectors.empty_figures(selection, note=release_note(None), protected=True)
        else:
            table = ptable_of(release)
            rows = ReleaseCount.objects.filter(release=release, kind=MONITOR_KIND)
            found = selectors.compute(
                selection,
                rows=rows,
                publish=table.perturb,
                key_field="cell_key",
                last_month=release.period,
                note=release_note(release),
                protected=True,
                params=table.params,
            )
            if not found.empty:
                found.by_group = selectors.vulnerable_groups(selection, protect=True, last_month=release.period)
        cache.set(key, found, timeout=24 * 3600)
    return found
