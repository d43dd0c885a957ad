"""Issue 15 item 3: linkage in the product — after every accepted or withdrawn import a
background task links the region's encoded registrations, with progress on the imports page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ketenzicht.accounts.models import Region
from ketenzicht.monitor import services
from ketenzicht.monitor.models import Import, Source
from ketenzicht.persons import linkage
from ketenzicht.persons.models import LinkageRun, PersonsFigure, RunStatus
from ketenzicht.persons.tasks import link_region_task
from tests.app.persons_support import named_rows, partner_files, second_region
from tests.support import Cast, login

CAPTURE = {"politie": 0.45, "nla": 0.4, "comensha": 0.35}


def _import(cast: Cast, slug: str, data: bytes, capture: Any) -> Import:
    with capture(execute=True):
        result = services.import_file(actor=cast.fleur, source=Source.objects.get(slug=slug), file_name=f"{slug}.csv", data=data)
    assert result.accepted, result.record.errors[:3]
    return result.record


def test_each_import_and_withdrawal_relinks_the_region(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, truth, _ = partner_files(300, CAPTURE, seed=4)
    records = {slug: _import(cast, slug, data, django_capture_on_commit_callbacks) for slug, data in files.items()}
    runs = LinkageRun.objects.filter(region__slug="den-haag").order_by("requested_at")
    assert [r.status for r in runs] == [RunStatus.KLAAR] * 3
    latest = linkage.latest(Region.objects.get(slug="den-haag"))
    assert latest.registrations == len(truth) and latest.progress == 100
    seen = len(set(truth.values()))
    assert abs(latest.persons - seen) <= 0.03 * seen  # distinct persons within 3 % of the truth
    # Withdrawing a source: a new run without its registrations.
    with django_capture_on_commit_callbacks(execute=True):
        services.import_withdraw(actor=cast.fleur, record=records["comensha"], reason="verkeerde periode")
    after = linkage.latest(Region.objects.get(slug="den-haag"))
    assert after.pk != latest.pk
    assert after.registrations == sum(1 for k in truth if k[0] != "comensha")
    figure = PersonsFigure.objects.get(run=after, year=2025, district=None)
    assert figure.data["bronnen"] == ["politie", "nla"]
    # only the newest run keeps its figures
    assert set(PersonsFigure.objects.values_list("run_id", flat=True)) == {after.pk}


def test_only_the_region_of_the_import_is_linked(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    zwb = second_region()
    files, _, _ = partner_files(60, {"politie": 0.6}, seed=5)
    _import(cast, "politie", files["politie"], django_capture_on_commit_callbacks)
    assert LinkageRun.objects.filter(region=zwb["region"]).count() == 0
    assert LinkageRun.objects.filter(region__slug="den-haag").count() == 1


def test_imports_page_shows_the_progress_of_a_running_linkage(cast: Cast) -> None:
    region = Region.objects.get(slug="den-haag")
    LinkageRun.objects.create(region=region, status=RunStatus.BEZIG, progress=40, step="12.000 paren vergelijken")
    client = login(Client(), cast.fleur)
    page = client.get(reverse("monitor:imports")).content.decode()
    assert "De koppeling loopt: 12.000 paren vergelijken." in page
    assert 'value="40"' in page and 'hx-trigger="every 2s"' in page
    fragment = client.get(reverse("persons:linkage_status"))
    assert fragment.status_code == 200 and "40%" in fragment.content.decode()
    # another region's ketenregisseur sees only their own region (no run there)
    zwb = second_region()
    other = login(Client(), zwb["kim"]).get(reverse("persons:linkage_status")).content.decode()
    assert "paren vergelijken" not in other and "Nog geen koppeling" in other
    # the AF has no business with it
    assert login(Client(), cast.anouk).get(reverse("persons:linkage_status")).status_code == 403


def test_a_waiting_run_is_claimed_once(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, _, _ = partner_files(80, {"politie": 0.6, "nla": 0.5}, seed=6)
    region = Region.objects.get(slug="den-haag")
    # Imports inside one transaction ask once; the task that runs later reads everything.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for slug, data in files.items():
            services.import_file(actor=cast.fleur, source=Source.objects.get(slug=slug), file_name=f"{slug}.csv", data=data)
    assert LinkageRun.objects.filter(region=region).count() == 1
    run = LinkageRun.objects.get(region=region)
    for callback in callbacks:
        callback()
    assert LinkageRun.objects.get(pk=run.pk).status == RunStatus.KLAAR
    assert link_region_task.call(run.pk) is None  # claimed already: nothing happens twice


def test_an_older_run_finishing_late_does_not_overwrite_a_newer_one(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, _, _ = partner_files(80, {"politie": 0.6}, seed=7)
    region = Region.objects.get(slug="den-haag")
    with django_capture_on_commit_callbacks(execute=False):
        services.import_file(actor=cast.fleur, source=Source.objects.get(slug="politie"), file_name="p.csv", data=files["politie"])
    old = LinkageRun.objects.get(region=region)
    newer = LinkageRun.objects.create(region=region, reason="nieuwer")
    assert linkage.run_linkage(newer.pk).status == RunStatus.KLAAR
    assert linkage.run_linkage(old.pk).status == RunStatus.VERVANGEN
    assert linkage.latest(region).pk == newer.pk


def test_a_failing_run_is_recorded_and_shown(cast: Cast, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any) -> None:
    files, _, _ = partner_files(40, {"politie": 0.6}, seed=8)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise MemoryError

    monkeypatch.setattr(linkage, "linkage_encoded", broken)
    with django_capture_on_commit_callbacks(execute=True):  # the task queue records the failure
        services.import_file(actor=cast.fleur, source=Source.objects.get(slug="politie"), file_name="p.csv", data=files["politie"])
    run = LinkageRun.objects.get()
    assert run.status == RunStatus.MISLUKT and run.error == "MemoryError"
    page = login(Client(), cast.fleur).get(reverse("monitor:imports")).content.decode()
    assert "De laatste koppeling is mislukt" in page


def test_rows_with_names_never_reach_a_linkage(cast: Cast) -> None:
    rows = named_rows([{"registratie_id": "X-1", "voornaam": "Jan", "achternaam": "Jansen", "geboortedatum": "1980-01-01", "geslacht": "M", "nationaliteit": "NLD"}])
    from tests.app.persons_support import named_file

    result = services.import_file(actor=cast.fleur, source=Source.objects.get(slug="politie"), file_name="n.csv", data=named_file(rows))
    assert not result.accepted and not LinkageRun.objects.exists()
