"""The transitions issue 18 added, through each entity's one transition service.

Merge of a duplicate signal, reopening a closed one, cancelling a planned integral control and
dropping an intervention: each moves the state, writes a history row and an audit row in the
same transaction, and a refusal is a Dutch message that leaves the object, its history and the
audit trail as they were. The other municipality's AF cannot take any of these steps.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from ketenzicht.accounts.models import Organisation
from ketenzicht.audit.models import AuditAction, AuditEvent
from ketenzicht.barriers import services as barriers
from ketenzicht.barriers.models import (
    ControlEvent,
    IntegralControl,
    Intervention,
    InterventionEvent,
)
from ketenzicht.cases import services
from ketenzicht.cases.models import Case, CaseEvent
from ketenzicht.core.errors import ServiceError, TransitionRefused
from ketenzicht.routing import services as routing
from tests.app.barriers_support import ensure_models
from tests.support import Cast, report_signal


def _taken_in(cast: Cast, **overrides: Any) -> Case:
    case = report_signal(cast.chantal, cast.zoeterwoude, **overrides)
    return services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")


def _closed(cast: Cast) -> Case:
    case = _taken_in(cast)
    case = services.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="Melder is anoniem")
    return services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="Geen aanwijzingen gevonden")


def _trail(obj: Any, events: Any) -> tuple[int, int]:
    """(history rows, audit rows) of one object: a refusal adds to neither."""
    return events.count(), AuditEvent.objects.filter(object_id=str(obj.pk)).count()


def _case_trail(case: Case) -> tuple[int, int]:
    return _trail(case, CaseEvent.objects.filter(case_id=case.pk))


# --- merge of duplicates ------------------------------------------------------------------------
def test_a_duplicate_merges_into_the_case_it_repeats_and_becomes_read_only(cast: Cast) -> None:
    kept = _taken_in(cast)
    duplicate = report_signal(cast.chantal, cast.zoeterwoude, description="Dezelfde woning, opnieuw gemeld.")
    merged = services.case_transition(actor=cast.anouk, case=duplicate, action="samenvoegen",
                                      reason="Zelfde woning, zelfde week", merge_into=kept)
    merged.refresh_from_db()
    assert merged.state == "samengevoegd" and merged.merged_into_id == kept.pk and merged.closed_at is not None
    step = CaseEvent.objects.get(case=merged, action="samenvoegen")
    assert (step.from_state, step.to_state, step.reason, step.actor_id) == ("ontvangen", "samengevoegd", "Zelfde woning, zelfde week", cast.anouk.pk)
    on_kept = CaseEvent.objects.get(case=kept, kind="samengevoegd")
    assert duplicate.reference in on_kept.reason and "Zelfde woning" in on_kept.reason
    audit = AuditEvent.objects.get(object_type="case", object_id=str(merged.pk), action=AuditAction.TRANSITION, reason__contains="samengevoegd")
    assert kept.reference in audit.reason and audit.actor_id == cast.anouk.pk
    kept.refresh_from_db()
    assert kept.state == "in_behandeling"  # the case it went into keeps its own course

    # Read-only from now on, with the case to work in named; the reporter's addition goes there.
    with pytest.raises(services.CaseReadOnly, match=f"samengevoegd met {kept.reference}; werk verder in dat signaal"):
        services.subject_add(actor=cast.anouk, case=merged, subject=services.SubjectInput(role="slachtoffer", name="Iemand"))
    addition = services.case_addition_add(case=merged, text="Er wonen nu nog meer mensen.")
    assert addition.case_id == kept.pk
    with pytest.raises(TransitionRefused, match="status 'Samengevoegd met een ander signaal'"):
        services.case_transition(actor=cast.anouk, case=merged, action="heropenen", reason="Toch apart")


def test_merging_is_refused_in_dutch_and_leaves_everything_as_it_was(cast: Cast) -> None:
    duplicate = _taken_in(cast)
    in_lisse = report_signal(cast.chantal, cast.lisse)
    closed = _closed(cast)
    open_target = _taken_in(cast)
    refusals = [
        (None, "Zelfde adres", "Kies het signaal waarmee dit signaal wordt samengevoegd"),
        (duplicate, "Zelfde adres", "kan niet met zichzelf worden samengevoegd"),
        (in_lisse, "Zelfde adres", "alleen met een signaal van dezelfde gemeente"),
        (closed, "Zelfde adres", f"Signaal {closed.reference} is afgesloten of zelf samengevoegd; kies een lopend signaal"),
        (open_target, "  ", "Geef een toelichting bij de stap 'Samenvoegen met een ander signaal'"),
    ]
    before = _case_trail(duplicate)
    for target, reason, message in refusals:
        with pytest.raises(TransitionRefused, match=message):
            services.case_transition(actor=cast.anouk, case=duplicate, action="samenvoegen", reason=reason, merge_into=target)
    # The Lisse case's reference is never named to Zoeterwoude's AF.
    with pytest.raises(TransitionRefused) as refused:
        services.case_transition(actor=cast.anouk, case=duplicate, action="samenvoegen", reason="x", merge_into=in_lisse)
    assert in_lisse.reference not in str(refused.value)
    assert _case_trail(duplicate) == before
    # An open referral is withdrawn first (the partner is told), as for closing.
    referral = routing.referral_create(actor=cast.anouk, case=duplicate, organisation=Organisation.objects.get(slug="shop"), question="Contact?")
    routing.referral_send(actor=cast.anouk, referral=referral)
    before = _case_trail(duplicate)
    with pytest.raises(TransitionRefused, match=r"Er loopt nog een doorverwijzing \(SHOP – "):
        services.case_transition(actor=cast.anouk, case=duplicate, action="samenvoegen", reason="Zelfde adres", merge_into=open_target)
    duplicate.refresh_from_db()
    assert duplicate.state == "in_behandeling" and duplicate.merged_into_id is None
    assert _case_trail(duplicate) == before
    assert not AuditEvent.objects.filter(object_id=str(duplicate.pk), action=AuditAction.TRANSITION, reason__contains="samengevoegd").exists()
    assert _case_trail(open_target)[0] == 2  # reported, taken in: nothing was merged into it


def test_the_other_municipality_cannot_merge_or_reopen_a_case(cast: Cast) -> None:
    duplicate, kept, closed = _taken_in(cast), _taken_in(cast), _closed(cast)
    own_in_lisse = report_signal(cast.chantal, cast.lisse)
    with pytest.raises(PermissionDenied):
        services.case_transition(actor=cast.bram, case=duplicate, action="samenvoegen", reason="Dubbel", merge_into=kept)
    with pytest.raises(PermissionDenied):
        services.case_transition(actor=cast.bram, case=closed, action="heropenen", reason="Nieuwe informatie")
    # Nor pull a Zoeterwoude case into one of Lisse's own.
    with pytest.raises(TransitionRefused, match="dezelfde gemeente"):
        services.case_transition(actor=cast.bram, case=own_in_lisse, action="samenvoegen", reason="Dubbel", merge_into=kept)
    for case, state in ((duplicate, "in_behandeling"), (closed, "afgesloten"), (own_in_lisse, "ontvangen")):
        case.refresh_from_db()
        assert case.state == state


# --- reopen --------------------------------------------------------------------------------------
def test_a_closed_case_reopens_with_a_reason_and_can_be_worked_on_again(cast: Cast) -> None:
    closed = _closed(cast)
    subject = services.SubjectInput(role="slachtoffer", name="Nieuwe betrokkene")
    with pytest.raises(services.CaseReadOnly, match="heropen het eerst"):
        services.subject_add(actor=cast.anouk, case=closed, subject=subject)
    before = _case_trail(closed)
    with pytest.raises(TransitionRefused, match="Geef een toelichting bij de stap 'Heropenen'"):
        services.case_transition(actor=cast.anouk, case=closed, action="heropenen", reason=" ")
    assert _case_trail(closed) == before
    now = timezone.now()
    reopened = services.case_transition(actor=cast.anouk, case=closed, action="heropenen", reason="Nieuwe melding van de wijkagent", now=now)
    reopened.refresh_from_db()
    assert reopened.state == "in_behandeling" and reopened.closed_at is None
    step = CaseEvent.objects.get(case=reopened, action="heropenen")
    assert (step.from_state, step.to_state, step.reason, step.at) == ("afgesloten", "in_behandeling", "Nieuwe melding van de wijkagent", now)
    assert AuditEvent.objects.filter(object_id=str(reopened.pk), action=AuditAction.TRANSITION, reason="afgesloten → in_behandeling").count() == 1
    services.subject_add(actor=cast.anouk, case=reopened, subject=subject)  # no longer read-only
    # Only a closed case reopens.
    with pytest.raises(TransitionRefused, match="De stap 'Heropenen' kan niet: het signaal heeft de status 'In behandeling"):
        services.case_transition(actor=cast.anouk, case=reopened, action="heropenen", reason="Nog eens")


# --- integral control: cancel ---------------------------------------------------------------------
def _planned_control(cast: Cast) -> IntegralControl:
    return barriers.control_plan(actor=cast.anouk, data=barriers.ControlInput(
        municipality=cast.zoeterwoude, trigger="risicoanalyse", trigger_note="Risicoanalyse huisvesting 2026",
        planned_on=timezone.localdate(), location_address="Dorpsstraat 5, 2381 AB Zoeterwoude",
        organisations=list(Organisation.objects.filter(slug__in=["gemeente-zoeterwoude", "nla"])),
    ))


def test_a_planned_control_is_cancelled_with_its_reason_and_then_takes_no_findings(cast: Cast) -> None:
    control = _planned_control(cast)
    with pytest.raises(PermissionDenied):
        barriers.control_cancel(actor=cast.bram, control=control, reason="Niet van ons")
    before = _trail(control, ControlEvent.objects.filter(control=control))
    with pytest.raises(TransitionRefused, match="Geef een toelichting bij de stap 'Annuleren'"):
        barriers.control_cancel(actor=cast.anouk, control=control, reason="")
    assert _trail(control, ControlEvent.objects.filter(control=control)) == before
    cancelled = barriers.control_cancel(actor=cast.anouk, control=control, reason="Het pand staat leeg")
    cancelled.refresh_from_db()
    assert cancelled.status == "geannuleerd"
    step = ControlEvent.objects.get(control=control, action="annuleren")
    assert (step.from_state, step.to_state, step.note, step.actor_id) == ("gepland", "geannuleerd", "Het pand staat leeg", cast.anouk.pk)
    assert AuditEvent.objects.filter(object_type="integral_control", object_id=str(control.pk), reason="gepland → geannuleerd").count() == 1
    # A cancelled control stays cancelled: no findings, no second cancel.
    with pytest.raises(TransitionRefused, match="status 'Geannuleerd'"):
        barriers.control_record_findings(actor=cast.anouk, control=cancelled, executed_on=date.today(), answers={})
    with pytest.raises(TransitionRefused, match="status 'Geannuleerd'"):
        barriers.control_cancel(actor=cast.anouk, control=cancelled, reason="Nogmaals")
    assert IntegralControl.objects.get(pk=control.pk).executed_on is None


def test_an_executed_control_cannot_be_cancelled(cast: Cast) -> None:
    control = barriers.control_record_findings(actor=cast.anouk, control=_planned_control(cast), executed_on=date.today(), answers={}, notes="Rustig")
    with pytest.raises(TransitionRefused, match="De stap 'Annuleren' kan niet: .* status 'Uitgevoerd'"):
        barriers.control_cancel(actor=cast.anouk, control=control, reason="Vergissing")
    assert IntegralControl.objects.get(pk=control.pk).status == "uitgevoerd"


# --- intervention: drop -----------------------------------------------------------------------------
def _proposed_intervention(cast: Cast) -> Intervention:
    ensure_models()
    return barriers.intervention_create(actor=cast.anouk, data=barriers.InterventionInput(
        municipality=cast.zoeterwoude, control=_planned_control(cast), form="arbeid", step_code="arbeid",
        instrument="apv_sluiting", organisation=Organisation.objects.get(slug="gemeente-zoeterwoude"),
    ))


def test_an_intervention_is_dropped_with_why_and_then_cannot_start(cast: Cast) -> None:
    intervention = _proposed_intervention(cast)
    with pytest.raises(PermissionDenied):
        barriers.intervention_drop(actor=cast.bram, intervention=intervention, reason="Niet van ons")
    before = _trail(intervention, InterventionEvent.objects.filter(intervention=intervention))
    with pytest.raises(TransitionRefused, match="Geef een toelichting bij de stap 'Niet doorzetten'"):
        barriers.intervention_drop(actor=cast.anouk, intervention=intervention, reason="   ")
    assert _trail(intervention, InterventionEvent.objects.filter(intervention=intervention)) == before
    assert Intervention.objects.get(pk=intervention.pk).dropped_reason == ""  # nothing half-saved
    dropped = barriers.intervention_drop(actor=cast.anouk, intervention=intervention, reason="Exploitant is vertrokken")
    dropped.refresh_from_db()
    assert dropped.status == "afgezien" and dropped.dropped_reason == "Exploitant is vertrokken"
    step = InterventionEvent.objects.get(intervention=intervention, action="afzien")
    assert (step.from_state, step.to_state, step.note) == ("voorgesteld", "afgezien", "Exploitant is vertrokken")
    assert AuditEvent.objects.filter(object_type="intervention", object_id=str(intervention.pk), reason="voorgesteld → afgezien").count() == 1
    with pytest.raises(TransitionRefused, match="status 'Niet doorgegaan'"):
        barriers.intervention_start(actor=cast.anouk, intervention=dropped, started_on=date.today())
    assert Intervention.objects.get(pk=intervention.pk).started_on is None


def test_a_started_intervention_is_not_dropped_but_gets_its_effect(cast: Cast) -> None:
    started = barriers.intervention_start(actor=cast.anouk, intervention=_proposed_intervention(cast), started_on=date.today())
    with pytest.raises(ServiceError, match="De stap 'Niet doorzetten' kan niet: .* status 'Ingezet, effect nog niet vastgelegd'"):
        barriers.intervention_drop(actor=cast.anouk, intervention=started, reason="Toch niet")
    started.refresh_from_db()
    assert started.status == "ingezet" and started.dropped_reason == ""
