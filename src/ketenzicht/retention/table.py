"""The retention table from `data/retention.yaml`, parsed and checked once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from ketenzicht.domain.retention import RetentionTable, parse_table

TABLE_FILE = Path(__file__).resolve().parent.parent / "data" / "retention.yaml"


@cache
def retention_table(path: Path = TABLE_FILE) -> RetentionTable:
    with path.open(encoding="utf-8") as handle:
        return parse_table(yaml.safe_load(handle))
