"""Model instances from hand-written SELECTs, converted exactly as the ORM converts them.

The intake's lookups (the account behind a token, the municipality of a delivery) run on every
request of the busiest endpoint; compiling them through the ORM cost more CPU than the database
spent answering them (issue 19). Their SQL is written once per process from the models' own
column lists, and the rows become instances through the same converters the compiler applies
(SQLite returns datetimes as text and booleans as 0/1), so callers get what `.first()` gives.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.expressions import Col


def columns(model: type[Model], alias: str) -> tuple[list[str], str]:
    """(attribute names, `alias."column", …`) of the model's concrete fields, in order."""
    fields = model._meta.concrete_fields
    return [f.attname for f in fields], ", ".join(f'{alias}."{f.column}"' for f in fields)


@cache
def _converters(model: type[Model], vendor: str) -> tuple[tuple[Any, list[Any]], ...]:
    cols = (Col(model._meta.db_table, field) for field in model._meta.concrete_fields)
    return tuple((c, connection.ops.get_db_converters(c) + c.get_db_converters(connection)) for c in cols)


def from_row(model: type[Model], names: list[str], values: tuple[Any, ...]) -> Any:
    """An instance from raw column values (in `columns()` order), as the ORM would build it."""
    converted = []
    for (column, converters), value in zip(_converters(model, connection.vendor), values, strict=True):
        for convert in converters:
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, names, converted)


def with_related(instance: Model, field_name: str, names: list[str], values: tuple[Any, ...]) -> Any:
    """Set `instance.<field_name>` from a LEFT JOINed row's values, as `select_related` would
    (None when the join found nothing); returns the related instance."""
    field = type(instance)._meta.get_field(field_name)
    related = from_row(field.related_model, names, values) if values[0] is not None else None
    field.set_cached_value(instance, related)
    return related


class KeptByRow:
    """Instances built from rows, kept per process and given out again while their row is the same.

    For read-only reference rows that every intake reads (the municipality with its region and
    theme): building three instances from the row cost about as much CPU as the database spent
    finding it (issue 19). The row is still read on every request and compared whole, so a
    changed municipality, region, theme or norms digest is built anew at once. The instances
    are shared: callers must not change them (the intake only reads them).
    """

    def __init__(self, build: Callable[[Any], Any], size: int = 1024) -> None:
        self._build = build
        self._size = size
        self._kept: dict[Any, tuple[tuple[Any, ...], Any]] = {}
        self._lock = threading.Lock()

    def __call__(self, row: Any) -> Any:
        row = tuple(row)
        hit = self._kept.get(row[0])  # the primary key
        if hit is not None and hit[0] == row:
            return hit[1]
        built = self._build(row)
        with self._lock:  # threaded workers: one thread trims at a time (a miss only, never a hit)
            while len(self._kept) >= self._size:
                self._kept.pop(next(iter(self._kept)))
            self._kept[row[0]] = (row, built)
        return built
