"""Releases and freshness: protected figures change by monthly release, live counts on commit."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.core.management.base import SystemCheckError
from django.db import transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from ketenzicht.accounts.models import Municipality, Region
from ketenzicht.accounts.system import system_actor
from ketenzicht.cases.services import case_assign, case_transition
from ketenzicht.monitor import release, selectors, services
from ketenzicht.monitor.models import CountRefresh, MonitorCount, Release, ReleaseCount, Source
from tests.app.monitor_support import REG_HEADER, committed, csv_bytes, release_through
from tests.support import Cast, report_signal

DEC_2025 = date(2025, 12, 1)


def _registrations(codes: list[str], months: list[int], prefix: str, year: int = 2025) -> bytes:
    rows = [[f"{prefix}-{i}", f"{year}-{m:02d}-10", code, "melding", "arbeid", "23+", "landbouw"] for i, (code, m) in enumerate(
        (c, m) for c in codes for m in months
    )]
    return csv_bytes(REG_HEADER, rows)


def _import(cast: Cast, data: bytes, name: str, actor: Any = None) -> None:
    """Imported by the ketenregisseur of the rows' region (fleur for Den Haag unless named)."""
    with committed():
        assert services.import_file(actor=actor or cast.fleur, source=Source.objects.get(slug="politie"), file_name=name, data=data).accepted


def _released_n(made: Release, month: date) -> int:
    return ReleaseCount.objects.filter(release=made, kind="monitor", period_month=month).aggregate(n=Sum("n"))["n"] or 0


def _selection(region_slug: str = "den-haag", **kwargs: object) -> selectors.Selection:
    source = Source.objects.get(slug="politie")
    return selectors.Selection(region=Region.objects.get(slug=region_slug), source=source, unit="melding", **kwargs)  # type: ignore[arg-type]


def test_a_release_for_an_open_or_already_released_month_is_refused_and_writes_nothing(cast: Cast) -> None:
    actor = system_actor("monitor-release")
    with pytest.raises(release.ReleaseError, match="nog niet afgesloten"):
        release.release_make(actor=actor, period=date(2026, 3, 1), today=date(2026, 3, 31))
    with pytest.raises(CommandError, match="nog niet afgesloten.*vanaf 01-04-2026"):
        call_command("monitor", "release", "--direct", "--periode", "2026-03", "--datum", "2026-03-20")
    with pytest.raises(CommandError, match="JJJJ-MM"):
        call_command("monitor", "release", "--direct", "--periode", "maart", "--datum", "2026-03-20")
    assert not Release.objects.exists()
    release.release_make(actor=actor, period=DEC_2025, today=date(2026, 1, 1))
    for month in (DEC_2025, date(2025, 6, 1)):
        with pytest.raises(release.ReleaseError, match="al vrijgegeven.*volgende release"):
            release.release_make(actor=actor, period=month, today=date(2026, 2, 10))
    assert Release.objects.count() == 1
    # Nobody releases from a page: not even the ketenregisseur may call the service.
    from django.core.exceptions import PermissionDenied

    # Nor another job of the system: only the release job (its system rule in core/policy.py).
    for actor in (cast.fleur, system_actor("monitor-import"), system_actor("demo")):
        with pytest.raises(PermissionDenied):
            release.release_make(actor=actor, period=date(2026, 1, 1), today=date(2026, 2, 10))
    assert Release.objects.count() == 1


