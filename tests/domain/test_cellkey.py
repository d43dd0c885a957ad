"""The Cell Key Method's maths: the p-table's promises and the keys' behaviour over time."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenzicht.domain.cellkey import (
    KEY_MODULUS,
    PTableError,
    PTableParams,
    add_keys,
    build_ptable,
    draw_key,
    row_key,
)

DEFAULT = build_ptable(PTableParams())


@st.composite
def params(draw: st.DrawFn) -> PTableParams:
    t = draw(st.integers(2, 10))
    d = draw(st.integers(2 * t - 2, min(25, 3 * t + 4)))
    v = draw(st.floats(0.5, min(6.0, d * d / 4), allow_nan=False))
    return PTableParams(t, d, round(v, 2))


@settings(max_examples=40, deadline=None)
@given(params())
def test_every_valid_ptable_keeps_its_promises(p: PTableParams) -> None:
    table = build_ptable(p)
    t, d = p.threshold, p.max_deviation
    for row in table.rows:
        assert abs(sum(row.probabilities) - 1) < 1e-9
        assert abs(row.mean) < 1e-6, (row.n, row.mean)  # no bias
        assert all(abs(dev) <= d for dev in row.deviations)
        values = set(row.values())
        assert not {x for x in values if 1 <= x < t}, row  # small values never published
        if 1 <= row.n < t:
            assert row.n not in values  # a small count is never shown as itself
            assert values <= {0} | set(range(t, row.n + d + 1))
        if row.n >= t:
            assert 0 not in values  # so a published 0 always means "fewer than t"
            # From the threshold on the noise has the chosen variance (or as much as fits).
            assert row.variance <= p.variance + 1e-6
    assert table.row(0).values() == (0,)
    # Insider: a 0 stands for at most t-1 records; knowing t-2 of them leaves D-(t-2) >= t.
    assert table.interval(0)[1] - (t - 2) >= t


@settings(max_examples=25, deadline=None)
@given(params(), st.integers(0, 60), st.integers(0, KEY_MODULUS - 1))
def test_perturbation_is_a_function_of_count_and_key(p: PTableParams, n: int, key: int) -> None:
    table = build_ptable(p)
    first = table.perturb(n, key)
    assert first == table.perturb(n, key) == table.perturb(n, key + KEY_MODULUS)
    lo, hi = table.interval(first)
    assert lo <= n <= hi
    assert first >= 0 and (n > 0 or first == 0)


def test_key_intervals_give_each_deviation_its_probability() -> None:
    for n in (1, 3, 5, 6, 9, 40):
        row = DEFAULT.row(n)
        steps = 200_000
        counts = Counter(row.deviation(k * (KEY_MODULUS // steps)) for k in range(steps))
        for dev, p in zip(row.deviations, row.probabilities, strict=True):
            assert abs(counts[dev] / steps - p) < 0.004 + 0.02 * p, (n, dev)


def test_default_table_figures_documented_in_the_adr() -> None:
    assert DEFAULT.params == PTableParams(5, 8, 2.0)
    assert dict(zip(DEFAULT.row(1).values(), DEFAULT.row(1).probabilities, strict=True)) == pytest.approx({0: 0.8, 5: 0.2})
    assert DEFAULT.row(4).values() == (0, 5)
    assert DEFAULT.row(5).values() == (5,)
    big = DEFAULT.row(100)
    assert big.variance == pytest.approx(2.0, abs=1e-3)
    assert big.p_unchanged == pytest.approx(0.282, abs=0.002)
    within_two = sum(p for dev, p in zip(big.deviations, big.probabilities, strict=True) if abs(dev) <= 2)
    assert within_two > 0.92
    assert DEFAULT.preimages(0) == (0, 4)
    assert DEFAULT.interval(0) == (0, 8)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        ((1, 8, 2.0), "minstens 2"),
        ((5, 7, 2.0), "minstens 8"),
        ((5, 4, 2.0), "vastpinnen"),
        ((5, 8, 0.1), "te klein"),
        ((5, 8, 0.0), "te klein"),
        ((5, 8, 40.0), "past niet"),
        ((5, 40, 2.0), "onbruikbaar"),
    ],
)
def test_unsafe_parameters_are_refused_with_a_reason(args: tuple[int, int, float], fragment: str) -> None:
    with pytest.raises(PTableError, match=fragment):
        build_ptable(PTableParams(*args))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, KEY_MODULUS - 1), min_size=1, max_size=30), st.integers(0, 29))
def test_cell_keys_add_up_over_any_split(keys: list[int], cut: int) -> None:
    cut = min(cut, len(keys))
    assert add_keys([add_keys(keys[:cut]), add_keys(keys[cut:])]) == add_keys(keys)


def _records(rng: random.Random, count: int) -> list[dict[str, int]]:
    return [
        {"mun": rng.randrange(4), "month": rng.randrange(6), "form": rng.randrange(3), "k1": draw_key(rng.randrange), "k2": draw_key(rng.randrange)}
        for _ in range(count)
    ]


def _cell_keys(records: list[dict[str, int]]) -> dict[tuple[int, ...], int]:
    """Cell key of every (municipality set, month set, form or any) cell, as a release computes it."""
    blocks: dict[int, int] = {}
    for r in records:
        blocks[r["month"]] = (blocks.get(r["month"], 0) + r["k2"]) % KEY_MODULUS
    out = {}
    for muns in ((0,), (1,), (2,), (3,), (0, 1), (2, 3), (0, 1, 2, 3)):
        for months in ((0,), (1,), (2,), (3,), (4,), (5,), (0, 1, 2), (3, 4, 5), tuple(range(6))):
            for form in (None, 0, 1, 2):
                inside = [r for r in records if r["mun"] in muns and r["month"] in months and form in (None, r["form"])]
                out[(muns, months, form)] = (
                    len(inside),
                    add_keys(row_key(r["k1"], 1, blocks[r["month"]]) for r in inside),
                    {r["month"] for r in inside},
                )
    return out


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 40))
def test_one_new_record_rekeys_every_cell_of_its_month_and_nothing_else(seed: int, count: int) -> None:
    rng = random.Random(seed)
    records = _records(rng, count)
    new = _records(rng, 1)[0]
    before, after = _cell_keys(records), _cell_keys([*records, new])
    for cell, (n, key, months) in before.items():
        n2, key2, _months2 = after[cell]
        muns, cell_months, form = cell
        holds_new = new["mun"] in muns and new["month"] in cell_months and form in (None, new["form"])
        assert n2 == n + holds_new
        if holds_new or new["month"] in months:
            # Its key changes: the noise of the cell is drawn afresh.
            assert key2 != key
        else:
            assert key2 == key  # untouched cells keep their key and hence their published value
