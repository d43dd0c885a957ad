"""Shared counters for rate limits and lockouts: one store for every worker and app server.

Counts live in the database by default (table `core_ratecounter`), or in Redis when `REDIS_URL`
is set. Either way they hold across processes and survive a restart of the application.

Why not Django's database cache: its `incr` is a read followed by a write, so two workers can
both read 4 and both write 5. Here an increment is one atomic statement: an upsert with
`RETURNING` on the database (PostgreSQL and SQLite ≥ 3.35), `INCR` on Redis. On PostgreSQL the
upsert runs with `synchronous_commit` off: a crash may forget the last milliseconds of counts,
which is harmless for abuse protection and keeps the counter row's lock as short as a statement.

Keys name a scope, a client and a window start (`ratelimit:partner:user-7:1764000000`); rows of
windows that have ended are removed by the purge (`sweep_expired`).
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ketenzicht.core import prepared

TABLE = "core_ratecounter"


@functools.cache
def _redis(url: str) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=2)


def _use_redis() -> str:
    return getattr(settings, "REDIS_URL", "") or ""


# A row whose time is up starts again at 1 with a new expiry (as a Redis key would expire).
_UPSERT = (
    f"INSERT INTO {TABLE} (key, count, expires_at) VALUES (%s, 1, %s) "  # noqa: S608 - constant table name
    f"ON CONFLICT (key) DO UPDATE SET "
    f"count = CASE WHEN {TABLE}.expires_at <= %s THEN 1 ELSE {TABLE}.count + 1 END, "
    f"expires_at = CASE WHEN {TABLE}.expires_at <= %s THEN excluded.expires_at ELSE {TABLE}.expires_at END "
    f"RETURNING count"
)


def combinable() -> bool:
    """Whether an increment can ride along in a caller's own statement (`increment_cte`): on
    PostgreSQL outside a transaction, with the counters in the database."""
    return connection.vendor == "postgresql" and not connection.in_atomic_block and not _use_redis()


def increment_cte(key: str, ttl_seconds: int, *, per_row: tuple[str, str, list[Any]] | None = None) -> tuple[str, list[Any]]:
    """`increment` as the CTEs `cfg, counted(count)` of a caller's statement (`combinable()` only).

    One round trip instead of four (BEGIN, SET LOCAL, upsert, COMMIT): the statement is its own
    transaction, and set_config(..., true) is local to it, so it commits asynchronously.

    `per_row` (key expression, `CROSS JOIN … WHERE …`, its parameters) counts a key only for a
    row the caller's source finds, e.g. the account behind a token: `key` is then the
    expression's first parameter. No row, nothing counted (`counted` is empty).
    """
    now = timezone.now()
    key_sql, source, source_params = per_row or ("%s", "WHERE true", [])
    upsert = _UPSERT.replace("VALUES (%s, 1, %s)", f"SELECT {key_sql}, 1, %s FROM cfg {source}")  # noqa: S608 - the callers' constant SQL
    sql = f"cfg AS (SELECT set_config('synchronous_commit', 'off', true)), counted AS ({upsert})"
    return sql, [key, now + timedelta(seconds=ttl_seconds), *source_params, now, now]


def increment(key: str, ttl_seconds: int) -> int:
    """Add one to `key` (kept for `ttl_seconds` after its first hit); the new count."""
    url = _use_redis()
    if url:
        client = _redis(url)
        pipe = client.pipeline()
        pipe.incr(key)
        pipe.expire(key, ttl_seconds, nx=True)
        return int(pipe.execute()[0])
    if combinable():
        ctes, params = increment_cte(key, ttl_seconds)
        return int(prepared.fetchone(f"WITH {ctes} SELECT count FROM counted", params)[0])  # noqa: S608 - constant
    now = timezone.now()
    expires = now + timedelta(seconds=ttl_seconds)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(_UPSERT, [key, expires, now, now])
        return int(cursor.fetchone()[0])


def peek(key: str) -> int:
    url = _use_redis()
    if url:
        value = _redis(url).get(key)
        return int(value) if value is not None else 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count FROM {TABLE} WHERE key = %s AND expires_at > %s", [key, timezone.now()])  # noqa: S608
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def reset(key: str) -> None:
    url = _use_redis()
    if url:
        _redis(url).delete(key)
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE key = %s", [key])  # noqa: S608


def sweep_expired(now: datetime | None = None) -> int:
    """Remove counters of windows that have ended (database store; Redis expires its own)."""
    if _use_redis():
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE expires_at < %s", [now or timezone.now()])  # noqa: S608
        return cursor.rowcount
