"""Statements the busiest path runs on every request, planned once per connection (PostgreSQL).

Measured per partner delivery (issue 19), PostgreSQL spent more CPU planning the intake's few
statements than running them: the municipality lookup 0.43 ms, the account lookup 0.56 ms, the
insert 0.9 ms, each planned anew because Django binds parameters on the client and so never
prepares. `fetchone` runs a statement as a prepared statement with its parameters sent apart
(server-side binding, adapted by the connection's own adapters): the server keeps its plan for
the connection, and the driver no longer re-parses the text for placeholders.

Off with DB_PREPARE_INSERTS=0 (settings; a connection pooler in transaction mode without
prepared statements): the statements then go as any other. SQLite always takes them as they are.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.db import connection

_PLACEHOLDER = re.compile(r"%s")


@lru_cache(maxsize=256)
def numbered(sql: str) -> str:
    """`%s` placeholders as PostgreSQL's own `$1, $2, …` (the text holds no other `%`)."""
    counter = iter(range(1, sql.count("%s") + 1))
    return _PLACEHOLDER.sub(lambda _m: f"${next(counter)}", sql)


class _Text:
    __slots__ = ("query",)

    def __init__(self, query: bytes) -> None:
        self.query = query


@cache
def _cursor_class() -> type[Any]:
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


def _cursor() -> Any:
    """A Django cursor (query logging, execute wrappers) over a PreparedCursor."""
    connection.ensure_connection()
    return connection._prepare_cursor(_cursor_class()(connection.connection))


def fetchone(sql: str, params: list[Any]) -> Any:
    """The first row of `sql` (with `%s` placeholders), prepared on PostgreSQL."""
    if connection.vendor == "postgresql" and settings.DB_PREPARE_INSERTS:
        with _cursor() as cursor:
            cursor.execute(numbered(sql), params)
            return cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