def test_the_scheduled_run_releases_each_closed_month_once_through_the_task_queue(cast: Cast, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("monitor", "release", "--datum", "2026-01-05")  # enqueued; tests run tasks at once
    call_command("monitor", "release", "--datum", "2026-01-20")
    assert "wachtrij" in capsys.readouterr().out
    assert list(Release.objects.values_list("period", flat=True)) == [DEC_2025]
    with override_settings(MONITOR_RELEASE_CLOSE_DAYS=5):  # a month closes five days after it ends
        call_command("monitor", "release", "--direct", "--datum", "2026-02-03")
        assert "al vrijgegeven" in capsys.readouterr().out
        call_command("monitor", "release", "--direct", "--datum", "2026-02-06")
    assert list(Release.objects.values_list("period", flat=True)) == [date(2026, 1, 1), DEC_2025]
    assert Release.objects.first().released_by_label == "systeem"


def test_corrections_come_in_the_next_release_and_old_months_become_final(cast: Cast) -> None:
    codes = ["GM0638", "GM0553", "GM0546"]
    _import(cast, _registrations(codes, list(range(1, 13)), "A"), "a.csv")
    first = release_through(DEC_2025)
    before = selectors.figures(_selection(year=2025), protect=True)
    _import(cast, _registrations(["GM0638"], [6], "LATE"), "late.csv")  # a late delivery for June
    assert selectors.figures(_selection(year=2025), protect=False).total == 37  # live at once
    after = selectors.figures(_selection(year=2025), protect=True)
    assert selectors.flat_values(after) == selectors.flat_values(before)  # published: unchanged until the next release
    second = release_through(date(2026, 1, 1))
    assert (_released_n(first, date(2025, 6, 1)), _released_n(second, date(2025, 6, 1))) == (3, 4)
    assert second.final_through == date(2025, 1, 1)
    # Months more than MONITOR_RELEASE_FINAL_MONTHS before the release are final: copied as they were.
    _import(cast, _registrations(["GM0553"], [6], "LATER"), "later.csv")
    with override_settings(MONITOR_RELEASE_FINAL_MONTHS=3):
        third = release_through(date(2026, 2, 1))
    assert third.final_through == date(2025, 11, 1)
    assert _released_n(third, date(2025, 6, 1)) == 4  # the second late record is not published
    assert ReleaseCount.objects.filter(release=third, period_month=date(2025, 6, 1)).count() == ReleaseCount.objects.filter(release=second, period_month=date(2025, 6, 1)).count()
    # Only the latest releases keep their counts; every release keeps its record.
    with override_settings(MONITOR_RELEASES_KEPT=2):
        release_through(date(2026, 3, 1))
    assert not ReleaseCount.objects.filter(release__in=[first, second]).exists() and Release.objects.count() == 4


@pytest.mark.parametrize(
    ("setting", "value", "fragment"),
    [
        ("MONITOR_PTABLE_MAX_DEVIATION", 6, "minstens 8"),
        ("MONITOR_DISCLOSURE_THRESHOLD", 1, "minstens 2"),
        ("MONITOR_PTABLE_VARIANCE", 0.0, "te klein"),
    ],
)
def test_unsafe_disclosure_settings_are_refused_with_a_reason(cast: Cast, setting: str, value: float, fragment: str) -> None:
    with override_settings(**{setting: value}):
        with pytest.raises(SystemCheckError, match=f"Onveilige afscherming.*{fragment}"):
            call_command("check")
        with pytest.raises(release.ReleaseError, match=fragment):
            release.release_make(actor=system_actor("monitor-release"), period=DEC_2025, today=date(2026, 1, 2))
    assert not Release.objects.exists()
    with pytest.raises(CommandError, match="minstens 8"):
        call_command("monitor", "ptabel", "--afwijking", "4")


def test_ptable_command_prints_the_published_table(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("monitor", "ptabel")
    out = capsys.readouterr().out
    assert "drempel 5, maximale afwijking 8, variantie 2" in out
    assert "\n1\t+0.000000\t4.000\t0.000\t0: 0.8000, 5: 0.2000" in out


def test_counts_follow_signals_and_imports_on_commit_not_at_night(cast: Cast) -> None:
    own = Source.objects.get(slug="eigen-signalen")

    def counted() -> int:
        return MonitorCount.objects.filter(source=own, municipality=cast.zoeterwoude).aggregate(n=Sum("n"))["n"] or 0

    refreshes = CountRefresh.objects.count()
    with committed():
        case = report_signal(cast.chantal, cast.zoeterwoude)
    assert counted() == 1 and CountRefresh.objects.count() == refreshes + 1
    latest = CountRefresh.objects.latest("id")
    assert latest.started_at >= case.created_at and latest.scope == "eigen-signalen"
    assert selectors.live_note().startswith("Stand per ")
    # A state change moves the signal to another outcome, on commit.
    with committed():
        case = case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    assert MonitorCount.objects.get(source=own, municipality=cast.zoeterwoude).outcome == "in_behandeling"
    # A change the monitor does not count, and a rolled-back signal, refresh nothing.
    refreshes = CountRefresh.objects.count()
    with committed():
        case_assign(actor=cast.anouk, case=case, assignee=cast.anouk)
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        report_signal(cast.chantal, cast.zoeterwoude)
        raise RuntimeError("afgebroken")
    assert CountRefresh.objects.count() == refreshes and counted() == 1
    # Many signals in one transaction: one refresh.
    with committed(), transaction.atomic():
        for _ in range(4):
            report_signal(cast.chantal, cast.lisse)
    assert CountRefresh.objects.count() == refreshes + 1
    # A duplicate merged into the case it repeats is counted no more: that case once.
    with committed():
        duplicate = report_signal(cast.chantal, cast.zoeterwoude)
    assert counted() == 2
    with committed():
        case_transition(actor=cast.anouk, case=duplicate, action="samenvoegen", reason="Zelfde woning", merge_into=case)
    assert counted() == 1 and not MonitorCount.objects.filter(outcome="samengevoegd").exists()


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_refreshes_counts_and_releases(cast: Cast, settings) -> None:  # noqa: ANN001
    """The production path: changes and the schedule enqueue on the database queue; db_worker runs them."""
    from django_tasks_db.models import DBTaskResult

    from ketenzicht.monitor.sources import ensure_default_sources

    ensure_default_sources()  # an earlier transactional test may have flushed the migrations' rows
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    report_signal(cast.chantal, cast.zoeterwoude)  # commits: enqueues a refresh, nothing counted yet
    # (It also enqueues the AF's new-signal notification: not counted here.)
    assert DBTaskResult.objects.filter(status="READY", task_path__endswith="refresh_counts_task").count() == 1
    assert not MonitorCount.objects.filter(source__slug="eigen-signalen").exists()
    # The refresh waits a second, so that changes just after ride along (monitor/freshness.py).
    waiting = DBTaskResult.objects.get(status="READY", task_path__endswith="refresh_counts_task")
    assert waiting.run_after is not None and waiting.run_after > waiting.enqueued_at
    time.sleep(max(0.0, (waiting.run_after - timezone.now()).total_seconds()) + 0.05)
    today = date.today()
    call_command("monitor", "release", "--datum", (today.replace(day=1) + timedelta(days=40)).isoformat())
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert MonitorCount.objects.filter(source__slug="eigen-signalen").aggregate(n=Sum("n"))["n"] == 1
    made = Release.objects.get()
    assert made.period == today.replace(day=1) and _released_n(made, today.replace(day=1)) == 1


def test_each_region_sees_only_its_own_figures_and_a_record_elsewhere_changes_nothing(cast: Cast, client) -> None:  # noqa: ANN001
    from django.urls import reverse

    from tests.support import login

    # The cast's second region: Zeeland-West-Brabant, its ketenregisseur koen imports its rows.
    west, places = Region.objects.get(slug="zeeland-west-brabant"), [cast.vlissingen, cast.breda]
    wim = cast.koen
    _import(cast, _registrations(["GM0638", "GM0553"], [2, 5, 9], "DH"), "dh.csv")
    _import(cast, _registrations([m.cbs_code for m in places], [2, 5, 9, 11], "W"), "w.csv", wim)
    first = release_through(DEC_2025)
    den_haag = selectors.figures(_selection(year=2025), protect=True)
    assert {row["code"] for row in den_haag.municipality_form} == set(Municipality.objects.filter(region__slug="den-haag").values_list("cbs_code", flat=True))
    west_figures = selectors.figures(_selection("zeeland-west-brabant", year=2025), protect=True)
    assert {row["code"] for row in west_figures.municipality_form} == set(Municipality.objects.filter(region=west).values_list("cbs_code", flat=True))
    assert ReleaseCount.objects.filter(release=first, region=west).aggregate(n=Sum("n"))["n"] == 8
    # The other region's ketenregisseur reads his own region and cannot open ours.
    login(client, wim)
    assert places[0].name in client.get(reverse("monitor:overview"), {"jaar": "2025"}).content.decode()
    assert client.get(reverse("monitor:municipality", kwargs={"municipality_id": cast.zoeterwoude.pk})).status_code == 404
    # One late record in the other region: our next release shows exactly the same figures
    # (month blocks are per region), theirs changes.
    _import(cast, _registrations([places[0].cbs_code], [5], "W-LATE"), "w-late.csv", wim)
    release_through(date(2026, 1, 1))
    assert selectors.flat_values(selectors.figures(_selection(year=2025), protect=True)) == selectors.flat_values(den_haag)
    assert selectors.figures(_selection("zeeland-west-brabant", year=2025), protect=False).total == 9
