"""A row given by its values (core/inserts.NewRow) becomes the parameters `save()` sends for an
instance made of those values (issue 19): generated values of every type the intake's models
hold, each column given or left to its default, on both databases."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models.fields.related import ForeignKey
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases.models import Case, CaseEvent, Channel, Subject, UnannouncedSignal
from ketenzicht.core.inserts import NewRow, insert_prepare

MODELS = (Case, Subject, CaseEvent, AuditEvent, UnannouncedSignal)
NOW = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night the clocks go forward in the Netherlands


def _plain(field: models.Field[Any, Any]) -> st.SearchStrategy[Any]:
    if isinstance(field, ForeignKey):
        return _plain(field.target_field)
    if isinstance(field, models.UUIDField):
        return st.uuids()
    if isinstance(field, models.BooleanField):
        return st.booleans()
    if isinstance(field, models.IntegerField):
        return st.integers(min_value=0 if "Positive" in type(field).__name__ else -(2**31), max_value=2**31 - 1)
    if isinstance(field, models.DateTimeField):
        return st.datetimes(timezones=st.sampled_from([UTC, ZoneInfo("Europe/Amsterdam")]))
    if isinstance(field, models.DateField):
        return st.dates()
    if isinstance(field, models.JSONField):
        return st.lists(st.text(max_size=8), max_size=3) | st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)
    assert isinstance(field, (models.CharField, models.TextField)), field
    # A choices enum is a str of another type: it goes through the field's own conversion.
    return st.text(max_size=getattr(field, "max_length", None) or 40) | st.sampled_from(list(Channel))


def _value(field: models.Field[Any, Any]) -> st.SearchStrategy[Any]:
    return (st.none() | _plain(field)) if field.null else _plain(field)


@st.composite
def rows(draw: Any) -> tuple[type[models.Model], dict[str, Any]]:
    model = draw(st.sampled_from(MODELS))
    optional = {f.attname: _value(f) for f in model._meta.concrete_fields}
    return model, draw(st.fixed_dictionaries({}, optional=optional))


def _comparable(value: Any) -> Any:
    # psycopg's JSON wrapper has no equality of its own.
    return ("json", value.obj) if hasattr(value, "obj") and hasattr(value, "dumps") else value


@settings(max_examples=300, deadline=None)
@given(rows())
def test_a_row_by_value_is_prepared_as_save_prepares_an_instance_of_those_values(row: tuple[type[models.Model], dict[str, Any]]) -> None:
    model, values = row
    # A default that differs at each call (the case's uuid4, a history line's timezone.now) made once for both.
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch("django.utils.timezone.now", return_value=NOW))
        for f in model._meta.concrete_fields:
            if f.has_default() and callable(f.default) and f.default not in (list, dict):
                made = f.default()
                stack.enter_context(mock.patch.object(f, "_get_default", lambda made=made: made))
        instance = model(**values)
        by_instance = insert_prepare([instance]).rows[0]
        new = NewRow(model, dict(values))
        by_value = insert_prepare([new]).rows[0]
    assert by_value.obj is new, "the intake's models need no instance to be prepared"
    assert by_value.head == by_instance.head and by_value.pk_column == by_instance.pk_column
    assert [_comparable(p) for p in by_value.params] == [_comparable(p) for p in by_instance.params]
    # What the defaults and pre_save filled in, the values hold as the instance does.
    for f in model._meta.concrete_fields:
        if f.attname in new.values or f is not model._meta.auto_field:
            assert new.values[f.attname] == getattr(instance, f.attname), f.attname
