"""Plain (clear-text) linkage: a Fellegi–Sunter model in splink on its embedded DuckDB backend.

All registrations of all partners go into one table and are deduplicated together: that is
splink's ``link_and_dedupe`` (a partner may register the same person twice), and it lets
blocking rules ignore which partner a record came from.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .clustering import Edges
from .names import normalise_given_name, split_surname
from .records import Registration

# Pairs that must be scored, as equi-joins (fast in DuckDB, never a cartesian product); the
# union is scored, so a typo in one field is caught by another rule.  Each rule is a list of
# (left column, right column) that must be equal.  In order of value: a rule whose own pair
# count exceeds the budget (``PAIRS_PER_RECORD`` × records) is left out, so a small file gets
# every rule and a million records only those that stay selective at that size.
BLOCKING_KEYS: tuple[tuple[tuple[str, str], ...], ...] = (
    (("geboortedatum", "geboortedatum"),),
    (("achternaam_k", "achternaam_k"), ("voornaam1", "voornaam1")),
    # swapped first/last name
    (("voornaam1", "achternaam_k"), ("achternaam_k", "voornaam1")),
    (("achternaam_k", "achternaam_k"), ("geboortejaar", "geboortejaar")),
    (("voornaam1", "voornaam1"), ("geboortejaar", "geboortejaar"), ("gemeente_code", "gemeente_code")),
    # typo in both names and in the date: day and month kept, first letters of names kept
    (("geboorte_md", "geboorte_md"), ("naam_init", "naam_init")),
    # date missing or wrong: one name plus municipality
    (("gemeente_code", "gemeente_code"), ("voornaam1", "voornaam1")),
    (("gemeente_code", "gemeente_code"), ("achternaam_k", "achternaam_k")),
    (("gemeente_code", "gemeente_code"), ("voornaam1", "achternaam_k")),
    (("gemeente_code", "gemeente_code"), ("achternaam_k", "voornaam1")),
    # typos in both names, date missing or wrong: initials plus municipality or birth year
    (("gemeente_code", "gemeente_code"), ("naam_init", "naam_init")),
    (("geboortejaar", "geboortejaar"), ("naam_init", "naam_init")),
)
PAIRS_PER_RECORD = 30
MIN_PAIR_BUDGET = 1_000_000  # small files: every rule (1M pairs score in seconds)


def _rule_sql(keys: Sequence[tuple[str, str]]) -> str:
    return " and ".join(f"l.{a} = r.{b}" for a, b in keys)


BLOCKING_RULES: tuple[str, ...] = tuple(_rule_sql(k) for k in BLOCKING_KEYS)


def rule_pair_counts(df: pd.DataFrame, con=None) -> list[int]:  # noqa: ANN001 (DuckDB connection)
    """Pairs each blocking rule generates on its own, from group counts (no pair join).

    A rule joining two different columns counts ordered pairs: an upper bound, fine for a budget.
    """
    import duckdb

    own = con is None
    con = duckdb.connect(":memory:") if own else con
    con.register("rule_input", df)
    out = []
    for keys in BLOCKING_KEYS:
        left = [a for a, _ in keys]
        right = [b for _, b in keys]
        notnull = " AND ".join(f"{c} IS NOT NULL" for c in left)
        if left == right:
            sql = (
                f"SELECT sum(c * (c - 1) / 2) FROM (SELECT count(*) AS c FROM rule_input "  # noqa: S608 (module constants)
                f"WHERE {notnull} GROUP BY {', '.join(left)})"
            )
        else:
            lsel = ", ".join(f"{c} AS k{i}" for i, c in enumerate(left))
            rsel = ", ".join(f"{c} AS k{i}" for i, c in enumerate(right))
            rnull = " AND ".join(f"{c} IS NOT NULL" for c in right)
            ks = ", ".join(f"k{i}" for i in range(len(keys)))
            sql = (
                f"SELECT sum(a.c * b.c) FROM "  # noqa: S608 (module constants)
                f"(SELECT {lsel}, count(*) AS c FROM rule_input WHERE {notnull} GROUP BY ALL) a "
                f"JOIN (SELECT {rsel}, count(*) AS c FROM rule_input WHERE {rnull} GROUP BY ALL) b "
                f"USING ({ks})"
            )
        row = con.execute(sql).fetchall()
        out.append(int(row[0][0] or 0))
    con.unregister("rule_input")
    if own:
        con.close()
    return out


def blocking_rules_within_budget(df: pd.DataFrame, con=None) -> list[str]:  # noqa: ANN001
    """The blocking rules whose own pair count stays within the budget (the first always)."""
    budget = max(PAIRS_PER_RECORD * len(df), MIN_PAIR_BUDGET)
    counts = rule_pair_counts(df, con)
    return [
        rule
        for i, (rule, n) in enumerate(zip(BLOCKING_RULES, counts, strict=True))
        if i == 0 or n <= budget
    ]


# Deterministic rules (near-certain matches) to estimate the prior match probability.
DETERMINISTIC_RULES: tuple[str, ...] = (
    "l.voornaam_n = r.voornaam_n and l.achternaam_k = r.achternaam_k "
    "and l.geboortedatum = r.geboortedatum",
)
DETERMINISTIC_RECALL = 0.7  # splink's starting value; replaced by the trained recall
TRAIN_RECORDS = 200_000

# A pair is a match when it is more likely a match than not (Bayes decision at 0.5).
DEFAULT_THRESHOLD = 0.5


def _name_comparison() -> dict:
    """One comparison for both name fields, so a swap counts once, not twice."""
    v, a = "voornaam_n", "achternaam_k"

    def jw(x: str, y: str, t: float) -> str:
        return f"jaro_winkler_similarity({x}_l, {y}_r) >= {t}"

    return {
        "output_column_name": "naam",
        "comparison_levels": [
            {
                "sql_condition": f"({v}_l IS NULL OR {v}_r IS NULL) AND ({a}_l IS NULL OR {a}_r IS NULL)",
                "label_for_charts": "null",
                "is_null_level": True,
            },
            {
                "sql_condition": "volle_naam_l = volle_naam_r",
                "label_for_charts": "exact",
                "tf_adjustment_column": "volle_naam",
                "tf_adjustment_weight": 1.0,
            },
            {
                # Both names swapped, possibly with a typo; the key is swap-invariant.
                "sql_condition": f"{jw(v, a, 0.92)} AND {jw(a, v, 0.92)}",
                "label_for_charts": "first and last name swapped",
            },
            {
                "sql_condition": f"{jw(v, v, 0.92)} AND {jw(a, a, 0.92)}",
                "label_for_charts": "both Jaro-Winkler >= 0.92",
            },
            {
                "sql_condition": f"{jw(v, v, 0.80)} AND {jw(a, a, 0.80)}",
                "label_for_charts": "both Jaro-Winkler >= 0.80",
            },
            {
                "sql_condition": f"{a}_l = {a}_r",
                "label_for_charts": "same surname, given name differs or missing",
                "tf_adjustment_column": a,
                "tf_adjustment_weight": 1.0,
            },
            {
                "sql_condition": f"{v}_l = {v}_r",
                "label_for_charts": "same given name, surname differs or missing",
                "tf_adjustment_column": v,
                "tf_adjustment_weight": 1.0,
            },
            {
                "sql_condition": f"{jw(a, a, 0.90)} OR {jw(v, v, 0.90)}",
                "label_for_charts": "one name similar",
            },
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    }


# DuckDB's damerau_levenshtein (DL) costs about 3 µs a call, twenty times Jaro-Winkler: on the
# candidate pairs of a large file the date levels took two thirds of the scoring time.  So DL
# is only called where a cheap test cannot decide, and every level stays exactly what it was
# (tests/domain/test_linkage_model.py compares them with plain DL):
# * one DL edit is at most two Levenshtein edits (a transposition is two);
# * two ISO dates (always ``YYYY-MM-DD``, made from a date) have equal length, so DL ≤ 1 is
#   one differing position, or two that are swapped neighbours; and DL ≤ 2 is at most two
#   differing positions (``hamming``, cheap), or three or four with either two swapped
#   neighbours (digits only: a dash cannot move) or an insertion plus a deletion, which shift
#   a stretch that cannot cross a dash either, so it stays inside the year: day and month equal.
def _dl_at_most_one(col: str) -> str:
    return f"levenshtein({col}_l, {col}_r) <= 2 AND damerau_levenshtein({col}_l, {col}_r) <= 1"


def _date_typos(c: str, k: int) -> str:
    a, b = f"{c}_l", f"{c}_r"
    ham, dl = f"hamming({a}, {b})", f"damerau_levenshtein({a}, {b})"
    if k == 1:
        return f"({ham} <= 1 OR ({ham} = 2 AND {dl} <= 1))"
    swap = " OR ".join(f"substr({a}, {i}, 2) = reverse(substr({b}, {i}, 2))" for i in (1, 2, 3, 6, 9))
    return f"({ham} <= 2 OR ({ham} <= 4 AND (substr({a}, 5) = substr({b}, 5) OR {swap}) AND {dl} <= 2))"


def _exact_comparison(col: str, typo_level: bool = False) -> dict:
    typo = (
        [
            {
                "sql_condition": _dl_at_most_one(col),
                "label_for_charts": "one typo",
            }
        ]
        if typo_level
        else []
    )
    return {
        "output_column_name": col,
        "comparison_levels": [
            {
                "sql_condition": f"{col}_l IS NULL OR {col}_r IS NULL",
                "label_for_charts": "null",
                "is_null_level": True,
            },
            {"sql_condition": f"{col}_l = {col}_r", "label_for_charts": "exact"},
            *typo,
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    }


def _date_comparison() -> dict:
    c = "geboortedatum"
    return {
        "output_column_name": c,
        "comparison_levels": [
            {
                "sql_condition": f"{c}_l IS NULL OR {c}_r IS NULL",
                "label_for_charts": "null",
                "is_null_level": True,
            },
            {"sql_condition": f"{c}_l = {c}_r", "label_for_charts": "exact"},
            {
                # one digit wrong or two adjacent digits transposed
                "sql_condition": _date_typos(c, 1),
                "label_for_charts": "one typo",
            },
            {
                "sql_condition": (
                    f"substr({c}_l, 1, 4) = substr({c}_r, 1, 4) "
                    f"AND substr({c}_l, 6, 2) = substr({c}_r, 9, 2) "
                    f"AND substr({c}_l, 9, 2) = substr({c}_r, 6, 2)"
                ),
                "label_for_charts": "day and month swapped",
            },
            {
                "sql_condition": _date_typos(c, 2),
                "label_for_charts": "two typos",
            },
            {
                "sql_condition": f"substr({c}_l, 1, 4) = substr({c}_r, 1, 4)",
                "label_for_charts": "same year",
            },
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    }


def settings_dict(blocking_rules: Sequence[str] = BLOCKING_RULES) -> dict:
    """The splink settings: comparisons, levels and blocking rules (documented in docs)."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": 1e-6,
        "comparisons": [
            _name_comparison(),
            _date_comparison(),
            _exact_comparison("geslacht"),
            _exact_comparison("nationaliteit"),
            _exact_comparison("gemeente_code", typo_level=True),
        ],
        "blocking_rules_to_generate_predictions": list(blocking_rules),
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
        "additional_columns_to_retain": [],
    }


