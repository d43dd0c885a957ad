"""Multiple systems estimation (capture-recapture) with log-linear Poisson models.

From a capture-history table (which lists saw each person) this module estimates the
total population, including the people that no list saw.  Three model choices:

* ``main``: main effects only (lists independent).
* ``stepwise``: the stepwise selection of Chan, Silverman & Vincent (2021) as in the R
  package SparseMSE: starting from main effects, add the two-list interaction with the
  smallest Poisson tail p-value while p < 0.02, skipping interactions for which the
  (extended) maximum likelihood estimate would not exist or not be identifiable.
* ``bic``: the model with the lowest BIC among all models with two-list interactions
  (exhaustive up to five lists, downhill search beyond that), as in Silverman, Chan &
  Vincent (2024).
* ``auto``: ``bic`` up to five lists (every model compared), ``stepwise`` from six on.

Empty overlaps are handled by extended maximum likelihood: a term whose sufficient
statistic is zero is fixed at minus infinity, which removes the cells containing it.
Confidence intervals are BCa bootstrap intervals that redo the model selection in every
replicate.  See docs/mse.md for the method, assumptions and validation.

Framework-free on purpose: no Django imports (tests/domain enforces this).
"""

from __future__ import annotations

import csv
import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import statsmodels.api as sm
from scipy import optimize, special, stats

from ketenzicht.domain.errors import LocatedInputError
from ketenzicht.domain.poisson import poisson_irls

__all__ = [
    "METHODS",
    "P_THRESHOLD",
    "CaptureTable",
    "Estimate",
    "MseError",
    "MseInputError",
    "NotIdentifiable",
    "TooFewOverlaps",
    "check_estimable",
    "estimate",
    "overlap_problem",
    "read_capture_csv",
]

METHODS: tuple[str, ...] = ("stepwise", "bic", "main", "auto")
P_THRESHOLD = 0.02
CONFIDENCE_LEVEL = 0.95
# Up to five lists (10 pairs, 1024 models) every two-list model is fitted; beyond that
# the number of models explodes (2**28 for eight lists), so BIC uses a downhill search.
EXHAUSTIVE_MAX_LISTS = 5
# Bootstrap for the exhaustive BIC search is restricted to the best models on the
# original data, with the defaults of the R package MultipleSystemsEstimation.
BIC_BOOTSTRAP_TOP_MODELS: Mapping[int, int] = {4: 20, 5: 100}
# Accepted names for the last (count) column; the published tables use "n" and "Count".
COUNT_COLUMN_NAMES = frozenset({"count", "n", "freq", "frequency", "aantal"})
_LP_TOLERANCE = 1e-7

Pair = tuple[int, int]
Model = tuple[Pair, ...]


# --------------------------------------------------------------------------- errors


class MseError(Exception):
    """Base class for everything this module refuses to do."""


class MseInputError(MseError, LocatedInputError):
    """The input table is malformed. The message names file, row and column when known."""


