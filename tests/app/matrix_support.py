"""The two sides of the permission matrix: who plays which part in each region, and its objects.

The matrix writes its expectations in parts ("af" = the AF of the object's municipality, "kr" =
the region's ketenregisseur …); each side says who plays them. Builders make the objects of one
side through the real services, acting as that side's people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from django.utils import timezone

from ketenzicht.accounts.models import Municipality, Organisation, Region, User
from ketenzicht.barriers import services as barriers
from ketenzicht.cases import services as cases
from ketenzicht.cases.models import Case
from ketenzicht.meetings import services as meetings
from ketenzicht.meetings.models import MeetingKind, Sitting
from ketenzicht.programme import services as programme
from ketenzicht.programme.models import Action, BoardReport, Programme
from tests.app.barriers_support import ensure_models
from tests.support import Cast, report_signal

# The parts people play; "system" is the side's partner system (API token).
PARTS = ("af", "af2", "melder", "police", "partner", "kr", "po", "beheer", "outsider", "system")


@dataclass(frozen=True)
class Side:
    region: str
    municipality: str  # CBS code of the AF's municipality, where the objects live
    no_af_municipality: str  # a municipality of the region without an AF (the region's queue)
    people: dict[str, str]  # part → cast member
    municipality_org: str
    police_org: str
    partner_org: str
    address: str

    def names(self, parts: set[str]) -> set[str]:
        return {self.people[p] for p in parts if p in self.people}


DEN_HAAG = Side(
    region="den-haag", municipality="GM0638", no_af_municipality="GM0534",
    people={"af": "anouk", "af2": "bram", "melder": "chantal", "police": "esra", "partner": "julia", "kr": "fleur",
            "po": "gijs", "beheer": "hanna", "outsider": "otto", "system": "pim"},
    municipality_org="gemeente-zoeterwoude", police_org="politie-den-haag-avim", partner_org="shop",
    address="Dorpsstraat 3, 2381 AB Zoeterwoude",
)
ZWB = Side(
    region="zeeland-west-brabant", municipality="GM0718", no_af_municipality="GM0664",
    people={"af": "vera", "af2": "daan", "melder": "mila", "police": "lars", "partner": "sanne", "kr": "koen",
            "po": "ruben", "beheer": "tessa", "system": "wout"},
    municipality_org="gemeente-vlissingen", police_org="politie-zeeland-west-brabant-avim", partner_org="sterk-huis",
    address="Walstraat 50, 4381 GK Vlissingen",
)
SIDES = (DEN_HAAG, ZWB)


def person(ctx: dict[str, Any], part: str) -> User:
    return getattr(ctx["cast"], ctx["side"].people[part])


def municipality(ctx: dict[str, Any]) -> Municipality:
    return Municipality.objects.get(cbs_code=ctx["side"].municipality)


def base_case(cast: Cast, side: Side) -> Case:
    """The side's signal, reported by its melder (each test has one in both regions)."""
    return report_signal(getattr(cast, side.people["melder"]), Municipality.objects.get(cbs_code=side.municipality), location_address=side.address)


def attachment(ctx: dict[str, Any]) -> Any:
    return cases.attachment_add(
        actor=person(ctx, "af"), case=ctx["case"],
        attachment=cases.AttachmentInput(name="foto.pdf", content_type="application/pdf", data=b"%PDF-1.4\n%test\n"),
    )


def unrouted_case(ctx: dict[str, Any]) -> Case:
    return report_signal(person(ctx, "melder"), Municipality.objects.get(cbs_code=ctx["side"].no_af_municipality), location_address=ctx["side"].address)


def sent_referral(ctx: dict[str, Any]) -> Any:
    from ketenzicht.routing import services as routing

    af = person(ctx, "af")
    case = cases.case_transition(actor=af, case=ctx["case"], action="in_behandeling_nemen")
    referral = routing.referral_create(actor=af, case=case, organisation=Organisation.objects.get(slug=ctx["side"].partner_org), question="Kunt u contact opnemen?")
    return routing.referral_send(actor=af, referral=referral)