def registrations_frame(records: Iterable[Registration]) -> pd.DataFrame:
    """Normalised, comparison-ready columns; ``unique_id`` is the row position."""
    rows = []
    for r in records:
        sur = split_surname(r.achternaam)
        given = normalise_given_name(r.voornaam)
        rows.append(
            (
                r.bron,
                r.registratie_id,
                given or None,
                given.split(" ", 1)[0] if given else None,
                sur.core or None,
                r.geboortedatum.isoformat() if r.geboortedatum else None,
                r.geslacht,
                r.nationaliteit,
                r.gemeente_code,
            )
        )
    df = pd.DataFrame(
        rows,
        columns=[
            "bron",
            "registratie_id",
            "voornaam_n",
            "voornaam1",
            "achternaam_k",
            "geboortedatum",
            "geslacht",
            "nationaliteit",
            "gemeente_code",
        ],
        dtype=object,
    )
    df.insert(0, "unique_id", np.arange(len(df), dtype=np.int64))
    dob = df["geboortedatum"]
    df["geboortejaar"] = dob.str.slice(0, 4)
    df["geboorte_md"] = dob.str.slice(5, 10)
    # Initials in a swap-invariant order: "jan berg" and "berg jan" get the same key.
    ini = [
        "".join(sorted((a or "")[:1] + (b or "")[:1])) or None
        for a, b in zip(df["voornaam1"], df["achternaam_k"], strict=True)
    ]
    df["naam_init"] = pd.Series(ini, dtype=object)
    full = [
        f"{a or ''}|{b or ''}" if (a or b) else None
        for a, b in zip(df["voornaam_n"], df["achternaam_k"], strict=True)
    ]
    df["volle_naam"] = pd.Series(full, dtype=object)
    return df


