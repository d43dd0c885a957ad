"""Writing the audit trail. Called inside the same transaction as the change it records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

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
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
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

    The entries are those `audit_record` writes, one for each object.
    """
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    common = {
        "actor": actor if authenticated else None,
        "actor_label": _label(actor) if authenticated else "anoniem",
        "organisation": getattr(actor, "organisation", None) if authenticated else None,
        "action": str(action),
        "object_type": object_type,
        "fields": sorted(set(fields)),
        "reason": reason[:500],
    }
    entries = [AuditEvent(object_id=str(object_id), object_label=label, **common) for object_id, label in objects]
    return AuditEvent.objects.bulk_create(entries) if entries else []
