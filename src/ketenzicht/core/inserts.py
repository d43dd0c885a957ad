"""New rows of several models in one round trip: what `Model.save()` sends, compiled once.

An intake writes a case, its subjects, its first history line and an audit entry. Through the
ORM that is one statement per row, each compiled anew (about a fifth of an intake's CPU,
issue 19) and each a round trip to PostgreSQL. `insert_new` writes the same rows with the same
values: each field's `pre_save` (auto_now_add, defaults) and `get_db_prep_save`, exactly as
Django's insert compiler prepares them, sends `pre_save`/`post_save` as `save()` does, and sets
the primary key of auto-increment rows. On PostgreSQL the rows go in one statement (one
data-modifying CTE per row; foreign keys are checked at its end), elsewhere one statement each.
tests/app/test_inserts.py holds it to the ORM's rows.

On PostgreSQL that statement is also prepared (core/prepared.py): the server plans it once per
connection and shape instead of on every intake, and the driver no longer re-parses a text of
several kilobytes for its placeholders (it caches only short ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import connection, connections
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save

from ketenzicht.core.prepared import fetchone


@cache
def _template(model: type[Model], vendor: str, with_pk: bool) -> tuple[tuple[Field[Any, Any], ...], str, str]:
    """(fields, `INSERT INTO t (columns) VALUES`, the column to return) of `model`, as Django's _do_insert picks them."""
    meta = model._meta
    fields = tuple(
        f for f in meta.local_concrete_fields if not getattr(f, "generated", False) and (with_pk or f is not meta.auto_field)
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    return fields, f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES", quote(meta.pk.column)  # noqa: S608 - model names


class Later:
    """A value known only at the write (a reference number taken from a locked counter).

    The rows are prepared before it, so a lock taken for it is held for the write alone, not
    for the preparing (issue 19). Either the caller fills in `value` just before `Insert.run()`
    (inside its transaction), or, on PostgreSQL, `sql` computes it in the write's own statement:
    a statement with `%s` placeholders for `params` that returns one row with a column `value`
    (it may write: `INSERT … ON CONFLICT … RETURNING …`). The one statement is then its own
    transaction, and the lock lasts for that statement only.
    """

    __slots__ = ("params", "sql", "value")

    def __init__(self, sql: str | None = None, params: Sequence[Any] = ()) -> None:
        self.value: Any = None
        self.sql = sql if connection.vendor == "postgresql" else None
        self.params = list(params)


@dataclass
class _Row:
    obj: Model
    head: str  # INSERT INTO t (columns) VALUES
    params: list[Any]
    placeholders: list[str]
    pk_column: str | None  # returned and set when the key is made by the database


@dataclass
class Insert:
    """Rows prepared as `save()` prepares them, to be written by `run()`."""

    rows: list[_Row]
    later: list[tuple[int, int, Field[Any, Any]]]  # (row, parameter, field) of each Later

    def run(self) -> None:
        """Write the rows (parents before children) in one statement on PostgreSQL."""
        computed: list[Later] = []
        slot: dict[int, int] = {}  # a Later's CTE number, by identity: one CTE however many fields hold it
        for i, j, field in self.later:
            row = self.rows[i]
            value = getattr(row.obj, field.attname)
            if not isinstance(value, Later):
                raise ValueError(f"{type(row.obj).__name__}.{field.attname} is no longer a Later")
            if value.sql is not None:
                if id(value) not in slot:
                    slot[id(value)] = len(computed)
                    computed.append(value)
                row.placeholders[j] = f"(SELECT value FROM l{slot[id(value)]})"  # noqa: S608 - generated names only
                continue
            if value.value is None:
                raise ValueError(f"{type(row.obj).__name__}.{field.attname} was not filled in before the write")
            row.params[j] = field.get_db_prep_save(value.value, connection=connection)
        values = _write(self.rows, computed)
        for later, value in zip(computed, values, strict=True):
            later.value = value
        for i, _j, field in self.later:
            setattr(self.rows[i].obj, field.attname, getattr(self.rows[i].obj, field.attname).value)
        _saved(self.rows)


def insert_prepare(objects: Sequence[Model]) -> Insert:
    """Prepare these unsaved instances for `Insert.run()`; a field may hold a `Later`."""
    alias = connection.alias
    db = connections[alias]  # the wrapper itself: the proxy costs a lookup per field
    rows: list[_Row] = []
    later: list[tuple[int, int, Field[Any, Any]]] = []
    for obj in objects:
        model = type(obj)
        pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
        auto = model._meta.auto_field is not None and obj.pk is None
        fields, head, pk_column = _template(model, connection.vendor, not auto)
        params = []
        for j, f in enumerate(fields):
            value = f.pre_save(obj, True)
            if isinstance(value, Later):
                later.append((len(rows), j, f))
                params.append(None)
            else:
                params.append(f.get_db_prep_save(value, connection=db))
        rows.append(_Row(obj, head, params, ["%s"] * len(fields), pk_column if auto else None))
    return Insert(rows, later)


def insert_new(objects: Sequence[Model]) -> None:
    """Insert these unsaved instances (parents before children), as `save()` would one by one."""
    insert_prepare(objects).run()


def _write(rows: list[_Row], computed: list[Later]) -> list[Any]:
    """Insert the rows and set their database-made keys; the values of the computed Laters."""
    if connection.vendor == "postgresql":
        parts, params, returned = [], [], []
        for k, later in enumerate(computed):
            parts.append(f"l{k} AS ({later.sql})")
            params.extend(later.params)
        for i, row in enumerate(rows):
            parts.append(f"i{i} AS ({row.head} ({', '.join(row.placeholders)}) RETURNING {row.pk_column or 'NULL'})")
            params.extend(p for p, placeholder in zip(row.params, row.placeholders, strict=True) if placeholder == "%s")
            returned.append(f"(SELECT * FROM i{i})")  # noqa: S608 - generated names only
        returned.extend(f"(SELECT value FROM l{k})" for k in range(len(computed)))  # noqa: S608 - generated names only
        result = fetchone(f"WITH {', '.join(parts)} SELECT {', '.join(returned)}", params)
        keys, values = result[: len(rows)], list(result[len(rows) :])
    else:
        keys, values = [], []
        with connection.cursor() as cursor:
            for row in rows:
                sql = f"{row.head} ({', '.join(row.placeholders)})"
                if row.pk_column is None:
                    cursor.execute(sql, row.params)
                    keys.append(None)
                else:
                    cursor.execute(f"{sql} RETURNING {row.pk_column}", row.params)
                    keys.append(cursor.fetchone()[0])
    for row, key in zip(rows, keys, strict=True):
        if row.pk_column is not None:
            row.obj.pk = key
    return values


def _saved(rows: list[_Row]) -> None:
    alias = connection.alias
    for row in rows:
        row.obj._state.adding = False
        row.obj._state.db = alias
        post_save.send(sender=type(row.obj), instance=row.obj, created=True, update_fields=None, raw=False, using=alias)
