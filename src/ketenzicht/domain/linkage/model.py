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

import numpy as np
import pandas as pd

from .clustering import Edges
from .names import normalise_given_name, split_surname
from .records import Registration

# Pairs that must be scored; several rules in OR so that a typo in one field is caught by
# another rule.  Each rule is an equi-join (fast in DuckDB), none is a cartesian product.
BLOCKING_RULES: tuple[str, ...] = (
    "l.geboortedatum = r.geboortedatum",
    "l.achternaam_k = r.achternaam_k and l.voornaam1 = r.voornaam1",
    # swapped first/last name
    "l.voornaam1 = r.achternaam_k and l.achternaam_k = r.voornaam1",
    "l.achternaam_k = r.achternaam_k and l.geboortejaar = r.geboortejaar",
    "l.voornaam1 = r.voornaam1 and l.geboortejaar = r.geboortejaar and l.gemeente_code = r.gemeente_code",
    # typo in both names and in the date: day and month kept, first letters of names kept
    "l.geboorte_md = r.geboorte_md and l.naam_init = r.naam_init",
    # date missing or wrong: one name plus municipality
    "l.gemeente_code = r.gemeente_code and l.voornaam1 = r.voornaam1",
    "l.gemeente_code = r.gemeente_code and l.achternaam_k = r.achternaam_k",
    "l.gemeente_code = r.gemeente_code and (l.voornaam1 = r.achternaam_k or l.achternaam_k = r.voornaam1)",
)

# Deterministic rules (near-certain matches) to estimate the prior match probability.
DETERMINISTIC_RULES: tuple[str, ...] = (
    "l.voornaam_n = r.voornaam_n and l.achternaam_k = r.achternaam_k "
    "and l.geboortedatum = r.geboortedatum",
)
DETERMINISTIC_RECALL = 0.7

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


def _exact_comparison(col: str, typo_level: bool = False) -> dict:
    typo = (
        [
            {
                "sql_condition": f"damerau_levenshtein({col}_l, {col}_r) <= 1",
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
                "sql_condition": f"damerau_levenshtein({c}_l, {c}_r) <= 1",
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
                "sql_condition": f"damerau_levenshtein({c}_l, {c}_r) <= 2",
                "label_for_charts": "two typos",
            },
            {
                "sql_condition": f"substr({c}_l, 1, 4) = substr({c}_r, 1, 4)",
                "label_for_charts": "same year",
            },
            {"sql_condition": "ELSE", "label_for_charts": "else"},
        ],
    }


def settings_dict() -> dict:
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
        "blocking_rules_to_generate_predictions": list(BLOCKING_RULES),
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
    em_sample: float = 1.0,
) -> Edges:
    """Train the model on ``df`` (unsupervised) and return pairs at or above ``threshold``.

    Training: prior from deterministic rules, u from random sampling (seeded), m by EM on two
    blocked samples (same birth date; same name), each estimating what the other fixes.
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
    linker = Linker(sdf, settings_dict(), log_level=None)
    train = linker.training
    train.estimate_probability_two_random_records_match(
        list(DETERMINISTIC_RULES), recall=DETERMINISTIC_RECALL
    )
    train.estimate_u_using_random_sampling(max_pairs=u_max_pairs, seed=seed)
    for rule in (
        "l.geboortedatum = r.geboortedatum",
        "l.achternaam_k = r.achternaam_k and l.voornaam1 = r.voornaam1",
    ):
        try:
            train.estimate_parameters_using_expectation_maximisation(
                rule, record_sample_proportion=em_sample
            )
        except Exception as exc:  # noqa: BLE001 (tiny inputs may give no pairs to train on)
            logging.getLogger(__name__).info("EM on %s skipped: %s", rule, exc)
    pred = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    sql = f"SELECT unique_id_l, unique_id_r, match_probability FROM {pred.physical_name}"  # noqa: S608 (splink-generated table name, no user input)
    out = con.execute(sql).df()
    con.close()
    return Edges(
        left=out["unique_id_l"].to_numpy(np.int64),
        right=out["unique_id_r"].to_numpy(np.int64),
        score=out["match_probability"].to_numpy(np.float64),
    )


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
