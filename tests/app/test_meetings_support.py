"""Helpers for the meetings tests and the permission matrix: a signalenoverleg of Zoeterwoude.

The table has the municipality and the police (AVIM) as organisations and esra (police,
overlegdeelnemer) as member; anouk (AF of Zoeterwoude) chairs it.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from ketenzicht.accounts.models import Organisation
from ketenzicht.cases.models import Case
from ketenzicht.cases.services import case_transition
from ketenzicht.meetings import services
from ketenzicht.meetings.models import AgendaItem, Meeting, MeetingKind, Sitting
from tests.support import Cast, report_signal


def make_meeting(cast: Cast, kind: str = "signalenoverleg", *, orgs: tuple[str, ...] = ("gemeente-zoeterwoude", "politie-den-haag-avim")) -> Meeting:
    services.meeting_kinds_sync("den-haag")
    return services.meeting_create(
        actor=cast.anouk,
        data=services.MeetingInput(
            kind=MeetingKind.objects.get(slug=kind),
            municipality=cast.zoeterwoude,
            name=f"{kind} Zoeterwoude",
            interval_weeks=1,
            weekday=1,
            start_time=time(10, 0),
            first_date=date(2026, 1, 6),
            organisations=list(Organisation.objects.filter(slug__in=orgs)),
            members=[cast.esra] if "politie-den-haag-avim" in orgs else [],
        ),
    )


def ready_case(cast: Cast, **overrides: Any) -> Case:
    """A Zoeterwoude signal reported by chantal and put on the signalenoverleg's list."""
    case = report_signal(cast.chantal, cast.zoeterwoude, **overrides)
    case = case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    return case_transition(actor=cast.anouk, case=case, action="agenderen")


def matrix_sitting(ctx: dict[str, Any]) -> Sitting:
    """A planned sitting with one agenda item, built once per matrix test."""
    if "sitting" not in ctx:
        cast = ctx["cast"]
        meeting = make_meeting(cast)
        ready_case(cast)
        ctx["meeting"] = meeting
        ctx["sitting"] = services.sitting_plan(actor=cast.anouk, meeting=meeting, today=date(2026, 3, 2))
    return ctx["sitting"]


def matrix_item(ctx: dict[str, Any]) -> AgendaItem:
    return matrix_sitting(ctx).items.first()


def matrix_action_item(ctx: dict[str, Any]) -> Any:
    """An action item for the police, from an integrale-controle decision."""
    item = matrix_item(ctx)
    cast = ctx["cast"]
    decision = services.decision_record(
        actor=cast.anouk, item=item, action="so_integrale_controle", rationale="Controle nodig.",
        action_items=[services.ActionItemInput(description="Controle plannen", owner_organisation=Organisation.objects.get(slug="politie-den-haag-avim"))],
    )
    return decision.action_items.first()


def decide_at_table(actor: Any, case: Case, action: str, rationale: str = "Besproken aan tafel") -> Case:
    """Take a table outcome for ``case`` at a table of its own municipality, as its AF chairing.

    Issue 18: outcomes of the signalenoverleg and the LOO are decisions of those tables; the case
    page cannot take them. Creates the municipality's table of the right kind when it has none.
    """
    from ketenzicht.domain.lifecycles import case as case_lifecycle

    services.meeting_kinds_sync(case.municipality.region.slug)
    venue = case_lifecycle.transition_for(action).venue.value
    if not Meeting.objects.filter(municipality=case.municipality, kind__venue=venue).exists():
        kind = MeetingKind.objects.filter(venue=venue).order_by("pk").first()
        services.meeting_create(actor=actor, data=services.MeetingInput(
            kind=kind, municipality=case.municipality, name=f"{kind.name} {case.municipality.name}",
            interval_weeks=1, weekday=1, start_time=time(10, 0), first_date=date(2026, 1, 6),
            organisations=[actor.organisation],
        ))
    services.table_decide(actor=actor, case=case, action=action, rationale=rationale)
    case.refresh_from_db()
    return case
