"""Multiple systems estimation against the published results (tests/fixtures/mse/README.md).

Runs without Django:  .venv/bin/python -m pytest tests/domain/test_mse.py -p no:django -q
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from ketenzicht.domain import mse

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "mse"


def load(name: str) -> mse.CaptureTable:
    return mse.read_capture_csv(FIXTURES / f"{name}.csv")


# (file, method, published total, published interactions, observed)
PUBLISHED = [
    ("NewOrl", "stepwise", 1184, ["D:E"], 185),
    ("NewOrl", "main", 997, [], 185),
    ("NewOrl_5", "main", 1034, [], 185),
    ("Western", "stepwise", 2483, ["A:E"], 345),
    ("Korea", "stepwise", 268.8, ["b:c"], 123),
    ("Korea", "bic", 157, None, 123),
    ("NewOrl_MSEpkg", "bic", 1110, None, 186),
    ("NewOrl_5_MSEpkg", "bic", 981, None, 186),
]


@pytest.mark.parametrize(("name", "method", "published", "interactions", "observed"), PUBLISHED)
def test_point_estimate_matches_publication(
    name: str, method: str, published: float, interactions: list[str] | None, observed: int
) -> None:
    table = load(name)
    result = mse.estimate(table, method)

    assert result.waargenomen == observed
    assert result.schatting == pytest.approx(published, rel=0.005)
    assert result.interval is None
    assert result.methode == method
    assert list(result.model[: len(table.lists)]) == list(table.lists)
    if interactions is not None:
        assert list(result.model[len(table.lists) :]) == interactions


def test_stepwise_follows_poisson_tail_rule_on_new_orleans() -> None:
    # Under main effects the D&E overlap (4 people) is far above its fitted mean, so the
    # stepwise rule must add D:E, and nothing else passes p < 0.02 afterwards.
    table = load("NewOrl")
    engine = mse._Engine(len(table.lists))
    y = engine.counts(table)
    main = engine.fit(y, ())
    d, e = table.lists.index("D"), table.lists.index("E")
    expected = float(main.fitted @ (engine.cells[:, d] * engine.cells[:, e]))
    assert expected < 1.5
    assert engine.stepwise(y).pairs == ((d, e),)
    assert engine.stepwise(y, threshold=0.0).pairs == ()


def test_bic_is_lowest_over_all_two_list_models_for_korea() -> None:
    table = load("Korea")
    engine = mse._Engine(3)
    y = engine.counts(table)
    ranked = engine.rank_by_bic(y, engine.all_models())
    # b:c+c:d wins; the c:d overlap (12 people) is not empty, so no -inf terms.
    assert ranked[0].pairs == ((0, 1), (1, 2))
    assert all(a.bic <= b.bic for a, b in itertools.pairwise(ranked))
    assert mse.estimate(table, "bic").model == ("b", "c", "d", "b:c", "c:d")


def test_artificial_3_is_refused_for_every_method() -> None:
    table = load("Artificial_3")
    for method in mse.METHODS:
        with pytest.raises(mse.NotIdentifiable) as info:
            mse.estimate(table, method)
        reason = info.value.reason
        assert "niet identificeerbaar" in reason
        assert "A en C" in reason and "B en C" in reason
        assert "Lijst C overlapt met geen enkele andere lijst" in reason
    assert mse.overlap_problem(table) is not None


def test_existence_and_identifiability_codes_match_sparsemse_on_artificial_3() -> None:
    # Chan, Silverman & Vincent (2021), Table 2: 0 = fine, 1 = MLE does not exist,
    # 2 = not identifiable.
    table = load("Artificial_3")
    engine = mse._Engine(3)
    y = engine.counts(table)
    ab, ac, bc = (0, 1), (0, 2), (1, 2)
    expected = {
        (): 0,
        (ab,): 1,
        (ac,): 0,
        (bc,): 0,
        (ab, ac): 1,
        (ab, bc): 1,
        (ac, bc): 0,
        (ab, ac, bc): 2,
    }
    assert {model: engine.check(y, model) for model in expected} == expected


def test_empty_overlap_is_fitted_at_minus_infinity() -> None:
    # Western has no B&E overlap: with B:E in the model the extended MLE drops every
    # cell with B and E, and the estimate equals the fit without those cells.
    table = load("Western")
    engine = mse._Engine(5)
    y = engine.counts(table)
    b, e = table.lists.index("B"), table.lists.index("E")
    fit = engine.fit(y, ((b, e),))
    assert fit.empty_terms == ((b, e),)
    assert np.all(fit.fitted[(engine.cells[:, b] * engine.cells[:, e]) == 1] == 0)
    assert np.isfinite(fit.total) and fit.total > table.observed


def test_too_few_overlaps_guard() -> None:
    no_overlap = mse.CaptureTable.from_mapping({"100": 5, "010": 7, "001": 2})
    with pytest.raises(mse.TooFewOverlaps, match="meer dan één lijst"):
        mse.estimate(no_overlap, "main")
    single = mse.CaptureTable(("A",), ((1,),), (10,))
    assert "twee lijsten" in (mse.overlap_problem(single) or "")
    assert mse.overlap_problem(load("Korea")) is None
    mse.check_estimable(load("NewOrl"))


def test_two_lists_is_lincoln_petersen() -> None:
    # With two lists only the main-effects model is identifiable: N = n1 * n2 / m.
    table = mse.CaptureTable.from_mapping({(1, 0): 30, (0, 1): 20, (1, 1): 10})
    for method in mse.METHODS:
        result = mse.estimate(table, method)
        assert result.schatting == pytest.approx(40 * 30 / 10, rel=1e-6)
        assert result.model == ("A", "B")


def test_mapping_input_forms_agree_with_csv() -> None:
    table = load("Korea")
    as_tuples = mse.CaptureTable.from_mapping(table.as_dict(), lists=table.lists)
    as_strings = mse.CaptureTable.from_mapping(
        {"".join(map(str, h)): c for h, c in table.as_dict().items()}, lists=table.lists
    )
    as_sets = mse.CaptureTable.from_mapping(
        {
            frozenset(n for n, v in zip(table.lists, h, strict=True) if v): c
            for h, c in table.as_dict().items()
        }
    )
    assert as_tuples == table == as_strings == as_sets
    assert mse.estimate(table.as_dict(), "stepwise").schatting == pytest.approx(268.8, rel=0.005)


def test_to_json_has_exactly_the_contract_keys() -> None:
    result = mse.estimate(load("Korea"), "main", bootstrap=50, seed=3)
    data = result.to_json()
    assert set(data) == {"waargenomen", "schatting", "interval", "model", "methode"}
    assert data["waargenomen"] == 123
    assert isinstance(data["interval"], list) and len(data["interval"]) == 2
    assert data["interval"][0] <= data["schatting"] <= data["interval"][1]
    assert data["model"] == ["b", "c", "d"]
    assert mse.estimate(load("Korea"), "main").to_json()["interval"] is None


def test_bootstrap_is_reproducible_with_a_seed() -> None:
    table = load("Korea")
    first = mse.estimate(table, "main", bootstrap=100, seed=11)
    assert first.interval == mse.estimate(table, "main", bootstrap=100, seed=11).interval
    assert first.interval != mse.estimate(table, "main", bootstrap=100, seed=12).interval


def test_bca_interval_for_korea_bic_matches_publication() -> None:
    # Silverman, Chan & Vincent (2024), Table 6: 157 (128-349).  Bootstrap endpoints
    # carry Monte Carlo error of a few percent at 1000 replicates.
    result = mse.estimate(load("Korea"), "bic", bootstrap=1000, seed=1234)
    assert result.interval is not None
    low, high = result.interval
    assert low == pytest.approx(128, rel=0.05)
    assert high == pytest.approx(349, rel=0.05)
    assert result.mislukte_replicaties == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "published"), [("NewOrl", (717, 1657)), ("Western", (1293, 3670))]
)
def test_bca_interval_for_stepwise_matches_publication(
    name: str, published: tuple[float, float]
) -> None:
    # Chan, Silverman & Vincent (2021): stepwise selection redone in every replicate.
    result = mse.estimate(load(name), "stepwise", bootstrap=1000, seed=1234)
    assert result.interval is not None
    assert result.interval[0] == pytest.approx(published[0], rel=0.08)
    assert result.interval[1] == pytest.approx(published[1], rel=0.08)


# --------------------------------------------------------------------------- input errors


def write(tmp_path: Path, text: str, name: str = "tabel.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_published_format_and_sums_duplicates(tmp_path: Path) -> None:
    path = write(tmp_path, "A;B;C;count\n1;0;0;4\n1;0;0;1\n1;1;0;2\n0;0;0;0\n\n0;1;1;3.0\n")
    table = mse.read_capture_csv(path)
    assert table.lists == ("A", "B", "C")
    assert table.as_dict() == {(1, 0, 0): 5, (1, 1, 0): 2, (0, 1, 1): 3}
    assert table.observed == 10


@pytest.mark.parametrize(
    ("text", "row", "column", "fragment"),
    [
        ("A,B,total\n1,0,3\n", 1, "total", "count"),
        ("A,B,count\n1,0,3\n1,2,1\n", 3, "B", "geen 0 of 1"),
        ("A,B,count\n1,0,3\n1,1,2.5\n", 3, "count", "geen geheel getal"),
        ("A,B,count\n1,0,drie\n", 2, "count", "geen geheel getal"),
        ("A,B,count\n1,0,-1\n", 2, "count", "geen geheel getal"),
        ("", 1, "count", "leeg"),
        ("A,B,count\n", 2, "count", "geen gegevensrijen"),
        ("A,B,count\n1,0\n", 2, "count", "verwacht 3"),
        ("A,B,count\n0,0,4\n", 2, "count", "alleen nullen"),
    ],
)
def test_bad_input_names_file_row_and_column(
    tmp_path: Path, text: str, row: int, column: str, fragment: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(mse.MseInputError) as info:
        mse.read_capture_csv(path)
    error = info.value
    assert (error.file, error.row, error.column) == (str(path), row, column)
    message = str(error)
    assert str(path) in message and f"rij {row}" in message and f"kolom '{column}'" in message
    assert fragment in message


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(mse.MseInputError, match="bestaat niet"):
        mse.read_capture_csv(tmp_path / "weg.csv")


def test_unknown_method_is_rejected() -> None:
    with pytest.raises(ValueError, match="onbekende methode"):
        mse.estimate(load("Korea"), "aic")
