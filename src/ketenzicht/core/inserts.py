"""New rows of several models in one round trip: what `Model.save()` sends, compiled once.

An intake writes a case, its subjects, its first history line and an audit entry. Through the
ORM that is one statement per row, each compiled anew (about a fifth of an intake's CPU,
issue 19) and each a round trip to PostgreSQL. `insert_new` writes the same rows with the same
values: each field's `pre_save` (auto_now_add, defaults) and `get_db_prep_save`, exactly as
Django's insert compiler prepares them, sends `pre_save`/`post_save` as `save()` does, and sets
the primary key of auto-increment rows. On PostgreSQL the rows go in one statement (one
data-modifying CTE per row; foreign keys are checked at its end), elsewhere one statement each.
tests/app/test_inserts.py holds it to the ORM's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

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


def insert_new(objects: Sequence[Model]) -> None:
    """Insert these unsaved instances (parents before children), as `save()` would one by one."""
    alias = connection.alias
    statements: list[tuple[Model, str, list[Any], str | None]] = []
    for obj in objects:
        model = type(obj)
        pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
        auto = model._meta.auto_field is not None and obj.pk is None
        fields, sql, pk_column = _template(model, connection.vendor, not auto)
        params = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f in fields]
        statements.append((obj, sql, params, pk_column if auto else None))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            parts, params, returned = [], [], []
            for i, (_obj, sql, values, pk_column) in enumerate(statements):
                parts.append(f"i{i} AS ({sql} RETURNING {pk_column or 'NULL'})")
                params.extend(values)
                returned.append(f"(SELECT * FROM i{i})")  # noqa: S608 - generated names only
            cursor.execute(f"WITH {', '.join(parts)} SELECT {', '.join(returned)}", params)
            keys = cursor.fetchone()
        else:
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
