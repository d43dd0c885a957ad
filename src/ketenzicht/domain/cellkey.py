"""The Cell Key Method: noise on published counts that is the same wherever a cell is shown.

Every figure the monitor publishes outside the AF's own municipality is a count of records
(registrations, signals, …). Each record carries two random keys, drawn once and stored:

* the **record key** ``k1`` and the **block key** ``k2``, uniform on ``[0, KEY_MODULUS)``.

A release stores, per row of its count table (records with equal attributes), the number of
records ``n`` and a **row key**::

    row_key = (Σ k1 of the row's records + n · B) mod KEY_MODULUS

where ``B`` is the *month block*: the sum of ``k2`` over every record of the same region,
series and month. The **cell key** of a published cell is the sum of the row keys of the rows
in it, modulo ``KEY_MODULUS`` (so it can be summed by the database at any level), and the
published value is ``n + d``, with ``d`` looked up in the perturbation table (p-table) row of
``n`` at the cell key. Consequences:

* a cell is a set of records, so the same cell gets the same value on every page, export,
  chart and report of a release, whatever selection it was reached through;
* two different cells have independent keys (their difference always contains ``k1`` of at
  least one record), so their noise is independent;
* one record added to a month changes ``B`` of that month, and with it the key of every cell
  that holds a record of that month: the difference between two releases shows in which month
  something changed, not in which municipality, form, age group or sector (see
  docs/adr/0001-cell-key-method.md for why plain record-set keys are not enough).

``KEY_MODULUS`` is the prime 2**31 − 1: with a prime modulus ``n · B`` is uniform for every
``n`` that is not a multiple of it, and every key fits a signed 32-bit database integer, so a
database ``SUM`` over a million rows stays a 64-bit integer.

The p-table (``build_ptable``) follows the maximum-entropy construction of Giessing (2016) as
in the *ptable* package of Destatis: zero mean (no bias), a fixed variance ``V`` for counts
from the threshold on, and a maximum deviation ``D``. On top of that:

* a count of 1 … T−1 is never published as itself, nor as any value 1 … T−1: it is published
  as 0 or as T (two-point, unbiased: T with chance n/T);
* a cell without records is 0 (it has no key); a count of T or more is never published as 0,
  so a published 0 means "fewer than T";
* ``D ≥ 2T − 2``: a published 0 leaves the interval 0 … D, and a reader who knows up to T−2 of
  the (at most T−1) records behind it still cannot bound the rest below T.

Pure: no Django, no database, no clock.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.optimize import minimize

__all__ = [
    "KEY_MODULUS",
    "PRow",
    "PTable",
    "PTableError",
    "PTableParams",
    "add_keys",
    "build_ptable",
    "draw_key",
    "row_key",
]

KEY_MODULUS = 2_147_483_647  # the prime 2**31 - 1
_MIN_PROBABILITY = 1e-9  # deviations less likely than this are left out of a row
MAX_DEVIATION_LIMIT = 25


class PTableError(ValueError):
    """A threshold or p-table that would not protect small counts; the message says why (Dutch)."""


def draw_key(randbelow: Callable[[int], int]) -> int:
    """A new record or block key (pass ``secrets.randbelow``; a seeded ``Random().randrange`` in tests)."""
    return randbelow(KEY_MODULUS)


def add_keys(keys: Iterable[int]) -> int:
    """The key of a union of records: the sum of their keys modulo ``KEY_MODULUS``."""
    return sum(keys) % KEY_MODULUS


def row_key(key_sum: int, n: int, block: int) -> int:
    """The stored key of a release row: its records' key sum plus ``n`` times its month block."""
    return (key_sum + n * block) % KEY_MODULUS