@dataclass
class PlainLinkageResult:
    frame: pd.DataFrame
    edges: Edges
    match_weights: dict[str, float]


def _threads() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def score_pairs(
    df: pd.DataFrame,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    seed: int = 42,
    u_max_pairs: float = 5e6,
    train_records: int = TRAIN_RECORDS,
    spark: Any = None,
) -> Edges:
    """Train the model on ``df`` (unsupervised) and return pairs at or above ``threshold``.

    ``spark``: a Spark session (``spark.spark_session()``) to score the pairs on, for
    national scale; by default DuckDB scores them in this process.

    Training: u from random sampling (seeded), m by EM on two blocked samples (same birth
    date; same name), each estimating what the other fixes — on at most ``train_records``
    records drawn at random (seeded): m and u are properties of the fields, not of the file
    size, and EM on a million records would take most of the time budget.  Then the prior,
    the u-correction and the same-source comparison from all records (``_recalibrated``).
    """
    import duckdb
    from splink import DuckDBAPI, Linker

    # Untrainable levels (e.g. no sex recorded anywhere) keep their defaults: not an error.
    logging.getLogger("splink").setLevel(logging.ERROR)
    if len(df) < 2:
        return Edges.empty()
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads TO {_threads()}")
    db_api = DuckDBAPI(connection=con)
    sdf = db_api.register(df, table_name="registraties")
    rules = blocking_rules_within_budget(df, con)
    if len(df) > train_records:
        sample = df.sample(n=train_records, random_state=seed)
        train_sdf = db_api.register(sample, table_name="training_sample")
    else:
        train_sdf = sdf
    trainer = Linker(train_sdf, settings_dict(rules), log_level=None)
    train = trainer.training
    train.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    for rule in (
        "l.geboortedatum = r.geboortedatum",
        "l.achternaam_k = r.achternaam_k and l.voornaam1 = r.voornaam1",
    ):
        try:
            train.estimate_parameters_using_expectation_maximisation(rule)
        except Exception as exc:  # noqa: BLE001 (tiny inputs may give no pairs to train on)
            logging.getLogger(__name__).info("EM on %s skipped: %s", rule, exc)
    model = _recalibrated(trainer.misc.save_model_to_json(), df, con)
    if spark is not None:
        # Trained here on the sample; every blocked pair is scored on Spark with that model.
        from .spark import predict

        con.close()
        return predict(df, model, threshold, spark)
    linker = Linker(sdf, model, log_level=None)
    pred = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    sql = f"SELECT unique_id_l, unique_id_r, match_probability FROM {pred.physical_name}"  # noqa: S608 (splink-generated table name, no user input)
    out = con.execute(sql).df()
    con.close()
    return Edges(
        left=out["unique_id_l"].to_numpy(np.int64),
        right=out["unique_id_r"].to_numpy(np.int64),
        score=out["match_probability"].to_numpy(np.float64),
    )


