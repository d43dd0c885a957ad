"""Commands and jobs act as the system actor, never as None (issue 18).

The monitor import command, the monitor demo and the scheduled board reports used to pass
`actor=None`, which skipped the policy. Now each acts as `system_actor(job)`: the policy lets
that job take its own action and nothing else, and the records and the audit trail name the job.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from ketenzicht.accounts.system import system_actor
from ketenzicht.audit.models import AuditEvent
from ketenzicht.core import policy
from ketenzicht.monitor import services as monitor
from ketenzicht.monitor.models import Import, ImportStatus, Source
from ketenzicht.programme import services as programme
from ketenzicht.programme.models import BoardReport
from tests.app.monitor_support import REG_HEADER, csv_bytes
from tests.app.programme_support import zoeterwoude_programme
from tests.support import Cast, report_signal

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
ROW = ["R-1", "2025-02-01", "GM0638", "melding", "arbeid", "", ""]


def test_the_import_command_acts_as_the_system_and_says_so(cast: Cast) -> None:
    call_command("monitor", "import", str(EXAMPLES / "registraties.csv"), "--bron", "politie", stdout=io.StringIO())
    record = Import.objects.get(status=ImportStatus.GEACCEPTEERD)
    assert record.uploaded_by.username == "systeem" and record.uploaded_by_label == "systeem (monitor-import)"
    assert AuditEvent.objects.filter(object_id=str(record.pk), actor_label="systeem (monitor-import)").exists()


def test_the_monitor_demo_imports_as_the_system(cast: Cast) -> None:
    from ketenzicht.monitor.demo import load_demo_monitor

    assert load_demo_monitor() >= 1
    labels = set(Import.objects.values_list("uploaded_by_label", flat=True))
    assert labels == {"systeem (demo)"}


def test_scheduled_board_reports_are_made_by_the_job(cast: Cast) -> None:
    zoeterwoude_programme(cast.anouk, first_year=2026, last_year=2027)
    call_command("rapportages", "--direct", "--periode", "2026H2", "--datum", "2027-01-04", stdout=io.StringIO())
    report = BoardReport.objects.get(period="2026H2")
    assert report.scheduled and report.generated_by.username == "systeem"
    audit = AuditEvent.objects.get(object_type="board_report", object_id=str(report.pk))
    assert audit.actor_label == "systeem (board-reports)" and audit.reason == "gepland"


def test_nothing_skips_the_policy_any_more(cast: Cast) -> None:
    source = Source.objects.get(slug="politie")
    with pytest.raises(PermissionDenied):
        monitor.import_file(actor=None, source=source, file_name="a.csv", data=csv_bytes(REG_HEADER, [ROW]))
    with pytest.raises(PermissionDenied):
        programme.board_report_generate(actor=None, area=cast.zoeterwoude, period=programme.rules.ReportPeriod.parse("2026H1"))
    assert not Import.objects.exists() and not BoardReport.objects.exists()


def test_each_job_may_take_its_own_action_and_nothing_else(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    source = Source.objects.get(slug="politie")
    importer, reporter, demo, other = (system_actor(job) for job in ("monitor-import", "board-reports", "demo", "purge-test"))
    assert policy.can(importer, "monitor.import", source) and policy.can(demo, "monitor.import", source)
    assert policy.can(reporter, "report.generate", cast.zoeterwoude)
    assert not policy.can(importer, "report.generate", cast.zoeterwoude)
    assert not policy.can(reporter, "monitor.import", source)
    assert not policy.can(other, "monitor.import", source)
    # No rule of a person reaches the system actor: not the case file, not the audit trail, not users.
    for actor in (importer, reporter, demo, other):
        for action, obj in (("case.view", case), ("case.transition", case), ("audit.view", None), ("users.manage", None), ("app.home", None)):
            assert not policy.can(actor, action, obj), (actor.job, action)
    with pytest.raises(PermissionDenied):
        monitor.import_file(actor=reporter, source=source, file_name="a.csv", data=csv_bytes(REG_HEADER, [ROW]))
