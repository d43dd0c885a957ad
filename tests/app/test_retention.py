"""Retention: closed cases are purged after their term, files and all; nothing open is touched."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases import services
from ketenzicht.cases.models import Attachment, Case
from tests.support import Cast, report_signal


def _close(cast: Cast, case: Case, via: str) -> Case:
    for action in ("in_behandeling_nemen", "agenderen"):
        case = services.case_transition(actor=cast.anouk, case=case, action=action)
    case = services.case_transition(actor=cast.anouk, case=case, action=via, reason="besproken")
    services.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="anoniem")
    return services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="klaar")


def test_purge_respects_terms_and_removes_files(cast: Cast, settings) -> None:
    settings.RETENTION_DAYS_CLOSED_CASE = 1000
    settings.RETENTION_DAYS_UNCONFIRMED_CASE = 100
    unconfirmed = _close(cast, report_signal(cast.chantal, cast.zoeterwoude), "so_niet_bevestigd")
    services.attachment_add(actor=cast.anouk, case=unconfirmed, attachment=services.AttachmentInput("a.pdf", "application/pdf", b"%PDF-1.4 x"))
    path = Attachment.objects.get(case=unconfirmed).file.path
    controlled = _close(cast, report_signal(cast.chantal, cast.zoeterwoude), "so_integrale_controle")
    still_open = report_signal(cast.chantal, cast.zoeterwoude)
    Case.objects.filter(pk__in=[unconfirmed.pk, controlled.pk]).update(closed_at=timezone.now() - timedelta(days=200))
    Case.objects.filter(pk=still_open.pk).update(created_at=timezone.now() - timedelta(days=5000))

    call_command("purge")

    remaining = set(Case.objects.values_list("reference", flat=True))
    assert remaining == {controlled.reference, still_open.reference}
    import os

    assert not os.path.exists(path)
    purge = AuditEvent.objects.get(action="purge")
    assert purge.object_label == unconfirmed.reference and purge.actor is None


def test_dry_run_deletes_nothing(cast: Cast, settings) -> None:
    settings.RETENTION_DAYS_UNCONFIRMED_CASE = 1
    case = _close(cast, report_signal(cast.chantal, cast.zoeterwoude), "so_niet_bevestigd")
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - timedelta(days=30))
    call_command("purge", "--dry-run")
    assert Case.objects.filter(pk=case.pk).exists()
