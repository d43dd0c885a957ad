"""Reading the audit trail: a privacy officer reads the rows of their own scope only (policy).

The filters a privacy officer asks "who looked at signal X in March" with: a signal's reference,
a person in a signal (by name), a user by name, an organisation, a kind of action and a period.
Each narrows the scoped rows through an index of `AuditEvent` (models.py), newest first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from ketenzicht.accounts.models import Organisation, Role, User
from ketenzicht.audit.models import AuditEvent
from ketenzicht.core import policy


@dataclass(frozen=True)
class AuditFilter:
    """What the privacy officer asked for; names are resolved to ids before (see below)."""

    reference: str = ""
    subject_ids: tuple[int, ...] = ()
    subject_references: tuple[str, ...] = ()
    actor_ids: tuple[int, ...] = ()
    organisation_id: int | None = None
    action: str = ""
    start: date | None = None
    end: date | None = None  # inclusive
    # True when a name was asked for: a name that matched nothing gives no rows, not all rows.
    by_person: bool = False
    by_actor: bool = False
    used: tuple[str, ...] = field(default=())


def audit_events(user: Any, flt: AuditFilter | None = None) -> QuerySet[AuditEvent]:
    """The rows `user` may read that match `flt`, newest first."""
    qs = policy.audit_entries_visible_to(user, AuditEvent.objects.select_related("organisation", "actor"))
    flt = flt or AuditFilter()
    if flt.reference:
        qs = qs.filter(object_label=flt.reference)
    if flt.by_person:
        qs = qs.filter(
            Q(object_label__in=flt.subject_references) | Q(object_type="subject", object_id__in=[str(i) for i in flt.subject_ids])
        )
    if flt.by_actor:
        qs = qs.filter(actor_id__in=flt.actor_ids)
    if flt.organisation_id is not None:
        qs = qs.filter(organisation_id=flt.organisation_id)
    if flt.action:
        qs = qs.filter(action=flt.action)
    zone = timezone.get_current_timezone()
    if flt.start is not None:
        qs = qs.filter(at__gte=datetime.combine(flt.start, time.min, tzinfo=zone))
    if flt.end is not None:
        qs = qs.filter(at__lt=datetime.combine(flt.end + timedelta(days=1), time.min, tzinfo=zone))
    return qs.order_by("-at", "-id")


def audit_page(qs: QuerySet[AuditEvent], *, number: int, size: int = 100) -> tuple[list[AuditEvent], bool]:
    """One page of rows and whether an older page exists, without counting the whole trail."""
    start = (max(number, 1) - 1) * size
    rows = list(qs[start : start + size + 1])
    return rows[:size], len(rows) > size


def audit_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations whose rows the privacy officer reads: those of their own scope
    (municipality, district or region: `policy.scope_of`, the same scope as the rows)."""
    if not user.has_role(Role.PRIVACY_OFFICER):
        return Organisation.objects.none()
    return Organisation.objects.filter(policy.scope_of(user).organisations()).order_by("name")


def audit_users_named(user: Any, name: str) -> list[int]:
    """Ids of the users of the organisations in the officer's scope whose name contains every word typed."""
    qs = User.objects.filter(organisation__in=audit_organisations(user)).annotate(
        full_name=Concat("first_name", Value(" "), "last_name")
    )
    for word in name.split():
        qs = qs.filter(full_name__icontains=word)
    return list(qs.values_list("pk", flat=True)[:200])


def audit_subjects_named(user: Any, name: str) -> tuple[list[int], list[str]]:
    """Persons of signals in the officer's scope whose name contains every word typed.

    Returns their ids and the references of their signals. Searching is itself a read of
    personal data: the view records it in the audit trail (the filter, never the name).
    """
    from ketenzicht.cases.models import Subject

    if not user.has_role(Role.PRIVACY_OFFICER):
        return [], []
    qs = Subject.objects.filter(policy.scope_of(user).municipalities("case__municipality__"))
    for word in name.split():
        qs = qs.filter(name__icontains=word)
    rows = list(qs.values_list("pk", "case__reference")[:500])
    return [pk for pk, _ in rows], sorted({ref for _, ref in rows})
