"""Every change to programmes, actions and training: one function per change, in one transaction
with its audit row, after asking the policy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ketenzicht.accounts.models import District, Municipality, Organisation, Region
from ketenzicht.accounts.system import system_actor
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.core import policy
from ketenzicht.core.errors import ServiceError, TransitionRefused
from ketenzicht.domain import programme as rules
from ketenzicht.domain.action_table import ActionRow, parse_action_table
from ketenzicht.domain.errors import LocatedInputError
from ketenzicht.domain.lifecycles import programme_action as rules_lifecycle
from ketenzicht.domain.lifecycles.base import TransitionNotAllowed
from ketenzicht.programme.models import (
    Action,
    ActionImport,
    ActionOccurrence,
    ActionUpdate,
    BoardReport,
    Function,
    Goal,
    GoalKind,
    Pillar,
    Programme,
    TargetGroup,
    Training,
    TrainingAttendance,
    TrainingNeed,
    scope_of,
)


class ProgrammeError(ServiceError):
    """A change that cannot be made; the message says why, in Dutch."""


def scope_fields(area: Municipality | District | Region) -> dict[str, Any]:
    """level/municipality/district/region for an area, as ScopedModel stores it."""
    if isinstance(area, Municipality) and area.region_id is None:
        raise ProgrammeError("Deze gemeente hoort bij geen regio in Ketenzicht.")
    return scope_of(area)


# --- programmes ----------------------------------------------------------------------------------
def programme_create(
    *, actor: Any, area: Municipality | District | Region, name: str, first_year: int, last_year: int, description: str = ""
) -> Programme:
    programme = Programme(name=name.strip(), first_year=first_year, last_year=last_year, description=description.strip(), created_by=actor, **scope_fields(area))
    policy.require(actor, "programme.manage", programme)
    if not programme.name:
        raise ProgrammeError("Geef het programma een naam.")
    if last_year < first_year:
        raise ProgrammeError("Het laatste jaar ligt vóór het eerste jaar.")
    if last_year - first_year > 10:
        raise ProgrammeError("Een programma loopt hoogstens elf jaar; splits het op.")
    with transaction.atomic():
        programme.save()
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="programme", object_id=programme.pk, object_label=programme.name)
    return programme


def programme_edit(*, actor: Any, programme: Programme, name: str, first_year: int, last_year: int, description: str = "") -> Programme:
    """Rename or re-time a programme; occurrences of recurring actions follow the new years."""
    policy.require(actor, "programme.manage", programme)
    if not name.strip():
        raise ProgrammeError("Geef het programma een naam.")
    if last_year < first_year or last_year - first_year > 10:
        raise ProgrammeError("Kies een looptijd van hoogstens elf jaar, met het laatste jaar niet vóór het eerste.")
    with transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        changed = [f for f, v in (("name", name.strip()), ("first_year", first_year), ("last_year", last_year), ("description", description.strip())) if getattr(locked, f) != v]
        locked.name, locked.first_year, locked.last_year, locked.description = name.strip(), first_year, last_year, description.strip()
        locked.save()
        if {"first_year", "last_year"} & set(changed):
            # Open occurrences outside the new years go; missing ones inside are added.
            ActionOccurrence.objects.filter(action__programme=locked, done_on__isnull=True).exclude(
                due_date__year__gte=first_year, due_date__year__lte=last_year
            ).delete()
            for action in locked.actions.filter(recurring=True):
                occurrences_generate(action)
        if changed:
            audit_record(actor=actor, action=AuditAction.UPDATE, object_type="programme", object_id=locked.pk, fields=changed)
    return locked


def pillar_for(programme: Programme, name: str) -> Pillar | None:
    name = " ".join(name.split())
    if not name:
        return None
    pillar = Pillar.objects.filter(programme=programme, name__iexact=name).first()
    if pillar is None:
        position = Pillar.objects.filter(programme=programme).count() + 1
        pillar = Pillar.objects.create(programme=programme, name=name, position=position)
    return pillar


def goal_for(pillar: Pillar | None, text: str, kind: str = GoalKind.OPERATIONEEL) -> Goal | None:
    text = " ".join(text.split())
    if pillar is None or not text:
        return None
    goal = Goal.objects.filter(pillar=pillar, text__iexact=text).first()
    if goal is None:
        goal = Goal.objects.create(pillar=pillar, text=text, kind=kind, position=pillar.goals.count() + 1)
    return goal


# --- actions -------------------------------------------------------------------------------------
@dataclass
class ActionInput:
    what: str
    when_text: str
    pillar: str = ""
    goal: str = ""
    number: str = ""
    owner_organisation: Organisation | None = None
    owner_text: str = ""
    owner_user: Any = None
    status: str = ""
    note: str = ""
    goal_kind: str = GoalKind.OPERATIONEEL


def _apply_when(action: Action, when_text: str) -> rules.When:
    try:
        when = rules.parse_when(when_text)
    except rules.ProgrammeInputError as exc:
        raise ProgrammeError(str(exc)) from exc
    action.when_text = when_text.strip()
    action.due_date = when.due
    action.recurring = when.kind == rules.WhenKind.TERUGKEREND
    if action.recurring:
        action.done_on = None
    return when


def action_create(*, actor: Any, programme: Programme, data: ActionInput) -> Action:
    policy.require(actor, "programme.manage", programme)
    if not data.what.strip():
        raise ProgrammeError("Beschrijf wat er gedaan wordt.")
    with transaction.atomic():
        pillar = pillar_for(programme, data.pillar)
        action = Action(
            programme=programme, pillar=pillar, goal=goal_for(pillar, data.goal, data.goal_kind or GoalKind.OPERATIONEEL), number=data.number.strip(),
            what=data.what.strip(), owner_organisation=data.owner_organisation, owner_text=data.owner_text.strip(),
            owner_user=data.owner_user,
        )
        when = _apply_when(action, data.when_text)
        if action.number and Action.objects.filter(programme=programme, number=action.number).exists():
            raise ProgrammeError(f"Nummer {action.number} bestaat al in dit programma.")
        action.save()
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="action", object_id=action.pk, object_label=str(action)[:100])
        occurrences_generate(action, when)
        step = _step_for("", data.status, data.note)
        if step is not None:
            action_status_transition(actor=actor, action=action, step=step, note=data.note)
    return action


def action_edit(*, actor: Any, action: Action, data: ActionInput) -> Action:
    """Change what/who/when; a changed 'when' regenerates the open occurrences."""
    policy.require(actor, "programme.manage", action.programme)
    if not data.what.strip():
        raise ProgrammeError("Beschrijf wat er gedaan wordt.")
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        before = {f: getattr(locked, f) for f in ("what", "when_text", "owner_organisation_id", "owner_text", "owner_user_id", "pillar_id", "goal_id")}
        locked.what = data.what.strip()
        locked.owner_organisation = data.owner_organisation
        locked.owner_text = data.owner_text.strip()
        locked.owner_user = data.owner_user
        locked.pillar = pillar_for(locked.programme, data.pillar) if data.pillar else locked.pillar
        locked.goal = goal_for(locked.pillar, data.goal, data.goal_kind or GoalKind.OPERATIONEEL) if data.goal else None
        when = _apply_when(locked, data.when_text)
        locked.save()
        changed = [f for f, v in before.items() if getattr(locked, f) != v]
        if "when_text" in changed:
            # Open occurrences follow the new rhythm; those already ticked off stay as history.
            locked.occurrences.filter(done_on__isnull=True).delete()
            occurrences_generate(locked, when)
        if changed:
            audit_record(actor=actor, action=AuditAction.UPDATE, object_type="action", object_id=locked.pk, fields=changed)
    return locked


def occurrences_generate(action: Action, when: rules.When | None = None) -> int:
    """Create the occurrences of a recurring action over its programme's years (idempotent)."""
    if not action.recurring:
        return 0
    when = when or rules.parse_when(action.when_text)
    programme = action.programme
    dues = when.deadlines(date(programme.first_year, 1, 1), date(programme.last_year, 12, 31))
    existing = set(action.occurrences.values_list("due_date", flat=True))
    new = [ActionOccurrence(action=action, due_date=d) for d in dues if d not in existing]
    ActionOccurrence.objects.bulk_create(new)
    return len(new)


