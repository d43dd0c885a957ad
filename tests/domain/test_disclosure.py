"""Disclosure control: checked against an independent audit of what an attacker can derive.

The audit below does not use the module's internals. It rebuilds, from the published
tables alone, the linear system an attacker has (every published cell and total, for
every published table of the same records, and non-negativity) and computes the
feasible interval of each suppressed figure by linear programming; for 2-D tables it
also uses integer programming, since an attacker knows counts are whole numbers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from ketenzicht.domain.disclosure import (
    SUPPRESSION_MARK,
    ProtectedSeries,
    ProtectedTable,
    Suppressed,
    is_sensitive,
    protect_linked,
    protect_series,
    protect_table,
)

# ------------------------------------------------------------------ the audit


@dataclass
class Figure:
    name: str
    mask: np.ndarray  # which cells of the underlying cross-classification it sums
    published: int | Suppressed
    true: int


def _mask(shape: tuple[int, ...], fixed: Mapping[int, int]) -> np.ndarray:
    m = np.zeros(shape, dtype=bool)
    m[tuple(fixed.get(a, slice(None)) for a in range(len(shape)))] = True
    return m


def figures_of(
    pub: ProtectedTable | ProtectedSeries,
    counts: np.ndarray,
    axes: Sequence[int],
    categories: Sequence[Sequence[str]],
) -> list[Figure]:
    """All figures of one published table as sums over the underlying array."""
    shape = counts.shape
    out: list[tuple[str, dict[int, int], int | Suppressed]] = []
    if isinstance(pub, ProtectedSeries):
        (a,) = axes
        for lab in pub.labels:
            out.append((f"{lab}", {a: categories[a].index(lab)}, pub.values[lab]))
    else:
        ar, ac = axes
        for r, c in itertools.product(pub.row_labels, pub.col_labels):
            fixed = {ar: categories[ar].index(r), ac: categories[ac].index(c)}
            out.append((f"{r}/{c}", fixed, pub.cells[r, c]))
        for r in pub.row_labels:
            out.append((f"{r}/totaal", {ar: categories[ar].index(r)}, pub.row_totals[r]))
        for c in pub.col_labels:
            out.append((f"totaal/{c}", {ac: categories[ac].index(c)}, pub.col_totals[c]))
    out.append(("totaal", {}, pub.total if isinstance(pub, ProtectedSeries) else pub.grand_total))
    figs = []
    for name, fixed, value in out:
        mask = _mask(shape, fixed)
        figs.append(Figure(name, mask, value, int(counts[mask].sum())))
    return figs


def feasible_ranges(
    shape: tuple[int, ...], figures: Sequence[Figure], integer: bool = False
) -> dict[int, tuple[float, float]]:
    """Attacker's [min, max] of every suppressed figure given all published ones."""
    n = math.prod(shape)
    known = [f for f in figures if not isinstance(f.published, Suppressed)]
    a_eq = sparse.csr_array(
        np.array([f.mask.ravel() for f in known], dtype=float).reshape(len(known), n)
    )
    b_eq = np.array([f.published for f in known], dtype=float)
    ranges: dict[int, tuple[float, float]] = {}
    for i, f in enumerate(figures):
        if not isinstance(f.published, Suppressed):
            continue
        obj = f.mask.ravel().astype(float)
        bounds_: list[float] = []
        for sign in (1.0, -1.0):
            if integer:
                res = milp(
                    sign * obj,
                    constraints=[LinearConstraint(a_eq, b_eq, b_eq)] if len(known) else [],
                    integrality=np.ones(n),
                    bounds=Bounds(0, 10_000),  # finite box: "large" stands for unbounded
                )
            else:
                res = linprog(
                    sign * obj,
                    A_eq=a_eq if len(known) else None,
                    b_eq=b_eq if len(known) else None,
                    bounds=(0, None),
                    method="highs",
                )
            if res.status == 3:  # unbounded
                bounds_.append(math.inf)
                continue
            assert res.status == 0, res.message
            bounds_.append(sign * res.fun)
        ranges[i] = (bounds_[0], bounds_[1])
    return ranges


