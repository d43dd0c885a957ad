"""Builders for the retention tests: a closed case with everything that used to block its purge.

Everything is built through the real services (issue 18): table outcomes are decisions of a
table (`decision_record`, `decide_at_table`), controls, interventions and Bibob decisions go
through their transition services. Only `age_*` move dates back, as the set-up of a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from ketenzicht.accounts.models import Organisation
from ketenzicht.barriers import services as barriers
from ketenzicht.barriers.models import (
    BibobScreening,
    ControlEvent,
    EffectCategory,
    IntegralControl,
    Intervention,
    InterventionEvent,
)
from ketenzicht.cases import services as cases
from ketenzicht.cases.models import Attachment, Case
from ketenzicht.meetings import services as meetings
from ketenzicht.meetings.models import AgendaItem, Decision
from ketenzicht.routing import services as routing
from ketenzicht.routing.models import Referral
from tests.app.barriers_support import ensure_models
from tests.app.test_meetings_support import decide_at_table, make_meeting
from tests.support import Cast, report_signal

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EFFECT = EffectCategory.values[0]
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n"


@dataclass
class FullCase:
    case: Case
    referral: Referral
    item: AgendaItem
    decision: Decision
    control: IntegralControl
    intervention: Intervention
    files: list[str]


def full_closed_case(cast: Cast, *, sitting_day: date = date(2026, 3, 2)) -> FullCase:
    """A Zoeterwoude case with a rejected referral (snapshot), an agenda item with a decision and
    action item, an executed control, an intervention with its effect and two attachments; closed."""
    ensure_models()
    case = report_signal(cast.chantal, cast.zoeterwoude, description="Mevrouw Jansen werkt er 70 uur per week.")
    case = cases.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    referral = routing.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="shop"), question="Opvang voor mevrouw Jansen?")
    referral = routing.referral_send(actor=cast.anouk, referral=referral)
    referral = routing.referral_receive(actor=cast.julia, referral=referral)
    referral = routing.referral_reject(actor=cast.julia, referral=referral, reason="Geen plek")
    case.refresh_from_db()
    case = cases.case_transition(actor=cast.anouk, case=case, action="agenderen")
    meeting = make_meeting(cast)
    sitting = meetings.sitting_plan(actor=cast.anouk, meeting=meeting, today=sitting_day)
    item = sitting.items.get(case=case)
    decision = meetings.decision_record(
        actor=cast.anouk, item=item, action="so_integrale_controle", rationale="Mevrouw Jansen is in gevaar.",
        action_items=[meetings.ActionItemInput(description="Controle bij Jansen plannen", owner_organisation=Organisation.objects.get(slug="politie-den-haag-avim"))],
    )
    case.refresh_from_db()
    control = barriers.control_plan(actor=cast.anouk, data=barriers.ControlInput(
        municipality=cast.zoeterwoude, case=case, trigger="signaal", planned_on=timezone.localdate(), location_address="Dorpsstraat 3",
        organisations=list(Organisation.objects.filter(slug__in=["gemeente-zoeterwoude", "nla"])),
    ))
    control = barriers.control_record_findings(actor=cast.anouk, control=control, executed_on=timezone.localdate(), answers={}, notes="Jansen aangetroffen.")
    intervention = barriers.intervention_create(actor=cast.anouk, data=barriers.InterventionInput(
        municipality=cast.zoeterwoude, case=case, control=control, form="arbeid", step_code="arbeid", instrument="apv_sluiting",
        organisation=Organisation.objects.get(slug="gemeente-zoeterwoude"), company_name="Uitzendbureau Jansen",
    ))
    intervention = barriers.intervention_decide(actor=cast.anouk, intervention=intervention, rationale="Sluiting nodig.")
    intervention = barriers.intervention_start(actor=cast.anouk, intervention=intervention, started_on=timezone.localdate())
    intervention = barriers.intervention_record_effect(actor=cast.anouk, intervention=intervention, category=EFFECT, text="Pand gesloten.", ended_on=timezone.localdate())
    for name, data in (("foto.png", PNG), ("brief.pdf", PDF)):
        cases.attachment_add(actor=cast.anouk, case=case, attachment=cases.AttachmentInput(name, "text/html", data))
    cases.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="anoniem")
    case = cases.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="klaar")
    files = list(Attachment.objects.filter(case=case).values_list("file", flat=True))
    return FullCase(case, referral, item, decision, control, intervention, files)


def age_case(case: Case, days: int) -> None:
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=days))


def age_control(control: IntegralControl, days: int) -> None:
    """Its dates and its history (the term counts from its last step)."""
    day = timezone.localdate() - timedelta(days=days)
    IntegralControl.objects.filter(pk=control.pk).update(planned_on=day, executed_on=day)
    ControlEvent.objects.filter(control=control).update(at=timezone.now() - timedelta(days=days))


def age_intervention(intervention: Intervention, days: int) -> None:
    moment = timezone.now() - timedelta(days=days)
    Intervention.objects.filter(pk=intervention.pk).update(proposed_at=moment, started_on=moment.date(), ended_on=moment.date(), effect_recorded_at=moment)
    InterventionEvent.objects.filter(intervention=intervention).update(at=moment)


def bibob(cast: Cast, *, decided_days_ago: int | None, decision: str = "verleend") -> BibobScreening:
    """A screening received in 2015, decided `decided_days_ago` days ago through the Bibob service."""
    screening = barriers.bibob_create(actor=cast.anouk, municipality=cast.zoeterwoude, values={
        "application_kind": "huisvesting_arbeidsmigranten", "applicant": "Logies BV", "received_on": date(2015, 1, 5),
    })
    if decided_days_ago is not None:
        day = timezone.localdate() - timedelta(days=decided_days_ago)
        screening = barriers.bibob_decide(actor=cast.anouk, screening=screening, decision=decision, decided_on=day)
    return screening


def close_via(cast: Cast, outcome: str, *, attachment: bool = False) -> Case:
    """A Zoeterwoude case closed after its table decided `outcome` (an action of the signalenoverleg)."""
    case = report_signal(cast.chantal, cast.zoeterwoude)
    for action in ("in_behandeling_nemen", "agenderen"):
        case = cases.case_transition(actor=cast.anouk, case=case, action=action)
    case = decide_at_table(cast.anouk, case, outcome, "besproken")
    if attachment:
        cases.attachment_add(actor=cast.anouk, case=case, attachment=cases.AttachmentInput("a.pdf", "application/pdf", PDF))
    cases.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="anoniem")
    return cases.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="klaar")


def referred_and_closed(cast: Cast) -> tuple[Case, Referral]:
    """A case the AF handled alone: referred to the shelter, which finished it; then closed."""
    case = cases.case_transition(actor=cast.anouk, case=report_signal(cast.chantal, cast.zoeterwoude), action="in_behandeling_nemen")
    referral = routing.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="shop"), question="Opvang?")
    referral = routing.referral_send(actor=cast.anouk, referral=referral)
    referral = routing.referral_receive(actor=cast.julia, referral=referral)
    referral = routing.referral_accept(actor=cast.julia, referral=referral)
    referral = routing.referral_complete(actor=cast.julia, referral=referral, feedback="Opgevangen.")
    cases.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="anoniem")
    return cases.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="klaar"), referral


def merged_duplicate(cast: Cast, into: Case, *, attachment: bool = False) -> Case:
    """A second report about the same thing, merged into `into` (issue 18's `samenvoegen`)."""
    duplicate = report_signal(cast.chantal, cast.zoeterwoude, description="Dezelfde woning, mevrouw Jansen.")
    if attachment:
        cases.attachment_add(actor=cast.anouk, case=duplicate, attachment=cases.AttachmentInput("dubbel.png", "image/png", PNG))
    return cases.case_transition(actor=cast.anouk, case=duplicate, action="samenvoegen", reason="Zelfde adres", merge_into=into)
