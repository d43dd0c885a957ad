"""Reading the audit trail (privacy officer only; the view asks the policy module first)."""

from __future__ import annotations

from django.db.models import QuerySet

from ketenzicht.audit.models import AuditEvent


def audit_events(*, object_type: str = "", object_id: str = "", actor: str = "") -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.select_related("organisation")
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor:
        qs = qs.filter(actor_label=actor)
    return qs
