"""Tables above the municipality (issue 14 item 3): convening them, and filling their agenda.

A district or regional table (mensenhandeltafel, Aanjaagteam, Zorgtafel, regionaal controleteam)
is a `Meeting` without a municipality but with the region — and district — of the ketenregisseur
who convenes it; its members come from several organisations, all within that region. Its agenda
is not proposed from a waiting state: AFs bring cases of their own municipality (the case moves
to `geagendeerd_regio` through its one transition service, in the same transaction as the agenda
item), and the chair brings themes without a case. Sittings, decisions, action items, minutes
and reminders are the municipal tables' own (`meetings.services`): a decision on a case moves it
through its own municipality's state machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ketenzicht.accounts.models import Organisation
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases import services as case_services
from ketenzicht.cases.models import Case
from ketenzicht.core import policy
from ketenzicht.core.scopes import scope_of
from ketenzicht.domain.lifecycles.case import Action, CaseState
from ketenzicht.meetings.models import AgendaItem, Meeting, MeetingKind, Sitting, Venue
from ketenzicht.meetings.services import MeetingError


@dataclass
class RegionalMeetingInput:
    kind: MeetingKind
    name: str
    interval_weeks: int
    weekday: int
    start_time: time
    first_date: date
    organisations: list[Organisation] = field(default_factory=list)
    members: list[Any] = field(default_factory=list)


def _person(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _check(meeting: Meeting, data: RegionalMeetingInput) -> None:
    """Everything within the table's region (and district): refused whole, nothing saved."""
    from ketenzicht.accounts.models import Role

    if not data.name.strip():
        raise MeetingError("Geef de tafel een naam.")
    if data.kind.venue != Venue.REGIONALE_TAFEL:
        raise MeetingError("Kies een soort tafel voor de regio of het district.")
    if not data.organisations:
        raise MeetingError("Kies ten minste één deelnemende organisatie.")
    for org in data.organisations:
        org_region = org.region_id or (org.municipality.region_id if org.municipality_id else None)
        if org_region != meeting.region_id:
            raise MeetingError(f"{org.name} werkt niet in deze regio en kan niet aan deze tafel deelnemen.")
    org_ids = {o.pk for o in data.organisations}
    for member in data.members:
        org = member.organisation
        scope = scope_of(member)
        if org is None or scope.region_id != meeting.region_id:
            raise MeetingError(f"{_person(member)} werkt niet in deze regio en kan geen deelnemer van deze tafel zijn.")
        if meeting.district_id is not None and scope.municipality_id is not None and scope.district_id != meeting.district_id:
            raise MeetingError(f"{_person(member)} werkt in een gemeente buiten dit district en kan geen deelnemer van deze tafel zijn.")
        if member.organisation_id not in org_ids:
            raise MeetingError(
                f"Deelnemer {_person(member)} hoort bij een organisatie die niet aan deze tafel deelneemt: "
                "voeg die organisatie toe of haal de deelnemer weg."
            )
        if not member.has_role(Role.OVERLEGDEELNEMER, Role.AANDACHTSFUNCTIONARIS):
            raise MeetingError(f"{_person(member)} heeft geen rol als overlegdeelnemer of aandachtsfunctionaris.")


def _apply(meeting: Meeting, data: RegionalMeetingInput) -> None:
    for name in ("kind", "interval_weeks", "weekday", "start_time", "first_date"):
        setattr(meeting, name, getattr(data, name))
    meeting.name = data.name.strip()


def regional_meeting_create(*, actor: Any, data: RegionalMeetingInput) -> Meeting:
    """Convene a table in the actor's own scope: the region, or the district of a district coordinator."""
    policy.require(actor, "meeting.convene", None)
    scope = scope_of(actor)
    meeting = Meeting(region_id=scope.region_id, district_id=scope.district_id if scope.level == "district" else None)
    _check(meeting, data)
    _apply(meeting, data)
    with transaction.atomic():
        meeting.save()
        meeting.organisations.set(data.organisations)
        meeting.members.set(data.members)
        audit_record(actor=actor, action=AuditAction.CREATE, object_type="meeting", object_id=meeting.pk, object_label=meeting.kind.slug, fields=["overleg", "deelnemers"], reason="regionale tafel")
    return meeting


