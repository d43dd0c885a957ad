"""Reading the audit trail: a privacy officer reads the rows of their own scope only (policy).

Every search is backed by an index that also gives the order (newest first), so a page of a
trail of ten million entries reads about a page of rows: by reference (`object_label`, at), by
user (`actor_label`, at), by object (`object_type`, `object_id`) and by date range (at).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from ketenzicht.audit.models import AuditEvent
from ketenzicht.core import policy


def audit_events(
    user: Any, *, object_type: str = "", object_id: str = "", actor: str = "", reference: str = "",
    since: date | None = None, until: date | None = None,
) -> QuerySet[AuditEvent]:
    qs = policy.audit_entries_visible_to(user, AuditEvent.objects.select_related("organisation"))
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor:
        qs = qs.filter(actor_label=actor)
    if reference:
        qs = qs.filter(object_label=reference)
    if since is not None:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until is not None:
        qs = qs.filter(at__lt=timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min)))
    return qs


def audit_page(qs: QuerySet[AuditEvent], number: int, size: int = 100) -> tuple[list[AuditEvent], bool]:
    """One page, newest first, and whether an older page exists — without counting the trail
    (a COUNT over millions of entries costs more than the page itself)."""
    start = (max(number, 1) - 1) * size
    rows = list(qs.order_by("-at", "-id")[start : start + size + 1])
    return rows[:size], len(rows) > size
