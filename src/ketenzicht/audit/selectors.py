"""Reading the audit trail: a privacy officer reads the rows of their own scope only (policy)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ketenzicht.audit.models import AuditEvent
from ketenzicht.core import policy


def audit_events(user: Any, *, object_type: str = "", object_id: str = "", actor: str = "") -> QuerySet[AuditEvent]:
    qs = policy.audit_entries_visible_to(user, AuditEvent.objects.select_related("organisation"))
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor:
        qs = qs.filter(actor_label=actor)
    return qs
