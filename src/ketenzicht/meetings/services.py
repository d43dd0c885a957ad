"""Every change to a table, a sitting, its agenda, decisions and minutes goes through here.

Each function runs in one transaction, locks what it changes, checks the policy and writes an
audit row in that same transaction. A decision moves the case through
``cases.services.case_transition`` (the one transition service of the case) inside the same
transaction, with the table's decision as context (`TableDecision`): only here can a table
outcome be taken. A refused transition leaves no decision behind, and a decision never exists
without its move. Terms and tables come from the region's norms (`norms.selectors`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from ketenzicht.accounts.models import Municipality, Organisation, Role
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases import services as case_services
from ketenzicht.cases.models import Case
from ketenzicht.core import policy
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain.deadlines import Schedule
from ketenzicht.domain.lifecycles import case as case_lifecycle
from ketenzicht.domain.lifecycles.base import Venue as TableVenue
from ketenzicht.domain.lifecycles.case import (
    AWAITING_TABLE,
    FEEDBACK_OWED,
    CaseState,
    TableDecision,
)
from ketenzicht.meetings.models import (
    ActionItem,
    AgendaItem,
    Decision,
    Meeting,
    MeetingKind,
    MinutesCorrection,
    Sitting,
    Venue,
)
from ketenzicht.norms.selectors import norms_for, norms_for_region

# The state in which a case waits for each kind of table (decided by the case lifecycle).
READY_STATE: dict[str, CaseState] = {venue.value: state for venue, state in AWAITING_TABLE.items()}
# A regional table without state-machine decisions records that an item was discussed.
DISCUSSED = "besproken"
# Outcomes after which the reporter is owed feedback (the case is decided, not sent on).
FEEDBACK_STATES = FEEDBACK_OWED
__all__ = ["norms_for"]  # re-exported: selectors and reminders of this app read norms through here


class MeetingError(ServiceError):
    """A change that cannot be made; the message says what to fix, in Dutch."""


def meeting_norms(meeting: Meeting) -> Any:
    """The norms of the table's region: of its municipality, or of a regional table's own region."""
    if meeting.municipality_id is not None:
        return norms_for(meeting.municipality)
    return norms_for_region(meeting.region.slug)


@dataclass
class MeetingInput:
    kind: MeetingKind
    municipality: Municipality
    name: str
    interval_weeks: int
    weekday: int
    start_time: time
    first_date: date
    organisations: list[Organisation] = field(default_factory=list)
    members: list[Any] = field(default_factory=list)


@dataclass
class ActionItemInput:
    description: str
    owner_organisation: Organisation
    owner: Any = None
    due_date: date | None = None


def meeting_kinds_sync(region: str) -> int:
    """Create or update the kinds of table named in the region's norms."""
    norms = norms_for_region(region)
    for kind in norms.tables:
        MeetingKind.objects.update_or_create(
            slug=kind.slug,
            defaults={"name": kind.naam, "venue": kind.soort.value, "description": kind.omschrijving},
        )
    return len(norms.tables)


def _check_members(data: MeetingInput) -> None:
    if not data.name.strip():
        raise MeetingError("Geef het overleg een naam.")
    org_ids = {o.pk for o in data.organisations}
    for member in data.members:
        if member.organisation_id not in org_ids:
            raise MeetingError(
                f"Deelnemer {member.get_full_name() or member.get_username()} hoort bij een organisatie "
                "die niet aan dit overleg deelneemt: voeg die organisatie toe of haal de deelnemer weg."
            )
        if not member.has_role(Role.OVERLEGDEELNEMER, Role.AANDACHTSFUNCTIONARIS):
            raise MeetingError(
                f"{member.get_full_name() or member.get_username()} heeft geen rol als overlegdeelnemer."
            )


def meeting_create(*, actor: Any, data: MeetingInput) -> Meeting:
    policy.require(actor, "meeting.manage", None)
    if not policy.can(actor, "meeting.manage", Meeting(municipality=data.municipality, kind=data.kind)):
        raise MeetingError("U kunt alleen overleggen van uw eigen gemeente beheren.")
    _check_members(data)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            kind=data.kind,
            municipality=data.municipality,
            name=data.name.strip(),
            interval_weeks=data.interval_weeks,
            weekday=data.weekday,
            start_time=data.start_time,
            first_date=data.first_date,
        )
        meeting.organisations.set(data.organisations)
        meeting.members.set(data.members)
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="meeting", object_id=meeting.pk, object_label=meeting.kind.slug, fields=["overleg", "deelnemers"])
    return meeting


