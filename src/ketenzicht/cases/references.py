"""Case reference numbers (KZ-2026-000042): one counter per year, without gaps.

The counter's row is locked from taking a number until the intake commits, so a rolled-back
intake gives its number back; `reference_later` takes it inside the case's own insert on
PostgreSQL, so that lock lasts for one statement (issue 19).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from ketenzicht.cases.models import ReferenceCounter
from ketenzicht.core.inserts import Later


def _upsert(returning: str) -> str:
    table = ReferenceCounter._meta.db_table
    return (
        f"INSERT INTO {table} (year, last) VALUES (%s, 1) "  # noqa: S608 - constant table name
        f"ON CONFLICT (year) DO UPDATE SET last = {table}.last + 1 RETURNING {returning}"
    )


def next_reference(now: datetime) -> str:
    """The year's next number in one statement (an upsert that returns it; PostgreSQL and SQLite
    ≥ 3.35): no read-then-write, one round trip. The row stays locked until the intake commits,
    so numbers have no gaps and a rolled-back intake gives its number back."""
    with connection.cursor() as cursor:
        cursor.execute(_upsert("last"), [now.year])
        last = int(cursor.fetchone()[0])
    return f"KZ-{now.year}-{last:06d}"


def reference_later(now: datetime) -> Later:
    """The reference of a new case. On PostgreSQL it is taken in the case's own insert statement
    (the same upsert, formatted as `next_reference` formats it), so the counter's row is locked
    for that one statement; elsewhere the caller fills it in from `next_reference`."""
    formatted = "'KZ-' || year || '-' || lpad(last::text, greatest(6, length(last::text)), '0') AS value"
    return Later(_upsert(formatted), [now.year])