def assert_protected(
    figures: Sequence[Figure],
    shape: tuple[int, ...],
    threshold: int,
    zeros_safe: bool,
    integer: bool = False,
) -> None:
    for f in figures:
        if is_sensitive(f.true, threshold, zeros_safe):
            assert isinstance(f.published, Suppressed), f"sensitive {f.name}={f.true} published"
        if not isinstance(f.published, Suppressed):
            assert f.published == f.true, f"{f.name} published wrongly"
    for i, (lo, hi) in feasible_ranges(shape, figures, integer).items():
        f = figures[i]
        assert lo - 1e-6 <= f.true <= hi + 1e-6, "audit is inconsistent with the data"
        assert hi - lo > 0.5, f"{f.name}={f.true} derivable: [{lo}, {hi}]"
        if is_sensitive(f.true, threshold, zeros_safe):
            assert hi >= threshold - 1e-6, f"{f.name}={f.true} only reaches {hi}"


def table_figures(
    pt: ProtectedTable, cells: Mapping[tuple[str, str], int]
) -> tuple[np.ndarray, list[Figure]]:
    rows, cols = list(pt.row_labels), list(pt.col_labels)
    arr = np.zeros((len(rows), len(cols)), dtype=int)
    for (r, c), v in cells.items():
        arr[rows.index(r), cols.index(c)] += v
    return arr, figures_of(pt, arr, (0, 1), (rows, cols))


# --------------------------------------------------------------- strategies

counts_st = st.one_of(st.integers(0, 6), st.integers(0, 60), st.just(0))


@st.composite
def tables(draw: st.DrawFn, max_rows: int = 8, max_cols: int = 6) -> dict[tuple[str, str], int]:
    nr = draw(st.integers(1, max_rows))
    nc = draw(st.integers(1, max_cols))
    return {(f"r{i}", f"k{j}"): draw(counts_st) for i in range(nr) for j in range(nc)}


HYPO = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------- property tests


@HYPO
@given(cells=tables(), threshold=st.sampled_from([3, 5, 10]), zeros_safe=st.booleans())
def test_no_suppressed_figure_is_derivable(
    cells: dict[tuple[str, str], int], threshold: int, zeros_safe: bool
) -> None:
    pt = protect_table(cells, threshold=threshold, zeros_safe=zeros_safe)
    arr, figs = table_figures(pt, cells)
    assert_protected(figs, arr.shape, threshold, zeros_safe)


@settings(max_examples=40, deadline=None)
@given(cells=tables(max_rows=5, max_cols=4))
def test_integer_attacker_learns_no_more(cells: dict[tuple[str, str], int]) -> None:
    # 2-D tables with margins have integral LP vertices, so whole-number reasoning
    # must not narrow any interval below the rule.
    pt = protect_table(cells)
    arr, figs = table_figures(pt, cells)
    assert_protected(figs, arr.shape, 5, True, integer=True)


@HYPO
@given(cells=tables(), threshold=st.sampled_from([3, 5]))
def test_nothing_suppressed_without_sensitive_figures(
    cells: dict[tuple[str, str], int], threshold: int
) -> None:
    cells = {k: v + threshold for k, v in cells.items()}  # every count >= threshold
    pt = protect_table(cells, threshold=threshold)
    assert pt.suppression_count() == 0
    assert dict(pt.cells) == cells


@HYPO
@given(cells=tables())
def test_totals_are_sums_and_zeros_stay_published(cells: dict[tuple[str, str], int]) -> None:
    pt = protect_table(cells)
    for r in pt.row_labels:
        true = sum(v for (rr, _), v in cells.items() if rr == r)
        assert pt.row_totals[r] == true or isinstance(pt.row_totals[r], Suppressed)
    for c in pt.col_labels:
        true = sum(v for (_, cc), v in cells.items() if cc == c)
        assert pt.col_totals[c] == true or isinstance(pt.col_totals[c], Suppressed)
    assert pt.grand_total == sum(cells.values()) or isinstance(pt.grand_total, Suppressed)
    # Zeros are safe and never used as complements (they may be structural zeros).
    for k, v in cells.items():
        if v == 0:
            assert pt.cells[k] == 0


