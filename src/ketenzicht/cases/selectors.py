"""Reads of case files. Every read of personal data goes through here and is audited."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from ketenzicht.accounts.models import Municipality
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record, audit_record_many
from ketenzicht.cases.models import Case, CaseEvent, CaseTransfer, SavedQueueFilter, Subject
from ketenzicht.core import policy
from ketenzicht.domain.lifecycles import referral as referral_lifecycle
from ketenzicht.domain.lifecycles.case import GROUPS, MACHINE, CaseState
from ketenzicht.domain.matching import address_key

OPEN_STATES = MACHINE.values(GROUPS.open)
WAITING_STATES = MACHINE.values(GROUPS.waiting)
# A case whose referral is with a partner waits for that partner (the parallel track). Asked of
# each case in the queue (EXISTS), not as a list of every waiting case of every municipality
# (`pk__in`): that list cost the queue's tab count 105 ms at 100,000 cases on SQLite (issue 19).
WAITING = Q(state__in=WAITING_STATES) | (
    Q(state__in=OPEN_STATES)
    & Q(Exists(Case.objects.filter(pk=OuterRef("pk"), referrals__state__in=referral_lifecycle.MACHINE.values(referral_lifecycle.WITH_PARTNER))))
)


# A case handed over from another municipality carries one of these history rows: forwarded by
# the beheerder from a municipality off the platform, or transferred by another municipality.
TRANSFER_EVENT_KINDS = ("doorgestuurd", "overgedragen")
# A transfer between municipalities (issue 14, cases.services.case_transfer) is a transition of
# the case's machine: its history row is kind "transition" with this action.
TRANSFER_TRANSITION_ACTIONS = ("overdragen",)
# A partner answered a referral of the case: accepted, declined or finished it with feedback.
ANSWERED_REFERRAL_STATES = ("geaccepteerd", "afgewezen", "afgerond")
# The orders a user can choose for the queue; the first is the default (what is due first).
QUEUE_SORTS: dict[str, tuple[str, ...]] = {
    "termijn": ("first_assessment_due", "created_at"),
    "nieuwste": ("-created_at",),
    "oudste": ("created_at",),
    "kenmerk": ("reference",),
    "status": ("state", "-created_at"),
}
PAGE_SIZE = 25
MIN_SEARCH = 2


@dataclass
class QueueFilters:
    view: str = "nieuw"  # nieuw | mijn | wachtend | te_laat | alle
    form: str = ""
    state: str = ""
    minor: str = ""
    age: str = ""  # days since intake: "7" | "30" | "90+"
    search: str = ""  # reference, address, company or person (at least MIN_SEARCH characters)
    sort: str = "termijn"


def _search(qs: QuerySet[Case], term: str) -> QuerySet[Case]:
    """Cases whose reference, address, company or a person in it matches the term.

    Applied to the cases the person may see, row by row (a person through EXISTS): a subquery
    over every case of every municipality scanned all of them and their persons for each
    search (607 ms at 100,000 cases, issue 19); the AF's own municipality is a small part.
    """
    term = term.strip()
    compact = term.replace(" ", "")
    persons = Subject.objects.filter(case=OuterRef("pk")).filter(Q(name__icontains=term) | Q(kvk_number=compact))
    condition = (
        Q(reference__icontains=term)
        | Q(location_address__icontains=term)
        | Q(location_description__icontains=term)
        | Q(company_name__icontains=term)
        | Q(kvk_number=compact)
        | Exists(persons)
    )
    key = address_key(term)
    if key:
        condition |= Q(address_key=key)
    return qs.filter(condition)


def _with_flags(qs: QuerySet[Case]) -> QuerySet[Case]:
    """Per row, in the same query: handed over from elsewhere, and a partner answered."""
    return qs.annotate(
        transferred=Exists(
            CaseEvent.objects.filter(case=OuterRef("pk")).filter(
                Q(kind__in=TRANSFER_EVENT_KINDS) | Q(kind="transition", action__in=TRANSFER_TRANSITION_ACTIONS)
            )
        ),
        partner_answered=Exists(Case.objects.filter(pk=OuterRef("pk"), referrals__state__in=ANSWERED_REFERRAL_STATES)),
    )


def _last_transfer_from() -> Subquery:
    """Name of the municipality that last handed the case on (the queue marks it as transferred)."""
    latest = CaseTransfer.objects.filter(case=OuterRef("pk")).order_by("-at", "-pk")
    return Subquery(latest.values("from_municipality__name")[:1])


def work_queue(user: Any, filters: QueueFilters, today: date) -> QuerySet[Case]:
    qs = policy.cases_visible_to(user, Case.objects.select_related("municipality", "assigned_to"))
    qs = qs.annotate(transferred_from=_last_transfer_from())
    if filters.view == "nieuw":
        qs = qs.filter(state=CaseState.ONTVANGEN)
    elif filters.view == "mijn":
        qs = qs.filter(assigned_to=user, state__in=OPEN_STATES)
    elif filters.view == "wachtend":
        qs = qs.filter(WAITING)
    elif filters.view == "te_laat":
        qs = qs.filter(state=CaseState.ONTVANGEN, first_assessment_due__lt=today)
    if filters.form:
        qs = qs.filter(**{f"form_{filters.form}": True})
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.minor:
        qs = qs.filter(minor_involved=filters.minor)
    if filters.age:
        days = int(filters.age.rstrip("+"))
        cutoff = today - timedelta(days=days)
        qs = qs.filter(created_at__date__lt=cutoff) if filters.age.endswith("+") else qs.filter(created_at__date__gte=cutoff)
    if len(filters.search.strip()) >= MIN_SEARCH:
        # The cases found, first and on their own: a text match's selectivity is unknown to the
        # planner, which then computed the page's flags for every case (issue 19); with the ids
        # known, the page and its count read only those.
        qs = qs.filter(pk__in=list(_search(qs, filters.search).order_by().values_list("pk", flat=True)))
    return _with_flags(qs).order_by(*QUEUE_SORTS.get(filters.sort, QUEUE_SORTS["termijn"]), "pk")


def queue_page(user: Any, filters: QueueFilters, today: date, page: object) -> Page:
    """One page of the queue. A search is a read of personal data: each case found is audited."""
    paginator = Paginator(work_queue(user, filters, today), PAGE_SIZE)
    result = paginator.get_page(page)
    if len(filters.search.strip()) >= MIN_SEARCH:
        found = [(case.pk, case.reference) for case in result.object_list]
        audit_record_many(actor=user, action=AuditAction.VIEW, object_type="case", objects=found, fields=["zoekresultaat"], reason="zoeken in de werkvoorraad")
        if not found:
            audit_record(actor=user, action=AuditAction.VIEW, object_type="werkvoorraad", object_id="zoeken", fields=["zoekresultaat"], reason="zoeken in de werkvoorraad (niets gevonden)")
    return result


def colleague_afs(user: Any) -> QuerySet[Any]:
    """The aandachtsfunctionarissen of the user's own municipality (the user included): who may take a case."""
    from django.contrib.auth import get_user_model

    org = user.organisation
    if org is None or org.municipality_id is None or not policy.can(user, "case.assign"):
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(is_active=True, organisation__municipality_id=org.municipality_id, roles__role="aandachtsfunctionaris")
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