def meeting_update(*, actor: Any, meeting: Meeting, data: MeetingInput) -> Meeting:
    policy.require(actor, "meeting.manage", meeting)
    if meeting.regional:
        raise MeetingError("Een regionale tafel wijzigt u op de pagina van die tafel.")
    if data.municipality.pk != meeting.municipality_id:
        raise MeetingError("De gemeente van een overleg kan niet worden gewijzigd.")
    _check_members(data)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        for name in ("kind", "interval_weeks", "weekday", "start_time", "first_date"):
            setattr(locked, name, getattr(data, name))
        locked.name = data.name.strip()
        locked.save()
        locked.organisations.set(data.organisations)
        locked.members.set(data.members)
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="meeting", object_id=locked.pk, object_label=locked.kind.slug, fields=["overleg", "deelnemers"])
    return locked


def next_sitting_date(meeting: Meeting, today: date) -> date:
    """The first scheduled date on or after ``today`` that has no sitting yet."""
    norms = meeting_norms(meeting)
    schedule = Schedule(start=meeting.first_date, weekday=meeting.weekday, interval_weeks=meeting.interval_weeks)
    taken = set(meeting.sittings.values_list("date", flat=True))
    for candidate in schedule.next_dates(max(today, meeting.first_date), 60, norms.calendar):
        if candidate not in taken:
            return candidate
    raise MeetingError("Er is geen vrije vergaderdatum in het komende schema.")


def sitting_plan(*, actor: Any, meeting: Meeting, today: date | None = None) -> Sitting:
    """Plan the next sitting on the schedule and propose the cases that are ready for it."""
    policy.require(actor, "meeting.chair", meeting)
    today = today or timezone.localdate()
    with transaction.atomic():
        Meeting.objects.select_for_update().get(pk=meeting.pk)
        on = next_sitting_date(meeting, today)
        try:
            with transaction.atomic():
                sitting = Sitting.objects.create(meeting=meeting, date=on, start_time=meeting.start_time)
        except IntegrityError:
            raise MeetingError("Voor deze datum is al een vergadering gepland.") from None
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="sitting", object_id=sitting.pk, object_label=meeting.kind.slug, fields=["vergadering"])
        _propose(sitting)
    return sitting


def _propose(sitting: Sitting) -> int:
    """Add the municipality's cases waiting for this kind of table to the agenda."""
    ready = READY_STATE.get(sitting.meeting.venue)
    if ready is None or sitting.meeting.regional or sitting.meeting.venue == Venue.REGIONALE_TAFEL:
        # A regional table's agenda is what AFs bring and the chair's themes (`meetings.regional`).
        return 0
    pending_elsewhere = AgendaItem.objects.filter(
        sitting__meeting=sitting.meeting, sitting__minutes_finalised_at__isnull=True, decision__isnull=True
    ).exclude(sitting=sitting)
    cases = (
        Case.objects.filter(municipality_id=sitting.meeting.municipality_id, state=ready)
        .exclude(agenda_items__sitting=sitting)
        .exclude(pk__in=pending_elsewhere.values("case_id"))
        .order_by("created_at")
    )
    last = sitting.items.aggregate(m=Max("position"))["m"] or 0
    added = 0
    for case in cases:
        added += 1
        AgendaItem.objects.create(sitting=sitting, case=case, position=last + added)
    return added


def agenda_refresh(*, actor: Any, sitting: Sitting) -> int:
    """Add cases that became ready since the sitting was planned."""
    policy.require(actor, "meeting.chair", sitting)
    with transaction.atomic():
        locked = Sitting.objects.select_for_update().select_related("meeting__kind").get(pk=sitting.pk)
        if locked.finalised:
            raise MeetingError("De notulen zijn vastgesteld; de agenda kan niet meer wijzigen.")
        added = _propose(locked)
        if added:
            audit_record(actor=actor, action=AuditAction.UPDATE, object_type="sitting", object_id=locked.pk, object_label=locked.meeting.kind.slug, fields=["agenda"], reason=f"{added} signalen toegevoegd")
    return added