@st.composite
def cubes(draw: st.DrawFn) -> tuple[dict[tuple[str, str, str], int], tuple[int, int, int]]:
    shape = (draw(st.integers(1, 5)), draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    counts = {
        (f"g{g}", f"f{f}", f"v{v}"): draw(st.one_of(st.integers(0, 3), st.integers(0, 20)))
        for g, f, v in itertools.product(*(range(n) for n in shape))
    }
    return counts, shape


DIMS = ("gemeente", "fase", "vorm")


def linked_figures(
    result: Mapping[tuple[str, ...], ProtectedTable | ProtectedSeries],
    counts: Mapping[tuple[str, str, str], int],
    shape: tuple[int, int, int],
) -> tuple[np.ndarray, list[Figure]]:
    cats = [
        [f"g{i}" for i in range(shape[0])],
        [f"f{i}" for i in range(shape[1])],
        [f"v{i}" for i in range(shape[2])],
    ]
    arr = np.zeros(shape, dtype=int)
    for (g, f, v), n in counts.items():
        arr[cats[0].index(g), cats[1].index(f), cats[2].index(v)] = n
    figs: list[Figure] = []
    for breakdown, pub in result.items():
        figs += figures_of(pub, arr, [DIMS.index(d) for d in breakdown], cats)
    return arr, figs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=cubes())
def test_linked_tables_sharing_a_margin(
    data: tuple[dict[tuple[str, str, str], int], tuple[int, int, int]],
) -> None:
    counts, shape = data
    result = protect_linked(counts, DIMS, [("gemeente", "fase"), ("gemeente", "vorm")])
    a, b = result["gemeente", "fase"], result["gemeente", "vorm"]
    assert isinstance(a, ProtectedTable) and isinstance(b, ProtectedTable)
    # The shared margin is one figure: same decision in both tables.
    assert dict(a.row_totals) == dict(b.row_totals)
    assert a.grand_total == b.grand_total
    # The attacker combines both tables (and knows they come from one set of records).
    arr, figs = linked_figures(result, counts, shape)
    assert_protected(figs, arr.shape, 5, True)
    # Two tables sharing one margin form a network: integers give no extra information.
    assert_protected(figs, arr.shape, 5, True, integer=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=cubes())
def test_series_linked_with_table(
    data: tuple[dict[tuple[str, str, str], int], tuple[int, int, int]],
) -> None:
    counts, shape = data
    result = protect_linked(counts, DIMS, [("gemeente",), ("gemeente", "fase"), ("vorm",)])
    series, table = result[("gemeente",)], result["gemeente", "fase"]
    assert isinstance(series, ProtectedSeries) and isinstance(table, ProtectedTable)
    assert dict(series.values) == dict(table.row_totals)
    assert series.total == table.grand_total == result[("vorm",)].total  # type: ignore[union-attr]
    arr, figs = linked_figures(result, counts, shape)
    assert_protected(figs, arr.shape, 5, True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=cubes())
def test_three_tables_in_a_cycle(
    data: tuple[dict[tuple[str, str, str], int], tuple[int, int, int]],
) -> None:
    # With all three 2-D breakdowns the audit still holds for a (continuous) attacker;
    # the integer case is a documented limit (see docs/privacy.md (section "Disclosure control")).
    counts, shape = data
    breakdowns = [("gemeente", "fase"), ("gemeente", "vorm"), ("fase", "vorm")]
    result = protect_linked(counts, DIMS, breakdowns)
    arr, figs = linked_figures(result, counts, shape)
    assert_protected(figs, arr.shape, 5, True)


@HYPO
@given(values=st.lists(counts_st, min_size=1, max_size=10), zeros_safe=st.booleans())
def test_series_property(values: list[int], zeros_safe: bool) -> None:
    data = {f"c{i}": v for i, v in enumerate(values)}
    ps = protect_series(data, zeros_safe=zeros_safe)
    arr = np.array(values)
    figs = figures_of(ps, arr, (0,), [list(data)])
    assert_protected(figs, arr.shape, 5, zeros_safe)


# ---------------------------------------------------------------- examples