def _step_for(current: str, status: str, note: str) -> str | None:
    """The lifecycle step that a chosen colour (or none) and a note amount to; None: nothing to do."""
    if status and status != current:
        return rules_lifecycle.STEP_FOR_COLOUR[rules_lifecycle.ActionState(status)]
    return rules_lifecycle.Step.VOORTGANG if note.strip() else None


def action_status_transition(
    *, actor: Any, action: Action, step: str, note: str = "", done_on: date | None = None, source: str = "hand",
    now: datetime | None = None,
) -> ActionUpdate:
    """The one transition service of an action's status: lock, ask the lifecycle, history, audit.

    Used by the action page, completion and the import of an action table (each imported action
    gets its own lock, history line and audit row).
    """
    policy.require(actor, "programme.action_update", action)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Action.objects.select_for_update().get(pk=action.pk)
        before = rules_lifecycle.state_of(locked.status, locked.done_on is not None)
        facts = rules_lifecycle.ActionFacts(note=note, recurring=locked.recurring, done_on=done_on)
        try:
            target = rules_lifecycle.MACHINE.apply(before, step, facts, now=now, reason=note)
        except TransitionNotAllowed as exc:
            raise TransitionRefused.from_domain(exc) from exc
        colour = rules.Rag.GROEN.value if target is rules_lifecycle.ActionState.AFGEROND else (
            "" if target is rules_lifecycle.ActionState.GEEN else target.value
        )
        changed = colour != locked.status
        update = ActionUpdate.objects.create(
            action=locked, at=now, status=colour if changed else "", previous_status=locked.status if changed else "",
            note=note.strip(), author=actor, source=source,
        )
        fields = []
        if changed:
            locked.status, locked.status_changed_at = colour, now
            fields += ["status", "status_changed_at"]
        if target is rules_lifecycle.ActionState.AFGEROND:
            locked.done_on = done_on
            fields.append("done_on")
        if fields:
            locked.save(update_fields=[*fields, "updated_at"])
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="action", object_id=locked.pk,
                     fields=[f for f, v in (("status", changed), ("voortgang", note.strip()), ("afgerond", "done_on" in fields)) if v],
                     reason=f"{before} → {target}" + (" (import)" if source == "import" else ""))
    action.refresh_from_db()
    return update


