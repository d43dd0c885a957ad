"""Issue 15 item 5: seen and estimated in every output — the monitor page, its exports, the
half-yearly monitor PDF and the report to the board — all through the one protected source
(the release, Cell Key Method), the estimate published rounded with its interval."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from ketenzicht.accounts.models import Region
from ketenzicht.domain.programme import ReportPeriod
from ketenzicht.monitor import protected, report, services
from ketenzicht.monitor.models import ReleaseCount, Source
from ketenzicht.persons import linkage, selectors
from ketenzicht.persons.models import PersonsFigure
from ketenzicht.programme import report as board_report
from tests.app.monitor_support import committed, release_through
from tests.app.persons_support import partner_files, second_region
from tests.support import Cast, login

DEC_2025 = date(2025, 12, 1)
CAPTURE = {"politie": 0.45, "zorgcoordinator-shop": 0.4, "nla": 0.35, "comensha": 0.35}


@pytest.fixture
def linked(cast: Cast) -> dict[str, Any]:
    """Four partners' encoded files of 2025 for Den Haag, imported and linked."""
    files, _truth, _n = partner_files(260, CAPTURE, seed=5)
    for slug, data in files.items():
        with committed():
            assert services.import_file(actor=cast.fleur, source=Source.objects.get(slug=slug), file_name=f"{slug}.csv", data=data).accepted
    region = Region.objects.get(slug="den-haag")
    with override_settings(PERSONS_BOOTSTRAP=30):
        run = linkage.ensure_current(region, bootstrap=30)
    live = PersonsFigure.objects.get(run=run, year=2025, district=None).data
    return {"region": region, "live": live}


def test_persons_are_a_protected_figure_kind_published_only_from_a_release(cast: Cast, linked: dict[str, Any]) -> None:
    region, live = linked["region"], linked["live"]
    before = selectors.trend(region)
    assert before.empty and all(y.seen is None and y.estimate is None for y in before.years)
    page = login(Client(), cast.fleur).get(reverse("monitor:overview")).content.decode()
    assert "Voor personen zijn nog geen cijfers vrijgegeven" in page
    made = release_through(DEC_2025)
    rows = ReleaseCount.objects.filter(release=made, kind="personen", region=region)
    assert sum(r.n for r in rows) == live["uniekePersonen"]  # each person once, in one row
    # the overlap combinations are the release's categories; each person in one of them
    assert {len(r.category.split("+")) for r in rows} > {1}
    year = selectors.trend(region).years[-1]
    expected = protected.count("personen", region=region, first=date(2025, 1, 1), last=DEC_2025).value
    assert year.year == 2025 and year.seen == expected and year.through == ""
    assert abs(year.seen - live["uniekePersonen"]) <= made.max_deviation
    # the same persons give the same published value in the next release (stable cell keys)
    release_through(date(2026, 1, 1))
    assert selectors.trend(region).years[-1].seen == year.seen


def test_the_estimate_is_published_rounded_with_its_interval_and_only_for_a_whole_released_year(cast: Cast, linked: dict[str, Any]) -> None:
    region, live = linked["region"], linked["live"]
    release_through(date(2025, 6, 1))
    half = selectors.trend(region).years[-1]
    assert half.seen is not None and half.through == "juni 2025"
    assert half.estimate is None and half.why_not == "De schatting volgt als het hele jaar is vrijgegeven."
    release_through(DEC_2025)
    year = selectors.trend(region).years[-1]
    raw = live["schatting"]
    assert raw is not None and year.estimate is not None and year.low is not None and year.high is not None
    assert year.estimate % 10 == 0 and year.low % 10 == 0 and year.high % 10 == 0
    assert abs(year.estimate - raw["waarde"]) <= 5
    assert year.low <= raw["interval"][0] and year.high >= raw["interval"][1]  # widened, never narrowed


def test_monitor_page_export_pdf_and_board_report_show_seen_and_estimated(cast: Cast, linked: dict[str, Any]) -> None:
    region = linked["region"]
    release_through(DEC_2025)
    year = selectors.trend(region).years[-1]
    assert year.estimate is not None
    client = login(Client(), cast.fleur)
    page = client.get(reverse("monitor:overview")).content.decode()
    assert "Personen en de geschatte omvang" in page
    assert f">{year.seen_label}" in page and f"≈ {year.estimate_label}" in page and year.interval_label in page
    assert 'role="img"' in page and "gezien " + year.seen_label in page  # the chart's text alternative
    assert "gesloten populatie" in page  # the assumptions beside the estimate
    csv = client.get(reverse("monitor:export", args=["csv"]), {"jaar": 2025}).content.decode("utf-8-sig")
    block = csv.split("Personen en geschatte omvang", 1)[1]
    assert f"2025;{year.seen};;{year.estimate};{year.low};{year.high};" in block
    pdf_html = report.render_html(region=region, year=2025, part="H2")
    assert "Personen en de geschatte omvang" in pdf_html and f"≈ {year.estimate_label}" in pdf_html
    board = board_report.render_html(region, ReportPeriod(2025, 2)).html
    assert "Personen en de geschatte omvang" in board and f"≈ {year.estimate_label}" in board


def test_another_region_sees_its_own_persons_only(cast: Cast, linked: dict[str, Any]) -> None:
    other = second_region()
    release_through(DEC_2025)
    seen = selectors.trend(linked["region"]).years[-1]
    theirs = selectors.trend(other["region"])  # type: ignore[arg-type]
    assert theirs.empty and theirs.years == []
    page = login(Client(), other["kim"]).get(reverse("monitor:overview")).content.decode()  # type: ignore[arg-type]
    assert "Voor personen zijn nog geen cijfers vrijgegeven" in page and f"≈ {seen.estimate_label}" not in page
