"""Suppression of small numbers in count tables that are published together (per page).

The regional monitor, its exports and reports, the KPI dashboard and the board reports do not
use this module any more: they publish through the Cell Key Method (``domain/cellkey.py``,
``monitor/protected.py``, docs/adr/0001-cell-key-method.md), because suppression per page does
not survive combining pages. This module remains for the signal tables' regional throughput
page (``meetings.selectors``). In short:

* **Primary suppression.** A published count ``v`` is *sensitive* when
  ``0 < v < threshold`` (default threshold 5). Zeros are safe by default: "nobody" is
  not a small group that can be singled out. With ``zeros_safe=False`` zeros are
  sensitive too. Totals are published counts like any other: a small row total is
  suppressed as well.
* **Protection rule.** A suppressed sensitive count is protected when the published
  figures (cells, all totals, all linked tables) and non-negativity still allow it to
  be at least ``threshold``: the attacker cannot tell it from a publishable count. Its
  feasible interval then has width >= 1, so it is never a single value.
* **Secondary suppression.** For each sensitive count that is not yet protected we
  solve a small linear programme: the cheapest change of the table that raises the
  count to the threshold while keeping every other published figure fixed, except
  figures we agree to suppress as well. The figures that change are suppressed
  (secondary). Small cells are cheaper than large ones and totals are dearer than
  inner cells. Published zeros are never used as complements, because a zero may be
  structural and known to everyone.
* **Consistency.** Linked tables (different breakdowns of the same records) are
  protected together: a total that appears in two tables is one figure with one
  decision, and the audit models the attacker as knowing every published table.

Each changed table we find is kept as a *witness*: a table that differs from the true
one yet agrees with everything published. Suppressions only ever grow, so a witness
stays valid, and together the witnesses prove at the end that every sensitive count
can reach the threshold and that no suppressed count is derivable.

The returned objects contain only published values; the true value of a suppressed
count is not stored, so a template cannot leak it. Render every suppression with the
same mark (CBS convention, ``"x"``); never publish the reason ("primair" /
"secundair"): it would reveal which counts are small.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from types import MappingProxyType
from typing import Literal

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

__all__ = [
    "PRIMARY",
    "SECONDARY",
    "SUPPRESSION_MARK",
    "ProtectedSeries",
    "ProtectedTable",
    "Published",
    "Suppressed",
    "is_sensitive",
    "protect_linked",
    "protect_series",
    "protect_table",
]

SUPPRESSION_MARK = "x"
DEFAULT_THRESHOLD = 5
TOTAL_LABEL = "Totaal"

# Relative cost of suppressing a total instead of an inner cell, per level up.
_LEVEL_COST = 3.0
# Total reward for certifying other sensitive figures in the same LP (see _suppress).
_BONUS = 0.01
# Solver tolerance margin when reading LP solutions.
_TOL = 1e-6


@dataclass(frozen=True)
class Suppressed:
    """A suppressed figure. The reason is for internal audit only; never publish it."""

    reason: Literal["primair", "secundair"]

    def __str__(self) -> str:
        return SUPPRESSION_MARK


PRIMARY = Suppressed("primair")
SECONDARY = Suppressed("secundair")

Published = int | Suppressed


def _render(value: Published, mark: str) -> int | str:
    return mark if isinstance(value, Suppressed) else value


def is_sensitive(value: int, threshold: int = DEFAULT_THRESHOLD, zeros_safe: bool = True) -> bool:
    """Whether a count must be suppressed on its own (primary suppression)."""
    if value == 0:
        return not zeros_safe
    return value < threshold


@dataclass(frozen=True)
class ProtectedSeries:
    """A 1-D breakdown with its total, as it may be published."""

    dimension: str
    labels: tuple[str, ...]
    values: Mapping[str, Published]
    total: Published
    threshold: int
    zeros_safe: bool

    def suppressed(self) -> dict[str, Suppressed]:
        return {k: v for k, v in self.values.items() if isinstance(v, Suppressed)}

    def as_rows(
        self, *, total_label: str = TOTAL_LABEL, mark: str = SUPPRESSION_MARK, header: bool = True
    ) -> list[list[int | str]]:
        """Rows for CSV/XLSX export; numbers stay ints, suppressions become ``mark``."""
        rows: list[list[int | str]] = [[self.dimension, "aantal"]] if header else []
        rows += [[label, _render(self.values[label], mark)] for label in self.labels]
        rows.append([total_label, _render(self.total, mark)])
        return rows


@dataclass(frozen=True)
class ProtectedTable:
    """A 2-D breakdown with row, column and grand totals, as it may be published."""

    row_dimension: str
    col_dimension: str
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    cells: Mapping[tuple[str, str], Published]
    row_totals: Mapping[str, Published]
    col_totals: Mapping[str, Published]
    grand_total: Published
    threshold: int
    zeros_safe: bool

    def suppressed(self) -> dict[tuple[str, str], Suppressed]:
        """Suppressed inner cells (totals: see ``row_totals`` etc.)."""
        return {k: v for k, v in self.cells.items() if isinstance(v, Suppressed)}

    def suppression_count(self) -> int:
        figures = [
            *self.cells.values(),
            *self.row_totals.values(),
            *self.col_totals.values(),
            self.grand_total,
        ]
        return sum(isinstance(v, Suppressed) for v in figures)

    def as_rows(
        self, *, total_label: str = TOTAL_LABEL, mark: str = SUPPRESSION_MARK, header: bool = True
    ) -> list[list[int | str]]:
        """Rows for CSV/XLSX export; numbers stay ints, suppressions become ``mark``."""
        rows: list[list[int | str]] = []
        if header:
            rows.append([self.row_dimension, *self.col_labels, total_label])
        for r in self.row_labels:
            rows.append(
                [
                    r,
                    *(_render(self.cells[r, c], mark) for c in self.col_labels),
                    _render(self.row_totals[r], mark),
                ]
            )
        rows.append(
            [
                total_label,
                *(_render(self.col_totals[c], mark) for c in self.col_labels),
                _render(self.grand_total, mark),
            ]
        )
        return rows


# --------------------------------------------------------------------------- model

# A published figure is identified by the categories it is restricted to, e.g.
# ((0, 3), (1, 2)) = "dimension 0 is category 3 and dimension 1 is category 2";
# () is the grand total. The same figure in two tables gets the same key, which is
# what makes linked tables consistent.
_Key = tuple[tuple[int, int], ...]


class _Model:
    """Published figures as sums over the cells of the full cross-classification."""

    def __init__(
        self, x: np.ndarray, keys: list[_Key], member_rows: list[np.ndarray], level: np.ndarray
    ):
        self.x = x.ravel().astype(float)
        self.keys = keys
        rows = np.concatenate([np.full(len(m), i) for i, m in enumerate(member_rows)])
        cols = np.concatenate(member_rows)
        self.M = sparse.csr_array(
            (np.ones(len(cols)), (rows, cols)), shape=(len(keys), self.x.size)
        )
        self.values = np.rint(self.M @ self.x).astype(np.int64)
        self.level = level


def _validate_count(key: object, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < 0:
        raise ValueError(f"count for {key!r} must be a non-negative int, got {value!r}")
    return int(value)


def _build_model(
    counts: Mapping[tuple[str, ...], int],
    dimensions: Sequence[str],
    breakdowns: Sequence[tuple[int, ...]],
    categories: Sequence[Sequence[str]],
) -> _Model:
    shape = tuple(len(c) for c in categories)
    index = [{c: i for i, c in enumerate(cats)} for cats in categories]
    x = np.zeros(shape, dtype=np.int64)
    for key, value in counts.items():
        if not isinstance(key, tuple) or len(key) != len(dimensions):
            raise ValueError(
                f"key {key!r} does not have one label per dimension {tuple(dimensions)}"
            )
        try:
            pos = tuple(index[d][label] for d, label in enumerate(key))
        except KeyError as exc:
            raise ValueError(f"key {key!r} has a category not in the category list") from exc
        x[pos] += _validate_count(key, value)

    flat = np.arange(x.size).reshape(shape)
    depth = max(len(b) for b in breakdowns)
    seen: dict[_Key, int] = {}
    keys: list[_Key] = []
    members: list[np.ndarray] = []
    levels: list[int] = []
    for dims in breakdowns:
        for r in range(len(dims) + 1):
            for subset in itertools.combinations(dims, r):
                for combo in itertools.product(*(range(shape[d]) for d in subset)):
                    key = tuple(sorted(zip(subset, combo, strict=True)))
                    if key in seen:
                        continue
                    seen[key] = len(keys)
                    slicer: list[int | slice] = [slice(None)] * len(shape)
                    for d, c in key:
                        slicer[d] = c
                    keys.append(key)
                    members.append(np.asarray(flat[tuple(slicer)]).ravel())
                    levels.append(depth - len(key))
    return _Model(x, keys, members, np.asarray(levels))


# ------------------------------------------------------------------- suppression


class _Witnesses:
    """The LP for "raise figure k by need[k] at least cost" and the changes found so far.

    The change of the underlying cells is z = u - w (u >= 0, 0 <= w <= x keeps the table
    non-negative). A figure that is exactly one underlying cell is priced on u and w
    directly; every other figure k gets a row  M_k z - p_k + m_k = 0  and is priced on p_k
    and m_k. This keeps the LP small for plain 2-D tables (only the totals need rows).
    """

    def __init__(self, model: _Model, threshold: int, need: np.ndarray):
        M = model.M
        nq, nu = M.shape
        self.model, self.threshold, self.need, self.nu = model, threshold, need, nu
        # Per-unit cost of changing a published figure: grows slowly with its size (prefer
        # small complements), and per level for totals (prefer inner cells).
        self.cost = (1.0 + np.log1p(model.values)) * _LEVEL_COST**model.level
        sizes = np.diff(M.indptr)
        owner = np.full(nu, -1)
        for k in np.flatnonzero(sizes == 1):
            j = M.indices[M.indptr[k]]
            if owner[j] < 0:
                owner[j] = k
        self.owner, self.owned = owner, owner >= 0
        self.rows = np.setdiff1d(np.arange(nq), owner[self.owned])  # figures priced via p/m
        nr = self.nr = self.rows.size
        m_rows = M[self.rows, :]
        eye = sparse.identity(nr, format="csr")
        self.a_eq = sparse.hstack([m_rows, -m_rows, -eye, eye], format="csc")
        self.changes: list[np.ndarray] = []  # per witness: change of every figure

    def certified(self, k: int) -> bool:
        return any(d[k] >= self.need[k] - _TOL for d in self.changes)

    def _bounds(self, status: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cost vector and bounds of u, w, p, m: suppressed figures move free, zeros stay."""
        nu, nr, owner, owned, rows = self.nu, self.nr, self.owner, self.owned, self.rows
        suppressed = status > 0
        movable = suppressed | (self.model.values > 0)  # published zeros stay fixed
        fig_cost = np.where(suppressed, 0.0, self.cost)  # moving suppressed figures is free
        cell_cost = np.zeros(nu)
        cell_cost[owned] = fig_cost[owner[owned]]
        c = np.concatenate([cell_cost, cell_cost, fig_cost[rows], fig_cost[rows]])
        upper = np.full(2 * nu + 2 * nr, np.inf)
        upper[nu : 2 * nu] = self.model.x  # w <= x
        frozen_cells = owned.copy()
        frozen_cells[owned] = ~movable[owner[owned]]
        upper[:nu][frozen_cells] = 0.0
        upper[nu : 2 * nu][frozen_cells] = 0.0
        frozen_rows = ~movable[rows]
        upper[2 * nu : 2 * nu + nr][frozen_rows] = 0.0
        upper[2 * nu + nr :][frozen_rows] = 0.0
        return c, np.column_stack([np.zeros(upper.size), upper])

    def find(self, k: int, status: np.ndarray, order: list[int]) -> np.ndarray:
        """The cheapest change that raises figure k by its need; returns every figure's change.

        It also rewards raising other not yet certified sensitive figures (s_i <= M_i z,
        -v_i <= s_i <= need_i), so one witness can certify many and fewer LPs are solved.
        |reward| <= _BONUS, far below the cost of one unit of change of any published
        figure (>= 1): it only breaks near-ties.
        """
        M, v, need, nr = self.model.M, self.model.values, self.need, self.nr
        c, bounds = self._bounds(status)
        others = [i for i in order if i != k and not self.certified(i)]
        no = len(others)
        bonus = _BONUS / (self.threshold * max(no, 1))
        mk = M[[k] + others, :]
        s_part = sparse.vstack([sparse.csr_array((1, no)), sparse.identity(no, format="csr")], format="csr")
        rhs = np.zeros(no + 1)
        rhs[0] = -float(need[k])
        res = linprog(
            np.concatenate([c, np.full(no, -bonus)]),
            A_ub=sparse.hstack([-mk, mk, sparse.csr_array((no + 1, 2 * nr)), s_part], format="csr"),
            b_ub=rhs,
            A_eq=sparse.hstack([self.a_eq, sparse.csr_array((nr, no))], format="csc"),
            b_eq=np.zeros(nr),
            bounds=np.vstack([bounds, np.column_stack([-v[others], need[others]])]),
            method="highs-ds",
        )
        if res.status != 0:  # pragma: no cover - always feasible: suppress everything
            raise RuntimeError(f"secondary suppression LP failed: {res.message}")
        change = M @ (res.x[: self.nu] - res.x[self.nu : 2 * self.nu])
        self.changes.append(change)
        return change