def queue_counts(user: Any, today: date) -> dict[str, int]:
    qs = policy.cases_visible_to(user, Case.objects.all())
    return {
        "nieuw": qs.filter(state=CaseState.ONTVANGEN).count(),
        "mijn": qs.filter(assigned_to=user, state__in=OPEN_STATES).count(),
        "wachtend": qs.filter(WAITING).count(),
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


def saved_filters(user: Any) -> list[Any]:
    return [(f, urlencode(f.query)) for f in SavedQueueFilter.objects.filter(user=user)]


def cases_for_bulk(user: Any, ids: list[str]) -> list[Case]:
    """The ticked cases of the queue that the user may work on (others are silently not there)."""
    valid = []
    for value in ids:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    return list(policy.cases_visible_to(user, Case.objects.filter(pk__in=valid)).order_by("reference"))


def transfers_sent(user: Any) -> QuerySet[CaseTransfer]:
    """The traces of cases the user's municipality handed on: no contents, only the trace."""
    policy.require(user, "case.transfer_trace")
    return policy.transfers_visible_to(user, CaseTransfer.objects.select_related("to_municipality", "by"))


def transferred_from(case: Case) -> CaseTransfer | None:
    """The last transfer that brought this case to its municipality (shown on the case page)."""
    return case.transfers.select_related("from_municipality").filter(to_municipality_id=case.municipality_id).first()


def transfer_choices(case: Case) -> list[Municipality]:
    """Municipalities on the platform a case can go to: with an active AF, not the case's own."""
    from ketenzicht.accounts.selectors import municipalities_with_af

    return list(municipalities_with_af().exclude(pk=case.municipality_id).order_by("name"))


# --- hit/no-hit across the region (issue 14 item 2) -------------------------------------------
@dataclass
class RegionHit:
    """That another municipality of the region has a matching signal, and nothing of it.

    `case_id` identifies the other case for the contact request only (never shown); what the AF
    reads is the municipality, the year, open or closed, and what matched.
    """

    case_id: Any
    municipality: str
    year: int
    open: bool
    matched_on: list[str]
    request: Any = None


def _case_keys(case: Case) -> dict[str, Any]:
    from ketenzicht.domain.matching import company_name_key

    subjects = list(case.subjects.all())
    return {
        "address": case.address_key,
        "kvks": {k for k in [case.kvk_number, *(s.kvk_number for s in subjects)] if k},
        "company": company_name_key(case.company_name) if case.company_name else "",
        "persons": [(s.name, s.birth_date) for s in subjects if s.name.strip() and s.birth_date is not None],
    }


def hit_reasons(keys: dict[str, Any], other: Case) -> list[str]:
    """What `other` shares with a case whose keys are `keys` (domain.matching rules)."""
    from ketenzicht.domain.matching import company_name_key, same_person

    subjects = list(other.subjects.all())
    reasons = []
    if keys["address"] and other.address_key == keys["address"]:
        reasons.append("adres")
    other_kvks = {k for k in [other.kvk_number, *(s.kvk_number for s in subjects)] if k}
    if (keys["kvks"] & other_kvks) or (keys["company"] and other.company_name and company_name_key(other.company_name) == keys["company"]):
        reasons.append("bedrijf")
    if any(same_person(n, b, s.name, s.birth_date) for n, b in keys["persons"] for s in subjects):
        reasons.append("persoon")
    return reasons


def region_hits(case: Case) -> list[RegionHit]:
    """Signals in the other municipalities of the case's region that match it (verwijsindex-like)."""
    from ketenzicht.cases.models import ContactRequest

    region_id = case.municipality.region_id
    keys = _case_keys(case)
    if region_id is None or not (keys["address"] or keys["kvks"] or keys["company"] or keys["persons"]):
        return []
    block = Q(pk__in=[])
    if keys["address"]:
        block |= Q(address_key=keys["address"])
    if keys["kvks"]:
        block |= Q(kvk_number__in=keys["kvks"]) | Q(subjects__kvk_number__in=keys["kvks"])
    if keys["company"]:
        block |= Q(company_name__icontains=keys["company"].split()[0])
    if keys["persons"]:
        block |= Q(subjects__birth_date__in=[b for _n, b in keys["persons"]])
    candidates = (
        Case.objects.filter(block, municipality__region_id=region_id)
        .exclude(municipality_id=case.municipality_id)
        .exclude(state=CaseState.SAMENGEVOEGD)
        .select_related("municipality")
        .prefetch_related("subjects")
        .distinct()
        .order_by("-created_at")[:50]
    )
    requests = {r.to_case_id: r for r in ContactRequest.objects.filter(from_case=case).order_by("requested_at")}
    hits = []
    for other in candidates:
        reasons = hit_reasons(keys, other)
        if reasons:
            hits.append(RegionHit(other.pk, other.municipality.name, other.created_at.year, other.state in OPEN_STATES, reasons, requests.get(other.pk)))
    return hits


def contact_requests_for(user: Any) -> QuerySet[Any]:
    """The contact requests the user's municipality received or sent (no case contents)."""
    from ketenzicht.cases.models import ContactRequest

    return policy.contact_requests_visible_to(
        user, ContactRequest.objects.select_related("from_case__municipality", "to_municipality", "to_case", "requested_by", "decided_by")
    )


def contact_request_to_answer(user: Any, request_id: object) -> Any:
    """A request the user's municipality received: only its AF reads and answers it."""
    from ketenzicht.cases.models import ContactRequest

    request = get_object_or_404(ContactRequest.objects.select_related("from_case__municipality", "to_case", "requested_by", "to_municipality"), pk=request_id)
    policy.require(user, "case.contact_answer", request)
    return request
