"""Reads for the programme pages and the board report: scoped by the policy, rules from the domain."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from ketenzicht.accounts.models import District, Municipality, Region
from ketenzicht.core import policy
from ketenzicht.domain import programme as rules
from ketenzicht.programme.models import (
    Action,
    ActionOccurrence,
    Function,
    Level,
    Programme,
    TargetGroup,
    Training,
    TrainingAttendance,
    TrainingNeed,
    scope_of,
)

SOON_DAYS = 30


def programmes_for(user: Any) -> QuerySet[Programme]:
    return policy.programmes_visible_to(user, Programme.objects.select_related("municipality", "district", "region"))


def own_area_rank(user: Any, area: Any) -> int:
    """0 for the user's own municipality, 1 for their own district, 2 for the rest: lists and area
    choices open on the user's own area (issue 16 item 7), a district coordinator's on their district."""
    if isinstance(area, Municipality) and area.pk == getattr(user.municipality, "pk", None):
        return 0
    own = user.district
    return 1 if isinstance(area, District) and own is not None and area.pk == own.pk else 2


def programmes_own_first(user: Any) -> list[Programme]:
    """The visible programmes, those of the user's own municipality and district first."""
    return sorted(programmes_for(user), key=lambda p: own_area_rank(user, p.area))


def _object_or_404(queryset: QuerySet[Any], pk: object) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, ValidationError) as exc:  # a malformed id is a missing page
        raise Http404 from exc


def programme_for_view(user: Any, programme_id: object) -> Programme:
    programme = _object_or_404(programmes_for(user), programme_id)
    policy.require(user, "programme.view", programme)
    return programme


def action_for_view(user: Any, action_id: object) -> Action:
    action = _object_or_404(Action.objects.select_related("programme", "pillar", "goal", "owner_organisation", "owner_user"), action_id)
    policy.require(user, "programme.view", action.programme)
    return action


def action_for_update(user: Any, action_id: object) -> Action:
    """The action, if `user` may set its status or complete it (else 403/404 before any form is read)."""
    action = action_for_view(user, action_id)
    policy.require(user, "programme.action_update", action)
    return action


def occurrence_for_update(user: Any, occurrence_id: object) -> ActionOccurrence:
    occurrence = _object_or_404(ActionOccurrence.objects.select_related("action__programme"), occurrence_id)
    policy.require(user, "programme.action_update", occurrence.action)
    return occurrence


def history(action: Action) -> list[rules.StatusEntry]:
    return [rules.StatusEntry(u.at, rules.Rag(u.status) if u.status else None, u.note) for u in action.updates.all()]


@dataclass
class Deadline:
    action: Action
    due: date
    state: rules.DeadlineState
    occurrence: ActionOccurrence | None = None

    @property
    def state_text(self) -> str:
        return rules.DEADLINE_TEXT[self.state]

    @property
    def days_late(self) -> int:
        return rules.days_overdue(self.due, timezone.localdate()) if self.state == rules.DeadlineState.TE_LAAT else 0


@dataclass
class ActionLine:
    action: Action
    next_deadline: Deadline | None
    stale: bool
    last_note: str
    open_late: int  # occurrences or the deadline that are past and not done


@dataclass
class PillarBlock:
    name: str
    actions: list[ActionLine] = field(default_factory=list)


@dataclass
class Overview:
    programme: Programme
    pillars: list[PillarBlock]
    counts: dict[str, int]
    overdue: list[Deadline]
    due_soon: list[Deadline]
    stale: int


def deadlines(actions: list[Action], today: date, *, soon_days: int = SOON_DAYS, until: date | None = None) -> list[Deadline]:
    """Every deadline of these actions up to `until` (default: soon_days ahead), with its state."""
    until = until or today + timedelta(days=soon_days)
    result: list[Deadline] = []
    by_id = {a.pk: a for a in actions}
    for action in actions:
        if not action.recurring and action.due_date is not None and action.due_date <= until:
            result.append(Deadline(action, action.due_date, rules.deadline_state(action.due_date, action.done_on, today, soon_days=soon_days)))
    for occ in ActionOccurrence.objects.filter(action_id__in=by_id, due_date__lte=until).order_by("due_date"):
        action = by_id[occ.action_id]
        result.append(Deadline(action, occ.due_date, rules.deadline_state(occ.due_date, occ.done_on, today, soon_days=soon_days), occ))
    return sorted(result, key=lambda d: (d.due, str(d.action.number)))


def overview(programme: Programme, today: date, *, soon_days: int = SOON_DAYS) -> Overview:
    return overviews([programme], today, soon_days=soon_days)[0]


