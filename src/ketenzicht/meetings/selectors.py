"""Reads for the tables: agenda and minutes per participant, action items, throughput.

What a participant sees of an agenda item is cut by ``policy.meeting_field_groups`` (their
organisation's sharing profile); every read of case content writes an audit row naming the
field groups shown, so the privacy officer can see who saw what at which table.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.formats import date_format

from ketenzicht.accounts.models import Municipality
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record_many
from ketenzicht.cases.models import Case, CaseEvent, SubjectRole
from ketenzicht.core import policy
from ketenzicht.domain.case_states import TRANSITIONS, Venue
from ketenzicht.domain.workdays import DueStatus, due_status, working_days_between
from ketenzicht.meetings.models import ActionItem, AgendaItem, Decision, Meeting, Sitting
from ketenzicht.norms.selectors import norms_lookup

GROUP_LABELS = {
    "signaal": "Signaal",
    "locatie": "Locatie",
    "personen": "Betrokken personen",
    "bedrijf": "Bedrijf",
    "verrijking": "Verrijking",
    "melder": "Melder",
    "bijlagen": "Bijlagen",
}


@dataclass
class ItemView:
    """One agenda item as one participant may see it."""

    item: AgendaItem
    number: int
    reference: str
    state_label: str
    groups: tuple[str, ...]
    fields: dict[str, list[tuple[str, str]]]
    decision: Decision | None
    action_items: list[ActionItem] = field(default_factory=list)

    @property
    def sections(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        return [(g, GROUP_LABELS[g], rows) for g, rows in self.fields.items()]

    @property
    def withheld(self) -> list[str]:
        return [GROUP_LABELS[g] for g in GROUP_LABELS if g not in self.groups]

    @property
    def is_theme(self) -> bool:
        """A theme of a regional table: no case, nothing withheld."""
        return self.item.case_id is None and bool(self.item.theme)


def meeting_for(user: Any, meeting_id: object) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("kind", "municipality", "region", "district"), pk=meeting_id)
    policy.require(user, "meeting.view", meeting)
    return meeting


def sitting_for(user: Any, sitting_id: object) -> Sitting:
    sitting = get_object_or_404(Sitting.objects.select_related("meeting__kind", "meeting__municipality", "meeting__region", "meeting__district"), pk=sitting_id)
    policy.require(user, "meeting.view", sitting)
    return sitting


def item_for_chair(user: Any, item_id: object) -> AgendaItem:
    item = get_object_or_404(AgendaItem.objects.select_related("sitting__meeting__kind", "sitting__meeting__municipality", "case"), pk=item_id)
    policy.require(user, "meeting.chair", item)
    return item


def meetings_for(user: Any) -> QuerySet[Meeting]:
    return policy.meetings_visible_to(user, Meeting.objects.select_related("kind", "municipality", "region", "district")).filter(active=True)


def case_extract(case: Case) -> dict[str, list[tuple[str, str]]]:
    """The case file as field groups of (label, value); the groups of domain/sharing.py."""
    subjects = list(case.subjects.all())
    people = [s for s in subjects if s.role != SubjectRole.BEDRIJF]
    companies = [s for s in subjects if s.role == SubjectRole.BEDRIJF]
    extract: dict[str, list[tuple[str, str]]] = {
        "signaal": [
            ("Wat is er gezien", case.description),
            ("Vormen van uitbuiting", ", ".join(case.form_labels)),
            ("Wanneer gezien", date_format(case.observed_on, "DATE_FORMAT") if case.observed_on else "onbekend"),
            ("Minderjarige betrokken", case.get_minor_involved_display()),
            ("Acuut gevaar", "ja" if case.acute_danger else "nee"),
        ],
        "locatie": [
            ("Adres", case.location_address or "—"),
            ("Plaatsomschrijving", case.location_description or "—"),
        ],
        "personen": [
            (s.get_role_display(), ", ".join(v for v in (s.name, s.nationality, s.description) if v) or "—")
            for s in people
        ],
        "bedrijf": [
            ("Bedrijfsnaam", case.company_name or "—"),
            ("KvK-nummer", case.kvk_number or "—"),
            *[("Bedrijf", f"{s.name} {s.kvk_number}".strip()) for s in companies],
        ],
        "verrijking": [
            ("Eerdere sancties", case.earlier_sanctions or "—"),
            ("Aantekeningen", case.enrichment_notes or "—"),
        ],
        "melder": [
            ("Gemeld door", case.reporter_organisation.name if case.reporter_organisation else case.get_channel_display()),
            ("Melder", case.reporter.get_full_name() if case.reporter else "—"),
        ],
        # Counted from the prefetched rows when the list prefetched them (the agenda), else read.
        "bijlagen": [("Aantal bijlagen", str(len(case.attachments.all())))],
    }
    return extract


PURGED_LABEL = "Verwijderd na afloop van de bewaartermijn"


def _item_views(user: Any, sitting: Sitting, purpose: str, *, with_content: bool = True) -> tuple[list[ItemView], int]:
    groups = policy.meeting_field_groups(user, sitting)
    items = list(
        sitting.items.select_related("case__reporter_organisation", "case__reporter", "case__municipality", "decision")
        .prefetch_related("case__subjects", "case__attachments", "decision__action_items__owner_organisation", "decision__action_items__owner")
        .order_by("position", "id")
    )
    # Without the signal group an organisation has no business with the item at all.
    if "signaal" not in groups:
        return [], len(items)
    views = []
    seen: dict[tuple[str, ...], list[tuple[Any, str]]] = {}
    for number, item in enumerate(items, start=1):
        decision = getattr(item, "decision", None)
        if item.case is None and item.theme:  # a theme of a regional table: no case content
            views.append(ItemView(item=item, number=number, reference="", state_label="Thema", groups=groups, fields={}, decision=decision, action_items=list(decision.action_items.all()) if decision else []))
            continue
        if item.case is None:  # purged after its term: the decision stays, the signal is gone
            views.append(ItemView(item=item, number=number, reference=item.case_reference, state_label=PURGED_LABEL, groups=groups, fields={}, decision=decision, action_items=list(decision.action_items.all()) if decision else []))
            continue
        extract = case_extract(item.case) if with_content else {}
        # At a regional table the case's own AF sees it whole, the others per their profile.
        item_groups = policy.agenda_item_field_groups(user, item.case, groups)
        seen.setdefault(item_groups if with_content else ("signaal",), []).append((item.case.pk, item.case.reference))
        views.append(
            ItemView(
                item=item,
                number=number,
                reference=item.case.reference,
                state_label=item.case.state_label,
                groups=item_groups,
                fields={g: extract[g] for g in item_groups if g in extract},
                decision=decision,
                action_items=list(decision.action_items.all()) if decision else [],
            )
        )
    # Who saw which case at the table: one entry per case, written together per set of groups.
    for shown, objects in seen.items():
        audit_record_many(
            actor=user,
            action=AuditAction.VIEW,
            object_type="case",
            objects=objects,
            fields=list(shown),
            reason=f"{sitting.meeting.kind.slug}: {purpose}",
        )
    return views, 0


def agenda_for(user: Any, sitting: Sitting, purpose: str = "agenda") -> tuple[list[ItemView], int]:
    """The agenda as ``user`` may see it, and how many items are hidden from them."""
    return _item_views(user, sitting, purpose)


def minutes_for(user: Any, sitting: Sitting, purpose: str = "notulen") -> tuple[list[ItemView], int]:
    """Decided items only; the minutes show the decision and the signal group, no more."""
    views, hidden = _item_views(user, sitting, purpose)
    return [v for v in views if v.decision is not None], hidden


# --- deadlines on my own pages -------------------------------------------------------------
@dataclass
class Deadline:
    kind: str
    reference: str
    label: str
    due: date
    status: DueStatus
    case_id: Any = None
    action_item: ActionItem | None = None


def action_items_for(user: Any, today: date) -> list[Deadline]:
    """Open action items the user may see (own organisation's, or all of the AF's municipality)."""
    qs = ActionItem.objects.filter(done_at__isnull=True).select_related(
        "owner_organisation", "owner", "decision__item__case", "decision__item__sitting__meeting__kind", "decision__item__sitting__meeting__municipality__region",
        "decision__item__sitting__meeting__region",
    )
    meetings = policy.meetings_visible_to(user, Meeting.objects.all())
    if policy.can(user, "meeting.chair"):
        qs = qs.filter(decision__item__sitting__meeting__in=meetings)
    else:
        qs = qs.filter(decision__item__sitting__meeting__in=meetings).filter(
            Q(owner=user) | Q(owner_organisation_id=user.organisation_id)
        )
    rows = []
    norms_of = norms_lookup()
    for item in qs:
        meeting = item.decision.item.sitting.meeting
        # A regional table's norms are its region's (the meeting carries `region` itself).
        norms = norms_of(meeting.municipality if meeting.municipality_id else meeting)
        agenda_item = item.decision.item
        rows.append(
            Deadline(
                kind="actiepunt",
                reference=agenda_item.case.reference if agenda_item.case else (agenda_item.case_reference or agenda_item.theme),
                label=item.description,
                due=item.due_date,
                status=due_status(item.due_date, today, norms.remind_days_before, norms.calendar),
                action_item=item,
            )
        )
    return sorted(rows, key=lambda r: r.due)


def feedback_due_for(user: Any, today: date) -> list[Deadline]:
    """Decided cases of the AF's municipality whose reporter has not heard back yet."""
    cases = policy.cases_visible_to(user, Case.objects.all())
    decisions = (
        Decision.objects.filter(feedback_due__isnull=False, item__case__in=cases)
        .filter(item__case__feedback_at__isnull=True, item__case__feedback_impossible_reason="")
        .exclude(item__case__state="afgesloten")
        .select_related("item__case__municipality__region")
    )
    rows = []
    norms_of = norms_lookup()
    for decision in decisions:
        norms = norms_of(decision.item.case.municipality)
        rows.append(
            Deadline(
                kind="terugkoppeling",
                reference=decision.item.case.reference,
                label=decision.label,
                due=decision.feedback_due,
                status=due_status(decision.feedback_due, today, norms.remind_days_before, norms.calendar),
                case_id=decision.item.case_id,
            )
        )
    return sorted(rows, key=lambda r: r.due)


