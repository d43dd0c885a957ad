"""Plain model: blocking budget and the calibration of prior, u and same-source evidence."""

import duckdb
import numpy as np
import pandas as pd

from ketenzicht.domain.linkage import Registration
from ketenzicht.domain.linkage import model as M


def _frame(rows: list[tuple]) -> pd.DataFrame:
    import datetime as dt

    return M.registrations_frame(
        [Registration(b, i, v, a, dt.date.fromisoformat(d) if d else None, None, None, g)
         for b, i, v, a, d, g in rows]  # fmt: skip
    )


def _brute_force(df: pd.DataFrame, rule: str) -> int:
    con = duckdb.connect()
    con.register("t", df)
    n = con.execute(
        f"SELECT count(*) FROM t l JOIN t r ON {rule} AND l.unique_id < r.unique_id"  # noqa: S608
    ).fetchall()[0][0]
    con.close()
    return int(n)


def _people(n: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    names = ["jan", "piet", "anna", "eva", "ion"]
    rows = [
        ("ab"[i % 2], str(i), str(rng.choice(names)), str(rng.choice(names)),
         f"19{rng.integers(50, 53)}-0{rng.integers(1, 3)}-1{rng.integers(0, 3)}",
         f"GM000{rng.integers(1, 3)}")
        for i in range(n)
    ]  # fmt: skip
    return _frame(rows)


def test_rule_counts_match_the_join_for_same_column_rules() -> None:
    df = _people(300)
    counts = M.rule_pair_counts(df)
    for keys, rule, n in zip(M.BLOCKING_KEYS, M.BLOCKING_RULES, counts, strict=True):
        exact = _brute_force(df, rule)
        if all(a == b for a, b in keys):
            assert n == exact, rule
        else:
            assert n >= exact, rule  # an upper bound for cross-column rules


def test_budget_drops_unselective_rules_but_keeps_the_first(monkeypatch) -> None:  # noqa: ANN001
    df = _people(3000)
    monkeypatch.setattr(M, "PAIRS_PER_RECORD", 10)
    monkeypatch.setattr(M, "MIN_PAIR_BUDGET", 0)
    budget = 10 * len(df)
    counts = M.rule_pair_counts(df)
    kept = M.blocking_rules_within_budget(df)
    assert kept[0] == M.BLOCKING_RULES[0]
    assert kept[1:] == [r for r, n in zip(M.BLOCKING_RULES[1:], counts[1:], strict=True) if n <= budget]
    assert len(kept) < len(M.BLOCKING_RULES)  # 3000 look-alikes: some rules are too broad


def _model(m_name: float, m_date: float) -> dict:
    def comp(name: str, m: float) -> dict:
        return {"output_column_name": name, "comparison_levels": [
            {"sql_condition": "x", "label_for_charts": "null", "is_null_level": True},
            {"sql_condition": "x", "label_for_charts": "exact", "m_probability": m, "u_probability": 1e-3},
            {"sql_condition": "ELSE", "label_for_charts": "else", "m_probability": 1 - m, "u_probability": 0.999},
        ]}  # fmt: skip

    return {"probability_two_random_records_match": 1e-6,
            "comparisons": [comp("naam", m_name), comp("geboortedatum", m_date)]}  # fmt: skip


def test_calibration_prior_u_and_same_source() -> None:
    # 20 persons, each once at partner a and once at b (identical), plus 60 loners at a
    rows = []
    for p in range(20):
        for b in "ab":
            rows.append((b, f"{b}{p}", f"n{p}", f"s{p}", f"19{50 + p}-01-01", None))
    rows += [("a", f"x{i}", f"x{i}", f"y{i}", f"18{10 + i}-02-02", None) for i in range(60)]
    df = _frame(rows)
    con = duckdb.connect()
    out = M._recalibrated(_model(0.5, 0.8), df, con)
    n = len(df)
    recall = 0.5 * 0.8  # every record has names and date
    lam = out["probability_two_random_records_match"]
    assert np.isclose(lam, 20 / recall / (n * (n - 1) / 2))
    exact_u = out["comparisons"][0]["comparison_levels"][1]["u_probability"]
    assert exact_u < 1e-3  # true matches among random pairs removed from u
    bron = out["comparisons"][-1]
    assert bron["output_column_name"] == "bron"
    same = bron["comparison_levels"][0]
    # no deterministic match within one partner: same-partner pairs count as evidence against
    assert same["m_probability"] < same["u_probability"]


def test_single_source_gets_no_source_comparison() -> None:
    rows = [("a", str(i), "jan", "berg", "1990-01-01", None) for i in range(4)]
    out = M._recalibrated(_model(0.5, 0.8), _frame(rows), duckdb.connect())
    assert [c["output_column_name"] for c in out["comparisons"]] == ["naam", "geboortedatum"]



def _levels(comparison: dict, plain: list[str], col: str, pairs: list) -> tuple[list, list]:
    """The level of every pair under the model's SQL and under ``plain`` (the same levels
    written with plain Damerau-Levenshtein, which the cheap tests in front must not change)."""
    gated = [lvl["sql_condition"] for lvl in comparison["comparison_levels"]]
    assert "hamming" in " ".join(gated) or "levenshtein(" in " ".join(gated)

    def case(conds: list[str]) -> str:
        whens = " ".join(f"WHEN {c} THEN {i}" for i, c in enumerate(conds) if c != "ELSE")
        return f"CASE {whens} ELSE {len(conds) - 1} END"

    con = duckdb.connect()
    con.register("p", pd.DataFrame(pairs, columns=[f"{col}_l", f"{col}_r"], dtype=object))
    rows = con.execute(f"SELECT {case(gated)}, {case(plain)} FROM p").fetchall()  # noqa: S608 (test SQL)
    con.close()
    return [r[0] for r in rows], [r[1] for r in rows]


def test_date_levels_are_plain_damerau_levenshtein_behind_cheap_tests() -> None:
    import datetime as dt
    import random

    a, b = "geboortedatum_l", "geboortedatum_r"
    plain = [
        f"{a} IS NULL OR {b} IS NULL",
        f"{a} = {b}",
        f"damerau_levenshtein({a}, {b}) <= 1",
        f"substr({a}, 1, 4) = substr({b}, 1, 4) AND substr({a}, 6, 2) = substr({b}, 9, 2) "
        f"AND substr({a}, 9, 2) = substr({b}, 6, 2)",
        f"damerau_levenshtein({a}, {b}) <= 2",
        f"substr({a}, 1, 4) = substr({b}, 1, 4)",
        "ELSE",
    ]
    rng = random.Random(5)
    base = [dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange(45_000)) for _ in range(600)]
    pairs: list[tuple[str | None, str | None]] = [(None, "1990-01-02")]
    for d in base:
        s = d.isoformat()
        # year digits shifted (an insertion and a deletion), swapped neighbours (one or two,
        # with or without a typo), typos, other dates, day and month swapped
        pairs += [(s, s[1:4] + s[0] + s[4:]), (s, s[3] + s[:3] + s[4:]), (s, s[0] + s[2] + s[1] + s[3:])]
        pairs += [(s, s[1] + s[0] + s[2:8] + s[9] + s[8]), (s, s[1] + s[0] + s[2:9] + "7")]
        pairs += [(s, s[:2] + s[3] + s[2] + s[4:6] + "9" + s[7:])]
        pairs += [(s, (d + dt.timedelta(days=k)).isoformat()) for k in (1, 10, 31, 365, 400, 3653)]
        pairs += [(s, rng.choice(base).isoformat()) for _ in range(20)]
        pairs.append((s, f"{s[:4]}-{s[8:10]}-{s[5:7]}"))
    gated, expected = _levels(M._date_comparison(), plain, "geboortedatum", pairs)
    assert gated == expected
    assert len(set(gated)) == 7  # every level is reached, so the check is not vacuous


def test_municipality_typo_level_is_plain_damerau_levenshtein() -> None:
    codes = ["GM0363", "GM0336", "GM0599", "GM0363X", "GM363", "0363", "GM1680", None]
    a, b = "gemeente_code_l", "gemeente_code_r"
    plain = [f"{a} IS NULL OR {b} IS NULL", f"{a} = {b}", f"damerau_levenshtein({a}, {b}) <= 1", "ELSE"]
    pairs = [(x, y) for x in codes for y in codes]
    gated, expected = _levels(M._exact_comparison("gemeente_code", typo_level=True), plain, "gemeente_code", pairs)
    assert gated == expected
    assert set(gated) == {0, 1, 2, 3}