@dataclass(frozen=True)
class PTableParams:
    """Threshold T, maximum deviation D and variance V of the noise on counts from T on."""

    threshold: int = 5
    max_deviation: int = 8
    variance: float = 2.0

    def validate(self) -> None:
        t, d, v = self.threshold, self.max_deviation, self.variance
        if not isinstance(t, int) or t < 2:
            raise PTableError(
                f"De drempel moet een geheel getal van minstens 2 zijn (nu {t}); met drempel 1 wordt geen enkel klein aantal afgeschermd."
            )
        if not isinstance(d, int) or d < 2 * t - 2:
            raise PTableError(
                f"Maximale afwijking {d} is te klein voor drempel {t}: een gepubliceerde 0 staat voor 1 tot en met {t - 1} "
                f"registraties, en wie er zelf {t - 2} van kent, kan de rest dan op minder dan {t} vastpinnen. "
                f"Kies een maximale afwijking van minstens {2 * t - 2}."
            )
        if d > MAX_DEVIATION_LIMIT:
            raise PTableError(f"Maximale afwijking {d} is groter dan {MAX_DEVIATION_LIMIT}: de cijfers worden dan onbruikbaar.")
        if not (isinstance(v, (int, float)) and math.isfinite(v)) or v < 0.5:
            raise PTableError(
                f"De variantie {v} is te klein: aantallen vanaf {t} zouden (bijna) exact gepubliceerd worden. Kies minstens 0,5."
            )
        if v > d * d / 4:
            raise PTableError(f"De variantie {v} past niet bij maximale afwijking {d}; kies hoogstens {d * d / 4:g}.")


@dataclass(frozen=True)
class PRow:
    """The noise distribution for one true count ``n``: deviations with their key intervals."""

    n: int
    deviations: tuple[int, ...]
    probabilities: tuple[float, ...]
    # Upper bounds of the key intervals, increasing, the last one KEY_MODULUS.
    bounds: tuple[int, ...] = field(repr=False)

    def deviation(self, key: int) -> int:
        if not 0 <= key < KEY_MODULUS:
            raise ValueError(f"cell key out of range: {key}")
        return self.deviations[bisect.bisect_right(self.bounds, key)]

    @property
    def mean(self) -> float:
        return float(sum(d * p for d, p in zip(self.deviations, self.probabilities, strict=True)))

    @property
    def variance(self) -> float:
        mean = self.mean
        return float(sum((d - mean) ** 2 * p for d, p in zip(self.deviations, self.probabilities, strict=True)))

    @property
    def p_unchanged(self) -> float:
        return dict(zip(self.deviations, self.probabilities, strict=True)).get(0, 0.0)

    def values(self) -> tuple[int, ...]:
        return tuple(self.n + d for d in self.deviations)


@dataclass(frozen=True)
class PTable:
    """Rows for n = 0 … T + D; the last row's deviations apply to every larger count."""

    params: PTableParams
    rows: tuple[PRow, ...]

    def row(self, n: int) -> PRow:
        if n < 0:
            raise ValueError("a count cannot be negative")
        return self.rows[min(n, len(self.rows) - 1)]

    def perturb(self, n: int, key: int) -> int:
        """The published value of a cell with ``n`` records and cell key ``key``."""
        if n == 0:
            return 0
        return n + self.row(n).deviation(key % KEY_MODULUS)

    def interval(self, published: int) -> tuple[int, int]:
        """What a reader who knows D can say about the true count: ``published ± D``, not below 0."""
        d = self.params.max_deviation
        return max(0, published - d), published + d

    def preimages(self, published: int) -> tuple[int, int]:
        """Smallest and largest true count that this p-table can publish as ``published``."""
        found = [n for n in range(0, published + self.params.max_deviation + 1) if published in self.row(n).values()]
        return (min(found), max(found)) if found else (published, published)


