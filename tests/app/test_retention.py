"""Retention that completes: every kind of record goes after its term, one per transaction,
files only after the commit, failures reported without stopping the rest, safe to rerun."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from ketenzicht.accounts.models import Organisation
from ketenzicht.audit.models import AuditEvent
from ketenzicht.barriers.models import BibobScreening, IntegralControl, Intervention
from ketenzicht.cases import services as cases
from ketenzicht.cases.models import Attachment, Case, Subject
from ketenzicht.meetings.models import ActionItem, AgendaItem, Decision, ReminderSent, Sitting
from ketenzicht.retention import kinds, services
from ketenzicht.retention.models import Tombstone
from ketenzicht.routing import services as routing
from ketenzicht.routing.models import Referral, ReferralEvent
from tests.app.retention_support import (
    age_case,
    age_control,
    age_intervention,
    bibob,
    close_via,
    full_closed_case,
    merged_duplicate,
    referred_and_closed,
)
from tests.app.test_meetings_support import decide_at_table
from tests.support import Cast, report_signal


def _purge(*args: str) -> str:
    out = StringIO()
    call_command("purge", *args, stdout=out, stderr=out)
    return out.getvalue()


def _media(name: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name


def test_a_closed_case_with_everything_attached_is_purged_and_the_minutes_keep_the_decision(cast: Cast, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        full = full_closed_case(cast)
    assert all(_media(name).exists() for name in full.files)
    age_case(full.case, 6 * 365)  # outcome integrale_controle: 5 years
    still_open = report_signal(cast.chantal, cast.zoeterwoude)

    with django_capture_on_commit_callbacks(execute=True):
        output = _purge()

    assert not Case.objects.filter(pk=full.case.pk).exists()
    assert not Subject.objects.filter(case_id=full.case.pk).exists() and not Attachment.objects.filter(case_id=full.case.pk).exists()
    assert not Referral.objects.filter(pk=full.referral.pk).exists()
    assert not any(_media(name).exists() for name in full.files)
    # The minutes keep the item and decision, with the reference and without personal data.
    item = AgendaItem.objects.get(pk=full.item.pk)
    assert item.case_id is None and item.case_reference == full.case.reference
    decision = Decision.objects.get(pk=full.decision.pk)
    assert decision.to_state == "integrale_controle" and "Jansen" not in decision.rationale
    assert not ActionItem.objects.filter(description__contains="Jansen").exists()
    # Control and intervention have their own term: they stay, without the link.
    assert IntegralControl.objects.get(pk=full.control.pk).case_id is None
    assert Intervention.objects.get(pk=full.intervention.pk).case_id is None
    assert Case.objects.filter(pk=still_open.pk).exists()
    stone = Tombstone.objects.get(reference=full.case.reference)
    assert stone.kind == "case" and stone.rule == "case.integrale_controle: 5 jaar" and stone.signature
    entry = AuditEvent.objects.get(action="purge", object_type="case")
    assert entry.object_label == full.case.reference and entry.actor_label == "systeem (purge)"
    assert f"case {full.case.reference}" in output
    call_command("audit", "verify")


def test_outcome_decides_the_term(cast: Cast) -> None:
    unconfirmed = close_via(cast, "so_niet_bevestigd")
    controlled = close_via(cast, "so_integrale_controle")
    for case in (unconfirmed, controlled):
        age_case(case, 400)
    _purge()
    assert not Case.objects.filter(pk=unconfirmed.pk).exists()
    assert Case.objects.filter(pk=controlled.pk).exists()


def test_dry_run_lists_what_and_why_and_removes_nothing(cast: Cast) -> None:
    case = close_via(cast, "so_niet_bevestigd")
    age_case(case, 400)
    output = _purge("--dry-run")
    assert f"zou worden verwijderd: case {case.reference} — case.niet_bevestigd: 1 jaar" in output
    assert Case.objects.filter(pk=case.pk).exists() and not Tombstone.objects.exists()


def test_a_record_that_cannot_be_removed_is_reported_and_the_rest_still_goes(cast: Cast, monkeypatch, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        stuck = close_via(cast, "so_niet_bevestigd", attachment=True)
    fine = close_via(cast, "so_niet_bevestigd")
    for case in (stuck, fine):
        age_case(case, 400)
    stuck_file = Attachment.objects.get(case=stuck).file.name
    original = kinds.CaseKind.remove

    def broken(self, pk, now):  # noqa: ANN001, ANN202 - fails after the rows are gone, before the commit
        names = original(self, pk, now)
        if pk == stuck.pk:
            raise RuntimeError("schijf vol")
        return names

    monkeypatch.setattr(kinds.CaseKind, "remove", broken)
    with pytest.raises(CommandError) as caught, django_capture_on_commit_callbacks(execute=True):
        _purge()
    assert caught.value.returncode == 1
    assert Case.objects.filter(pk=stuck.pk).exists() and not Case.objects.filter(pk=fine.pk).exists()
    # Rolled back: the row stays, and so does its file.
    assert _media(stuck_file).exists()
    assert not Tombstone.objects.filter(reference=stuck.reference).exists()

    monkeypatch.setattr(kinds.CaseKind, "remove", original)
    with django_capture_on_commit_callbacks(execute=True):
        output = _purge()  # the rerun finishes the job
    assert not Case.objects.filter(pk=stuck.pk).exists() and not _media(stuck_file).exists()
    assert f"case {stuck.reference}" in output and "1 gegevens verwijderd" in output


def test_rerun_is_safe(cast: Cast) -> None:
    case = close_via(cast, "so_niet_bevestigd")
    age_case(case, 400)
    first = _purge()
    second = _purge()
    assert f"case {case.reference}" in first and "0 gegevens verwijderd" in second
    assert Tombstone.objects.filter(reference=case.reference).count() == 1


def test_bibob_screenings_go_after_their_term_and_running_ones_stay(cast: Cast) -> None:
    old = bibob(cast, decided_days_ago=6 * 365)
    recent = bibob(cast, decided_days_ago=30)
    withdrawn = bibob(cast, decided_days_ago=400, decision="ingetrokken_aanvrager")
    running = bibob(cast, decided_days_ago=None)
    BibobScreening.objects.filter(pk=running.pk).update(created_at=timezone.now() - timedelta(days=9000))
    _purge()
    assert set(BibobScreening.objects.values_list("pk", flat=True)) == {recent.pk, running.pk}
    assert Tombstone.objects.filter(kind="bibob_screening").count() == 2
    assert not BibobScreening.objects.filter(pk__in=[old.pk, withdrawn.pk]).exists()


def test_sitting_controls_and_interventions_go_after_their_own_terms(cast: Cast, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        full = full_closed_case(cast)
    age_case(full.case, 6 * 365)
    _purge()  # the case first: the minutes keep the decision
    Sitting.objects.filter(pk=full.item.sitting_id).update(date=timezone.localdate() - timedelta(days=11 * 366))
    age_control(full.control, 6 * 366)
    age_intervention(full.intervention, 6 * 366)
    ReminderSent.objects.create(subject_type="signaal", subject_id="x", kind="signaal_te_laat", due_date=timezone.localdate(), sent_at=timezone.now() - timedelta(days=400))
    _purge()
    assert not Sitting.objects.filter(pk=full.item.sitting_id).exists()
    assert not Decision.objects.filter(pk=full.decision.pk).exists()
    assert not IntegralControl.objects.filter(pk=full.control.pk).exists()
    assert not Intervention.objects.filter(pk=full.intervention.pk).exists()
    assert not ReminderSent.objects.filter(subject_id="x").exists()
    assert {"sitting", "integral_control", "intervention", "notification"} <= set(Tombstone.objects.values_list("kind", flat=True))


def test_only_the_system_actor_may_purge(cast: Cast) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.purge(actor=cast.hanna, now=timezone.now())


def test_a_system_job_other_than_purge_may_not_purge(cast: Cast) -> None:
    from django.core.exceptions import PermissionDenied

    from ketenzicht.accounts.system import system_actor

    with pytest.raises(PermissionDenied):
        services.purge(actor=system_actor("reminders"), now=timezone.now())


def test_a_case_closed_after_a_finished_referral_keeps_the_referral_term(cast: Cast) -> None:
    referred, referral = referred_and_closed(cast)
    alone = cases.case_transition(actor=cast.anouk, case=report_signal(cast.chantal, cast.zoeterwoude), action="in_behandeling_nemen")
    cases.case_record_feedback(actor=cast.anouk, case=alone, impossible_reason="anoniem")
    alone = cases.case_transition(actor=cast.anouk, case=alone, action="afsluiten", reason="klaar")
    for case in (referred, alone):
        age_case(case, 3 * 365)
    output = _purge()
    # Referred: two years; closed by the AF without a table decision or a referral: the default five.
    assert f"case {referred.reference} — case.doorverwezen: 2 jaar" in output
    assert not Case.objects.filter(pk=referred.pk).exists() and not Referral.objects.filter(pk=referral.pk).exists()
    assert Case.objects.filter(pk=alone.pk).exists()


def test_a_merged_duplicate_goes_with_the_case_it_went_into_and_not_before(cast: Cast, django_capture_on_commit_callbacks) -> None:
    target = report_signal(cast.chantal, cast.zoeterwoude)
    with django_capture_on_commit_callbacks(execute=True):
        duplicate = merged_duplicate(cast, target, attachment=True)
    running = report_signal(cast.chantal, cast.zoeterwoude)
    kept = merged_duplicate(cast, running)
    for action in ("in_behandeling_nemen", "agenderen"):
        target = cases.case_transition(actor=cast.anouk, case=target, action=action)
    target = decide_at_table(cast.anouk, target, "so_niet_bevestigd", "besproken")
    cases.case_record_feedback(actor=cast.anouk, case=target, impossible_reason="anoniem")
    target = cases.case_transition(actor=cast.anouk, case=target, action="afsluiten", reason="klaar")
    duplicate_file = Attachment.objects.get(case=duplicate).file.name
    for case in (target, duplicate, kept):
        age_case(case, 400)

    dry = _purge("--dry-run")
    # The duplicate first, under the rule of the case it went into; the other one's case is open.
    assert dry.index(f"case {duplicate.reference} — case.niet_bevestigd") < dry.index(f"case {target.reference} — case.niet_bevestigd")
    assert kept.reference not in dry and running.reference not in dry
    with django_capture_on_commit_callbacks(execute=True):
        _purge()

    assert not Case.objects.filter(pk__in=[target.pk, duplicate.pk]).exists()
    assert not _media(duplicate_file).exists()
    assert set(Tombstone.objects.filter(kind="case").values_list("reference", flat=True)) == {target.reference, duplicate.reference}
    assert Case.objects.filter(pk__in=[running.pk, kept.pk]).count() == 2


def test_a_withdrawn_referral_loses_its_snapshot_after_its_term(cast: Cast) -> None:
    case = cases.case_transition(actor=cast.anouk, case=report_signal(cast.chantal, cast.zoeterwoude), action="in_behandeling_nemen")
    referral = routing.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="shop"), question="Opvang?")
    referral = routing.referral_send(actor=cast.anouk, referral=referral)
    referral = routing.referral_withdraw(actor=cast.anouk, referral=referral, reason="Toch niet nodig")
    running = routing.referral_send(actor=cast.anouk, referral=routing.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="shop"), question="Nu wel?"))
    past = timezone.now() - timedelta(days=400)
    Referral.objects.filter(pk__in=[referral.pk, running.pk]).update(created_at=past)
    ReferralEvent.objects.filter(referral__in=[referral, running]).update(at=past)
    _purge()
    # Withdrawn is finished (the referral lifecycle's terminal grouping); a referral still with the partner keeps it.
    withdrawn = Referral.objects.get(pk=referral.pk)
    assert withdrawn.snapshot == {} and withdrawn.shared_groups  # which groups were shared stays
    assert Referral.objects.get(pk=running.pk).snapshot
    assert "0 gegevens verwijderd" in _purge()  # emptied once
    assert Case.objects.filter(pk=case.pk).exists()
