"""Reads of case files. Every read of personal data goes through here and is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases.models import Case
from ketenzicht.core import policy
from ketenzicht.domain.lifecycles import referral as referral_lifecycle
from ketenzicht.domain.lifecycles.case import GROUPS, MACHINE, CaseState

OPEN_STATES = MACHINE.values(GROUPS.open)
WAITING_STATES = MACHINE.values(GROUPS.waiting)
# A case whose referral is with a partner waits for that partner (the parallel track).
WAITING = Q(state__in=WAITING_STATES) | Q(
    state__in=OPEN_STATES, referrals__state__in=referral_lifecycle.MACHINE.values(referral_lifecycle.WITH_PARTNER)
)


@dataclass
class QueueFilters:
    view: str = "nieuw"  # nieuw | mijn | wachtend | te_laat | alle
    form: str = ""
    state: str = ""
    minor: str = ""
    age: str = ""  # days since intake: "7" | "30" | "90+"


def work_queue(user: Any, filters: QueueFilters, today: date) -> QuerySet[Case]:
    qs = policy.cases_visible_to(user, Case.objects.select_related("municipality", "assigned_to"))
    if filters.view == "nieuw":
        qs = qs.filter(state=CaseState.ONTVANGEN)
    elif filters.view == "mijn":
        qs = qs.filter(assigned_to=user, state__in=OPEN_STATES)
    elif filters.view == "wachtend":
        qs = qs.filter(pk__in=Case.objects.filter(WAITING).values("pk"))
    elif filters.view == "te_laat":
        qs = qs.filter(state=CaseState.ONTVANGEN, first_assessment_due__lt=today)
    if filters.form:
        qs = qs.filter(**{f"form_{filters.form}": True})
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.minor:
        qs = qs.filter(minor_involved=filters.minor)
    if filters.age:
        from datetime import timedelta

        days = int(filters.age.rstrip("+"))
        cutoff = today - timedelta(days=days)
        qs = qs.filter(created_at__date__lt=cutoff) if filters.age.endswith("+") else qs.filter(created_at__date__gte=cutoff)
    return qs.order_by("first_assessment_due", "created_at")


def queue_counts(user: Any, today: date) -> dict[str, int]:
    qs = policy.cases_visible_to(user, Case.objects.all())
    return {
        "nieuw": qs.filter(state=CaseState.ONTVANGEN).count(),
        "mijn": qs.filter(assigned_to=user, state__in=OPEN_STATES).count(),
        "wachtend": qs.filter(pk__in=Case.objects.filter(WAITING).values("pk")).count(),
        "te_laat": qs.filter(state=CaseState.ONTVANGEN, first_assessment_due__lt=today).count(),
    }


def case_for_work(user: Any, case_id: object, *, purpose: str = "dossier") -> Case:
    """The case file for the AF: checks the policy and writes the audit row for this view."""
    case = get_object_or_404(Case.objects.select_related("municipality", "assigned_to", "reporter_organisation"), pk=case_id)
    policy.require(user, "case.view", case)
    audit_record(actor=user, action=AuditAction.VIEW, object_type="case", object_id=case.pk, object_label=case.reference, fields=["signaal", "betrokkenen", "verrijking"], reason=purpose)
    return case


def own_report(user: Any, case_id: object) -> Case:
    case = get_object_or_404(Case.objects.select_related("municipality"), pk=case_id)
    policy.require(user, "case.view_own_report", case)
    audit_record(actor=user, action=AuditAction.VIEW, object_type="case", object_id=case.pk, object_label=case.reference, fields=["eigen_melding"])
    return case


def related_cases(case: Case) -> list[tuple[Case, list[str]]]:
    """Earlier signals on the same address, company or person, within the same municipality."""
    subjects = list(case.subjects.all())
    name_keys = [s.name_key for s in subjects if s.name_key]
    subject_kvks = [s.kvk_number for s in subjects if s.kvk_number]
    kvks = [k for k in [case.kvk_number, *subject_kvks] if k]
    condition = Q(pk__in=[])
    if case.address_key:
        condition |= Q(address_key=case.address_key)
    if kvks:
        condition |= Q(kvk_number__in=kvks) | Q(subjects__kvk_number__in=kvks)
    if name_keys:
        condition |= Q(subjects__name_key__in=name_keys)
    candidates = (
        Case.objects.filter(condition, municipality_id=case.municipality_id)
        .exclude(pk=case.pk)
        .prefetch_related("subjects")
        .distinct()
        .order_by("-created_at")[:20]
    )
    result = []
    for other in candidates:
        reasons = []
        if case.address_key and other.address_key == case.address_key:
            reasons.append("zelfde adres")
        other_kvks = {other.kvk_number, *(s.kvk_number for s in other.subjects.all())} - {""}
        if other_kvks & set(kvks):
            reasons.append("zelfde bedrijf (KvK)")
        if {s.name_key for s in other.subjects.all()} & set(name_keys):
            reasons.append("zelfde persoon (naam en geboortedatum)")
        result.append((other, reasons))
    return result
