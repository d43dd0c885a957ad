"""New rows of several models in one round trip: what `Model.save()` sends, compiled once.

An intake writes a case, its subjects, its first history line and an audit entry. Through the
ORM that is one statement per row, each compiled anew (about a fifth of an intake's CPU,
issue 19) and each a round trip to PostgreSQL. `insert_new` writes the same rows with the same
values: each field's `pre_save` (auto_now_add, defaults) and `get_db_prep_save`, exactly as
Django's insert compiler prepares them, sends `pre_save`/`post_save` as `save()` does, and sets
the primary key of auto-increment rows. On PostgreSQL the rows go in one statement (one
data-modifying CTE per row; foreign keys are checked at its end), elsewhere one statement each.
tests/app/test_inserts.py holds it to the ORM's rows.

On PostgreSQL that statement is also prepared (settings.DB_PREPARE_INSERTS, on unless a
connection pooler without prepared statements sits in between): the server plans it once per
connection and shape instead of on every intake, and the driver no longer re-parses a text of
several kilobytes for its placeholders (it caches only short ones). Its parameters are sent
apart from the text (server-side binding), adapted by the connection's own adapters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save


@cache
def _template(model: type[Model], vendor: str, with_pk: bool) -> tuple[tuple[Field[Any, Any], ...], str, str]:
    """(fields, INSERT … VALUES (%s, …), the column to return) of `model`, as Django's _do_insert picks them."""
    meta = model._meta
    fields = tuple(
        f for f in meta.local_concrete_fields if not getattr(f, "generated", False) and (with_pk or f is not meta.auto_field)
    )
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    return fields, f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({values})", quote(meta.pk.column)  # noqa: S608 - model names


_PLACEHOLDER = re.compile(r"%s")


@lru_cache(maxsize=64)
def _numbered(sql: str) -> str:
    """`%s` placeholders as PostgreSQL's own `$1, $2, …` (the text holds no other `%`)."""
    counter = iter(range(1, sql.count("%s") + 1))
    return _PLACEHOLDER.sub(lambda _m: f"${next(counter)}", sql)


class _Text:
    __slots__ = ("query",)

    def __init__(self, query: bytes) -> None:
        self.query = query


@cache
def _prepared_cursor_class() -> type[Any]:
    import psycopg

    class PreparedCursor(psycopg.RawCursor):
        """Binds on the server, takes `$n` placeholders as they are, prepares every statement."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            try:
                return super().execute(query, params, prepare=True)
            finally:
                if getattr(self._query, "query", None) is None:
                    # psycopg records the text only when it does not prepare; Django's query
                    # log (DEBUG, the tests' query counts) reads it from here, failed or not.
                    self._query = _Text(query.encode())

    return PreparedCursor


def _prepared_cursor() -> Any:
    """A Django cursor (query logging, execute wrappers) over a PreparedCursor."""
    connection.ensure_connection()
    return connection._prepare_cursor(_prepared_cursor_class()(connection.connection))


class Later:
    """A value known only inside the transaction (a reference number taken from a locked
    counter): the rows are prepared before it, and it is filled in just before they are written,
    so the lock is held for the write alone, not for the preparing (issue 19)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value: Any = None


@dataclass
class Insert:
    """Rows prepared as `save()` prepares them, to be written by `run()`."""

    statements: list[tuple[Model, str, list[Any], str | None]]
    later: list[tuple[Model, str, int, int, Field[Any, Any]]]  # (row, attribute, statement, parameter, field)

    def run(self) -> None:
        """Write the rows (parents before children) in one statement on PostgreSQL."""
        for obj, attname, i, j, field in self.later:
            value = getattr(obj, attname)
            if not isinstance(value, Later) or value.value is None:
                raise ValueError(f"{type(obj).__name__}.{attname} was not filled in before the write")
            setattr(obj, attname, value.value)
            self.statements[i][2][j] = field.get_db_prep_save(value.value, connection=connection)
        _write(self.statements)


def insert_prepare(objects: Sequence[Model]) -> Insert:
    """Prepare these unsaved instances for `Insert.run()`; a field may hold a `Later`."""
    alias = connection.alias
    statements: list[tuple[Model, str, list[Any], str | None]] = []
    later: list[tuple[Model, str, int, int, Field[Any, Any]]] = []
    for obj in objects:
        model = type(obj)
        pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
        auto = model._meta.auto_field is not None and obj.pk is None
        fields, sql, pk_column = _template(model, connection.vendor, not auto)
        params = []
        for j, f in enumerate(fields):
            value = f.pre_save(obj, True)
            if isinstance(value, Later):
                later.append((obj, f.attname, len(statements), j, f))
                params.append(None)
            else:
                params.append(f.get_db_prep_save(value, connection=connection))
        statements.append((obj, sql, params, pk_column if auto else None))
    return Insert(statements, later)


def insert_new(objects: Sequence[Model]) -> None:
    """Insert these unsaved instances (parents before children), as `save()` would one by one."""
    insert_prepare(objects).run()


def _write(statements: list[tuple[Model, str, list[Any], str | None]]) -> None:
    alias = connection.alias
    if connection.vendor == "postgresql":
        parts, params, returned = [], [], []
        for i, (_obj, sql, values, pk_column) in enumerate(statements):
            parts.append(f"i{i} AS ({sql} RETURNING {pk_column or 'NULL'})")
            params.extend(values)
            returned.append(f"(SELECT * FROM i{i})")  # noqa: S608 - generated names only
        sql = f"WITH {', '.join(parts)} SELECT {', '.join(returned)}"
        if settings.DB_PREPARE_INSERTS:
            with _prepared_cursor() as cursor:
                cursor.execute(_numbered(sql), params)
                keys = cursor.fetchone()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                keys = cursor.fetchone()
    else:
        with connection.cursor() as cursor:
            keys = []
            for _obj, sql, values, pk_column in statements:
                if pk_column is None:
                    cursor.execute(sql, values)
                    keys.append(None)
                else:
                    cursor.execute(f"{sql} RETURNING {pk_column}", values)
                    keys.append(cursor.fetchone()[0])
    for (obj, _sql, _values, pk_column), key in zip(statements, keys, strict=True):
        if pk_column is not None:
            obj.pk = key
        obj._state.adding = False
        obj._state.db = alias
        post_save.send(sender=type(obj), instance=obj, created=True, update_fields=None, raw=False, using=alias)