def agenda_move(*, actor: Any, item: AgendaItem, direction: str) -> AgendaItem:
    """Swap an item with its neighbour (``up`` or ``down``); the chair orders the agenda."""
    policy.require(actor, "meeting.chair", item)
    if direction not in ("up", "down"):
        raise MeetingError("Kies omhoog of omlaag.")
    with transaction.atomic():
        sitting = Sitting.objects.select_for_update().get(pk=item.sitting_id)
        if sitting.finalised:
            raise MeetingError("De notulen zijn vastgesteld; de agenda kan niet meer wijzigen.")
        items = list(sitting.items.select_for_update().order_by("position", "id"))
        index = next(i for i, row in enumerate(items) if row.pk == item.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
            # Renumber all: positions stay dense however items were added.
            for position, row in enumerate(items, start=1):
                if row.position != position:
                    AgendaItem.objects.filter(pk=row.pk).update(position=position)
            audit_record(actor=actor, action=AuditAction.UPDATE, object_type="sitting", object_id=sitting.pk, object_label=sitting.meeting.kind.slug, fields=["agenda"], reason="volgorde gewijzigd")
    return AgendaItem.objects.get(pk=item.pk)


def decision_options(item: AgendaItem, *, now: datetime) -> list[tuple[str, str]]:
    """The outcomes this table may record for this item at ``now``: (action, label)."""
    venue = item.sitting.meeting.venue
    if venue == Venue.OVERIG or item.case_id is None:  # a table without decisions, or a theme
        return [(DISCUSSED, "Besproken (actiepunten vastgelegd)")]
    facts = case_services.case_facts(item.case)
    return [
        (t.action, t.label)
        for t in case_lifecycle.allowed_actions(item.case.state, facts, now=now, venue=TableVenue(venue))
    ]


def _check_action_items(meeting: Meeting, action_items: list[ActionItemInput]) -> None:
    participating = set(meeting.organisations.values_list("pk", flat=True))
    for entry in action_items:
        if not entry.description.strip():
            raise MeetingError("Beschrijf elk actiepunt.")
        if entry.owner_organisation.pk not in participating:
            raise MeetingError("Een actiepunt hoort bij een organisatie die aan dit overleg deelneemt.")
        if entry.owner is not None and entry.owner.organisation_id != entry.owner_organisation.pk:
            raise MeetingError("De eigenaar van een actiepunt werkt bij de gekozen organisatie.")


def decision_record(
    *,
    actor: Any,
    item: AgendaItem,
    action: str,
    rationale: str,
    info_needed: str = "",
    info_from: str = "",
    action_items: list[ActionItemInput] | None = None,
    now: datetime | None = None,
) -> Decision:
    """Record the table's outcome for one item and move the case accordingly."""
    policy.require(actor, "meeting.chair", item)
    now = now or timezone.now()
    rationale, info_needed, info_from = rationale.strip(), info_needed.strip(), info_from.strip()
    action_items = action_items or []
    if not rationale:
        raise MeetingError("Schrijf de onderbouwing van het besluit.")
    if action == case_lifecycle.Action.SO_MEER_INFORMATIE and not (info_needed and info_from):
        raise MeetingError("Geef aan welke informatie nodig is en van wie.")
    with transaction.atomic():
        locked = AgendaItem.objects.select_for_update(of=("self",)).select_related("sitting__meeting__kind", "case").get(pk=item.pk)
        sitting = locked.sitting
        meeting = sitting.meeting
        if sitting.finalised:
            raise MeetingError("De notulen zijn vastgesteld; leg een correctie vast in plaats van een nieuw besluit.")
        if Decision.objects.filter(item=locked).exists():
            raise MeetingError("Over dit agendapunt is al besloten.")
        if action not in dict(decision_options(locked, now=now)):
            raise MeetingError("Deze uitkomst past niet bij dit overleg of bij de status van het signaal; kies een andere.")
        _check_action_items(meeting, action_items)
        from_state = locked.case.state if locked.case is not None else ""
        reason = rationale
        if info_needed:
            reason = f"{rationale}\nNodig: {info_needed} (van: {info_from})"
        if action == DISCUSSED:
            to_state, label = from_state, "Besproken"
        else:
            case = case_services.case_transition(
                actor=actor, case=locked.case, action=action, reason=f"{meeting.kind.name}: {reason}", now=now,
                decision=TableDecision(TableVenue(meeting.venue), str(locked.pk)),
            )
            to_state, label = case.state, case_lifecycle.transition_for(action).label
        norms = meeting_norms(meeting)
        decision = Decision.objects.create(
            item=locked,
            action=action,
            label=label,
            from_state=from_state,
            to_state=to_state,
            rationale=rationale,
            info_needed=info_needed,
            info_from=info_from,
            decided_by=actor,
            feedback_due=norms.feedback_due(now) if to_state in FEEDBACK_STATES else None,
        )
        for entry in action_items:
            ActionItem.objects.create(
                decision=decision,
                description=entry.description.strip(),
                owner_organisation=entry.owner_organisation,
                owner=entry.owner,
                due_date=entry.due_date or norms.action_item_due(now),
            )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="decision",
            object_id=decision.pk,
            object_label=locked.case.reference if locked.case is not None else "thema",
            fields=["besluit", *(["actiepunten"] if action_items else [])],
            reason=f"{meeting.kind.slug}: {action}",
        )
    return decision


