"""Small SQL expressions the ORM lacks, one spelling per database."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Func


class UuidText(Func):
    """A UUID column as the text `str(uuid)` gives (lower case, with dashes).

    For matching ids stored as text (the audit trail's object_id) with a subquery instead of a
    list of ids in the statement: the privacy officer's scope held every case id of a
    municipality (27,000 in the region benchmark), which cost a quarter of a second to send and
    plan, and would pass SQLite's limit on parameters in a larger one (issue 19).
    """

    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql})::text", list(params)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        # Django stores a UUID on SQLite as 32 hex digits without dashes.
        sql, params = compiler.compile(self.source_expressions[0])
        parts = "||'-'||".join(f"substr({sql}, {start}, {length})" for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12)))
        return f"lower({parts})", list(params) * 5