# --- tables --------------------------------------------------------------------------------------
def sitting(ctx: dict[str, Any]) -> Sitting:
    """A planned signalenoverleg of the side's municipality (chair: its AF; member: its police)."""
    if "sitting" not in ctx:
        side, af = ctx["side"], person(ctx, "af")
        meetings.meeting_kinds_sync("den-haag")  # the kinds of table are shared
        meeting = meetings.meeting_create(actor=af, data=meetings.MeetingInput(
            kind=MeetingKind.objects.get(slug="signalenoverleg"), municipality=municipality(ctx), name=f"Signalenoverleg {municipality(ctx).name}",
            interval_weeks=1, weekday=1, start_time=time(10, 0), first_date=date(2026, 1, 6),
            organisations=list(Organisation.objects.filter(slug__in=[side.municipality_org, side.police_org])),
            members=[person(ctx, "police")],
        ))
        case = cases.case_transition(actor=af, case=ctx["case"], action="in_behandeling_nemen")
        cases.case_transition(actor=af, case=case, action="agenderen")
        ctx["sitting"] = meetings.sitting_plan(actor=af, meeting=meeting, today=date(2026, 3, 2))
    return ctx["sitting"]


def agenda_item(ctx: dict[str, Any]) -> Any:
    return sitting(ctx).items.first()


def action_item(ctx: dict[str, Any]) -> Any:
    decision = meetings.decision_record(
        actor=person(ctx, "af"), item=agenda_item(ctx), action="so_integrale_controle", rationale="Controle nodig.",
        action_items=[meetings.ActionItemInput(description="Controle plannen", owner_organisation=Organisation.objects.get(slug=ctx["side"].police_org))],
    )
    return decision.action_items.first()


def regional_sitting(ctx: dict[str, Any]) -> Sitting:
    """A planned regional table of the side's ketenregisseur (Den Haag: fleur's district table),
    with both AFs of the region and its police as members; the AF has brought the side's case."""
    if "regional_sitting" not in ctx:
        from ketenzicht.meetings import regional

        side, af, af2 = ctx["side"], person(ctx, "af"), person(ctx, "af2")
        meetings.meeting_kinds_sync("den-haag")
        meeting = regional.regional_meeting_create(actor=person(ctx, "kr"), data=regional.RegionalMeetingInput(
            kind=MeetingKind.objects.get(slug="regionale-tafel-mensenhandel"), name="Regionale tafel mensenhandel",
            interval_weeks=4, weekday=3, start_time=time(13, 30), first_date=date(2026, 1, 8),
            organisations=[af.organisation, af2.organisation, Organisation.objects.get(slug=side.police_org)],
            members=[af, af2, person(ctx, "police")],
        ))
        sitting = meetings.sitting_plan(actor=person(ctx, "kr"), meeting=meeting, today=date(2026, 3, 2))
        case = cases.case_transition(actor=af, case=ctx["case"], action="in_behandeling_nemen")
        regional.agenda_bring_case(actor=af, sitting=sitting, case=case, reason="Raakt ook de buurgemeente.")
        ctx["regional_sitting"] = sitting
    return ctx["regional_sitting"]


def regional_item(ctx: dict[str, Any]) -> Any:
    return regional_sitting(ctx).items.first()


def regional_action_item(ctx: dict[str, Any]) -> Any:
    """An action item for the side's police, from a theme the chair discussed at the regional table."""
    from ketenzicht.meetings import regional

    chair = person(ctx, "kr")
    theme = regional.agenda_add_theme(actor=chair, sitting=regional_sitting(ctx), theme="Witte vlek in het barrièremodel")
    decision = meetings.decision_record(
        actor=chair, item=theme, action=meetings.DISCUSSED, rationale="Afspraken gemaakt.",
        action_items=[meetings.ActionItemInput(description="Analyse aanleveren", owner_organisation=Organisation.objects.get(slug=ctx["side"].police_org))],
    )
    return decision.action_items.first()


# --- programme ----------------------------------------------------------------------------------
def own_programme(ctx: dict[str, Any]) -> Programme:
    existing = Programme.objects.filter(municipality__cbs_code=ctx["side"].municipality).first()
    return existing or programme.programme_create(actor=person(ctx, "af"), area=municipality(ctx), name="Plan van aanpak mensenhandel", first_year=2025, last_year=2027)