def action_update_status(*, actor: Any, action: Action, status: str = "", note: str = "", now: datetime | None = None) -> ActionUpdate:
    """Set green/orange/red and/or add a progress note, dated now. Orange and red need a note."""
    policy.require(actor, "programme.action_update", action)
    if status and status not in {r.value for r in rules.Rag}:
        raise ProgrammeError("Kies groen, oranje of rood.")
    if not status and not note.strip():
        raise ProgrammeError("Kies een status of schrijf een voortgangsnotitie.")
    step = _step_for(action.status, status, note)
    if step is None:
        raise ProgrammeError("De status is al zo; schrijf een notitie om de voortgang vast te leggen.")
    return action_status_transition(actor=actor, action=action, step=step, note=note, now=now)


def action_complete(*, actor: Any, action: Action, done_on: date, note: str = "", now: datetime | None = None) -> Action:
    action_status_transition(actor=actor, action=action, step=rules_lifecycle.Step.AFRONDEN, done_on=done_on,
                             note=note or f"Afgerond op {done_on:%d-%m-%Y}.", now=now)
    return action


def occurrence_complete(*, actor: Any, occurrence: ActionOccurrence, done_on: date, note: str = "", now: datetime | None = None) -> ActionOccurrence:
    policy.require(actor, "programme.action_update", occurrence.action)
    if done_on > timezone.localdate(now or timezone.now()):
        raise ProgrammeError("De datum van uitvoeren kan niet in de toekomst liggen.")
    with transaction.atomic():
        occurrence.done_on = done_on
        occurrence.note = note.strip()[:500]
        occurrence.save(update_fields=["done_on", "note"])
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="action", object_id=occurrence.action_id,
                     object_label=f"keer {occurrence.due_date:%d-%m-%Y}", fields=["uitgevoerd"])
    return occurrence


