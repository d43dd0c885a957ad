"""Retention: closed cases are purged after their term, files and all; nothing open is touched."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases import services
from ketenzicht.cases.models import Attachment, Case
from tests.app.test_meetings_support import decide_at_table
from tests.support import Cast, report_signal


def _close(cast: Cast, case: Case, via: str) -> Case:
    for action in ("in_behandeling_nemen", "agenderen"):
        case = services.case_transition(actor=cast.anouk, case=case, action=action)
    case = decide_at_table(cast.anouk, case, via, "besproken")  # a table outcome (issue 18)
    services.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="anoniem")
    return services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="klaar")


def _close_without_table(cast: Cast, case: Case) -> Case:
    """Handled by the AF alone (no table decided on it): in behandeling, feedback, closed."""
    case = services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    services.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="anoniem")
    return services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="klaar")


def test_purge_respects_terms_and_removes_files(cast: Cast, settings) -> None:
    # Cases decided at a table keep an agenda item whose removal is the retention lane's purge
    # (issue 17); here the terms are checked on what the current purge can remove.
    settings.RETENTION_DAYS_CLOSED_CASE = 1000
    settings.RETENTION_DAYS_UNCONFIRMED_CASE = 100
    old = report_signal(cast.chantal, cast.zoeterwoude)
    # Attached while open: a closed case is read-only, attachments included (issue 18).
    services.attachment_add(actor=cast.anouk, case=old, attachment=services.AttachmentInput("a.pdf", "application/pdf", b"%PDF-1.4 x"))
    path = Attachment.objects.get(case=old).file.path
    old = _close_without_table(cast, old)
    unconfirmed = _close(cast, report_signal(cast.chantal, cast.zoeterwoude), "so_niet_bevestigd")
    controlled = _close(cast, report_signal(cast.chantal, cast.zoeterwoude), "so_integrale_controle")
    still_open = report_signal(cast.chantal, cast.zoeterwoude)
    Case.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=1001))
    Case.objects.filter(pk__in=[unconfirmed.pk, controlled.pk]).update(closed_at=timezone.now() - timedelta(days=99))
    Case.objects.filter(pk=still_open.pk).update(created_at=timezone.now() - timedelta(days=5000))
    terms = {"now": timezone.now(), "closed_days": 1000, "unconfirmed_days": 100}
    assert list(services.cases_expired(**terms).values_list("reference", flat=True)) == [old.reference]
    # One day later the unconfirmed case's shorter term has passed too, the controlled one's not.
    later = {**terms, "now": terms["now"] + timedelta(days=2)}
    assert set(services.cases_expired(**later).values_list("reference", flat=True)) == {old.reference, unconfirmed.reference}

    call_command("purge")

    remaining = set(Case.objects.values_list("reference", flat=True))
    assert remaining == {unconfirmed.reference, controlled.reference, still_open.reference}
    import os

    assert not os.path.exists(path)
    purge = AuditEvent.objects.get(action="purge")
    assert purge.object_label == old.reference and purge.actor is None


def test_dry_run_deletes_nothing(cast: Cast, settings) -> None:
    settings.RETENTION_DAYS_UNCONFIRMED_CASE = 1
    case = _close(cast, report_signal(cast.chantal, cast.zoeterwoude), "so_niet_bevestigd")
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=30))
    call_command("purge", "--dry-run")
    assert Case.objects.filter(pk=case.pk).exists()
