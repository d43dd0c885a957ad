"""Integral controls and interventions, from planning to effect; LOO decisions move the case."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ketenzicht.accounts.models import Organisation
from ketenzicht.barriers import services
from ketenzicht.barriers.models import ControlStatus, EffectReminderSent
from ketenzicht.barriers.reminders import effect_reminders_send
from ketenzicht.cases.services import case_transition
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain.workdays import add_working_days
from ketenzicht.meetings import services as meeting_services
from ketenzicht.meetings.models import Decision
from ketenzicht.norms.selectors import norms_for
from tests.app.barriers_support import ensure_models
from tests.app.test_meetings_support import make_meeting
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import Cast, login, report_signal


def _orgs(*slugs: str) -> list[Organisation]:
    return list(Organisation.objects.filter(slug__in=slugs))


def _labour_case(cast: Cast):  # noqa: ANN202
    case = report_signal(cast.chantal, cast.zoeterwoude, forms=["arbeid"], company_name="Kas BV", kvk_number="12345678")
    return case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")


def _plan(cast: Cast, case, **overrides):  # noqa: ANN001, ANN202
    data = {"municipality": cast.zoeterwoude, "case": case, "trigger": "signaal", "planned_on": timezone.localdate(),
            "organisations": _orgs("gemeente-zoeterwoude", "nla", "politie-den-haag-avim"), **overrides}
    return services.control_plan(actor=cast.anouk, data=services.ControlInput(**data))


def test_control_from_a_case_takes_its_address_and_records_the_checklist(cast: Cast, client) -> None:  # noqa: ANN001
    case = _labour_case(cast)
    control = _plan(cast, case)
    assert control.location_address == case.location_address and control.company_name == "Kas BV"
    assert control.status == ControlStatus.GEPLAND
    done = services.control_record_findings(
        actor=cast.anouk, control=control, executed_on=timezone.localdate(),
        answers={"id_ingehouden": "ja", "slechte_huisvesting": "ja", "geen_contract": "nee"}, notes="Twaalf bedden in één kamer.",
    )
    assert done.status == ControlStatus.UITGEVOERD and done.findings_yes == 2
    # The case page and the address history show the control and what it found.
    login(client, cast.anouk)
    page = client.get(f"/werkvoorraad/{case.pk}/").content.decode()
    assert "Integrale controle" in page and "2 indicator(en) aangetroffen" in page
    history = client.get(f"/verstoren/adres/{control.address_hash}/").content.decode()
    assert case.reference in history and "Uitgevoerd" in history
    assert case.location_address not in f"/verstoren/adres/{control.address_hash}/"


def test_planning_refuses_what_cannot_be_a_control(cast: Cast) -> None:
    fresh = report_signal(cast.chantal, cast.zoeterwoude)
    with pytest.raises(services.BarrierError, match="eerst in behandeling"):
        _plan(cast, fresh)
    case = _labour_case(cast)
    with pytest.raises(services.BarrierError, match="ten minste twee organisaties"):
        _plan(cast, case, organisations=_orgs("nla"))
    with pytest.raises(services.BarrierError, match="risicoanalyse"):
        _plan(cast, None, trigger="risicoanalyse", location_address="Industrieweg 1, 2381 AA Zoeterwoude")
    lisse_case = case_transition(actor=cast.bram, case=report_signal(cast.bram, cast.lisse), action="in_behandeling_nemen")
    with pytest.raises(services.BarrierError, match="andere gemeente"):
        _plan(cast, lisse_case)


def test_findings_reject_unknown_questions_and_future_dates(cast: Cast) -> None:
    control = _plan(cast, _labour_case(cast))
    with pytest.raises(services.BarrierError, match="Onbekende vraag"):
        services.control_record_findings(actor=cast.anouk, control=control, executed_on=timezone.localdate(),
                                         answers={"verzonnen": "ja"}, questions=["id_ingehouden"])
    # Refused by the control's lifecycle: the service's base error, the same Dutch message.
    with pytest.raises(ServiceError, match="toekomst"):
        services.control_record_findings(actor=cast.anouk, control=control, executed_on=timezone.localdate() + timedelta(days=2), answers={})


def test_intervention_after_a_control_gets_an_effect_deadline_and_then_its_effect(cast: Cast) -> None:
    ensure_models()
    control = _plan(cast, _labour_case(cast))
    started = timezone.localdate() - timedelta(days=1)
    intervention = services.intervention_create(actor=cast.anouk, data=services.InterventionInput(
        municipality=cast.zoeterwoude, control=control, form="arbeid", step_code="arbeid", instrument="apv_sluiting",
        organisation=Organisation.objects.get(slug="gemeente-zoeterwoude"), started_on=started,
    ))
    assert intervention.case == control.case and intervention.kvk_number == "12345678"
    # The region's follow-up term (data/norms/den-haag.yaml: 20 working days), not a constant.
    assert intervention.effect_due == add_working_days(started, 20, cutoff=None)
    assert intervention.effect_due == norms_for(cast.zoeterwoude).effect_due(started)
    assert intervention.status == "ingezet"
    with pytest.raises(services.BarrierError, match="Beschrijf het effect"):
        services.intervention_record_effect(actor=cast.anouk, intervention=intervention, category="gestopt", text=" ")
    done = services.intervention_record_effect(actor=cast.anouk, intervention=intervention, category="gestopt",
                                               text="Pand gesloten; bewoners elders gehuisvest.")
    assert done.status == "effect_vastgelegd" and done.effect_recorded_at is not None
    with pytest.raises(services.BarrierError, match="al vastgelegd"):
        services.intervention_record_effect(actor=cast.anouk, intervention=done, category="verstoord", text="Nogmaals")


def test_an_effect_needs_a_start_and_a_step_must_exist_in_the_model(cast: Cast) -> None:
    ensure_models()
    case = _labour_case(cast)
    org = Organisation.objects.get(slug="gemeente-zoeterwoude")
    with pytest.raises(services.BarrierError, match="stap uit het barrièremodel"):
        services.intervention_create(actor=cast.anouk, data=services.InterventionInput(
            municipality=cast.zoeterwoude, case=case, form="arbeid", step_code="exploitatie", instrument="bibob", organisation=org))
    proposal = services.intervention_create(actor=cast.anouk, data=services.InterventionInput(
        municipality=cast.zoeterwoude, case=case, form="arbeid", step_code="huisvesting", instrument="last_onder_dwangsom", organisation=org))
    with pytest.raises(services.BarrierError, match="eerst vast wanneer"):
        services.intervention_record_effect(actor=cast.anouk, intervention=proposal, category="gestopt", text="x")
    started = services.intervention_start(actor=cast.anouk, intervention=proposal, started_on=timezone.localdate())
    assert started.effect_due is not None


def test_an_intervention_without_a_case_needs_an_address_or_company(cast: Cast) -> None:
    ensure_models()
    org = Organisation.objects.get(slug="gemeente-zoeterwoude")
    with pytest.raises(services.BarrierError, match="signaal, een adres of een bedrijf"):
        services.intervention_create(actor=cast.anouk, data=services.InterventionInput(
            municipality=cast.zoeterwoude, form="seksueel", step_code="exploitatie", instrument="bibob", organisation=org))
    row = services.intervention_create(actor=cast.anouk, data=services.InterventionInput(
        municipality=cast.zoeterwoude, form="seksueel", step_code="exploitatie", instrument="bibob", organisation=org, kvk_number="87654321"))
    assert row.case is None and row.kvk_number == "87654321"


def _case_at_loo(cast: Cast):  # noqa: ANN202
    """Escalated to the LOO by the signalenoverleg (a table decision; the case page cannot)."""
    case = _labour_case(cast)
    case = case_transition(actor=cast.anouk, case=case, action="agenderen")
    make_meeting(cast, "signalenoverleg")
    meeting_services.table_decide(actor=cast.anouk, case=case, action="naar_loo", rationale="Integraal belang")
    case.refresh_from_db()
    assert case.state == "geagendeerd_loo"
    return case


def test_loo_decision_on_an_agenda_item_records_the_tables_decision_and_moves_the_case(cast: Cast) -> None:
    ensure_models()
    case = _case_at_loo(cast)
    loo = make_meeting(cast, "loo", orgs=("gemeente-zoeterwoude", "politie-den-haag-avim", "riec-den-haag"))
    sitting = meeting_services.sitting_plan(actor=cast.anouk, meeting=loo, today=date(2026, 3, 2))
    item = sitting.items.get(case=case)
    intervention = services.intervention_create(actor=cast.anouk, data=services.InterventionInput(
        municipality=cast.zoeterwoude, case=case, agenda_item=item, form="arbeid", step_code="arbeid",
        instrument="apv_sluiting", organisation=Organisation.objects.get(slug="gemeente-zoeterwoude")))
    decided = services.intervention_decide(actor=cast.anouk, intervention=intervention, rationale="Sluiting via APV.")
    case.refresh_from_db()
    assert case.state == "interventie"
    decision = Decision.objects.get(item=item)
    assert decided.loo_decision == decision and decision.action == "loo_interventie"
    with pytest.raises(ServiceError, match="status 'Besloten'"):
        services.intervention_decide(actor=cast.anouk, intervention=decided, rationale="Nogmaals")


def test_intervention_decided_without_an_agenda_item_leaves_the_case_to_the_loo(cast: Cast) -> None:
    """Issue 18: a LOO outcome is taken at the LOO; deciding an intervention elsewhere does not move the case."""
    ensure_models()
    case = _case_at_loo(cast)
    intervention = services.intervention_create(actor=cast.anouk, data=services.InterventionInput(
        municipality=cast.zoeterwoude, case=case, form="arbeid", step_code="financien",
        instrument="uitkering_terugvorderen", organisation=Organisation.objects.get(slug="gemeente-zoeterwoude")))
    decided = services.intervention_decide(actor=cast.anouk, intervention=intervention, rationale="Terugvorderen.")
    assert decided.status == "besloten" and decided.loo_decision is None
    case.refresh_from_db()
    assert case.state == "geagendeerd_loo"
    assert not case.events.filter(action="loo_interventie").exists()
    # Nor can the case page take the LOO's outcome.
    with pytest.raises(ServiceError, match="besluit van het LOO|besluit van het Lokaal|leg het daar vast"):
        case_transition(actor=cast.anouk, case=case, action="loo_interventie", reason="Via de pagina")
    case.refresh_from_db()
    assert case.state == "geagendeerd_loo"


def test_missing_effect_reminder_goes_out_once_without_personal_data(cast: Cast, smtp_server) -> None:  # noqa: F811
    ensure_models()
    case = _labour_case(cast)
    intervention = services.intervention_create(actor=cast.anouk, data=services.InterventionInput(
        municipality=cast.zoeterwoude, case=case, form="arbeid", step_code="arbeid", instrument="apv_sluiting",
        organisation=Organisation.objects.get(slug="gemeente-zoeterwoude"), started_on=timezone.localdate() - timedelta(days=60)))
    assert intervention.effect_due < timezone.localdate()
    assert effect_reminders_send() == 1
    assert effect_reminders_send() == 0  # once only
    mails = [m for m in smtp_server.messages if "effect" in m["Subject"]]
    assert len(mails) == 1 and mails[0]["To"] == "anouk@example.test"
    body = mails[0].get_content()
    assert case.reference in body and str(intervention.pk) in body
    assert case.location_address not in body and "Kas BV" not in body
    assert EffectReminderSent.objects.filter(intervention=intervention, sent_at__isnull=False).count() == 1
    # Once the effect is recorded, no reminder is due any more.
    services.intervention_record_effect(actor=cast.anouk, intervention=intervention, category="verstoord", text="Bedrijf verhuisd.")
    assert effect_reminders_send(timezone.localdate() + timedelta(days=90)) == 0


def test_forms_keep_input_and_say_what_to_fix(cast: Cast, client) -> None:  # noqa: ANN001
    case = _labour_case(cast)
    login(client, cast.anouk)
    response = client.post(f"/verstoren/controles/nieuw/?signaal={case.pk}", {"planned_on": "2026-05-01", "trigger": "signaal", "trigger_note": "Na signaal X"})
    page = response.content.decode()
    assert response.status_code == 400 and "Kies de organisaties die deelnemen." in page and "Na signaal X" in page
