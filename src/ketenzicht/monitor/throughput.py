"""The signal tables' regional throughput as protected figure kinds (issue 20, item 1).

Two kinds, both counted per region, municipality and month from the signals' own keys
(``SignalKey``), so the Cell Key Method protects them like every other figure that leaves
the municipality, and they change by release only:

* ``tafeluitkomsten``: per month, the signals received (category ``ontvangen``) and the
  signals that got each table outcome (category = the action; a signal counts once per
  outcome, in the month of the first such decision);
* ``doorlooptijden``: per month in which a step was reached (first decision at a table,
  referral, feedback to the reporter), the signals per duration band in working days
  (category ``<step>:<band>``).

Exact medians are not published beyond the municipality: a median of a small set is one
signal's own duration, and two date ranges apart it gives that duration away. The regional
page shows the band counts, and the band that holds the median computed from those protected
counts (post-processing of protected figures discloses nothing more). Why: the ADR
docs/adr/0001-cell-key-method.md, "Throughput at the tables".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from ketenzicht.domain.cellkey import KEY_MODULUS
from ketenzicht.monitor.models import NOT_COUNTED_STATES
from ketenzicht.monitor.protected import KindRow

OUTCOMES_KIND = "tafeluitkomsten"
DURATIONS_KIND = "doorlooptijden"
RECEIVED = "ontvangen"

# (code, label, lowest, highest) in working days; the last band is open.
BANDS: list[tuple[str, str, int, int | None]] = [
    ("0-5", "0 tot en met 5 werkdagen", 0, 5),
    ("6-10", "6 tot en met 10 werkdagen", 6, 10),
    ("11-20", "11 tot en met 20 werkdagen", 11, 20),
    ("21-40", "21 tot en met 40 werkdagen", 21, 40),
    ("41+", "meer dan 40 werkdagen", 41, None),
]


def band_of(days: int) -> str:
    for code, _label, low, high in BANDS:
        if days >= low and (high is None or days <= high):
            return code
    return BANDS[0][0]  # a step on the day before receipt (corrected dates) counts as immediate


@dataclass
class _Acc:
    n: int = 0
    key_sum: int = 0
    block_sum: int = 0

    def add(self, keys: tuple[int, int]) -> None:
        self.n += 1
        self.key_sum = (self.key_sum + keys[0]) % KEY_MODULUS
        self.block_sum = (self.block_sum + keys[1]) % KEY_MODULUS


def _cells(after: date | None, through: date) -> tuple[dict[tuple[int, int, date, str], _Acc], dict[tuple[int, int, date, str], _Acc]]:
    from ketenzicht.cases.models import Case
    from ketenzicht.meetings.selectors import table_steps
    from ketenzicht.monitor.services import signal_keys_assign

    signal_keys_assign()
    cases = Case.objects.filter(municipality__region__isnull=False).exclude(state__in=NOT_COUNTED_STATES)
    info = {
        row["pk"]: (row["municipality__region_id"], (int(row["monitor_keys__record_key"]), int(row["monitor_keys__block_key"])), row["created_at"])
        for row in cases.values("pk", "municipality__region_id", "monitor_keys__record_key", "monitor_keys__block_key", "created_at")
    }
    outcomes: dict[tuple[int, int, date, str], _Acc] = defaultdict(_Acc)
    durations: dict[tuple[int, int, date, str], _Acc] = defaultdict(_Acc)

    def wanted(month: date) -> bool:
        return month <= through and (after is None or month > after)

    for case_id, steps in table_steps(cases).items():
        region_id, keys, created = info[case_id]
        received = timezone.localtime(created).date().replace(day=1)
        if wanted(received):
            outcomes[(region_id, steps.municipality_id, received, RECEIVED)].add(keys)
        done: set[str] = set()
        for action, day in steps.outcomes:
            if action not in done and wanted(day.replace(day=1)):
                outcomes[(region_id, steps.municipality_id, day.replace(day=1), action)].add(keys)
            done.add(action)
        for step, (day, days) in steps.reached.items():
            if wanted(day.replace(day=1)):
                durations[(region_id, steps.municipality_id, day.replace(day=1), f"{step}:{band_of(days)}")].add(keys)
    return outcomes, durations


def _rows(cells: dict[tuple[int, int, date, str], _Acc]) -> Iterator[KindRow]:
    for (region_id, municipality_id, month, category), acc in cells.items():
        yield KindRow(region_id, municipality_id, month, category, acc.n, acc.key_sum, acc.block_sum)


def table_outcomes(after: date | None, through: date) -> Iterator[KindRow]:
    yield from _rows(_cells(after, through)[0])


def table_durations(after: date | None, through: date) -> Iterator[KindRow]:
    yield from _rows(_cells(after, through)[1])