def _action(ctx: dict[str, Any], recurring: bool) -> Action:
    plan = own_programme(ctx)
    found = plan.actions.filter(recurring=recurring).first()
    what, when = ("Training Boa's", "Jaarlijks, Q2") if recurring else ("DPIA opstellen", "Q3 2026")
    return found or programme.action_create(actor=person(ctx, "af"), programme=plan, data=programme.ActionInput(what=what, when_text=when))


def programme_action(ctx: dict[str, Any]) -> Action:
    return _action(ctx, recurring=False)


def occurrence(ctx: dict[str, Any]) -> int:
    return _action(ctx, recurring=True).occurrences.first().pk


def board_report(ctx: dict[str, Any]) -> BoardReport:
    place = municipality(ctx)
    return BoardReport.objects.create(
        level="gemeente", municipality=place, region_id=place.region_id, period="2026H1", kind="halfjaar",
        pdf=b"%PDF-1.4\n%placeholder\n", pages=1,
    )


# --- barriers -----------------------------------------------------------------------------------
def control(ctx: dict[str, Any]) -> Any:
    if "control" not in ctx:
        af, side = person(ctx, "af"), ctx["side"]
        case = cases.case_transition(actor=af, case=ctx["case"], action="in_behandeling_nemen")
        ctx["control"] = barriers.control_plan(actor=af, data=barriers.ControlInput(
            municipality=municipality(ctx), case=case, trigger="signaal", planned_on=timezone.localdate(),
            organisations=list(Organisation.objects.filter(slug__in=[side.municipality_org, side.police_org])),
        ))
    return ctx["control"]


# A second address per side, in the municipality of the side's other AF (regional control team).
SECOND_ADDRESS = {"den-haag": "Heereweg 10, 2161 BD Lisse", "zeeland-west-brabant": "Grote Markt 1, 4811 XS Breda"}


def regional_control(ctx: dict[str, Any]) -> Any:
    """A regional control planned by the side's ketenregisseur: the AF's and the other AF's municipality."""
    if "regional_control" not in ctx:
        side = ctx["side"]
        ctx["regional_control"] = barriers.regional_control_plan(actor=person(ctx, "kr"), data=barriers.RegionalControlInput(
            region=region(ctx), planned_on=timezone.localdate(), trigger_note="Regionaal risicobeeld",
            addresses=[(municipality(ctx), side.address), (person(ctx, "af2").organisation.municipality, SECOND_ADDRESS[side.region])],
            organisations=list(Organisation.objects.filter(slug__in=[side.police_org, side.partner_org])),
        ))
    return ctx["regional_control"]


def regional_address(ctx: dict[str, Any]) -> dict[str, Any]:
    """The AF's own address of the side's regional control."""
    control = regional_control(ctx)
    return {"control_id": control.pk, "address_id": control.addresses.get(municipality=municipality(ctx)).pk}


def intervention(ctx: dict[str, Any]) -> Any:
    ensure_models()
    return barriers.intervention_create(actor=person(ctx, "af"), data=barriers.InterventionInput(
        municipality=municipality(ctx), control=control(ctx), form="arbeid", step_code="arbeid", instrument="apv_sluiting",
        organisation=Organisation.objects.get(slug=ctx["side"].municipality_org),
    ))


def bibob(ctx: dict[str, Any]) -> Any:
    return barriers.bibob_create(actor=person(ctx, "af"), municipality=municipality(ctx), values={
        "application_kind": "huisvesting_arbeidsmigranten", "applicant": "Logies BV", "received_on": date(2026, 1, 5),
    })


def model(ctx: dict[str, Any]) -> dict[str, Any]:
    ensure_models()
    return {"form": "arbeid", "year": timezone.localdate().year}


# --- monitor --------------------------------------------------------------------------------------
def monitor_import(ctx: dict[str, Any]) -> Any:
    from tests.app.monitor_support import monitor_import as rejected_import

    return rejected_import(ctx["side"].region)


def region(ctx: dict[str, Any]) -> Region:
    return Region.objects.get(slug=ctx["side"].region)