def overviews(programmes: list[Programme], today: date, *, soon_days: int = SOON_DAYS) -> list[Overview]:
    """The overview of each programme, in the same few queries whatever their number (the index)."""
    if not programmes:
        return []
    actions = list(
        Action.objects.filter(programme__in=programmes)
        .select_related("pillar", "goal", "owner_organisation", "owner_user").prefetch_related("updates")
    )
    # One read of every deadline: the lists need those up to a month ahead, "next" those in the
    # programme's years (a one-off date may lie beyond them).
    horizon = today + timedelta(days=soon_days)
    every = deadlines(actions, today, soon_days=soon_days, until=max(max(date(p.last_year, 12, 31) for p in programmes), horizon))
    actions_of: dict[Any, list[Action]] = defaultdict(list)
    for action in actions:
        actions_of[action.programme_id].append(action)
    deadlines_of: dict[Any, list[Deadline]] = defaultdict(list)
    for d in every:
        deadlines_of[d.action.programme_id].append(d)
    result = []
    for programme in programmes:
        until = max(date(programme.last_year, 12, 31), horizon)
        own = [d for d in deadlines_of[programme.pk] if d.due <= until]
        result.append(_overview(programme, actions_of[programme.pk], own, today))
    return result


def _overview(programme: Programme, actions: list[Action], every: list[Deadline], today: date) -> Overview:
    end = date(programme.last_year, 12, 31)
    overdue = [d for d in every if d.state == rules.DeadlineState.TE_LAAT]
    soon = [d for d in every if d.state == rules.DeadlineState.BINNENKORT]
    late_by_action: dict[Any, int] = defaultdict(int)
    for d in overdue:
        late_by_action[d.action.pk] += 1
    next_open: dict[Any, Deadline] = {}
    for d in every:
        if d.due <= end and d.state != rules.DeadlineState.AFGEROND and d.action.pk not in next_open:
            next_open[d.action.pk] = d
    blocks: dict[str, PillarBlock] = {}
    stale = 0
    for action in actions:
        action.programme = programme  # the lines link back to it; no query per action
        entries = history(action)
        is_stale = rules.is_stale(entries, today) and action.done_on is None
        stale += is_stale
        notes = [e for e in sorted(entries, key=lambda e: e.at, reverse=True) if e.note]
        name = action.pillar.name if action.pillar else "Zonder pijler"
        blocks.setdefault(name, PillarBlock(name)).actions.append(
            ActionLine(action, next_open.get(action.pk), is_stale, notes[0].note if notes else "", late_by_action[action.pk])
        )
    counts = rules.rag_counts(rules.Rag(a.status) if a.status else None for a in actions)
    # Beside the statuses: how many actions are late, whatever status they were last given, so the
    # summary never reads "rood 0" next to actions that are overdue (issue 16 item 7).
    counts["te_laat"] = sum(1 for n in late_by_action.values() if n)
    return Overview(programme, list(blocks.values()), counts, overdue, soon, stale)


def status_in_period(programme: Programme, start: date, end: date) -> dict[str, Any]:
    """Status per action at the end of the period and what changed within it (for the report)."""
    actions = list(programme.actions.select_related("pillar", "owner_organisation").prefetch_related("updates"))
    late: dict[Any, int] = defaultdict(int)
    for d in deadlines(actions, end, until=end):
        if d.state == rules.DeadlineState.TE_LAAT and d.due >= start:
            late[d.action.pk] += 1
    rows = []
    for action in actions:
        entries = history(action)
        at_end = rules.status_on(entries, end)
        at_start = rules.status_on(entries, start - timedelta(days=1))
        rows.append({
            "action": action, "status": at_end.value if at_end else "", "status_text": rules.RAG_TEXT[at_end] if at_end else "Geen status",
            "changed": at_start != at_end, "late": late[action.pk],
        })
    counts = rules.rag_counts(rules.Rag(r["status"]) if r["status"] else None for r in rows)
    counts["te_laat"] = sum(1 for r in rows if r["late"])
    return {"rows": rows, "counts": counts}


# --- training ------------------------------------------------------------------------------------
def _coverages(municipalities: list[Municipality], year: int) -> dict[int, rules.Coverage]:
    """Coverage of each municipality in `year`: two queries, whatever the number of municipalities."""
    ids = [m.pk for m in municipalities]
    groups: dict[int, list[rules.TargetGroup]] = defaultdict(list)
    for g in TargetGroup.objects.filter(municipality_id__in=ids):
        groups[g.municipality_id].append(rules.TargetGroup(g.function, g.headcount, g.yearly_target))
    trained: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        TrainingAttendance.objects.filter(training__municipality_id__in=ids, training__held_on__year=year)
        .values("training__municipality_id", "function").annotate(n=Sum("count")).order_by()
    )
    for r in rows:
        trained[r["training__municipality_id"]][r["function"]] = r["n"]
    return {pk: rules.coverage(groups[pk], trained[pk]) for pk in ids}