class NotIdentifiable(MseError):
    """No trustworthy estimate exists for these data; ``reason`` says why, in plain Dutch."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class TooFewOverlaps(NotIdentifiable):
    """The lists overlap too little to say anything about the unseen population."""


# --------------------------------------------------------------------------- table


@dataclass(frozen=True)
class CaptureTable:
    """Counts per capture history. ``histories[k][i] == 1`` means list ``i`` saw the people
    counted in ``counts[k]``. Duplicate histories are summed, zero counts dropped."""

    lists: tuple[str, ...]
    histories: tuple[tuple[int, ...], ...]
    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        lists = tuple(str(name) for name in self.lists)
        if len(set(lists)) != len(lists):
            raise MseInputError("lijstnamen zijn niet uniek")
        if len(self.histories) != len(self.counts):
            raise MseInputError("evenveel histories als aantallen nodig")
        merged: dict[tuple[int, ...], int] = {}
        for history, count in zip(self.histories, self.counts, strict=True):
            key = tuple(int(v) for v in history)
            if len(key) != len(lists) or any(v not in (0, 1) for v in key):
                raise MseInputError(f"history {history!r} past niet bij {len(lists)} lijsten")
            if isinstance(count, bool) or int(count) != count or count < 0:
                raise MseInputError(f"aantal {count!r} is geen geheel getal >= 0")
            if not any(key):
                if count:
                    raise MseInputError(
                        "de niet-geziene groep (alle lijsten 0) kan niet geteld zijn"
                    )
                continue
            merged[key] = merged.get(key, 0) + int(count)
        items = sorted((k, v) for k, v in merged.items() if v > 0)
        object.__setattr__(self, "lists", lists)
        object.__setattr__(self, "histories", tuple(k for k, _ in items))
        object.__setattr__(self, "counts", tuple(v for _, v in items))

    @classmethod
    def from_mapping(
        cls, counts: Mapping[Any, int], lists: Sequence[str] | None = None
    ) -> CaptureTable:
        """Build a table from ``{history: count}``.

        A history is a tuple of 0/1 (``(1, 0, 1)``), a 0/1 string (``"101"``) or a set of
        list names (``frozenset({"politie", "zorg"})``); for sets ``lists`` defaults to the
        sorted names, otherwise to A, B, C, ...
        """
        keys = list(counts)
        if keys and all(isinstance(k, (set, frozenset)) for k in keys):
            names = tuple(lists) if lists is not None else tuple(sorted(set().union(*keys)))
            unknown = set().union(*keys) - set(names)
            if unknown:
                raise MseInputError(f"onbekende lijsten: {', '.join(sorted(map(str, unknown)))}")
            histories = [tuple(int(n in k) for n in names) for k in keys]
        else:
            histories = []
            for k in keys:
                if isinstance(k, str):
                    if any(c not in "01" for c in k):
                        raise MseInputError(f"history {k!r} bevat iets anders dan 0 en 1")
                    histories.append(tuple(int(c) for c in k))
                else:
                    histories.append(tuple(k))
            width = len(histories[0]) if histories else len(lists or ())
            names = tuple(lists) if lists is not None else _default_names(width)
        return cls(names, tuple(histories), tuple(counts[k] for k in keys))

    @property
    def observed(self) -> int:
        """Number of people seen on at least one list."""
        return sum(self.counts)

    def as_dict(self) -> dict[tuple[int, ...], int]:
        return dict(zip(self.histories, self.counts, strict=True))


def _default_names(width: int) -> tuple[str, ...]:
    return tuple(chr(ord("A") + i) if i < 26 else f"L{i + 1}" for i in range(width))


def read_capture_csv(path: str | Path) -> CaptureTable:
    """Read a table: one 0/1 column per list, last column the count (``count``/``n``).

    Raises :class:`MseInputError` naming file, row (line number, header = 1) and column.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MseInputError("bestand bestaat niet", file=name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MseInputError(f"bestand is niet te lezen ({exc})", file=name) from None
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise MseInputError("het bestand is leeg", file=name, row=1, column="count")
    # Dutch spreadsheet exports use semicolons.
    first = next(line for line in lines if line.strip())
    delimiter = ";" if ";" in first and "," not in first else ","
    rows = [(i, r) for i, r in enumerate(csv.reader(lines, delimiter=delimiter), start=1) if r]
    rows = [(i, [c.strip() for c in r]) for i, r in rows if any(c.strip() for c in r)]
    header_row, header = rows[0]
    if header[-1].lower() not in COUNT_COLUMN_NAMES:
        raise MseInputError(
            "de laatste kolom moet 'count' heten (het aantal personen per combinatie)",
            file=name,
            row=header_row,
            column=header[-1] or "count",
        )
    list_names = header[:-1]
    if len(list_names) < 2:
        raise MseInputError(
            "minstens twee lijstkolommen nodig", file=name, row=header_row, column=header[-1]
        )
    for col in list_names:
        if not col:
            raise MseInputError("lege kolomnaam", file=name, row=header_row, column=col)
        if list_names.count(col) > 1:
            raise MseInputError("kolomnaam komt dubbel voor", file=name, row=header_row, column=col)
    if len(rows) == 1:
        raise MseInputError("geen gegevensrijen", file=name, row=header_row + 1, column=header[-1])
    seen: dict[tuple[int, ...], int] = {}
    for row_no, row in rows[1:]:
        if len(row) != len(header):
            col = header[min(len(row), len(header) - 1)]
            raise MseInputError(
                f"{len(row)} waarden, verwacht {len(header)}", file=name, row=row_no, column=col
            )
        history = []
        for col, value in zip(list_names, row[:-1], strict=True):
            if value not in ("0", "1"):
                raise MseInputError(
                    f"waarde '{value}' is geen 0 of 1", file=name, row=row_no, column=col
                )
            history.append(int(value))
        count = _parse_count(row[-1])
        if count is None:
            raise MseInputError(
                f"aantal '{row[-1]}' is geen geheel getal >= 0",
                file=name,
                row=row_no,
                column=header[-1],
            )
        key = tuple(history)
        if not any(key) and count:
            raise MseInputError(
                "een rij met alleen nullen (niet gezien) kan geen aantal hebben",
                file=name,
                row=row_no,
                column=header[-1],
            )
        seen[key] = seen.get(key, 0) + count
    return CaptureTable(tuple(list_names), tuple(seen), tuple(seen.values()))


def _parse_count(value: str) -> int | None:
    try:
        number = float(value)
    except ValueError:
        return None
    if not math.isfinite(number) or not number.is_integer() or number < 0:
        return None
    return int(number)


# --------------------------------------------------------------------------- result


@dataclass(frozen=True)
class Estimate:
    """An MSE estimate. ``schatting`` is the total population including the observed."""

    waargenomen: int
    schatting: float
    interval: tuple[float, float] | None
    model: tuple[str, ...]
    methode: str
    # Terms estimated at minus infinity (empty overlaps), for the reader of the model.
    lege_overlappen: tuple[str, ...] = ()
    bootstrap: int = 0
    # Bootstrap replicates where no model could be fitted; they are left out of the BCa.
    mislukte_replicaties: int = 0
    # The rule that chose the model ("bic" or "stepwise" when ``methode`` is "auto").
    selectie: str = ""

    @property
    def verborgen(self) -> float:
        """Estimated number of people seen by no list."""
        return self.schatting - self.waargenomen

    def to_json(self) -> dict[str, Any]:
        return {
            "waargenomen": self.waargenomen,
            "schatting": round(self.schatting, 1),
            "interval": None
            if self.interval is None
            else [round(self.interval[0], 1), round(self.interval[1], 1)],
            "model": list(self.model),
            "methode": self.methode,
        }


# --------------------------------------------------------------------------- model fitting


class _FitFailed(Exception):
    """No usable fit for these counts (in practice only on bootstrap/jackknife tables)."""


@dataclass(frozen=True)
class _Fit:
    pairs: Model
    total: float
    fitted: np.ndarray  # expected count per cell; 0 for cells removed by -inf terms
    bic: float
    empty_terms: tuple[tuple[int, ...], ...]


@dataclass
class _Engine:
    """Fits log-linear models on one set of lists; caches identifiability checks, which
    depend only on which cells are non-zero (Fienberg & Rinaldo 2012)."""

    n_lists: int
    cells: np.ndarray = field(init=False)
    pairs: tuple[Pair, ...] = field(init=False)
    # Exhaustive BIC ranking of the original data, reused to pick the bootstrap models.
    ranking: list[_Fit] = field(default_factory=list, init=False)
    _checks: dict[tuple[bytes, Model], int] = field(default_factory=dict, init=False)
    _lp: dict[tuple[bytes, Model], bool] = field(default_factory=dict, init=False)
    _start: dict[tuple[Model, tuple[tuple[int, ...], ...]], np.ndarray] = field(
        default_factory=dict, init=False
    )

    def __post_init__(self) -> None:
        histories = [h for h in itertools.product((0, 1), repeat=self.n_lists) if any(h)]
        self.cells = np.array(histories, dtype=float)
        self.pairs = tuple(itertools.combinations(range(self.n_lists), 2))

    def counts(self, table: CaptureTable) -> np.ndarray:
        index = {tuple(int(v) for v in row): k for k, row in enumerate(self.cells)}
        y = np.zeros(len(self.cells))
        for history, count in zip(table.histories, table.counts, strict=True):
            y[index[history]] = count
        return y

    def _reduced(
        self, y: np.ndarray, pairs: Model
    ) -> tuple[np.ndarray, np.ndarray, tuple[tuple[int, ...], ...]]:
        """Design matrix on the cells that survive the extended MLE, the kept-cell mask
        and the terms fixed at minus infinity (zero margin)."""
        h = self.cells
        terms: list[tuple[int, ...]] = [(i,) for i in range(self.n_lists)] + list(pairs)
        columns = [np.prod(h[:, list(t)], axis=1) for t in terms]
        empty = tuple(t for t, col in zip(terms, columns, strict=True) if col @ y == 0)
        keep = np.ones(len(h), dtype=bool)
        for t, col in zip(terms, columns, strict=True):
            if t in empty:
                keep &= col == 0
        design = np.column_stack(
            [np.ones(len(h))]
            + [col for t, col in zip(terms, columns, strict=True) if t not in empty]
        )
        return design[keep], keep, empty

    def check(self, y: np.ndarray, pairs: Model) -> int:
        """0 if the (extended) MLE exists and is identifiable; 1 = does not exist,
        2 = not identifiable, 3 = both (the codes of SparseMSE's checkident)."""
        key = ((y > 0).tobytes(), pairs)
        if key not in self._checks:
            self._checks[key] = self._check(y, pairs)
        return self._checks[key]

    def _check(self, y: np.ndarray, pairs: Model) -> int:
        design, _, _ = self._reduced(y, pairs)
        n_cells, n_par = design.shape
        rank_deficient = n_cells < n_par or np.linalg.matrix_rank(design) < n_par
        return int(not self._exists(y, pairs)) + 2 * int(rank_deficient)

    def _exists(self, y: np.ndarray, pairs: Model) -> bool:
        # If the extended MLE exists for a model, it exists for every model obtained by
        # dropping overlapping pairs (Chan, Silverman & Vincent 2021; SparseMSE
        # checkallmodels).  So one LP on the "top" model with the same empty pairs
        # settles most models; only when it fails is the model's own LP needed.
        h = self.cells
        overlapping = {p for p in self.pairs if h[:, p[0]] * h[:, p[1]] @ y > 0}
        top = tuple(sorted(set(pairs) | overlapping))
        if top != pairs and self._lp_exists(y, top):
            return True
        return self._lp_exists(y, pairs)

    def _lp_exists(self, y: np.ndarray, pairs: Model) -> bool:
        key = ((y > 0).tobytes(), pairs)
        if key not in self._lp:
            self._lp[key] = self._solve_lp(y, pairs)
        return self._lp[key]

    def _solve_lp(self, y: np.ndarray, pairs: Model) -> bool:
        design, keep, _ = self._reduced(y, pairs)
        n_cells, n_par = design.shape
        # Fienberg-Rinaldo LP: is there a strictly positive table with the same
        # sufficient statistics?  SparseMSE solves max t s.t. A'x = A'y, x_i >= t, x >= 0;
        # with x = t + s (s >= 0) that is the smaller, equivalent
        # max t s.t. A's + (A'1) t = A'y, s >= 0, t >= 0.
        a = design.T
        objective = np.zeros(n_cells + 1)
        objective[-1] = -1.0
        result = optimize.linprog(
            objective,
            A_eq=np.column_stack([a, a.sum(axis=1)]),
            b_eq=a @ y[keep],
            bounds=(0, None),
            method="highs",
        )
        return bool(result.status == 0 and -result.fun > _LP_TOLERANCE)

    def evaluate(self, y: np.ndarray, pairs: Model) -> _Fit | None:
        """The fit if the extended MLE exists and is identifiable, else ``None``.

        Same verdict as :meth:`check`, but cheaper: a converged fit is itself a strictly
        positive table with (up to a tiny, bounded error) the observed margins, which
        certifies existence without the LP.  Only when that certificate is inconclusive
        (some fitted value near zero) is the Fienberg-Rinaldo LP solved.
        """
        design, keep, empty = self._reduced(y, pairs)
        n_cells, n_par = design.shape
        if n_cells < n_par:
            return None
        singular = np.linalg.svd(design, compute_uv=False)
        if singular[-1] <= singular[0] * max(design.shape) * np.finfo(float).eps:
            return None  # not identifiable
        try:
            fit = self._fit_reduced(y, pairs, design, keep, empty)
        except _FitFailed:
            fit = None
        if fit is not None:
            mu = fit.fitted[keep]
            # Moving mu onto the exact margins needs a change of at most
            # |margin error| / smallest singular value; if mu stays positive, the LP
            # optimum is positive.
            error = float(np.linalg.norm(design.T @ (mu - y[keep])))
            if mu.min() > 10 * error / singular[-1] and mu.min() > 1e-8:
                return fit
        if not self._lp_exists(y, pairs):
            return None
        return fit

    def fit(self, y: np.ndarray, pairs: Model) -> _Fit:
        design, keep, empty = self._reduced(y, pairs)
        return self._fit_reduced(y, pairs, design, keep, empty)

    def _fit_reduced(
        self,
        y: np.ndarray,
        pairs: Model,
        design: np.ndarray,
        keep: np.ndarray,
        empty: tuple[tuple[int, ...], ...],
    ) -> _Fit:
        y_kept = y[keep]
        # Warm start from an earlier fit of the same model (replicates are close to the
        # original data): roughly halves the iterations.
        start = self._start.get((pairs, empty))
        found = poisson_irls(y_kept, design, start)
        if found is not None:
            params, mu = found
        else:
            try:
                # Sparse tables routinely trigger convergence/separation warnings on
                # replicates; the result is checked for finiteness below instead.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = sm.GLM(y_kept, design, family=sm.families.Poisson()).fit(start_params=start)
            except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
                raise _FitFailed(str(exc)) from exc
            params = np.asarray(result.params)
            mu = np.asarray(result.fittedvalues)
        dark = math.exp(params[0]) if params[0] < 700 else math.inf
        if not (np.all(np.isfinite(params)) and math.isfinite(dark)):
            raise _FitFailed("het model levert geen eindige schatting op")
        self._start.setdefault((pairs, empty), params)
        fitted = np.zeros(len(y))
        fitted[keep] = mu
        observed = float(y.sum())
        loglik = float(np.sum(special.xlogy(y_kept, mu) - mu - special.gammaln(y_kept + 1)))
        # BIC as in MultipleSystemsEstimation: every model term counts, also those at
        # minus infinity, and the sample size is the number of people observed.
        n_params = 1 + self.n_lists + len(pairs)
        bic = n_params * math.log(observed) - 2 * loglik
        return _Fit(pairs, observed + dark, fitted, bic, empty)

    # ---- model selection -------------------------------------------------------

    def stepwise(self, y: np.ndarray, threshold: float = P_THRESHOLD) -> _Fit:
        """SparseMSE ``stepwisefit``: add the pair with the smallest Poisson p-value."""
        current = self.fit(y, ())
        chosen: list[Pair] = []
        h = self.cells
        overlap = {p: float(h[:, p[0]] * h[:, p[1]] @ y) for p in self.pairs}
        while True:
            candidates = []
            for index, pair in enumerate(self.pairs):
                if pair in chosen:
                    continue
                n_star = overlap[pair]
                expected = float(current.fitted @ (h[:, pair[0]] * h[:, pair[1]]))
                # Two-sided Poisson tail rule of SparseMSE: min(P(X <= n), P(X >= n)).
                p_value = min(
                    stats.poisson.cdf(n_star, expected), stats.poisson.sf(n_star - 1, expected)
                )
                candidates.append((p_value, index, pair))
            candidates.sort()
            step = None
            for p_value, _, pair in candidates:
                if p_value >= threshold:
                    break
                # SparseMSE gives a candidate p = 1 when the enlarged model fails the
                # existence/identifiability check; skipping it is the same thing.
                step = self.evaluate(y, tuple(sorted([*chosen, pair])))
                if step is not None:
                    break
            if step is None:
                return current
            chosen = list(step.pairs)
            current = step

    def all_models(self) -> list[Model]:
        models: list[Model] = []
        for size in range(len(self.pairs) + 1):
            models.extend(itertools.combinations(self.pairs, size))
        return models

    def rank_by_bic(self, y: np.ndarray, models: Iterable[Model]) -> list[_Fit]:
        """Fits of the given models that pass the checks, by increasing BIC."""
        fits = [f for f in (self.evaluate(y, model) for model in models) if f is not None]
        fits.sort(key=lambda f: f.bic)  # stable: ties keep the simpler model
        return fits

    def best_bic(self, y: np.ndarray, models: Sequence[Model] | None = None) -> _Fit:
        if models is None and self.n_lists > EXHAUSTIVE_MAX_LISTS:
            return self.downhill(y)
        ranked = self.rank_by_bic(y, self.all_models() if models is None else models)
        if not ranked:
            raise _FitFailed(
                "geen enkel model voldoet aan de controles op bestaan en identificeerbaarheid"
            )
        if models is None:
            self.ranking = ranked
        return ranked[0]

    def downhill(self, y: np.ndarray) -> _Fit:
        """Downhill BIC search over two-list models from main effects (as
        MultipleSystemsEstimation's downhill_fit): move to the best neighbour (one pair
        added or removed) while that lowers the BIC."""
        best = self.fit(y, ())
        considered: set[Model] = {()}
        while True:
            current = set(best.pairs)
            neighbours = [tuple(sorted(current | {p})) for p in self.pairs if p not in current]
            neighbours += [tuple(sorted(current - {p})) for p in current]
            new = [m for m in neighbours if m not in considered]
            if not new:
                return best
            considered.update(new)
            ranked = self.rank_by_bic(y, new)
            if not ranked or ranked[0].bic >= best.bic:
                return best
            best = ranked[0]


# --------------------------------------------------------------------------- guards


def overlap_problem(table: CaptureTable) -> str | None:
    """Plain-Dutch reason why these data are too sparse to estimate, or ``None``.

    The monitor can show this instead of a number.  Checks: at least two lists, people
    seen on two or more lists, and (three or more lists) the model with every two-list
    interaction is identifiable given the empty overlaps.
    """
    if len(table.lists) < 2:
        return "Voor een schatting zijn minstens twee lijsten nodig."
    if table.observed == 0:
        return "Er zijn geen waarnemingen; er valt niets te schatten."
    if not any(sum(h) >= 2 and c > 0 for h, c in zip(table.histories, table.counts, strict=True)):
        return (
            "Geen enkele persoon staat op meer dan één lijst. Zonder overlap tussen lijsten "
            "is niet te schatten hoeveel mensen geen enkele lijst heeft gezien."
        )
    if len(table.lists) >= 3:
        engine = _Engine(len(table.lists))
        y = engine.counts(table)
        if engine.check(y, engine.pairs) & 2:
            return _unidentifiable_reason(table, engine, y)
    return None


def _unidentifiable_reason(table: CaptureTable, engine: _Engine, y: np.ndarray) -> str:
    h = engine.cells
    empty = [
        f"{table.lists[i]} en {table.lists[j]}"
        for i, j in engine.pairs
        if h[:, i] * h[:, j] @ y == 0
    ]
    isolated = [
        name
        for k, name in enumerate(table.lists)
        if all(
            h[:, min(k, j)] * h[:, max(k, j)] @ y == 0 for j in range(len(table.lists)) if j != k
        )
    ]
    text = (
        "Niet te schatten: het model met alle afhankelijkheden tussen twee lijsten is niet "
        "identificeerbaar, omdat te veel lijsten geen overlap hebben "
        f"(niemand staat op beide lijsten van: {'; '.join(empty)})."
    )
    if isolated:
        text += f" Lijst {', '.join(isolated)} overlapt met geen enkele andere lijst."
    return (
        text
        + " De gegevens kunnen dan niet onderscheiden tussen afhankelijkheid tussen lijsten en "
        "een grotere verborgen groep; elk getal zou alleen op een onbetoetsbare aanname rusten."
    )


def check_estimable(table: CaptureTable) -> None:
    """Raise :class:`TooFewOverlaps` / :class:`NotIdentifiable` when no estimate is possible."""
    reason = overlap_problem(table)
    if reason is None:
        return
    if reason.startswith("Niet te schatten: het model"):
        raise NotIdentifiable(reason)
    raise TooFewOverlaps(reason)


# --------------------------------------------------------------------------- estimate


TableSampler = Callable[[np.random.Generator], CaptureTable]


def resolve_method(method: str, n_lists: int) -> str:
    """``auto``: lowest BIC over every two-list model up to five lists, stepwise from six."""
    if method != "auto":
        return method
    return "bic" if n_lists <= EXHAUSTIVE_MAX_LISTS else "stepwise"


def estimate(
    table: CaptureTable | Mapping[Any, int],
    method: str,
    bootstrap: int = 0,
    seed: int | None = None,
    *,
    resample_links: TableSampler | None = None,
) -> Estimate:
    """Estimate the total population (observed + unseen) with ``method`` in
    ``stepwise``, ``bic``, ``main`` or ``auto``; with ``bootstrap > 0`` add a 95% BCa interval.

    ``resample_links``: draws the capture table of one replicate from the linkage's match
    probabilities (links resampled, persons re-formed); each bootstrap replicate then
    resamples the persons of *that* table, so linkage uncertainty widens the interval.

    Raises :class:`NotIdentifiable` (or its subclass :class:`TooFewOverlaps`) with a
    plain-Dutch reason when the data do not support an estimate.
    """
    if not isinstance(table, CaptureTable):
        table = CaptureTable.from_mapping(table)
    if method not in METHODS:
        raise ValueError(f"onbekende methode {method!r}; kies uit {', '.join(METHODS)}")
    requested, method = method, resolve_method(method, len(table.lists))
    if bootstrap < 0:
        raise ValueError("bootstrap moet >= 0 zijn")
    check_estimable(table)
    engine = _Engine(len(table.lists))
    y = engine.counts(table)

    # Stepwise starts from main effects, so both need that model to exist.
    if method in ("main", "stepwise"):
        code = engine.check(y, ())
        if code:
            raise NotIdentifiable(
                "Niet te schatten: voor het model met alleen hoofdeffecten bestaat geen "
                "eindige schatting bij deze gegevens (bijvoorbeeld omdat één lijst iedereen bevat)."
            )
    try:
        if method == "main":
            selected = engine.fit(y, ())
        elif method == "stepwise":
            selected = engine.stepwise(y)
        else:
            selected = engine.best_bic(y)
    except _FitFailed as exc:
        raise NotIdentifiable(f"Niet te schatten: {exc}.") from None

    interval = None
    failed = 0
    if bootstrap:
        select = _selector(engine, y, method)
        links = resample_links
        sampler = None if links is None else (lambda rng: engine.counts(links(rng)))
        interval, failed = _bca_interval(engine, y, selected.total, select, bootstrap, seed, sampler=sampler)

    names = table.lists
    model = list(names) + [f"{names[i]}:{names[j]}" for i, j in selected.pairs]
    empty = tuple(":".join(names[i] for i in t) for t in selected.empty_terms)
    return Estimate(
        waargenomen=table.observed,
        schatting=selected.total,
        interval=interval,
        model=tuple(model),
        methode=requested,
        selectie=method,
        lege_overlappen=empty,
        bootstrap=bootstrap,
        mislukte_replicaties=failed,
    )


def _selector(engine: _Engine, y: np.ndarray, method: str) -> Callable[[np.ndarray], float]:
    """The estimator re-run on each bootstrap / jackknife replicate, model selection
    included (Silverman, Chan & Vincent 2024)."""
    if method == "main":
        return lambda counts: engine.fit(counts, ()).total
    if method == "stepwise":
        return lambda counts: engine.stepwise(counts).total
    if engine.n_lists > EXHAUSTIVE_MAX_LISTS:
        return lambda counts: engine.downhill(counts).total
    # Exhaustive BIC: for four and five lists only the best-ranked models on the
    # original data are refitted per replicate, as MultipleSystemsEstimation does.
    ranked = engine.ranking or engine.rank_by_bic(y, engine.all_models())
    top = BIC_BOOTSTRAP_TOP_MODELS.get(engine.n_lists, len(ranked))
    models = [f.pairs for f in ranked[:top]]
    return lambda counts: engine.best_bic(counts, models).total


def _safe(select: Callable[[np.ndarray], float], counts: np.ndarray) -> float:
    try:
        return select(counts)
    except _FitFailed:
        return math.nan


def _bca_interval(
    engine: _Engine,
    y: np.ndarray,
    point: float,
    select: Callable[[np.ndarray], float],
    n_boot: int,
    seed: int | None,
    level: float = CONFIDENCE_LEVEL,
    sampler: Callable[[np.random.Generator], np.ndarray] | None = None,
) -> tuple[tuple[float, float], int]:
    """BCa interval (Efron; DiCiccio & Efron 1996) as in SparseMSE ``estimatepopulation``;
    with resampled links (``sampler``) the percentile interval of the replicates.

    Bootstrap: resample the observed individuals (multinomial on the observed cells) and
    redo the model selection; with ``sampler``, each replicate's cells come from resampled
    links first (see ``estimate``).  Acceleration: jackknife leaving out one individual, which
    only differs per capture history, so each cell's value is weighted by its count.
    """
    rng = np.random.default_rng(seed)
    observed = int(y.sum())
    if sampler is None:
        samples = rng.multinomial(observed, y / observed, size=n_boot).astype(float)
    else:  # links resampled first, then the persons they form (their number may differ)
        linked = [sampler(rng) for _ in range(n_boot)]
        samples = np.array([rng.multinomial(int(c.sum()), c / c.sum()) if c.sum() else c for c in linked], dtype=float)
    reps = np.array([_safe(select, s) for s in samples])
    failed = int(np.sum(~np.isfinite(reps)))
    reps = reps[np.isfinite(reps)]
    if len(reps) == 0:
        raise NotIdentifiable("Geen enkele bootstrap-herhaling gaf een schatting.")

    occupied = np.flatnonzero(y > 0)
    jack = np.empty(len(occupied))
    for k, cell in enumerate(occupied):
        minus_one = y.copy()
        minus_one[cell] -= 1
        jack[k] = _safe(select, minus_one)
    weights = y[occupied]
    ok = np.isfinite(jack)
    resid = np.average(jack[ok], weights=weights[ok]) - jack[ok]
    denominator = 6 * float(np.sum(weights[ok] * resid**2)) ** 1.5
    accel = float(np.sum(weights[ok] * resid**3)) / denominator if denominator > 0 else 0.0

    # Bias correction; the proportion is kept off 0 and 1 so that z0 stays finite.
    below = float(np.mean(reps < point))
    below = min(max(below, 0.5 / len(reps)), 1 - 0.5 / len(reps))
    z0 = stats.norm.ppf(below)
    alphas = np.array([(1 - level) / 2, (1 + level) / 2])
    za = stats.norm.ppf(alphas) + z0
    adjusted = stats.norm.cdf(z0 + za / (1 - accel * za))
    # Hyndman-Fan type 8, as R's quantile(type = 8) in SparseMSE.
    if sampler is not None:
        # Linkage resampled: the replicates spread over the linkages the match probabilities
        # allow, which is the uncertainty to report, not a bias of the point estimate for the
        # BCa correction to take out. Percentile interval, stretched to hold the point.
        low, high = np.quantile(reps, alphas, method="median_unbiased")
        return (float(min(low, point)), float(max(high, point))), failed
    low, high = np.quantile(reps, adjusted, method="median_unbiased")
    return (float(low), float(high)), failed
