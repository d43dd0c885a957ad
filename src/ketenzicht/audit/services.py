"""Writing the audit trail. Called inside the same transaction as the change it records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection

from ketenzicht.audit import chain
from ketenzicht.audit.models import AuditAction, AuditEvent


def _label(actor: Any) -> str:
    # The system actor records which job acted (accounts/system.py).
    job = getattr(actor, "job", "")
    return f"{actor.get_username()} ({job})"[:150] if job else actor.get_username()


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
    """Append one entry; it is sealed into the hash chain right after the commit (audit/chain.py).

    `action` may be `AuditAction.DENIED` for a refused attempt (the policy layer records those).
    """
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    inline = connection.vendor == "sqlite" and connection.in_atomic_block
    if not inline:
        _seal_on_commit()
    row = AuditEvent.objects.create(
        actor=actor if authenticated else None,
        actor_label=_label(actor) if authenticated else "anoniem",
        organisation=getattr(actor, "organisation", None) if authenticated else None,
        action=str(action),
        object_type=object_type,
        object_id=str(object_id),
        object_label=object_label,
        fields=sorted(set(fields)),
        reason=reason[:500],
    )
    if inline:
        chain.seal_inline()
    return row


def _seal_on_commit() -> None:
    # Once per transaction, however many entries it writes.
    if not connection.in_atomic_block:
        transaction_pending = False
    else:
        transaction_pending = any(getattr(item[1], "__name__", "") == "_seal_quietly" for item in connection.run_on_commit)
    if not transaction_pending:
        chain.seal_after_commit()
