"""Builders for the retention tests: a closed case with everything that used to block its purge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from ketenzicht.accounts.models import Organisation
from ketenzicht.barriers import services as barriers
from ketenzicht.barriers.models import BibobScreening, IntegralControl, Intervention
from ketenzicht.cases import services as cases
from ketenzicht.cases.models import Attachment, Case
from ketenzicht.meetings import services as meetings
from ketenzicht.meetings.models import AgendaItem, Decision
from ketenzicht.routing import services as routing
from ketenzicht.routing.models import Referral
from tests.app.barriers_support import ensure_models
from tests.app.test_meetings_support import make_meeting
from tests.support import Cast, report_signal

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
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
    action item, a control, an intervention and two attachments; closed."""
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
    intervention = barriers.intervention_create(actor=cast.anouk, data=barriers.InterventionInput(
        municipality=cast.zoeterwoude, case=case, control=control, form="arbeid", step_code="arbeid", instrument="apv_sluiting",
        organisation=Organisation.objects.get(slug="gemeente-zoeterwoude"), company_name="Uitzendbureau Jansen",
    ))
    for name, data in (("foto.png", PNG), ("brief.pdf", PDF)):
        cases.attachment_add(actor=cast.anouk, case=case, attachment=cases.AttachmentInput(name, "text/html", data))
    cases.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="anoniem")
    case = cases.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="klaar")
    files = list(Attachment.objects.filter(case=case).values_list("file", flat=True))
    return FullCase(case, referral, item, decision, control, intervention, files)


def age_case(case: Case, days: int) -> None:
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=days))


def bibob(cast: Cast, *, decided_days_ago: int | None, decision: str = "verleend") -> BibobScreening:
    screening = barriers.bibob_create(actor=cast.anouk, municipality=cast.zoeterwoude, values={
        "application_kind": "huisvesting_arbeidsmigranten", "applicant": "Logies BV", "received_on": date(2015, 1, 5),
    })
    if decided_days_ago is not None:
        BibobScreening.objects.filter(pk=screening.pk).update(decision=decision, decided_on=timezone.localdate() - timedelta(days=decided_days_ago))
    return screening


def close_via(cast: Cast, outcome: str, *, attachment: bool = False) -> Case:
    """A Zoeterwoude case closed after the signalenoverleg decided `outcome` (an action)."""
    case = report_signal(cast.chantal, cast.zoeterwoude)
    for action in ("in_behandeling_nemen", "agenderen"):
        case = cases.case_transition(actor=cast.anouk, case=case, action=action)
    case = cases.case_transition(actor=cast.anouk, case=case, action=outcome, reason="besproken")
    if attachment:
        cases.attachment_add(actor=cast.anouk, case=case, attachment=cases.AttachmentInput("a.pdf", "application/pdf", PDF))
    cases.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="anoniem")
    return cases.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="klaar")