def _max_entropy(deviations: np.ndarray, variance: float) -> np.ndarray:
    """Maximum-entropy probabilities on ``deviations`` with mean 0 and the given variance.

    The solution has the form p(d) ∝ exp(a·d + b·d²); (a, b) minimise the convex dual
    log Σ exp(a·d + b·d²) − b·variance (its gradient vanishes exactly at the two moments).
    """

    def dual(lam: np.ndarray) -> tuple[float, np.ndarray]:
        z = lam[0] * deviations + lam[1] * deviations**2
        top = z.max()
        w = np.exp(z - top)
        total = w.sum()
        p = w / total
        grad = np.array([p @ deviations, p @ deviations**2 - variance])
        return float(top + math.log(total) - lam[1] * variance), grad

    result = minimize(dual, np.array([0.0, -0.5]), jac=True, method="BFGS", options={"gtol": 1e-12, "maxiter": 500})
    z = result.x[0] * deviations + result.x[1] * deviations**2
    p = np.exp(z - z.max())
    return p / p.sum()


def _row_distribution(n: int, t: int, d: int, v: float) -> dict[int, float]:
    if n == 0:
        return {0: 1.0}
    allowed = [
        dev
        for dev in range(-d, d + 1)
        if n + dev >= 0 and not (1 <= n + dev <= t - 1) and not (n >= t and n + dev == 0)
    ]
    below = [x for x in allowed if x < 0]
    above = [x for x in allowed if x > 0]
    if not below:  # n == T: nothing lower is allowed, so zero mean means no noise
        return {0: 1.0}
    if 0 not in allowed:
        # 1 ≤ n ≤ T−1: the least-variance unbiased choice is 0 or T.
        lo, hi = max(below), min(above)
        least = -lo * hi
        if v <= least:
            p_hi = -lo / (hi - lo)
            return {lo: 1.0 - p_hi, hi: p_hi}
    # Mean zero on [min, max] allows at most a variance of −min·max.
    target = min(v, 0.98 * (-min(below) * max(above)))
    probabilities = _max_entropy(np.array(allowed, dtype=float), target)
    return {dev: float(p) for dev, p in zip(allowed, probabilities, strict=True)}


def _as_row(n: int, distribution: dict[int, float]) -> PRow:
    kept = {dev: p for dev, p in sorted(distribution.items()) if p >= _MIN_PROBABILITY}
    total = sum(kept.values())
    deviations = tuple(kept)
    probabilities = tuple(p / total for p in kept.values())
    bounds: list[int] = []
    running = 0.0
    for p in probabilities[:-1]:
        running += p
        # Every kept deviation gets at least one key.
        bounds.append(max(round(running * KEY_MODULUS), (bounds[-1] + 1) if bounds else 1))
    bounds.append(KEY_MODULUS)
    return PRow(n, deviations, probabilities, tuple(bounds))


def _check(table: PTable) -> None:
    t, d = table.params.threshold, table.params.max_deviation
    for row in table.rows:
        values = row.values()
        if row.n == 0 and values != (0,):
            raise PTableError("Een lege cel moet 0 blijven.")
        if any(1 <= x <= t - 1 for x in values):
            raise PTableError(f"De p-tabel zou een klein aantal (1 tot en met {t - 1}) publiceren voor n = {row.n}.")
        if 1 <= row.n <= t - 1 and row.n in values:
            raise PTableError(f"De p-tabel zou het kleine aantal {row.n} ongewijzigd publiceren.")
        if row.n >= t and 0 in values:
            raise PTableError(f"De p-tabel zou het aantal {row.n} als 0 publiceren.")
        if any(abs(dev) > d for dev in row.deviations):
            raise PTableError(f"De p-tabel wijkt voor n = {row.n} meer af dan {d}.")
        if abs(row.mean) > 1e-6:
            raise PTableError(f"De p-tabel is niet zuiver voor n = {row.n} (gemiddelde afwijking {row.mean:.2g}).")


@lru_cache(maxsize=16)
def build_ptable(params: PTableParams) -> PTable:
    """The p-table for these parameters (validated; refused with a Dutch reason if unsafe)."""
    params.validate()
    t, d, v = params.threshold, params.max_deviation, float(params.variance)
    rows = tuple(_as_row(n, _row_distribution(n, t, d, v)) for n in range(0, t + d + 1))
    table = PTable(params, rows)
    _check(table)
    return table