def coverage_for(municipality: Municipality, year: int) -> rules.Coverage:
    return _coverages([municipality], year)[municipality.pk]


FUNCTION_LABELS = dict(Function.choices)


def function_label(code: str) -> str:
    return str(FUNCTION_LABELS.get(code, code))


def training_page(user: Any, municipality: Municipality, year: int) -> dict[str, Any]:
    policy.require(user, "training.view", municipality)
    return {
        "municipality": municipality,
        "year": year,
        "coverage": coverage_for(municipality, year),
        "groups": {g.function: g for g in TargetGroup.objects.filter(municipality=municipality)},
        "trainings": Training.objects.filter(municipality=municipality, held_on__year=year).prefetch_related("attendance"),
        "needs": TrainingNeed.objects.filter(municipality=municipality, year=year),
    }


def region_coverage(region: Region, year: int, municipalities: list[Municipality] | None = None) -> list[dict[str, Any]]:
    """Coverage per municipality of the region (only those that set target groups count)."""
    if municipalities is None:
        municipalities = list(Municipality.objects.filter(region=region, on_platform=True).order_by("name"))
    coverages = _coverages(municipalities, year)
    return [{"municipality": m, "coverage": coverages[m.pk]} for m in municipalities]


# --- areas a person may choose -----------------------------------------------------------------
def area_key(area: Any) -> str:
    return f"{scope_of(area)['level']}:{area.pk}"


def area_label(area: Any) -> str:
    return f"{Level(scope_of(area)['level']).label} {area.name}"


def areas_for(user: Any, action: str) -> list[Any]:
    """The municipalities, districts and region for which `user` may take `action`.

    `action`: 'programme.manage' (a new programme), 'report.generate' or 'training.manage'.
    """

    org = user.organisation
    if org is None:
        return []
    candidates: list[Any] = []
    if org.region_id is not None:
        region = org.region
        candidates += [region, *District.objects.filter(region=region).order_by("name")]
        candidates += list(Municipality.objects.filter(region=region, on_platform=True).order_by("name"))
    elif org.municipality_id is not None:
        candidates.append(org.municipality)
    if org.municipality_id is not None and org.municipality not in candidates:
        candidates.append(org.municipality)
    result = []
    for area in candidates:
        if action == "programme.manage":
            probe = Programme(**scope_of(area))
            allowed = policy.can(user, action, probe)
        elif action == "training.manage":
            allowed = isinstance(area, Municipality) and policy.can(user, action, area)
        else:
            allowed = policy.can(user, action, area)
        if allowed:
            result.append(area)
    return sorted(result, key=lambda area: own_area_rank(user, area))


def area_from_key(user: Any, key: str, action: str) -> Any:
    """The area behind a form's choice, only if `user` may take `action` for it (else None)."""
    return next((a for a in areas_for(user, action) if area_key(a) == key), None)


def reports_for(user: Any) -> list[Any]:
    from ketenzicht.programme.models import BoardReport

    org = user.organisation
    if org is None:
        return []
    qs = BoardReport.objects.defer("pdf").select_related("municipality", "district", "region")
    region_id = org.region_id or (org.municipality.region_id if org.municipality_id else None)
    if region_id is None:
        return []
    return [r for r in qs.filter(region_id=region_id) if policy.can(user, "report.view", r)]


def action_table(programme: Programme) -> list[list[str]]:
    """The programme as an action table in the import format (docs/import-formats.md).

    Exported, edited in a spreadsheet and imported again, it updates the same actions: `nr`
    is the key, `wie` is the organisation's name (matched back) or the role text, and the
    `toelichting` is the latest progress note (an import adds it only if it is new).
    """
    from ketenzicht.domain.action_table import OPTIONAL, REQUIRED

    header = ["nr", "pijler", "doel", "actie", "wie", "wanneer", "status", "toelichting"]
    assert set(header) == set(REQUIRED + OPTIONAL)
    rows = [header]
    actions = programme.actions.select_related("pillar", "goal", "owner_organisation").prefetch_related("updates")
    for action in actions:
        notes = [u.note for u in action.updates.all() if u.note]  # newest first (model ordering)
        rows.append([
            action.number, action.pillar.name if action.pillar else "", action.goal.text if action.goal else "", action.what,
            action.owner_organisation.name if action.owner_organisation else action.owner_text, action.when_text,
            action.status, notes[0] if notes else "",
        ])
    return rows