# --- throughput (doorlooptijden) -------------------------------------------------------------
TABLE_ACTIONS = [a.value for a, t in TRANSITIONS.items() if t.venue is not Venue.CASE]
OUTCOME_LABELS = {a.value: t.label for a, t in TRANSITIONS.items() if t.venue is not Venue.CASE}


@dataclass
class Duration:
    label: str
    n: int
    median: float | None
    mean: float | None


@dataclass
class Throughput:
    start: date
    end: date
    signals: int
    durations: list[Duration]
    outcomes: list[tuple[str, int]]


def _local(moment: datetime) -> date:
    return timezone.localtime(moment).date()


@dataclass(frozen=True)
class CaseSteps:
    """What happened to one signal at the tables: every table outcome, and when each step was reached."""

    municipality_id: int
    outcomes: list[tuple[str, date]]  # (action, day) of every table decision, in order
    reached: dict[str, tuple[date, int]]  # measure -> (day reached, working days since receipt)


def table_steps(cases: QuerySet[Case]) -> dict[int, CaseSteps]:
    """Per case: the table outcomes and the steps of ``DURATION_LABELS`` with their durations.

    Read by this municipality page (exact, the AF's own) and by the monitor's protected figure
    kinds ``tafeluitkomsten`` and ``doorlooptijden`` (issue 20: every figure that leaves the
    municipality comes from the release).
    """
    from django.db.models import Min

    from ketenzicht.routing.models import Referral

    firsts: dict[Any, dict[str, date]] = {}
    outcomes: dict[Any, list[tuple[str, date]]] = {}
    case_info = {c.pk: (c.municipality_id, _local(c.created_at), c.feedback_at) for c in cases}
    events = CaseEvent.objects.filter(case_id__in=list(case_info), kind="transition").order_by("at", "id")
    for event in events:
        seen = firsts.setdefault(event.case_id, {})
        if event.action in TABLE_ACTIONS:
            seen.setdefault("besluit", _local(event.at))
            outcomes.setdefault(event.case_id, []).append((event.action, _local(event.at)))
        if event.action == "doorverwijzen":  # history from before issue 18 (referral as a state)
            seen.setdefault("doorverwijzing", _local(event.at))
    # A referral is a parallel track now: the first sending of a referral of the case.
    first_sent = Referral.objects.filter(case_id__in=list(case_info), sent_at__isnull=False).values("case_id").annotate(first=Min("sent_at"))
    for row in first_sent:
        seen = firsts.setdefault(row["case_id"], {})
        if "doorverwijzing" not in seen or _local(row["first"]) < seen["doorverwijzing"]:
            seen["doorverwijzing"] = _local(row["first"])
    steps = {}
    for case_id, (municipality_id, intake, feedback_at) in case_info.items():
        seen = dict(firsts.get(case_id, {}))
        if feedback_at is not None:
            seen["terugkoppeling"] = _local(feedback_at)
        reached = {key: (day, working_days_between(intake, day)) for key, day in seen.items()}
        steps[case_id] = CaseSteps(municipality_id, outcomes.get(case_id, []), reached)
    return steps