def test_classic_example_two_small_cells_protect_each_other() -> None:
    cells = {
        ("a", "x"): 1, ("a", "y"): 10, ("a", "z"): 12,
        ("b", "x"): 8, ("b", "y"): 9, ("b", "z"): 7,
        ("c", "x"): 6, ("c", "y"): 3, ("c", "z"): 20,
    }  # fmt: skip
    pt = protect_table(cells)
    assert {k: v.reason for k, v in pt.suppressed().items()} == {
        ("a", "x"): "primair",
        ("c", "y"): "primair",
        ("a", "y"): "secundair",
        ("c", "x"): "secundair",
    }
    assert pt.row_totals == {"a": 23, "b": 24, "c": 29}
    assert pt.grand_total == 76
    assert pt.as_rows() == [
        ["rij", "x", "y", "z", "Totaal"],
        ["a", "x", "x", 12, 23],
        ["b", 8, 9, 7, 24],
        ["c", "x", "x", 20, 29],
        ["Totaal", 15, 22, 39, 76],
    ]


def test_single_small_cell_in_a_line_needs_a_complement_in_row_and_column() -> None:
    cells = {("a", "x"): 2, ("a", "y"): 30, ("b", "x"): 40, ("b", "y"): 50}
    pt = protect_table(cells)
    # The only way to hide 2 is the full rectangle.
    assert set(pt.suppressed()) == set(cells)
    assert pt.row_totals == {"a": 32, "b": 90}


def test_two_suppressions_per_line_are_not_enough_but_the_audit_sees_it() -> None:
    # Every row and column of this naive pattern has >= 2 suppressions, yet a/z joins
    # two separate rectangles (a bridge): rows a+b minus columns x+y give it exactly.
    cells = {
        ("a", "x"): 8, ("a", "y"): 9, ("a", "z"): 2, ("a", "w"): 30,
        ("b", "x"): 7, ("b", "y"): 6, ("b", "z"): 40, ("b", "w"): 35,
        ("c", "x"): 50, ("c", "y"): 45, ("c", "z"): 8, ("c", "w"): 9,
        ("d", "x"): 55, ("d", "y"): 60, ("d", "z"): 7, ("d", "w"): 6,
    }  # fmt: skip
    naive = {("a", "x"), ("a", "y"), ("b", "x"), ("b", "y"), ("a", "z"),
             ("c", "z"), ("c", "w"), ("d", "z"), ("d", "w")}  # fmt: skip
    rows, cols = ["a", "b", "c", "d"], ["x", "y", "z", "w"]
    arr = np.array([[cells[r, c] for c in cols] for r in rows])
    figs = [
        Figure(f"{r}/{c}", _mask(arr.shape, {0: i, 1: j}),
               Suppressed("primair") if (r, c) in naive else cells[r, c], cells[r, c])
        for i, r in enumerate(rows) for j, c in enumerate(cols)
    ] + [Figure(f"{r}", _mask(arr.shape, {0: i}), int(arr[i].sum()), int(arr[i].sum()))
         for i, r in enumerate(rows)
    ] + [Figure(f"{c}", _mask(arr.shape, {1: j}), int(arr[:, j].sum()), int(arr[:, j].sum()))
         for j, c in enumerate(cols)]  # fmt: skip
    ranges = feasible_ranges(arr.shape, figs)
    bridge = next(i for i, f in enumerate(figs) if f.name == "a/z")
    assert ranges[bridge] == pytest.approx((2, 2))

    pt = protect_table(cells)
    arr, figs = table_figures(pt, cells)
    assert_protected(figs, arr.shape, 5, True)


def test_small_row_total_is_suppressed_with_its_consequences() -> None:
    cells = {
        ("a", "x"): 1, ("a", "y"): 2, ("a", "z"): 0,
        ("b", "x"): 20, ("b", "y"): 30, ("b", "z"): 40,
        ("c", "x"): 25, ("c", "y"): 35, ("c", "z"): 45,
    }  # fmt: skip
    pt = protect_table(cells)
    assert isinstance(pt.row_totals["a"], Suppressed)
    assert pt.row_totals["a"].reason == "primair"
    assert pt.cells["a", "z"] == 0
    arr, figs = table_figures(pt, cells)
    assert_protected(figs, arr.shape, 5, True)
    # Another row total must go too, or row a's total follows from the grand total.
    assert sum(isinstance(v, Suppressed) for v in pt.row_totals.values()) >= 2


