"""Writing the audit trail. Called inside the same transaction as the change it records."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection

from ketenzicht.audit import chain
from ketenzicht.audit.models import AuditAction, AuditEvent

T = TypeVar("T")


def _label(actor: Any) -> str:
    # The system actor records which job acted (accounts/system.py).
    job = getattr(actor, "job", "")
    return f"{actor.get_username()} ({job})"[:150] if job else actor.get_username()


def _common(*, actor: Any, action: AuditAction | str, object_type: str, fields: Iterable[str], reason: str) -> dict[str, Any]:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return {
        "actor": actor if authenticated else None,
        "actor_label": _label(actor) if authenticated else "anoniem",
        "organisation": getattr(actor, "organisation", None) if authenticated else None,
        "action": str(action),
        "object_type": object_type,
        "fields": sorted(set(fields)),
        "reason": reason[:500],
    }


def _sealed(write: Callable[[], T]) -> T:
    """Run the insert(s), and see that what they wrote gets sealed into the hash chain.

    On SQLite inside a transaction, when every commit is sealed (AUDIT_SEAL_INTERVAL_MS 0), the
    entries are sealed in that same transaction; otherwise right after the commit, at most once
    per interval (audit/chain.py says why).
    """
    inline = connection.vendor == "sqlite" and connection.in_atomic_block and settings.AUDIT_SEAL_INTERVAL_MS == 0
    written = write()
    if inline:
        chain.seal_inline()
    else:
        # After the write: outside a transaction on_commit runs at once, and must see the entry.
        _seal_on_commit()
    return written


def audit_record(
    *,
    actor: Any,
    action: AuditAction | str,
    object_type: str,
    object_id: object,
    object_label: str = "",
    fields: Iterable[str] = (),
    reason: str = "",
) -> AuditEvent:
    """Append one entry; it is sealed into the hash chain (audit/chain.py).

    `action` may be `AuditAction.DENIED` for a refused attempt (the policy layer records those).
    """
    entry = audit_entry(
        actor=actor, action=action, object_type=object_type, object_id=object_id, object_label=object_label, fields=fields, reason=reason
    )
    _sealed(entry.save)
    return entry


def audit_entry(
    *,
    actor: Any,
    action: AuditAction | str,
    object_type: str,
    object_id: object,
    object_label: str = "",
    fields: Iterable[str] = (),
    reason: str = "",
) -> AuditEvent:
    """The entry `audit_record` would write, unsaved: for a service that writes it in one
    statement with its own rows. Write it inside `written_with`, which sees to its seal."""
    common = _common(actor=actor, action=action, object_type=object_type, fields=fields, reason=reason)
    return AuditEvent(object_id=str(object_id), object_label=object_label, **common)


def audit_entry_values(
    *,
    actor: Any,
    action: AuditAction | str,
    object_type: str,
    object_id: object,
    object_label: Any = "",
    fields: Iterable[str] = (),
    reason: str = "",
) -> dict[str, Any]:
    """`audit_entry`'s entry as the values of a new row (core/inserts.NewRow, by column)."""
    common = _common(actor=actor, action=action, object_type=object_type, fields=fields, reason=reason)
    actor, organisation = common.pop("actor"), common.pop("organisation")
    return {
        "object_id": str(object_id), "object_label": object_label, "actor_id": None if actor is None else actor.pk,
        "organisation_id": None if organisation is None else organisation.pk, **common,
    }


def written_with(write: Callable[[], T]) -> T:
    """Run `write`, which inserts entries made by `audit_entry`; they are sealed as audit_record's are."""
    return _sealed(write)


def audit_record_many(
    *,
    actor: Any,
    action: AuditAction | str,
    object_type: str,
    objects: Iterable[tuple[object, str]],
    fields: Iterable[str] = (),
    reason: str = "",
) -> list[AuditEvent]:
    """One entry per (object id, label), written in one query: for a page that shows many objects.

    The entries are those `audit_record` writes, one for each object, sealed into the chain the same way.
    """
    common = _common(actor=actor, action=action, object_type=object_type, fields=fields, reason=reason)
    entries = [AuditEvent(object_id=str(object_id), object_label=label, **common) for object_id, label in objects]
    if not entries:
        return []
    return _sealed(lambda: AuditEvent.objects.bulk_create(entries))


def _seal_on_commit() -> None:
    # Once per transaction, however many entries it writes.
    if not connection.in_atomic_block:
        transaction_pending = False
    else:
        transaction_pending = any(getattr(item[1], "__name__", "") == "_seal_quietly" for item in connection.run_on_commit)
    if not transaction_pending:
        chain.seal_after_commit()


def audit_purge_before(*, cutoff: datetime, rule: str) -> int:
    """Remove sealed entries older than `cutoff` behind a signed tombstone; how many went.

    The retention purge's one way into the trail (audit/chain.py: `purge_entries_before`).
    """
    return chain.purge_entries_before(cutoff=cutoff, rule=rule)
