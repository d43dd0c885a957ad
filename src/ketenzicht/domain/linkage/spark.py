"""Scoring pairs on Spark, for linkage at national scale.

The model is trained where it is cheap — on a sample, with DuckDB (``model.train_model``) —
and the expensive part, scoring every blocked pair of every record, runs on Spark with the
same trained model. A local session (``local[N]``) is what the tests and a single server
use; a cluster is the same code with another master.

Our comparison levels are written in DuckDB's SQL; Spark has the same functions through the
similarity jar that ships with splink, under other names (``jaro_winkler`` for DuckDB's
``jaro_winkler_similarity``). ``spark_model`` translates a trained model for Spark.
"""

from __future__ import annotations

import copy
import logging
import re
import tempfile
from typing import Any

import numpy as np
import pandas as pd

from .clustering import Edges

# DuckDB function → the name the splink jar registers in Spark (same arguments, same result).
# ``hamming`` (Spark has none) only gates Damerau-Levenshtein in model.py; Levenshtein is never
# larger for strings of equal length, so the gate lets through at least the same pairs and
# the level is the same.
_FUNCTIONS = {"jaro_winkler_similarity": "jaro_winkler", "hamming": "levenshtein"}
_NAME = re.compile(r"\b(" + "|".join(map(re.escape, _FUNCTIONS)) + r")\s*\(")


def to_spark_sql(condition: str) -> str:
    return _NAME.sub(lambda m: f"{_FUNCTIONS[m.group(1)]}(", condition)


def spark_model(model: dict[str, Any]) -> dict[str, Any]:
    """A trained splink model (JSON dict) with its SQL in Spark's dialect."""
    out = copy.deepcopy(model)
    out["sql_dialect"] = "spark"
    for comparison in out.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            if isinstance(level.get("sql_condition"), str):
                level["sql_condition"] = to_spark_sql(level["sql_condition"])
    for rule in out.get("blocking_rules_to_generate_predictions", []):
        if isinstance(rule, dict) and isinstance(rule.get("blocking_rule"), str):
            rule["blocking_rule"] = to_spark_sql(rule["blocking_rule"])
    return out


def spark_session(master: str = "local[2]") -> Any:
    """A Spark session for this machine, with splink's similarity functions loaded."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (
        SparkSession.builder.master(master)
        .appName("ketenzicht-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # Small partitions count: a local run on two cores, not a cluster.
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.default.parallelism", "8")
        .config("spark.driver.memory", "4g")
        .config("spark.sql.ansi.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    # py4j logs its shutdown at INFO after logging has closed its streams: noise, not news.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="ketenzicht-spark-"))
    return session


def _spark_frame(df: pd.DataFrame, session: Any) -> Any:
    """The registrations as a Spark DataFrame: the id as a long, every field as text or null.

    An explicit schema, because Spark cannot infer a type from a column that is all null
    (a partner that records no sex at all) and the comparisons compare text anyway.
    """
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    columns = list(df.columns)
    schema = StructType([
        StructField(c, LongType() if c == "unique_id" else StringType(), nullable=c != "unique_id") for c in columns
    ])
    rows = [
        tuple(int(v) if c == "unique_id" else (None if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA else str(v))
              for c, v in zip(columns, record, strict=True))
        for record in df.itertuples(index=False, name=None)
    ]
    return session.createDataFrame(rows, schema=schema)


def predict(df: pd.DataFrame, model: dict[str, Any], threshold: float, session: Any) -> Edges:
    """Pairs at or above ``threshold`` under the trained ``model``, scored on Spark."""
    from splink import Linker
    from splink.backends.spark import SparkAPI

    db_api = SparkAPI(spark_session=session)
    sdf = db_api.register(_spark_frame(df, session), table_name="registraties")
    linker = Linker(sdf, spark_model(model), log_level=None)
    pred = linker.inference.predict(threshold_match_probability=threshold)
    out = pred.as_spark_dataframe().select("unique_id_l", "unique_id_r", "match_probability").toPandas()
    return Edges(
        left=out["unique_id_l"].to_numpy(np.int64),
        right=out["unique_id_r"].to_numpy(np.int64),
        score=out["match_probability"].to_numpy(np.float64),
    )