def regional_meeting_update(*, actor: Any, meeting: Meeting, data: RegionalMeetingInput) -> Meeting:
    policy.require(actor, "meeting.manage", meeting)
    if not meeting.regional:
        raise MeetingError("Dit is een overleg van een gemeente; wijzig het daar.")
    _check(meeting, data)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _apply(locked, data)
        locked.save()
        locked.organisations.set(data.organisations)
        locked.members.set(data.members)
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="meeting", object_id=locked.pk, object_label=locked.kind.slug, fields=["overleg", "deelnemers"], reason="regionale tafel")
    return locked


def _open_regional_sitting(sitting: Sitting) -> Sitting:
    locked = Sitting.objects.select_for_update().select_related("meeting__kind").get(pk=sitting.pk)
    if not locked.meeting.regional:
        raise MeetingError("Op het overleg van een gemeente komen de signalen die klaarstaan vanzelf op de agenda.")
    if locked.finalised:
        raise MeetingError("De notulen van deze vergadering zijn vastgesteld; kies een volgende vergadering.")
    return locked


def _next_position(sitting: Sitting) -> int:
    return (sitting.items.aggregate(m=Max("position"))["m"] or 0) + 1


def bringable_cases(actor: Any, sitting: Sitting) -> list[Case]:
    """The AF's own cases that may go onto this table now: in behandeling, in its scope."""
    if not policy.can(actor, "meeting.bring_case", sitting):
        return []
    municipality_id = actor.organisation.municipality_id
    cases = Case.objects.filter(municipality_id=municipality_id, state=CaseState.IN_BEHANDELING)
    return list(policy.cases_visible_to(actor, cases).order_by("-created_at")[:200])


def agenda_bring_case(*, actor: Any, sitting: Sitting, case: Case, reason: str, now: datetime | None = None) -> AgendaItem:
    """The AF puts a case of their own municipality on a regional table's agenda.

    Idempotent: a case already on this sitting's agenda is returned as it is (a repeated POST).
    The case moves to `geagendeerd_regio` through `case_transition` (lock, history, audit) in the
    same transaction as the agenda item: neither exists without the other.
    """
    policy.require(actor, "meeting.bring_case", sitting)
    reason = reason.strip()
    if not reason:
        raise MeetingError("Schrijf waarom dit signaal op deze tafel hoort.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _open_regional_sitting(sitting)
        existing = AgendaItem.objects.filter(sitting=locked, case=case).first()
        if existing is not None:
            return existing
        if case.municipality_id != actor.organisation.municipality_id or not policy.can(actor, "case.transition", case):
            raise MeetingError("U kunt alleen signalen van uw eigen gemeente op een regionale tafel agenderen.")
        if case.state != CaseState.IN_BEHANDELING:
            raise MeetingError(
                f"Signaal {case.reference} is {case.state_label.lower()}; alleen een signaal dat in behandeling is, "
                "kan op een regionale tafel."
            )
        meeting = locked.meeting
        case_services.case_transition(actor=actor, case=case, action=Action.AGENDEREN_REGIONAAL, reason=f"{meeting.name}: {reason}", now=now, regional_agenda=True)
        item = AgendaItem.objects.create(sitting=locked, case=case, brought_by=actor, position=_next_position(locked))
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="sitting", object_id=locked.pk, object_label=meeting.kind.slug, fields=["agenda"], reason=f"signaal {case.reference} geagendeerd")
    return item


def agenda_add_theme(*, actor: Any, sitting: Sitting, theme: str, reference: str = "") -> AgendaItem:
    """The chair puts a theme on the agenda: a white spot, a KPI in red, an action of the programme.

    A theme names no person or case; a repeated POST of the same theme returns the item it made.
    """
    policy.require(actor, "meeting.chair", sitting)
    theme, reference = theme.strip(), reference.strip()
    if not theme:
        raise MeetingError("Beschrijf het thema.")
    with transaction.atomic():
        locked = _open_regional_sitting(sitting)
        existing = AgendaItem.objects.filter(sitting=locked, case__isnull=True, theme=theme, theme_reference=reference).first()
        if existing is not None:
            return existing
        item = AgendaItem.objects.create(sitting=locked, theme=theme, theme_reference=reference, brought_by=actor, position=_next_position(locked))
        audit_record(actor=actor, action=AuditAction.UPDATE, object_type="sitting", object_id=locked.pk, object_label=locked.meeting.kind.slug, fields=["agenda"], reason="thema geagendeerd")
    return item