def _suppress(model: _Model, threshold: int, zeros_safe: bool) -> np.ndarray:
    """Return the status of each figure: 0 published, 1 primary, 2 secondary."""
    v = model.values
    status = np.zeros(len(v), dtype=np.int8)
    sensitive = np.array([is_sensitive(int(a), threshold, zeros_safe) for a in v], dtype=bool)
    status[sensitive] = 1
    if not sensitive.any():
        return status
    witnesses = _Witnesses(model, threshold, threshold - v)  # need: upward room required
    # Totals first, then the smallest counts: their witnesses are the largest changes
    # and often protect other sensitive figures on the way.
    order = sorted(np.flatnonzero(sensitive), key=lambda k: (-model.level[k], v[k], k))
    for k in order:
        if witnesses.certified(k):
            continue
        change = witnesses.find(k, status, order)
        status[(np.abs(change) > _TOL) & (status == 0)] = 2

    # The witnesses prove the result; refuse to return anything they do not prove.
    for k in np.flatnonzero(status == 1):
        if not witnesses.certified(k):  # pragma: no cover - guarded invariant
            raise RuntimeError("internal error: sensitive figure left unprotected")
    for k in np.flatnonzero(status == 2):
        if not any(abs(d[k]) > _TOL for d in witnesses.changes):  # pragma: no cover
            raise RuntimeError("internal error: derivable secondary suppression")
    return status