def _durations_and_outcomes(cases: QuerySet[Case]) -> tuple[dict[str, list[int]], dict[str, int]]:
    durations: dict[str, list[int]] = {key: [] for key in DURATION_LABELS}
    outcomes: dict[str, int] = {}
    for steps in table_steps(cases).values():
        for action, _day in steps.outcomes:
            outcomes[action] = outcomes.get(action, 0) + 1
        for key, (_day, days) in steps.reached.items():
            durations[key].append(days)
    return durations, outcomes


DURATION_LABELS = {
    "besluit": "Van ontvangst tot eerste besluit aan tafel",
    "doorverwijzing": "Van ontvangst tot doorverwijzing",
    "terugkoppeling": "Van ontvangst tot terugkoppeling aan de melder",
}


def _duration_rows(durations: dict[str, list[int]], min_n: int = 1) -> list[Duration]:
    rows = []
    for key, label in DURATION_LABELS.items():
        values = durations[key]
        # Below min_n a median describes (nearly) one case: publish the count only.
        show = len(values) >= max(min_n, 1)
        rows.append(
            Duration(
                label=label,
                n=len(values),
                median=float(statistics.median(values)) if show else None,
                mean=round(statistics.fmean(values), 1) if show else None,
            )
        )
    return rows


def throughput_for_municipality(user: Any, municipality: Municipality, start: date, end: date) -> Throughput:
    policy.require(user, "throughput.view", municipality)
    cases = Case.objects.filter(municipality=municipality, created_at__date__gte=start, created_at__date__lte=end)
    durations, outcomes = _durations_and_outcomes(cases)
    return Throughput(
        start=start,
        end=end,
        signals=cases.count(),
        durations=_duration_rows(durations),
        outcomes=[(OUTCOME_LABELS[a], outcomes.get(a, 0)) for a in TABLE_ACTIONS],
    )
