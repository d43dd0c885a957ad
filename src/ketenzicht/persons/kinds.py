"""The figure kind ``personen`` of the one protected source (issue 15 item 5).

Seen (distinct persons) is a figure kind of the one protected source (``monitor/protected.py``,
the Cell Key Method, read from the latest release only). ``collect`` contributes, from the
region's latest linkage, one row per region, month and combination of sources: a person counts
once per year, in the month of their first registration that year, under the combination of
sources that registered them that year up to the release's month. The person's keys are those
of that first registration (``Registration.record_key``/``block_key``, drawn once and stored),
so the same persons give the same cell key and a repeated question the same answer.

Each row carries the municipality of that first registration, so a district's persons are the
sum of its municipalities' rows (the persons page per district) and the region's the sum of all.
The kind ``personen-eerder`` counts, in the same way, the persons of a year who were already
registered in an earlier year (repeat registration, issue 15 item 4), category "".

``live_rows`` gives the same rows for one region and year computed now from every accepted
import (``ketenzicht monitor personen`` and the API, protected by ``protected.live_cells``), plus
``personen-later`` (persons registered again in a later year), which is never released.

The estimate is not a count and is not in the release: ``selectors.trend`` publishes it beside
the protected seen count (rounded; see there). See docs/adr/0001-cell-key-method.md ("Persons
and the estimate").
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from typing import Any

import numpy as np

from ketenzicht.domain.cellkey import KEY_MODULUS
from ketenzicht.monitor import protected
from ketenzicht.monitor.models import ImportStatus, Registration
from ketenzicht.persons.models import LinkageRun, RunStatus

KIND = "personen"
REPEAT_KIND = "personen-eerder"
LATER = "personen-later"  # live only (``live_rows``), never released
CHUNK = 5000


def _latest_runs() -> list[LinkageRun]:
    runs = LinkageRun.objects.filter(status=RunStatus.KLAAR, result__isnull=False).order_by("region_id", "-requested_at", "-id")
    latest: dict[int, LinkageRun] = {}
    for run in runs.only("pk", "region_id", "result", "requested_at"):
        latest.setdefault(run.region_id, run)
    return list(latest.values())


def _registrations(ids: np.ndarray, through: date) -> dict[int, tuple[date, int, int, int, int]]:
    """Registration id → (month, source id, record key, block key, municipality id), accepted
    and up to ``through``."""
    found: dict[int, tuple[date, int, int, int, int]] = {}
    values = ids.tolist()
    for start in range(0, len(values), CHUNK):
        rows = Registration.objects.filter(
            pk__in=values[start : start + CHUNK], period_month__lte=through, source_import__status=ImportStatus.GEACCEPTEERD
        ).values_list("pk", "period_month", "source_id", "record_key", "block_key", "municipality_id")
        for pk, month, source, record_key, block_key, municipality in rows:
            found[pk] = (month, source, record_key, block_key, municipality)
    return found


def _person_years(run: LinkageRun, through: date) -> dict[tuple[int, int], list[Any]]:
    """(person, year) → [first (month, id, record key, block key, municipality), sources]."""
    result = np.load(io.BytesIO(bytes(run.result)))
    registrations = _registrations(result["registration"], through)
    seen: dict[tuple[int, int], list[Any]] = {}
    for reg_id, person in zip(result["registration"].tolist(), result["person"].tolist(), strict=True):
        found = registrations.get(reg_id)
        if found is None:
            continue
        month, source, record_key, block_key, municipality = found
        first = (month, reg_id, record_key, block_key, municipality)
        entry = seen.setdefault((person, month.year), [first, set()])
        entry[0] = min(entry[0], first)
        entry[1].add(source)
    return seen


def _rows(run: LinkageRun, after: date | None, entries: Iterator[tuple[tuple[Any, ...], str]]) -> Iterator[protected.KindRow]:
    cells: dict[tuple[date, int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (month, _reg, record_key, block_key, municipality), cat in entries:
        if after is not None and month <= after:
            continue
        cell = cells[(month, municipality, cat)]
        cell[0] += 1
        cell[1] = (cell[1] + record_key) % KEY_MODULUS
        cell[2] = (cell[2] + block_key) % KEY_MODULUS
    for (month, municipality, cat), (n, key_sum, block_sum) in cells.items():
        yield protected.KindRow(run.region_id, municipality, month, cat, n, key_sum, block_sum)


def _persons(seen: dict[tuple[int, int], list[Any]]) -> Iterator[tuple[tuple[Any, ...], str]]:
    return ((first, category(sources)) for first, sources in seen.values())


def _earlier(seen: dict[tuple[int, int], list[Any]]) -> Iterator[tuple[tuple[Any, ...], str]]:
    earliest: dict[int, int] = {}
    for person, year in seen:
        earliest[person] = min(year, earliest.get(person, year))
    return ((first, "") for (person, year), (first, _s) in seen.items() if earliest[person] < year)


def _later(seen: dict[tuple[int, int], list[Any]]) -> Iterator[tuple[tuple[Any, ...], str]]:
    latest: dict[int, int] = {}
    for person, year in seen:
        latest[person] = max(year, latest.get(person, year))
    return ((first, "") for (person, year), (first, _s) in seen.items() if latest[person] > year)


def collect(after: date | None, through: date) -> Iterator[protected.KindRow]:
    """The release rows of the kind ``personen`` (see the module docstring)."""
    for run in _latest_runs():
        yield from _rows(run, after, _persons(_person_years(run, through)))


def collect_repeat(after: date | None, through: date) -> Iterator[protected.KindRow]:
    """The release rows of ``personen-eerder``: persons of a year already seen in an earlier one."""
    for run in _latest_runs():
        yield from _rows(run, after, _earlier(_person_years(run, through)))


# Through the last month there can be: "every accepted import up to now".
EVERYTHING = date(9999, 12, 1)


def live_rows(run: LinkageRun, year: int) -> dict[str, list[protected.KindRow]]:
    """The rows of ``year`` computed now from ``run`` and every accepted import, by the same
    code as the release's (``collect``/``collect_repeat``), for ``protected.live_cells``: the
    kinds ``personen`` and ``personen-eerder`` and, live only, ``LATER`` (persons of the year
    registered again in a later year; not released, as that cell changes after the year is final)."""
    seen = _person_years(run, EVERYTHING)

    def of_year(entries: Iterator[tuple[tuple[Any, ...], str]]) -> list[protected.KindRow]:
        return list(_rows(run, None, (e for e in entries if e[0][0].year == year)))

    return {KIND: of_year(_persons(seen)), REPEAT_KIND: of_year(_earlier(seen)), LATER: of_year(_later(seen))}


def category(sources: set[int]) -> str:
    """The combination of sources as stored in a release row ("3+5")."""
    return "+".join(str(s) for s in sorted(sources))
