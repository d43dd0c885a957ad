"""Database triggers that make the audit trail append-only, on PostgreSQL and SQLite.

What the triggers allow, and nothing else:
- INSERT of new entries;
- sealing: an UPDATE that fills an entry's `seq`, `prev_hash` and `entry_hash` while they are
  still empty and changes no other column;
- DELETE of sealed entries whose sequence number a tombstone already covers (the retention
  purge writes the signed tombstone first, `audit/chain.py`).
Tombstones themselves are never updated or deleted; TRUNCATE is refused on both tables.

Only the owner of the tables can drop or disable these triggers. In production the application
connects as a role that owns nothing and has no UPDATE (except the three chain columns),
DELETE or TRUNCATE rights on them (docs/operations.md). `flush` (tests only) lifts them for
the duration of the flush, as the owner, through `lifted()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

EVENT = "audit_auditevent"
TOMBSTONE = "audit_audittombstone"
CONTENT = ("id", "at", "actor_id", "actor_label", "organisation_id", "action", "object_type", "object_id", "object_label", "fields", "reason")

_PG_SAME = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in CONTENT)
# Every name in these statements is a constant of this module (no input reaches them).
POSTGRES_INSTALL = [
    f"""
CREATE OR REPLACE FUNCTION ketenzicht_audit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF OLD.entry_hash IS NULL AND NEW.entry_hash IS NOT NULL AND {_PG_SAME} THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit trail is append-only: UPDATE of entry % refused', OLD.id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.seq IS NOT NULL AND OLD.seq <= COALESCE((SELECT max(up_to_seq) FROM {TOMBSTONE}), 0) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit trail is append-only: DELETE of entry % refused (no tombstone covers it)', OLD.id
    USING ERRCODE = 'insufficient_privilege';
END $$""",
    """
CREATE OR REPLACE FUNCTION ketenzicht_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% on % refused: the audit trail is append-only', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$""",
    f"DROP TRIGGER IF EXISTS audit_event_guard ON {EVENT}",
    f"CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON {EVENT} FOR EACH ROW EXECUTE FUNCTION ketenzicht_audit_guard()",
    f"DROP TRIGGER IF EXISTS audit_event_no_truncate ON {EVENT}",
    f"CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {EVENT} FOR EACH STATEMENT EXECUTE FUNCTION ketenzicht_audit_refuse()",
    f"DROP TRIGGER IF EXISTS audit_tombstone_guard ON {TOMBSTONE}",
    f"CREATE TRIGGER audit_tombstone_guard BEFORE UPDATE OR DELETE ON {TOMBSTONE} FOR EACH ROW EXECUTE FUNCTION ketenzicht_audit_refuse()",
    f"DROP TRIGGER IF EXISTS audit_tombstone_no_truncate ON {TOMBSTONE}",
    f"CREATE TRIGGER audit_tombstone_no_truncate BEFORE TRUNCATE ON {TOMBSTONE} FOR EACH STATEMENT EXECUTE FUNCTION ketenzicht_audit_refuse()",
]

_SQLITE_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT)
SQLITE_TRIGGERS = {
    "audit_event_no_update": f"""
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON {EVENT}
WHEN NOT (OLD.entry_hash IS NULL AND NEW.entry_hash IS NOT NULL AND {_SQLITE_SAME})
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: UPDATE refused'); END""",
    "audit_event_no_delete": f"""
CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON {EVENT}
WHEN OLD.seq IS NULL OR OLD.seq > COALESCE((SELECT max(up_to_seq) FROM {TOMBSTONE}), 0)
BEGIN SELECT RAISE(ABORT, 'audit trail is append-only: DELETE refused (no tombstone covers it)'); END""",
    "audit_tombstone_no_update": f"""
CREATE TRIGGER audit_tombstone_no_update BEFORE UPDATE ON {TOMBSTONE}
BEGIN SELECT RAISE(ABORT, 'audit tombstones are never changed'); END""",
    "audit_tombstone_no_delete": f"""
CREATE TRIGGER audit_tombstone_no_delete BEFORE DELETE ON {TOMBSTONE}
BEGIN SELECT RAISE(ABORT, 'audit tombstones are never removed'); END""",
}


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for statement in POSTGRES_INSTALL:
                cursor.execute(statement)
        elif connection.vendor == "sqlite":
            for name, statement in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(statement)
        else:  # pragma: no cover - the product supports these two
            raise NotImplementedError(f"no audit guard for {connection.vendor}")


def expected_triggers(connection: Any) -> set[str]:
    if connection.vendor == "postgresql":
        return {"audit_event_guard", "audit_event_no_truncate", "audit_tombstone_guard", "audit_tombstone_no_truncate"}
    return set(SQLITE_TRIGGERS)


def installed(connection: Any) -> set[str]:
    """The names of the guard triggers present (for the tests and `audit verify`)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' AND tgrelid IN (%s::regclass, %s::regclass)",
                [EVENT, TOMBSTONE],
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)", [EVENT, TOMBSTONE])
        return {row[0] for row in cursor.fetchall()}


@contextmanager
def lifted(connection: Any) -> Iterator[None]:
    """Lift the guard for a whole-database flush (tests); needs the tables' owner."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in (EVENT, TOMBSTONE):
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    try:
        yield
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for table in (EVENT, TOMBSTONE):
                    cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            install(connection)


def grants_sql(role: str) -> str:
    """The rights of the application's own PostgreSQL role (docs/operations.md).

    Everything on the product's tables, except on the audit trail: INSERT and SELECT, UPDATE
    only of the three chain columns (sealing), no DELETE, no TRUNCATE; the tables stay owned
    by the migration role, so the application can neither drop nor disable the triggers.
    """
    import re

    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError("role: lowercase letters, digits and _ only")
    return "\n".join(
        [
            f"GRANT USAGE ON SCHEMA public TO {role};",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON {EVENT}, {TOMBSTONE} FROM {role};",
            f"GRANT UPDATE (seq, prev_hash, entry_hash) ON {EVENT} TO {role};",
            "-- After each migration that adds tables, run these statements again.",
        ]
    ) + "\n"