# --- importing an action table -----------------------------------------------------------------
@dataclass
class ImportOutcome:
    errors: list[LocatedInputError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _organisation_for(who: str, region_id: int) -> Organisation | None:
    name = who.strip()
    if not name:
        return None
    return (
        Organisation.objects.filter(Q(region_id=region_id) | Q(region__isnull=True))
        .filter(Q(name__iexact=name) | Q(slug__iexact=name))
        .first()
    )


def import_action_table(*, actor: Any, programme: Programme, file_name: str, data: bytes) -> ImportOutcome:
    """Validate the whole table first; write only when no row is faulty (then all rows, at once)."""
    from ketenzicht.monitor.importing import UnreadableFile, read_table

    policy.require(actor, "programme.manage", programme)
    try:
        cells = read_table(file_name, data)
    except UnreadableFile as exc:
        return ImportOutcome(errors=[LocatedInputError(str(exc), file=file_name)])
    parsed = parse_action_table(cells, file=file_name)
    errors = parsed.errors + _status_rule_errors(programme, parsed.rows, file_name)
    outcome = ImportOutcome(errors=errors, warnings=parsed.warnings, rows=len(parsed.rows))
    if errors:
        return outcome
    with transaction.atomic():
        for row in parsed.rows:
            result = _import_row(actor, programme, row)
            setattr(outcome, result, getattr(outcome, result) + 1)
        ActionImport.objects.create(
            programme=programme, file_name=file_name[:200], sha256=hashlib.sha256(data).hexdigest(),
            created=outcome.created, updated=outcome.updated, by=actor,
        )
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="action_import", object_id=programme.pk,
                     object_label=f"{outcome.created} nieuw, {outcome.updated} bijgewerkt")
    return outcome


def _status_rule_errors(programme: Programme, rows: list[ActionRow], file_name: str) -> list[LocatedInputError]:
    """The lifecycle's rule, checked before anything is written: orange or red needs a note when
    the colour changes to it (also in a spreadsheet: the board reads why an action is off course)."""
    current = dict(Action.objects.filter(programme=programme).exclude(number="").values_list("number", "status"))
    errors = []
    for row in rows:
        if row.status in (rules.Rag.ORANJE, rules.Rag.ROOD) and not row.note.strip() and current.get(row.number) != row.status.value:
            errors.append(LocatedInputError("Licht oranje of rood toe: wat is er aan de hand en wat is de volgende stap?",
                                            file=file_name, row=row.row, column="toelichting"))
    return errors


def _import_row(actor: Any, programme: Programme, row: ActionRow) -> str:
    pillar = pillar_for(programme, row.pillar)
    goal = goal_for(pillar, row.goal)
    organisation = _organisation_for(row.who, programme.region_id)
    owner_text = "" if organisation is not None else row.who
    if row.number:
        action = Action.objects.filter(programme=programme, number=row.number).first()
    else:
        # Without numbers, the same text under the same pillar is the same action.
        action = Action.objects.filter(programme=programme, pillar=pillar, number="", what=row.what).first()
    result = "updated"
    if action is None:
        action = Action(programme=programme, number=row.number)
        result = "created"
    fields = {"pillar": pillar, "goal": goal, "what": row.what, "owner_organisation": organisation, "owner_text": owner_text}
    when_changed = action.when_text != row.when_text.strip()
    if result == "updated" and not when_changed and all(getattr(action, k) == v for k, v in fields.items()) and (
        row.status is None or row.status == action.status
    ) and not (row.note and not action.updates.filter(note=row.note).exists()):
        return "unchanged"
    for key, value in fields.items():
        setattr(action, key, value)
    _apply_when(action, row.when_text)
    action.save()
    if when_changed:
        action.occurrences.filter(done_on__isnull=True).delete()
        occurrences_generate(action, row.when)
    note = row.note if row.note and not action.updates.filter(note=row.note).exists() else ""
    step = None if action.done_on is not None else _step_for(action.status, row.status.value if row.status else "", note)
    if step is not None:
        action_status_transition(actor=actor, action=action, step=step, note=note, source="import")
    return result


# --- training and awareness ----------------------------------------------------------------------
def target_group_save(
    *, actor: Any, municipality: Municipality, function: str, department: str = "", headcount: int | None = None,
    yearly_target: int | None = None,
) -> TargetGroup:
    policy.require(actor, "training.manage", municipality)
    if function not in Function.values:
        raise ProgrammeError("Kies een functie uit de lijst.")
    if headcount is not None and yearly_target is not None and yearly_target > headcount:
        raise ProgrammeError("Er kunnen niet meer medewerkers getraind worden dan er in de doelgroep zitten.")
    with transaction.atomic():
        group, created = TargetGroup.objects.update_or_create(
            municipality=municipality, function=function,
            defaults={"department": department.strip(), "headcount": headcount, "yearly_target": yearly_target},
        )
        audit_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, object_type="target_group",
                     object_id=group.pk, object_label=group.get_function_display())
    return group


