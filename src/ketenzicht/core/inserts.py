"""New rows of several models in one round trip: what `Model.save()` sends, compiled once.

An intake writes a case, its subjects, its first history line and an audit entry. Through the
ORM that is one statement per row, each compiled anew (about a fifth of an intake's CPU,
issue 19) and each a round trip to PostgreSQL. `insert_new` writes the same rows with the same
values: each field's `pre_save` (auto_now_add, defaults) and `get_db_prep_save`, exactly as
Django's insert compiler prepares them, sends `pre_save`/`post_save` as `save()` does, and sets
the primary key of auto-increment rows. On PostgreSQL the rows go in one statement (one
data-modifying CTE per row; foreign keys are checked at its end), elsewhere one statement each.
tests/app/test_inserts.py holds it to the ORM's rows.

A row may also be given as a `NewRow` (the model and its values by attribute name) instead of
an instance: the values go into the statement without a model instance being built, filled
in and read back field by field, which was about a tenth of a public report's CPU (issue 19).
Such a row is prepared as `save()` prepares an instance made with the same values (defaults,
auto_now, the same conversions; tests/app/test_inserts.py holds the two to the same
parameters on generated values); an instance is built after the write only when somebody
listens to `post_save` for the model or the caller asks for it, and a model with `pre_save`
listeners, or with a field this does not know how to prepare, goes the instance's way.

On PostgreSQL that statement is also prepared (core/prepared.py): the server plans it once per
connection and shape instead of on every intake, and the driver no longer re-parses a text of
several kilobytes for its placeholders (it caches only short ones).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from django.db import connection, connections
from django.db.models import Field, Model, fields
from django.db.models.fields.related import ForeignKey
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

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


class NewRow:
    """A new row given by its values (attribute names, as `model(**values)` takes them).

    After the write `values` holds every column's value as `save()` would have set it on an
    instance (defaults, auto_now, a key made by the database, a `Later`'s value), and
    `instance` the saved instance when one was built (`instance=True`, or `post_save` listeners).
    """

    __slots__ = ("instance", "model", "values", "want_instance")

    def __init__(self, model: type[Model], values: dict[str, Any], *, instance: bool = False) -> None:
        self.model = model
        self.values = values
        self.want_instance = instance
        self.instance: Model | None = None


def _get(obj: Model | NewRow, attname: str) -> Any:
    return obj.values.get(attname) if isinstance(obj, NewRow) else getattr(obj, attname)


def _set(obj: Model | NewRow, attname: str, value: Any) -> None:
    if isinstance(obj, NewRow):
        obj.values[attname] = value
    else:
        setattr(obj, attname, value)


# How a field's value becomes a parameter without an instance: None when this cannot say (the
# model then goes the instance's way). `save()` calls `pre_save` (the value, or now for
# auto_now) and `get_db_prep_save`; for the stock fields below and the exact types given, the
# latter returns the value unchanged, so it is not called (measured: most of the preparing).
_STOCK_PREP = {
    fields.CharField.get_prep_value: (str, type(None)),
    fields.TextField.get_prep_value: (str, type(None)),
    fields.BooleanField.get_prep_value: (bool, type(None)),
    fields.IntegerField.get_prep_value: (int, type(None)),
}
_STOCK_DB_PREP = {fields.Field.get_db_prep_value, fields.IntegerField.get_db_prep_value, fields.AutoFieldMixin.get_db_prep_value}


def _unchanged_types(field: Field[Any, Any]) -> tuple[type, ...]:
    """The exact types whose values `field.get_db_prep_save` returns unchanged on this connection."""
    kind = type(field)
    if isinstance(field, ForeignKey):
        return (type(None), *_unchanged_types(field.target_field)) if kind.get_db_prep_save is ForeignKey.get_db_prep_save else ()
    if kind.get_db_prep_save is not fields.Field.get_db_prep_save:
        return ()
    if isinstance(field, fields.UUIDField) and kind.get_db_prep_value is fields.UUIDField.get_db_prep_value:
        return (uuid.UUID, type(None)) if connection.features.has_native_uuid_field else (type(None),)
    if kind.get_db_prep_value in _STOCK_DB_PREP:
        return _STOCK_PREP.get(kind.get_prep_value, ())
    return ()


def _now_for(field: Field[Any, Any]) -> Callable[[], Any] | None:
    """What `pre_save` puts in an auto_now(_add) field of a new row; None for a plain field."""
    if not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
        return None
    # Looked up at each call, as the fields' own pre_save does.
    if isinstance(field, fields.DateTimeField):
        return lambda: timezone.now()
    if isinstance(field, fields.DateField):
        return lambda: date.today()
    return lambda: datetime.now().time()  # TimeField, as its pre_save


_STOCK_PRE_SAVE = {fields.Field.pre_save, fields.DateField.pre_save, fields.DateTimeField.pre_save, fields.TimeField.pre_save}
_Preparer = tuple[Field[Any, Any], str, Callable[[], Any], Callable[[], Any] | None, tuple[type, ...], bool]


@cache
def _preparers(model: type[Model], vendor: str, with_pk: bool) -> tuple[_Preparer, ...] | None:
    """Per column of the insert: (field, attname, its default, auto_now, unchanged types, aware
    datetime unchanged); None when a field's preparing needs an instance."""
    out = []
    for f in _template(model, vendor, with_pk)[0]:
        if type(f).pre_save not in _STOCK_PRE_SAVE or f.has_db_default():
            return None
        aware_unchanged = (
            vendor == "postgresql" and type(f).get_db_prep_save is fields.Field.get_db_prep_save
            and type(f).get_db_prep_value is fields.DateTimeField.get_db_prep_value
            and type(f).get_prep_value is fields.DateTimeField.get_prep_value
        )
        out.append((f, f.attname, f.get_default, _now_for(f), _unchanged_types(f), aware_unchanged))
    return tuple(out)


def _prepare_values(row: NewRow, preparers: tuple[_Preparer, ...], db: Any) -> tuple[list[Any], list[tuple[int, Field[Any, Any]]]]:
    """(parameters, (position, field) of each Later) of a NewRow; its values completed."""
    values = row.values
    params: list[Any] = []
    later: list[tuple[int, Field[Any, Any]]] = []
    for j, (f, attname, default, now, unchanged, aware_unchanged) in enumerate(preparers):
        if now is not None:
            value = values[attname] = now()
        elif attname in values:
            value = values[attname]
        else:
            value = values[attname] = default()
        if type(value) in unchanged or (aware_unchanged and type(value) is datetime and value.utcoffset() is not None):
            params.append(value)
        elif isinstance(value, Later):
            later.append((j, f))
            params.append(None)
        else:
            params.append(f.get_db_prep_save(value, connection=db))
    return params, later


@dataclass
class _Row:
    obj: Model | NewRow
    head: str  # INSERT INTO t (columns) VALUES
    params: list[Any]
    placeholders: list[str]
    pk_column: str | None  # returned and set when the key is made by the database
    source: NewRow | None = None  # the NewRow an instance was made of (pre_save listeners)


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
            value = _get(row.obj, field.attname)
            if not isinstance(value, Later):
                raise ValueError(f"{_model(row.obj).__name__}.{field.attname} is no longer a Later")
            if value.sql is not None:
                if id(value) not in slot:
                    slot[id(value)] = len(computed)
                    computed.append(value)
                row.placeholders[j] = f"(SELECT value FROM l{slot[id(value)]})"  # noqa: S608 - generated names only
                continue
            if value.value is None:
                raise ValueError(f"{_model(row.obj).__name__}.{field.attname} was not filled in before the write")
            row.params[j] = field.get_db_prep_save(value.value, connection=connection)
        values = _write(self.rows, computed)
        for later, value in zip(computed, values, strict=True):
            later.value = value
        for i, _j, field in self.later:
            _set(self.rows[i].obj, field.attname, _get(self.rows[i].obj, field.attname).value)
        _saved(self.rows)


def insert_prepare(objects: Sequence[Model | NewRow]) -> Insert:
    """Prepare these unsaved instances or new rows for `Insert.run()`; a field may hold a `Later`."""
    alias = connection.alias
    db = connections[alias]  # the wrapper itself: the proxy costs a lookup per field
    vendor = db.vendor
    rows: list[_Row] = []
    later: list[tuple[int, int, Field[Any, Any]]] = []
    for given in objects:
        obj = _as_instance_unless_plain(given, vendor) if isinstance(given, NewRow) else given
        model = _model(obj)
        auto = model._meta.auto_field is not None and _get(obj, model._meta.pk.attname) is None
        fields_, head, pk_column = _template(model, vendor, not auto)
        if isinstance(obj, NewRow):
            params, row_later = _prepare_values(obj, _preparers(model, vendor, not auto) or (), db)
            later.extend((len(rows), j, f) for j, f in row_later)
        else:
            params = _prepare_instance(obj, fields_, alias, db, len(rows), later)
        source = given if isinstance(given, NewRow) and given is not obj else None
        rows.append(_Row(obj, head, params, ["%s"] * len(params), pk_column if auto else None, source))
    return Insert(rows, later)


@cache
def _attnames(model: type[Model]) -> frozenset[str]:
    return frozenset(f.attname for f in model._meta.concrete_fields)


def _as_instance_unless_plain(row: NewRow, vendor: str) -> Model | NewRow:
    """The row as it is, or as an instance when its model needs one for preparing (see above)."""
    model = row.model
    if not row.values.keys() <= _attnames(model):
        raise TypeError(f"{model.__name__} has no columns {sorted(row.values.keys() - _attnames(model))}")
    auto = model._meta.auto_field is not None and row.values.get(model._meta.pk.attname) is None
    if pre_save.has_listeners(model) or _preparers(model, vendor, not auto) is None:
        return model(**row.values)
    return row


def _prepare_instance(
    obj: Model, fields_: tuple[Field[Any, Any], ...], alias: str, db: Any, index: int, later: list[tuple[int, int, Field[Any, Any]]],
) -> list[Any]:
    """What `save()` sends for an instance: `pre_save` (the signal, then each field's) and the conversion."""
    pre_save.send(sender=type(obj), instance=obj, raw=False, using=alias, update_fields=None)
    params = []
    for j, f in enumerate(fields_):
        value = f.pre_save(obj, True)
        if isinstance(value, Later):
            later.append((index, j, f))
            params.append(None)
        else:
            params.append(f.get_db_prep_save(value, connection=db))
    return params


def insert_new(objects: Sequence[Model | NewRow]) -> None:
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
            if isinstance(row.obj, NewRow):
                row.obj.values[row.obj.model._meta.pk.attname] = key
            else:
                row.obj.pk = key
    return values


def _model(obj: Model | NewRow) -> type[Model]:
    return obj.model if isinstance(obj, NewRow) else type(obj)


def _saved(rows: list[_Row]) -> None:
    alias = connection.alias
    for row in rows:
        obj = row.obj
        if isinstance(obj, NewRow):
            model = obj.model
            if not (obj.want_instance or post_save.has_listeners(model)):
                continue
            # As the ORM reads a row back: every column's value, positionally (no defaults to fill in).
            obj.instance = instance = model.from_db(alias, None, [obj.values[f.attname] for f in model._meta.concrete_fields])
        else:
            instance = obj
            instance._state.adding = False
            instance._state.db = alias
            if row.source is not None:
                row.source.instance = instance
                row.source.values.update((f.attname, getattr(instance, f.attname)) for f in type(instance)._meta.concrete_fields)
        post_save.send(sender=type(instance), instance=instance, created=True, update_fields=None, raw=False, using=alias)
