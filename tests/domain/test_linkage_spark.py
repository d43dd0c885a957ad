"""The Spark backend: the model trained on DuckDB, every pair scored on a local Spark session.

Same known cases as the DuckDB tests, and the same persons: the backend changes where the
pairs are scored, never who is linked to whom.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ketenzicht.domain.linkage import link_records
from ketenzicht.domain.linkage.spark import spark_model, to_spark_sql
from tests.domain.test_linkage_link import DIFFERENT, SAME, _f1, _records


def test_duckdb_functions_get_their_spark_names() -> None:
    sql = "jaro_winkler_similarity(voornaam_n_l, achternaam_k_r) >= 0.92 AND damerau_levenshtein(a_l, a_r) <= 1"
    assert to_spark_sql(sql) == "jaro_winkler(voornaam_n_l, achternaam_k_r) >= 0.92 AND damerau_levenshtein(a_l, a_r) <= 1"
    # Spark has no hamming: the gate becomes Levenshtein (never larger, so no pair is lost)
    assert to_spark_sql("hamming(d_l, d_r) <= 4 AND x") == "levenshtein(d_l, d_r) <= 4 AND x"
    model = {"sql_dialect": "duckdb", "comparisons": [{"comparison_levels": [{"sql_condition": sql}, {"sql_condition": "ELSE"}]}]}
    out = spark_model(model)
    assert out["sql_dialect"] == "spark" and "jaro_winkler(" in out["comparisons"][0]["comparison_levels"][0]["sql_condition"]
    assert model["sql_dialect"] == "duckdb"  # the trained model itself is left as it was


@pytest.fixture(scope="module")
def session() -> Iterator[Any]:
    from ketenzicht.domain.linkage.spark import spark_session

    spark = spark_session("local[2]")
    yield spark
    spark.stop()


@pytest.mark.spark
def test_spark_links_the_known_cases_like_duckdb(session: Any) -> None:
    records = _records()
    on_spark = link_records(records, spark=session)
    on_duckdb = link_records(records)
    for left, right, *_ in SAME:
        assert on_spark[left] == on_spark[right], left
    for left, right, *_ in DIFFERENT:
        assert on_spark[left] != on_spark[right], left
    assert _f1(on_spark) >= 0.95
    # The same persons (person ids are numbered in record order, so they compare directly).
    assert on_spark == on_duckdb