def training_create(
    *, actor: Any, municipality: Municipality, kind: str, title: str, held_on: date, attendance: dict[str, int], provider: str = "",
    now: datetime | None = None,
) -> Training:
    policy.require(actor, "training.manage", municipality)
    counts = {f: int(n) for f, n in attendance.items() if n}
    if not title.strip():
        raise ProgrammeError("Geef de training een titel.")
    if not counts:
        raise ProgrammeError("Vul bij ten minste één functie het aantal deelnemers in.")
    if any(n < 0 for n in counts.values()) or any(f not in Function.values for f in counts):
        raise ProgrammeError("Aantallen deelnemers zijn hele getallen van 0 of meer, bij functies uit de lijst.")
    if held_on > timezone.localdate(now or timezone.now()):
        raise ProgrammeError("Registreer een training nadat hij is gegeven; de datum ligt nu in de toekomst.")
    with transaction.atomic():
        training = Training.objects.create(
            municipality=municipality, kind=kind, title=title.strip(), provider=provider.strip(), held_on=held_on, created_by=actor
        )
        TrainingAttendance.objects.bulk_create(TrainingAttendance(training=training, function=f, count=n) for f, n in counts.items())
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="training", object_id=training.pk,
                     object_label=f"{training.title[:60]} ({sum(counts.values())} deelnemers)")
    return training


def training_need_create(
    *, actor: Any, municipality: Municipality, year: int, department: str, function: str, staff_to_train: int, need: str, priority: str
) -> TrainingNeed:
    policy.require(actor, "training.manage", municipality)
    if not department.strip() or not need.strip():
        raise ProgrammeError("Vul de afdeling en de behoefte in.")
    with transaction.atomic():
        row = TrainingNeed.objects.create(
            municipality=municipality, year=year, department=department.strip(), function=function,
            staff_to_train=staff_to_train, need=need.strip(), priority=priority,
        )
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="training_need", object_id=row.pk, object_label=row.department)
    return row


# --- reports to the board ----------------------------------------------------------------------
def board_report_generate(
    *, actor: Any, area: Municipality | District | Region, period: rules.ReportPeriod, scheduled: bool = False
) -> BoardReport:
    """Render and store the report; the scheduled run acts as `system_actor("board-reports")`."""
    from ketenzicht.programme import report

    policy.require(actor, "report.generate", area)
    pdf, pages, redactions = report.render_pdf(area, period)
    with transaction.atomic():
        row = BoardReport.objects.create(
            period=period.code, kind=period.kind, pdf=pdf, pages=pages, generated_by=actor, scheduled=scheduled,
            redactions=redactions, **scope_fields(area),
        )
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="board_report", object_id=row.pk,
                     object_label=f"{row.area_name} {row.period}", reason="gepland" if scheduled else "")
    return row


def scheduled_areas(year: int) -> list[Municipality | District | Region]:
    """Every area with a programme that runs in `year`: those get a report without anyone asking."""
    areas: list[Municipality | District | Region] = []
    seen: set[tuple[str, int]] = set()
    for programme in Programme.objects.filter(first_year__lte=year, last_year__gte=year).select_related("municipality", "district", "region"):
        area = programme.area
        key = (programme.level, area.pk)
        if key not in seen:
            seen.add(key)
            areas.append(area)
    return areas


def board_reports_scheduled(today: date | None = None, period: rules.ReportPeriod | None = None) -> list[BoardReport]:
    """The half-yearly run: the last completed half-year for every area; in January also the year.

    Safe to run again: an area that already has a scheduled report for the period is skipped.
    """
    today = today or timezone.localdate()
    periods = [period] if period else [rules.ReportPeriod.last_completed_half(today)]
    if period is None and today.month == 1:
        periods.append(rules.ReportPeriod(today.year - 1))
    made = []
    actor = system_actor("board-reports")  # nobody asked: the job does, and the audit trail says so
    for current in periods:
        for area in scheduled_areas(current.year):
            scope = scope_fields(area)
            exists = BoardReport.objects.filter(
                period=current.code, scheduled=True, level=scope["level"], municipality=scope["municipality"],
                district=scope["district"], region_id=scope["region_id"],
            ).exists()
            if not exists:
                made.append(board_report_generate(actor=actor, area=area, period=current, scheduled=True))
    return made