def _level_m(model: dict, comparison: str, label: str) -> float | None:
    for comp in model["comparisons"]:
        if comp["output_column_name"] == comparison:
            for level in comp["comparison_levels"]:
                if level.get("label_for_charts") == label:
                    return level.get("m_probability")
    return None


def _deterministic_counts(con, df: pd.DataFrame) -> tuple[int, int]:  # noqa: ANN001
    """Pairs the deterministic rule accepts: (all, within one source)."""
    con.register("det_input", df[["unique_id", "bron", "voornaam_n", "achternaam_k", "geboortedatum"]])
    rule = " OR ".join(f"({r})" for r in DETERMINISTIC_RULES)
    row = con.execute(
        "SELECT count(*), coalesce(sum(CASE WHEN l.bron = r.bron THEN 1 ELSE 0 END), 0) "  # noqa: S608 (module constants)
        f"FROM det_input l JOIN det_input r ON ({rule}) AND l.unique_id < r.unique_id"
    ).fetchall()
    con.unregister("det_input")
    return (int(row[0][0]), int(row[0][1])) if row else (0, 0)


def _recalibrated(model: dict, df: pd.DataFrame, con) -> dict:  # noqa: ANN001 (DuckDB connection)
    """Prior and u-values from the trained m-values, and a prior per same/other source.

    * Prior λ: the pairs the deterministic rule (exact names and date) accepts, divided by
      that rule's recall — which the trained model knows: P(names and date recorded and
      exact | match) — instead of an assumed recall.
    * u from random pairs counts the true matches among them: P(agree | random pair) =
      λ·m + (1 − λ)·u, so u = (u_random − λ·m) / (1 − λ).  With λ ≈ 1e-4 (10,000 records, each
      with one duplicate) the exact-name and exact-date u-values are inflated 3–4 times; with
      a million records λ is tiny and the correction vanishes, as it should.
    * Same source: a partner registering one person twice is rarer than two partners each
      registering them, and how much rarer differs per data set.  A fixed comparison
      "same bron" carries it: m = share of deterministic matches within one source
      (smoothed), u = share of all pairs within one source.
    """
    m_name = _level_m(model, "naam", "exact")
    m_date = _level_m(model, "geboortedatum", "exact")
    n = len(df)
    total_pairs = n * (n - 1) / 2
    det, det_within = _deterministic_counts(con, df)
    if not m_name or not m_date or det == 0 or total_pairs == 0:
        # nothing to calibrate on: keep splink's starting prior, but say how rare matches are
        model["probability_two_random_records_match"] = min(0.5, max(1.0, det) / max(1.0, total_pairs))
        return model
    complete = float(
        (df["voornaam_n"].notna() & df["achternaam_k"].notna() & df["geboortedatum"].notna()).mean()
    )
    recall = min(1.0, max(0.05, complete**2 * m_name * m_date))
    lam = min(det / recall / total_pairs, 0.5)
    model["probability_two_random_records_match"] = lam
    for comp in model["comparisons"]:
        for level in comp["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            if m is None or u is None or level.get("is_null_level"):
                continue
            # a level seen mostly among matches still happens by accident: keep u positive
            level["u_probability"] = max((u - lam * m) / (1 - lam), u * 0.05)
    sizes = df["bron"].value_counts().to_numpy(np.float64)
    u_same = float(((sizes * (sizes - 1)) / 2).sum() / total_pairs)
    if 0 < u_same < 1:
        m_same = (det_within + 0.5) / (det + 1)
        model["comparisons"].append(
            {
                "output_column_name": "bron",
                "comparison_levels": [
                    {
                        "sql_condition": "bron_l = bron_r",
                        "label_for_charts": "same source",
                        "m_probability": m_same,
                        "u_probability": u_same,
                    },
                    {
                        "sql_condition": "ELSE",
                        "label_for_charts": "other source",
                        "m_probability": 1 - m_same,
                        "u_probability": 1 - u_same,
                    },
                ],
            }
        )
    return model


def candidate_pair_count(df: pd.DataFrame, rules: Sequence[str] = BLOCKING_RULES) -> int:
    """How many distinct pairs the blocking rules generate (for benchmarks and tuning)."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.register("t", df)
    parts = [
        f"SELECT l.unique_id AS a, r.unique_id AS b FROM t l JOIN t r "  # noqa: S608 (rules are module constants)
        f"ON {rule} AND l.unique_id < r.unique_id"
        for rule in rules
    ]
    n = con.execute(f"SELECT count(*) FROM ({' UNION '.join(parts)})").fetchone()  # noqa: S608
    con.close()
    return int(n[0]) if n else 0