def test_zeros_sensitive_when_configured() -> None:
    cells = {("a", "x"): 0, ("a", "y"): 30, ("b", "x"): 40, ("b", "y"): 50}
    assert protect_table(cells).suppression_count() == 0
    pt = protect_table(cells, zeros_safe=False)
    assert pt.cells["a", "x"] == Suppressed("primair")
    arr, figs = table_figures(pt, cells)
    assert_protected(figs, arr.shape, 5, False)


def test_series_example() -> None:
    ps = protect_series({"a": 3, "b": 10, "c": 12})
    assert ps.values == {"a": Suppressed("primair"), "b": Suppressed("secundair"), "c": 12}
    assert ps.total == 25
    assert ps.as_rows() == [
        ["categorie", "aantal"],
        ["a", "x"],
        ["b", "x"],
        ["c", 12],
        ["Totaal", 25],
    ]


def test_series_with_small_total_hides_everything() -> None:
    ps = protect_series({"a": 1, "b": 2})
    assert ps.total == Suppressed("primair")
    assert set(ps.suppressed()) == {"a", "b"}


def test_separate_protection_can_leak_but_linked_does_not() -> None:
    # Municipality g0 has 5 records. By phase, one of them is alone (1 + 4); by form
    # they are 5 + 0. Protected separately, the first table suppresses g0's phase
    # cells and g0's total stays published; fine within that table. The point of
    # linking is that every decision is taken once, for all published tables.
    counts = {
        ("g0", "f0", "v0"): 1, ("g0", "f1", "v0"): 4,
        ("g1", "f0", "v0"): 10, ("g1", "f1", "v1"): 12,
        ("g2", "f0", "v1"): 9, ("g2", "f1", "v0"): 11,
    }  # fmt: skip
    result = protect_linked(counts, DIMS, [("gemeente", "fase"), ("gemeente", "vorm")])
    shape = (3, 2, 2)
    arr, figs = linked_figures(result, counts, shape)
    assert_protected(figs, arr.shape, 5, True)


def test_export_never_reveals_the_reason_or_the_value() -> None:
    cells = {("a", "p"): 1, ("a", "q"): 10, ("b", "p"): 8, ("b", "q"): 9}
    pt = protect_table(cells, row_dimension="gemeente", col_dimension="vorm")
    flat = [v for row in pt.as_rows() for v in row]
    assert "primair" not in map(str, flat) and "secundair" not in map(str, flat)
    assert flat.count(SUPPRESSION_MARK) == pt.suppression_count()
    assert str(Suppressed("primair")) == str(Suppressed("secundair")) == "x"
    # Suppressed values are not stored anywhere in the published object.
    assert 1 not in pt.cells.values()
    assert pt.as_rows(mark=".")[1][1] == "."


def test_labels_fix_order_and_include_empty_rows() -> None:
    pt = protect_table({("b", "x"): 7}, row_labels=["a", "b"], col_labels=["x", "y"])
    assert pt.row_labels == ("a", "b")
    assert pt.cells == {("a", "x"): 0, ("a", "y"): 0, ("b", "x"): 7, ("b", "y"): 0}


@pytest.mark.parametrize(
    "bad",
    [{("a", "x"): -1}, {("a", "x"): 1.5}, {("a", "x"): True}, {("a",): 3}],
)
def test_invalid_counts_rejected(bad: dict) -> None:
    with pytest.raises(ValueError):
        protect_table(bad)


def test_invalid_threshold_rejected() -> None:
    with pytest.raises(ValueError):
        protect_table({("a", "x"): 3}, threshold=0)


def test_unknown_category_rejected() -> None:
    with pytest.raises(ValueError):
        protect_table({("a", "x"): 3}, row_labels=["b"])


@pytest.mark.slow
def test_throughput_sized_table_is_protected() -> None:
    # 40 municipalities x 10 table outcomes of sparse counts: the largest table the signal
    # tables' regional throughput page publishes (the monitor uses the Cell Key Method now).
    rng = np.random.default_rng(20250101)
    cells = {(f"g{i}", f"c{j}"): int(rng.poisson(4)) for i in range(40) for j in range(10)}
    pt = protect_table(cells)
    arr, figs = table_figures(pt, cells)
    assert_protected(figs, arr.shape, 5, True)
