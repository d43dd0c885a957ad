"""`ketenzicht bench_region`: bench data only, and shaped as the services would leave it.

The speed of the pages on it is measured by `make bench` (bench/region.py), never here; this
checks that the generator refuses where it must and that what it writes holds together: the
audit chain verifies, references continue after it, and the AF's pages read it with the same
number of queries at 20 and at 60 cases.
"""

from __future__ import annotations

import random

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketenzicht.accounts.models import User
from ketenzicht.audit import chain
from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases.models import Case, Subject
from ketenzicht.core import benchdata
from tests.support import Cast, login, report_signal


def test_refused_under_production_settings(region: None, settings) -> None:
    settings.SETTINGS_MODULE = "ketenzicht.settings.production"
    with pytest.raises(CommandError, match="productie"):
        call_command("bench_region", "--cases", "5", "--audit", "5", "--registrations", "5")
    assert not Case.objects.exists()


def test_refused_on_a_database_with_real_signals(cast: Cast) -> None:
    report_signal(cast.chantal, cast.zoeterwoude)
    with pytest.raises(CommandError, match="echte signalen"):
        call_command("bench_region", "--cases", "5", "--audit", "5", "--registrations", "5")
    assert Case.objects.count() == 1


def _queue_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/werkvoorraad/", {"weergave": "alle"})
    assert page.status_code == 200
    return len(queries)


def test_what_it_writes_holds_together(region: None, tmp_path, settings) -> None:  # noqa: ANN001
    settings.MEDIA_ROOT = str(tmp_path)
    report = benchdata.generate("den-haag", benchdata.Scale(cases=20, audit=150, registrations=40, years=3))
    assert report.counts["cases"] == 20 and report.counts["audit_entries"] == 150
    assert Subject.objects.count() == report.counts["subjects"] >= 20
    assert report.counts["referrals"] > 0 and report.counts["agenda_items"] > 0 and report.counts["attachments"] > 0
    verdict = chain.verify()
    assert verdict.ok and verdict.checked >= 150 and verdict.unsealed == 0
    # A real intake after it gets the next reference of its year and a sealed audit entry.
    municipality = Case.objects.order_by("-created_at").first().municipality
    af = User.objects.get(username=f"bench.af.{municipality.cbs_code.lower()}")
    newest = Case.objects.filter(created_at__year=Case.objects.order_by("-created_at").first().created_at.year).count()
    case = report_signal(af, municipality)
    assert case.reference.endswith(f"{newest + 1:06d}")
    assert chain.verify().ok and AuditEvent.objects.count() > 150

    TOTPDevice.objects.create(user=af, name="default", confirmed=True)
    client = login(Client(), af)
    few = _queue_queries(client)
    rng = random.Random(7)
    benchdata.cases(benchdata.world("den-haag", rng), benchdata.Scale(cases=40, years=3), rng, benchdata.Report())
    assert Case.objects.filter(municipality=municipality).count() > 1
    assert _queue_queries(client) == few
