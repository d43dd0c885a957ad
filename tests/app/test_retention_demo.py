"""Acceptance of issue 17: purge on a demo database aged past every term.

Everything due is gone (files included), nothing else is, and the audit chain verifies.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from ketenzicht.audit import chain, guard
from ketenzicht.audit.models import AuditEvent, AuditTombstone
from ketenzicht.barriers.models import (
    BibobEvent,
    BibobScreening,
    ControlEvent,
    IntegralControl,
    Intervention,
    InterventionEvent,
)
from ketenzicht.cases import services as cases
from ketenzicht.cases.models import Attachment, Case, Subject
from ketenzicht.domain.lifecycles import case as case_lifecycle
from ketenzicht.domain.lifecycles import referral as referral_lifecycle
from ketenzicht.meetings.models import ReminderSent, Sitting
from ketenzicht.monitor.models import Registration
from ketenzicht.retention.models import Tombstone
from ketenzicht.routing.models import Referral
from tests.app.retention_support import PNG, bibob, close_via, full_closed_case
from tests.support import Cast, report_signal

LONG_AGO = timedelta(days=20 * 366)
TERMINAL = case_lifecycle.MACHINE.values(case_lifecycle.GROUPS.terminal)


def _kept_cases() -> set[object]:
    """Cases that must survive: open ones, and duplicates merged into an open one."""
    rows = dict((pk, (state, into)) for pk, state, into in Case.objects.values_list("pk", "state", "merged_into_id"))

    def root_state(pk: object) -> str:
        state, into = rows[pk]
        return root_state(into) if into is not None else state

    return {pk for pk in rows if root_state(pk) not in TERMINAL}


def _age_everything() -> None:
    """Move every date that starts a retention term twenty years back (test set-up)."""
    past = timezone.now() - LONG_AGO
    Case.objects.filter(state__in=TERMINAL).update(closed_at=past)
    Sitting.objects.update(date=past.date())
    IntegralControl.objects.update(planned_on=past.date())
    IntegralControl.objects.filter(status="uitgevoerd").update(executed_on=past.date())
    for history in (ControlEvent, InterventionEvent, BibobEvent):  # the lifecycles' steps (issue 18)
        history.objects.update(at=past)
    Intervention.objects.update(proposed_at=past)
    Intervention.objects.filter(started_on__isnull=False).update(started_on=past.date(), ended_on=past.date())
    BibobScreening.objects.exclude(decision="lopend").update(decided_on=past.date())
    from ketenzicht.monitor.models import Import

    Import.objects.update(uploaded_at=past)
    ReminderSent.objects.update(sent_at=past)
    Referral.objects.update(created_at=past)
    from ketenzicht.routing.models import ReferralEvent

    ReferralEvent.objects.update(at=past)
    chain.seal_pending(wait=True)
    with guard.lifted(connection):  # as the owner of the tables: set-up only
        AuditEvent.objects.update(at=past, seq=None, prev_hash=None, entry_hash=None)
    chain.seal_pending(wait=True)


def test_purge_on_an_aged_demo_database(cast: Cast, django_capture_on_commit_callbacks, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path  # only this test's files, so check_files sees only them
    call_command("load_demo", quiet=True)
    with django_capture_on_commit_callbacks(execute=True):
        full = full_closed_case(cast)
        unconfirmed = close_via(cast, "so_niet_bevestigd", attachment=True)
        open_case = report_signal(cast.chantal, cast.zoeterwoude)
        cases.attachment_add(actor=cast.anouk, case=open_case, attachment=cases.AttachmentInput("open.png", "image/png", PNG))
    decided = bibob(cast, decided_days_ago=10)
    running = bibob(cast, decided_days_ago=None)
    open_cases = _kept_cases()
    due_files = [name for name in Attachment.objects.exclude(case_id__in=open_cases).values_list("file", flat=True)]
    kept_files = [name for name in Attachment.objects.filter(case_id__in=open_cases).values_list("file", flat=True)]
    assert due_files and kept_files
    open_subjects = Subject.objects.filter(case_id__in=open_cases).count()
    planned_controls = set(IntegralControl.objects.filter(status="gepland", case_id__in=open_cases).values_list("pk", flat=True))
    counted = Registration.objects.aggregate(n=Sum("n"))["n"]
    assert Registration.objects.exclude(record_id="").exists()
    _age_everything()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge")
        call_command("purge")  # the controls and interventions detached by the case purge

    media = Path(tmp_path)
    # Everything due is gone, files included.
    assert not Case.objects.filter(state="afgesloten").exists()
    assert not Case.objects.exclude(pk__in=open_cases).exists()
    assert not Case.objects.filter(pk__in=[full.case.pk, unconfirmed.pk]).exists()
    assert not any((media / name).exists() for name in due_files)
    # A sitting stays only while an open case is on its agenda (its minutes are that case's too).
    assert all(s.items.filter(case__isnull=False).exists() for s in Sitting.objects.all())
    assert not Sitting.objects.filter(pk=full.item.sitting_id).exists() or Sitting.objects.get(pk=full.item.sitting_id).items.filter(case__isnull=False).exists()
    finished = referral_lifecycle.MACHINE.values(referral_lifecycle.GROUPS.terminal)
    assert not Referral.objects.filter(snapshot__isnull=False, state__in=finished).exclude(snapshot={}).exists()
    assert not IntegralControl.objects.filter(pk=full.control.pk).exists() and not Intervention.objects.filter(pk=full.intervention.pk).exists()
    assert not BibobScreening.objects.filter(pk=decided.pk).exists()
    assert not Registration.objects.exclude(record_id="").exists()
    assert AuditTombstone.objects.exists() and Tombstone.objects.filter(kind="case").count() >= 2
    # Nothing else is.
    assert set(Case.objects.values_list("pk", flat=True)) == open_cases
    assert Subject.objects.filter(case_id__in=open_cases).count() == open_subjects
    assert all((media / name).exists() for name in kept_files)
    assert planned_controls <= set(IntegralControl.objects.values_list("pk", flat=True))
    assert BibobScreening.objects.filter(pk=running.pk).exists()
    assert Registration.objects.aggregate(n=Sum("n"))["n"] == counted  # the monitor's counts stay
    # The chain still verifies, and the files match their rows.
    call_command("audit", "verify")
    call_command("check_files")
