"""Sealing audit entries into the hash chain, verifying it, and the purge path for old entries.

Why a sealer and not a hash computed at insert: every intake writes an audit row. If each
transaction had to read and lock the chain's head, all writers would queue on that lock from
their audit insert until their commit. Instead an entry is inserted unsealed (the insert takes
no shared lock), and right after the commit a short transaction of its own takes the chain lock
(a PostgreSQL advisory lock; SQLite serialises writers anyway), gives every committed unsealed
entry the next sequence number, its predecessor's hash and its own, and commits. If another
process is sealing at that moment, this one does not wait: the next seal (its own next commit,
any other process's, `ketenzicht audit seal` or `audit verify`) picks the entry up. Under load a process
seals at most once per AUDIT_SEAL_INTERVAL_MS (`_seal_quietly`), taking all the entries since. Until it is
sealed an entry is already protected by the triggers (no UPDATE, no DELETE). On SQLite, whose
writers are serialised by the database anyway, an entry written inside a transaction is sealed
in that same transaction (`seal_inline`) when every commit is to be sealed (interval 0, the
tests): no extra write transaction per request. With an interval (production) SQLite seals as
PostgreSQL does, once per interval after the commits: sealing inside each intake's transaction
held the database's one write lock for a millisecond more per intake (issue 19).

The order of the chain is the order of sealing, which follows commits; `id` order can differ
under concurrency, which is why the chain has its own `seq`.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ketenzicht.audit.models import AuditEvent, AuditTombstone
from ketenzicht.domain import audit_chain

# An arbitrary constant naming the chain's advisory lock on PostgreSQL.
CHAIN_LOCK = 0x4B5A_4155_4449_5400 & 0x7FFF_FFFF_FFFF_FFFF
SEAL_BATCH = 1000
_ROW = ("id", "at", "actor_id", "actor_label", "organisation_id", "action", "object_type", "object_id", "object_label", "fields", "reason")


def audit_key() -> bytes:
    return settings.AUDIT_KEY.encode()


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    values = {name: row[name] for name in _ROW}
    values["at"] = row["at"].isoformat()
    return values


def _lock(wait: bool) -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite: the write transaction (BEGIN IMMEDIATE) already excludes others
    with connection.cursor() as cursor:
        if wait:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
            return True
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [CHAIN_LOCK])
        return bool(cursor.fetchone()[0])


def _head() -> tuple[int, str]:
    last = AuditEvent.objects.filter(seq__isnull=False).order_by("-seq").values("seq", "entry_hash").first()
    if last is not None:
        return int(last["seq"]), str(last["entry_hash"])
    stone = AuditTombstone.objects.order_by("-up_to_seq").values("up_to_seq", "last_hash").first()
    if stone is not None:
        return int(stone["up_to_seq"]), str(stone["last_hash"])
    return 0, audit_chain.GENESIS


def _seal_batch(key: bytes) -> int:
    """Seal up to SEAL_BATCH unsealed entries; the caller holds the chain lock in a transaction."""
    rows = list(AuditEvent.objects.filter(seq__isnull=True).order_by("id").values(*_ROW)[:SEAL_BATCH])
    if not rows:
        return 0
    seq, prev = _head()
    sealed: list[tuple[int, int, str, str]] = []
    for row in rows:
        seq += 1
        digest = audit_chain.entry_hash(key, seq=seq, prev_hash=prev, entry=_entry(row))
        sealed.append((row["id"], seq, prev, digest))
        prev = digest
    # One statement for the batch (a page that shows many objects writes an entry for each);
    # the chain lock keeps every other sealer out, so the rows read above are still unsealed.
    # Plain SQL: the ORM's bulk_update builds a CASE per row and field, which cost more CPU than
    # the hashing (issue 19).
    table = AuditEvent._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s)"] * len(sealed))
    if connection.vendor == "postgresql":
        sql = (
            f"UPDATE {table} AS a SET seq = v.seq::bigint, prev_hash = v.prev, entry_hash = v.digest "  # noqa: S608 - constant table
            f"FROM (VALUES {values}) AS v(id, seq, prev, digest) WHERE a.id = v.id::bigint"
        )
    else:
        sql = (
            f"WITH v(id, seq, prev, digest) AS (VALUES {values}) "  # noqa: S608 - constant table
            f"UPDATE {table} SET seq = (SELECT seq FROM v WHERE v.id = {table}.id), "
            f"prev_hash = (SELECT prev FROM v WHERE v.id = {table}.id), "
            f"entry_hash = (SELECT digest FROM v WHERE v.id = {table}.id) WHERE id IN (SELECT id FROM v)"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in sealed for value in row])
    return len(rows)


def seal_pending(*, wait: bool = False) -> int:
    """Seal every committed unsealed entry; returns how many. Never inside another transaction."""
    sealed = 0
    key = audit_key()
    while True:
        with transaction.atomic():
            if not _lock(wait):
                return sealed
            batch = _seal_batch(key)
            sealed += batch
        if batch < SEAL_BATCH:
            return sealed


def seal_inline() -> None:
    """SQLite only: seal inside the writing transaction, which already holds the database's one
    write lock from its first statement (BEGIN IMMEDIATE); no other writer can interleave, and
    this saves the separate write transaction after the commit."""
    _seal_batch(audit_key())


def seal_after_commit() -> None:
    """Called once per transaction that wrote audit rows (from `audit_record`)."""
    transaction.on_commit(_seal_quietly)


# Under load a process seals at most once per AUDIT_SEAL_INTERVAL_MS: the commits in between
# leave their entries to the next seal (each seal takes every committed unsealed entry), and a
# sealing thread of this process makes that seal happen when the interval ends, also when no
# further request comes. It keeps its own connection, so a seal costs no connection setup. At
# 50 concurrent deliveries this turns six statements and a chain lock per intake into one seal
# per interval (issue 19). 0 seals after every commit (the tests' setting).
_window = threading.Lock()
_state: dict[str, Any] = {"last": 0.0, "due": 0.0, "thread": None, "pid": 0}
_wake = threading.Event()


def _seal_quietly() -> None:
    interval = settings.AUDIT_SEAL_INTERVAL_MS / 1000
    if interval > 0:
        with _window:
            now = time.monotonic()
            if _state["last"] + interval > now:
                _state["due"] = _state["last"] + interval
                _sealer_thread()
                _wake.set()
                return
            _state["last"] = now
    _seal_now()


def _sealer_thread() -> None:
    # Per process: a worker forked from a parent that had one starts its own.
    if _state["thread"] is None or _state["pid"] != os.getpid():
        thread = threading.Thread(target=_sealer_loop, name="audit-sealer", daemon=True)
        _state.update(thread=thread, pid=os.getpid())
        thread.start()


def _sealer_loop() -> None:
    while True:
        _wake.wait()
        _wake.clear()
        time.sleep(max(0.0, _state["due"] - time.monotonic()))
        with _window:
            _state["last"] = time.monotonic()
        _seal_now()
        connection.close_if_unusable_or_obsolete()


def seal_before_exit() -> None:
    """What the sealing thread still had to do, at a normal end of the process."""
    if _wake.is_set() or _state["due"] > _state["last"]:
        _seal_now()


atexit.register(seal_before_exit)


def _seal_now() -> None:
    try:
        seal_pending(wait=False)
    except Exception:  # noqa: BLE001 - sealing later is safe; the request already succeeded
        import logging

        logging.getLogger(__name__).warning("audit sealing postponed", exc_info=True)


@dataclass(frozen=True)
class Verdict:
    checked: int
    unsealed: int
    broken: audit_chain.Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify() -> Verdict:
    """Seal what is pending, then check every tombstone and the whole chain from the anchor."""
    seal_pending(wait=True)
    key = audit_key()
    stones = [
        {**stone, "at": stone["at"].isoformat()}
        for stone in AuditTombstone.objects.order_by("up_to_seq", "id").values("id", "at", "up_to_seq", "last_hash", "count", "rule", "signature")
    ]
    anchor, broken = audit_chain.check_tombstones(key, stones)
    checked = 0
    if broken is None:
        rows = AuditEvent.objects.filter(seq__isnull=False).order_by("seq").values(*_ROW, "seq", "prev_hash", "entry_hash")
        entries = ({**_entry(row), "seq": row["seq"], "prev_hash": row["prev_hash"], "entry_hash": row["entry_hash"]} for row in rows.iterator(chunk_size=2000))
        checked, broken = audit_chain.check_entries(key, anchor, entries)
    unsealed = AuditEvent.objects.filter(seq__isnull=True).count()
    return Verdict(checked=checked, unsealed=unsealed, broken=broken)


def purge_entries_before(*, cutoff: datetime, rule: str) -> int:
    """Remove sealed entries older than `cutoff`, oldest first, behind a signed tombstone.

    The only way an audit entry leaves the database. Runs in one transaction under the chain
    lock; the tombstone goes in first so that the triggers let the deletion through.
    """
    seal_pending(wait=True)
    with transaction.atomic():
        _lock(wait=True)
        # A prefix of the chain: stop at the first entry that is not yet due.
        first_kept = AuditEvent.objects.filter(seq__isnull=False, at__gte=cutoff).order_by("seq").values_list("seq", flat=True).first()
        due = AuditEvent.objects.filter(seq__isnull=False)
        if first_kept is not None:
            due = due.filter(seq__lt=first_kept)
        last = due.order_by("-seq").values("seq", "entry_hash").first()
        if last is None:
            return 0
        count = due.count()
        stone = {"up_to_seq": int(last["seq"]), "last_hash": last["entry_hash"], "count": count, "rule": rule[:100], "at": timezone.now().replace(microsecond=0)}
        signature = audit_chain.tombstone_signature(audit_key(), {**stone, "at": stone["at"].isoformat()})
        AuditTombstone.objects.create(**stone, signature=signature)
        due._raw_delete(due.db)  # no cascade, no signals: nothing refers to an audit entry
    return count