def minutes_finalise(*, actor: Any, sitting: Sitting, now: datetime | None = None) -> Sitting:
    """Fix the minutes: after this no decision on this sitting changes; corrections are appended."""
    policy.require(actor, "meeting.chair", sitting)
    with transaction.atomic():
        locked = Sitting.objects.select_for_update().select_related("meeting__kind").get(pk=sitting.pk)
        if locked.finalised:
            raise MeetingError("De notulen zijn al vastgesteld.")
        if not Decision.objects.filter(item__sitting=locked).exists():
            raise MeetingError("Er is nog geen besluit genomen; notulen zonder besluiten kunnen niet worden vastgesteld.")
        locked.minutes_finalised_at = now or timezone.now()
        locked.minutes_finalised_by = actor
        locked.save(update_fields=["minutes_finalised_at", "minutes_finalised_by"])
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="sitting", object_id=locked.pk, object_label=locked.meeting.kind.slug, fields=["notulen"], reason="notulen vastgesteld")
    return locked


def minutes_correct(*, actor: Any, sitting: Sitting, text: str, item: AgendaItem | None = None) -> MinutesCorrection:
    policy.require(actor, "meeting.chair", sitting)
    if not text.strip():
        raise MeetingError("Schrijf de correctie.")
    with transaction.atomic():
        locked = Sitting.objects.select_for_update().select_related("meeting__kind").get(pk=sitting.pk)
        if not locked.finalised:
            raise MeetingError("De notulen zijn nog niet vastgesteld; een correctie is pas daarna nodig.")
        if item is not None and item.sitting_id != locked.pk:
            raise MeetingError("Dit agendapunt hoort niet bij deze vergadering.")
        correction = MinutesCorrection.objects.create(sitting=locked, item=item, text=text.strip(), by=actor)
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="minutes_correction", object_id=correction.pk, object_label=locked.meeting.kind.slug, fields=["notulen"])
    return correction


def action_item_complete(*, actor: Any, item: ActionItem, now: datetime | None = None) -> ActionItem:
    policy.require(actor, "actionitem.complete", item)
    with transaction.atomic():
        locked = ActionItem.objects.select_for_update().get(pk=item.pk)
        if locked.done_at is not None:
            raise MeetingError("Dit actiepunt is al afgerond.")
        locked.done_at = now or timezone.now()
        locked.done_by = actor
        locked.save(update_fields=["done_at", "done_by"])
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="action_item", object_id=locked.pk, fields=["actiepunt"], reason="afgerond")
    return locked


def table_decide(*, actor: Any, case: Case, action: str, rationale: str, now: datetime | None = None) -> Decision:
    """Take a table outcome for ``case`` at its municipality's table of the right kind.

    Puts the case on the agenda of an open sitting (planning the next one when none has it) and
    records the decision through `decision_record`, the one place a table outcome is taken. Used
    by the demo loader and tests that need a case decided at a table.
    """
    venue = case_lifecycle.transition_for(action).venue
    meeting = Meeting.objects.filter(municipality_id=case.municipality_id, kind__venue=venue.value).order_by("pk").first()
    if meeting is None:
        raise MeetingError("Deze gemeente heeft geen overleg dat hierover besluit; maak het eerst aan.")
    item = AgendaItem.objects.filter(case=case, sitting__meeting=meeting, sitting__minutes_finalised_at__isnull=True, decision__isnull=True).first()
    if item is None:
        sitting = Sitting.objects.filter(meeting=meeting, minutes_finalised_at__isnull=True).order_by("-date").first()
        if sitting is None:
            sitting = sitting_plan(actor=actor, meeting=meeting, today=timezone.localdate(now or timezone.now()))
        else:
            agenda_refresh(actor=actor, sitting=sitting)
        item = AgendaItem.objects.filter(case=case, sitting=sitting, decision__isnull=True).first()
    if item is None:
        raise MeetingError("Het signaal wacht niet op dit overleg; agendeer het eerst.")
    return decision_record(actor=actor, item=item, action=action, rationale=rationale, now=now,
                           info_needed="Waarnemingen" if action == case_lifecycle.Action.SO_MEER_INFORMATIE else "",
                           info_from="Wijkhandhaver" if action == case_lifecycle.Action.SO_MEER_INFORMATIE else "")