# ---------------------------------------------------------------------- public API


def _check_threshold(threshold: int) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError("threshold must be an int >= 1")


def _ordered_categories(
    counts: Mapping[tuple[str, ...], int], n_dims: int, given: Sequence[Sequence[str] | None]
) -> list[list[str]]:
    result: list[list[str]] = []
    for d in range(n_dims):
        if given[d] is not None:
            cats = list(given[d])  # type: ignore[arg-type]
            if len(set(cats)) != len(cats):
                raise ValueError(f"duplicate categories in dimension {d}")
        else:
            # Order of first appearance, so callers control display order via the input.
            cats = list(
                dict.fromkeys(k[d] for k in counts if isinstance(k, tuple) and len(k) == n_dims)
            )
        result.append(cats)
    return result


def protect_linked(
    counts: Mapping[tuple[str, ...], int],
    dimensions: Sequence[str],
    breakdowns: Iterable[Sequence[str]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    zeros_safe: bool = True,
    categories: Mapping[str, Sequence[str]] | None = None,
) -> dict[tuple[str, ...], ProtectedTable | ProtectedSeries]:
    """Protect several breakdowns of the same records together.

    ``counts`` is the full cross-classification of the records over ``dimensions``
    (e.g. ``{("Utrecht", "arbeid", "intake"): 3, ...}``; absent combinations are 0).
    ``breakdowns`` lists the tables to publish, each one dimension (a series with total)
    or two (row dimension, column dimension; with all totals). A total shared between
    tables, e.g. the per-municipality totals of "gemeente x fase" and "gemeente x
    vorm", is one figure and gets one decision. ``categories`` fixes the categories
    (and their order) per dimension, so that empty rows are published too.

    Returns the protected tables keyed by their breakdown tuple.
    """
    _check_threshold(threshold)
    dims, wanted, cats = _validated(counts, dimensions, breakdowns, categories or {})
    dim_ix = {d: i for i, d in enumerate(dims)}
    model = _build_model(counts, dims, [tuple(dim_ix[d] for d in b) for b in wanted], cats)
    status = _suppress(model, threshold, zeros_safe)
    where = {key: i for i, key in enumerate(model.keys)}

    def figure(*conds: tuple[int, int]) -> Published:
        i = where[tuple(sorted(conds))]
        return (PRIMARY, SECONDARY)[status[i] - 1] if status[i] else int(model.values[i])

    result: dict[tuple[str, ...], ProtectedTable | ProtectedSeries] = {}
    for b in wanted:
        if len(b) == 1:
            result[b] = _series(b[0], dim_ix[b[0]], tuple(cats[dim_ix[b[0]]]), figure, threshold, zeros_safe)
        else:
            result[b] = _table(b, (dim_ix[b[0]], dim_ix[b[1]]), cats, figure, threshold, zeros_safe)
    return result


def _validated(
    counts: Mapping[tuple[str, ...], int],
    dimensions: Sequence[str],
    breakdowns: Iterable[Sequence[str]],
    categories: Mapping[str, Sequence[str]],
) -> tuple[list[str], list[tuple[str, ...]], list[list[str]]]:
    """The dimensions, the wanted breakdowns and each dimension's categories, checked."""
    dims = list(dimensions)
    if len(set(dims)) != len(dims) or not dims:
        raise ValueError("dimensions must be distinct and non-empty")
    wanted = [tuple(b) for b in breakdowns]
    if not wanted:
        raise ValueError("no breakdowns to publish")
    for b in wanted:
        if len(b) not in (1, 2) or len(set(b)) != len(b) or any(d not in dims for d in b):
            raise ValueError(f"breakdown {b!r} must name one or two distinct known dimensions")
    unknown = set(categories) - set(dims)
    if unknown:
        raise ValueError(f"categories given for unknown dimensions {sorted(unknown)}")
    cats = _ordered_categories(counts, len(dims), [categories.get(d) for d in dims])
    if any(not c for c in cats):
        raise ValueError("every dimension needs at least one category")
    return dims, wanted, cats


_Figure = Callable[..., Published]


def _series(dimension: str, d: int, labels: tuple[str, ...], figure: _Figure, threshold: int, zeros_safe: bool) -> ProtectedSeries:
    return ProtectedSeries(
        dimension=dimension,
        labels=labels,
        values=MappingProxyType({lab: figure((d, i)) for i, lab in enumerate(labels)}),
        total=figure(),
        threshold=threshold,
        zeros_safe=zeros_safe,
    )


def _table(
    b: tuple[str, ...], ix: tuple[int, int], cats: list[list[str]], figure: _Figure, threshold: int, zeros_safe: bool
) -> ProtectedTable:
    dr, dc = ix
    rows, cols = tuple(cats[dr]), tuple(cats[dc])
    return ProtectedTable(
        row_dimension=b[0],
        col_dimension=b[1],
        row_labels=rows,
        col_labels=cols,
        cells=MappingProxyType(
            {(r, c): figure((dr, i), (dc, j)) for i, r in enumerate(rows) for j, c in enumerate(cols)}
        ),
        row_totals=MappingProxyType({r: figure((dr, i)) for i, r in enumerate(rows)}),
        col_totals=MappingProxyType({c: figure((dc, j)) for j, c in enumerate(cols)}),
        grand_total=figure(),
        threshold=threshold,
        zeros_safe=zeros_safe,
    )


def protect_table(
    cells: Mapping[tuple[str, str], int],
    threshold: int = DEFAULT_THRESHOLD,
    zeros_safe: bool = True,
    *,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    row_dimension: str = "rij",
    col_dimension: str = "kolom",
) -> ProtectedTable:
    """Protect one 2-D table with row, column and grand totals.

    Missing (row, column) pairs count as 0. Only use this for a table that is not
    published alongside another breakdown of the same records; otherwise use
    :func:`protect_linked`.
    """
    if row_dimension == col_dimension:
        raise ValueError("row and column dimension need different names")
    tables = protect_linked(
        cells,
        (row_dimension, col_dimension),
        [(row_dimension, col_dimension)],
        threshold=threshold,
        zeros_safe=zeros_safe,
        categories={
            k: v
            for k, v in ((row_dimension, row_labels), (col_dimension, col_labels))
            if v is not None
        },
    )
    table = tables[row_dimension, col_dimension]
    assert isinstance(table, ProtectedTable)
    return table


def protect_series(
    values: Mapping[str, int],
    threshold: int = DEFAULT_THRESHOLD,
    zeros_safe: bool = True,
    *,
    labels: Sequence[str] | None = None,
    dimension: str = "categorie",
) -> ProtectedSeries:
    """Protect a 1-D breakdown with its total."""
    tables = protect_linked(
        {(k,): v for k, v in values.items()},
        (dimension,),
        [(dimension,)],
        threshold=threshold,
        zeros_safe=zeros_safe,
        categories={dimension: labels} if labels is not None else None,
    )
    series = tables[(dimension,)]
    assert isinstance(series, ProtectedSeries)
    return series
