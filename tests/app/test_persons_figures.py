"""Issue 15 item 4: persons and the estimate per region and year — the JSON contract on the
command line and the API, the refusals in plain Dutch, access, the page; and the end-to-end
path from four partner files with names to an estimate in the monitor.

The command and the API compute the figures now, from every accepted import, with every count
protected by the Cell Key Method as a release protects the same records (within the p-table's
maximum deviation of the true value, 1 … T−1 shown as 0 or T, the same value on every question,
and the value the release then publishes for the same set). The persons page and the monitor's
publications read the release (issue 20)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ketenzicht.accounts.models import Region
from ketenzicht.monitor import protected, services
from ketenzicht.monitor.models import Release, ReleaseCount, Source
from ketenzicht.monitor.selectors import Selection
from ketenzicht.persons import selectors
from ketenzicht.persons.models import LinkageRun, PersonsFigure, RunStatus
from tests.app.monitor_support import release_through
from tests.app.persons_support import (
    CODES,
    named_file,
    named_rows,
    partner_files,
    second_region,
)
from tests.support import Cast, login

DEC_2025 = date(2025, 12, 1)
KEYS = ["regio", "jaar", "bronnen", "registraties", "uniekePersonen", "overlap", "schatting", "weigering"]


def _deliver(cast: Cast, files: dict[str, bytes], capture: Any) -> None:
    for slug, data in files.items():
        with capture(execute=True):
            result = services.import_file(actor=cast.fleur, source=Source.objects.get(slug=slug), file_name=f"{slug}.csv", data=data)
        assert result.accepted, result.record.errors[:3]


def _released(cast: Cast, files: dict[str, bytes], capture: Any) -> Release:
    _deliver(cast, files, capture)
    return release_through(DEC_2025)


def _command(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("monitor", "personen", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def test_four_partner_files_with_names_to_persons_and_an_estimate_in_the_monitor(cast: Cast, tmp_path: Path, django_capture_on_commit_callbacks: Any) -> None:
    """End to end: names at four partners → `ketenzicht encode` → `monitor import` → linkage →
    `monitor personen --json`, the API and the persons page show the same figures."""
    from ketenzicht.domain.linkage import synthetic as S

    persons = S.population(500, seed=21, municipalities=CODES)
    capture = {"politie": 0.4, "zorgcoordinator-shop": 0.35, "nla": 0.3, "comensha": 0.3}
    rows, truth = S.capture(persons, capture, seed=21)
    key = tmp_path / "regio.key"
    key.write_bytes(b"de-sleutel-van-de-vier-partners\n")
    for slug, partner_rows in rows.items():
        plain = tmp_path / f"{slug}.csv"
        plain.write_bytes(named_file(named_rows(partner_rows, seed=21)))
        encoded = tmp_path / f"{slug}.gecodeerd.csv"
        call_command("encode", str(plain), "--key", str(key), "--out", str(encoded), stdout=io.StringIO())
        assert b"sleutel_id" in encoded.read_bytes() and persons[0].achternaam.encode() not in encoded.read_bytes()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("monitor", "import", str(encoded), "--bron", slug, stdout=io.StringIO())
    found = _command("--regio", "den-haag", "--jaar", "2025")  # no release: computed now
    assert list(found) == KEYS
    D, T = settings.MONITOR_PTABLE_MAX_DEVIATION, settings.MONITOR_DISCLOSURE_THRESHOLD
    seen = len(set(truth.values()))
    assert found["regio"] == "den-haag" and found["jaar"] == 2025
    assert found["bronnen"] == ["politie", "zorgcoordinator-shop", "nla", "comensha"]
    assert abs(found["registraties"] - len(truth)) <= D
    assert abs(found["uniekePersonen"] - seen) <= 0.03 * seen + D
    assert all(set(c) == {"bronnen", "aantal"} for c in found["overlap"])
    raw = PersonsFigure.objects.get(district=None, year=2025).data
    assert abs(sum(c["aantal"] for c in found["overlap"]) - raw["uniekePersonen"]) <= len(found["overlap"]) * D
    assert all(c["aantal"] == 0 or c["aantal"] >= T for c in found["overlap"])
    estimate = found["schatting"]
    assert set(estimate) == {"waarde", "interval", "methode", "model"} and estimate["methode"] == "auto"
    low, high = estimate["interval"]
    assert low <= len(persons) <= high  # the interval covers the true size of the population
    assert low <= estimate["waarde"] <= high and estimate["waarde"] >= found["uniekePersonen"]
    assert estimate["waarde"] % 10 == 0 and low % 10 == 0 and high % 10 == 0  # rounded as published
    assert low <= raw["schatting"]["interval"][0] and high >= raw["schatting"]["interval"][1]  # widened
    assert found["weigering"] is None
    # asking again gives the same values (no averaging of fresh noise)
    assert _command("--regio", "den-haag", "--jaar", "2025") == found
    # the API answers the same for the ketenregisseur of the region, without a release either
    api = login(Client(), cast.fleur).get(reverse("api-personen"), {"regio": "den-haag", "jaar": 2025})
    assert api.status_code == 200 and api.json() == found
    # the persons page publishes from the release only: nothing yet
    page = login(Client(), cast.fleur).get(reverse("persons:persons"), {"jaar": 2025, "district": ""}).content.decode()
    assert f"<strong>{estimate['waarde']}</strong>" not in page
    # the release publishes the same values for the same registrations and persons
    made = release_through(DEC_2025)
    region = Region.objects.get(slug="den-haag")
    assert selectors.trend(region).years[-1].seen == found["uniekePersonen"]
    assert selectors.trend(region).years[-1].estimate == estimate["waarde"]
    released = selectors.published(region, 2025).payload
    assert released["registraties"] == found["registraties"] and released["overlap"] == found["overlap"]
    assert _command("--regio", "den-haag", "--jaar", "2025") == found and made.threshold == T
    # and the monitor's persons page shows it, with the explanation of the assumptions
    page = login(Client(), cast.fleur).get(reverse("persons:persons"), {"jaar": 2025, "district": ""}).content.decode()
    assert f"<strong>{estimate['waarde']}</strong>" in page and "Gesloten populatie binnen het jaar" in page
    assert "Koppelfouten" in page and "Overlap tussen bronnen" in page and "<svg" in page


def test_a_year_with_one_source_is_refused_in_plain_dutch(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, truth, _ = partner_files(200, {"politie": 0.7}, seed=22)
    _deliver(cast, files, django_capture_on_commit_callbacks)
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert found["schatting"] is None and found["bronnen"] == ["politie"]
    assert "alleen politie" in found["weigering"] and "minstens twee bronnen" in found["weigering"]
    assert found["uniekePersonen"] > 100
    assert abs(found["registraties"] - len(truth)) <= settings.MONITOR_PTABLE_MAX_DEVIATION
    # one source: once released, the monitor page's total for that source and year is the same value
    release_through(DEC_2025)
    politie = Source.objects.get(slug="politie")
    page = protected.figures(Selection(region=Region.objects.get(slug="den-haag"), source=politie, unit=politie.default_unit, year=2025))
    assert found["registraties"] == page.total


def test_too_little_overlap_is_refused(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, _, _ = partner_files(300, {"politie": 0.15, "nla": 0.1}, seed=23)
    _deliver(cast, files, django_capture_on_commit_callbacks)
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert found["schatting"] is None and "overlap tussen de bronnen is te klein" in found["weigering"]


def test_a_table_that_cannot_identify_the_model_is_refused(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    """Three sources, one of which shares nobody with the others (Artificial_3 of Chan et al.)."""
    from ketenzicht.domain.linkage import synthetic as S

    persons = S.population(600, seed=24, municipalities=CODES)
    shared = {"politie": 0.5, "nla": 0.5}
    rows, _ = S.capture(persons[:400], shared, seed=24)
    alone, _ = S.capture(persons[400:], {"comensha": 0.9}, seed=25)
    files = {slug: named_rows(r, seed=24) for slug, r in {**rows, **alone}.items()}
    from tests.app.persons_support import encoded_file

    _deliver(cast, {slug: encoded_file(r) for slug, r in files.items()}, django_capture_on_commit_callbacks)
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert found["schatting"] is None
    assert "niet identificeerbaar" in found["weigering"] and "comensha" in found["weigering"]


def test_small_numbers_are_not_published_as_themselves(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, _, _ = partner_files(12, {"politie": 0.5, "nla": 0.5}, seed=26)
    _deliver(cast, files, django_capture_on_commit_callbacks)
    D, T = settings.MONITOR_PTABLE_MAX_DEVIATION, settings.MONITOR_DISCLOSURE_THRESHOLD
    raw = PersonsFigure.objects.get(district=None).data
    found = _command("--regio", "den-haag", "--jaar", "2025")
    raw_cells = {tuple(c["bronnen"]): c["aantal"] for c in raw["overlap"] if c["aantal"]}
    assert {tuple(c["bronnen"]) for c in found["overlap"]} == set(raw_cells)
    assert any(true < T for true in raw_cells.values())  # the case this test is about
    for cell in found["overlap"]:
        true = raw_cells[tuple(cell["bronnen"])]
        assert abs(cell["aantal"] - true) <= D
        if true < T:  # 1 … T−1 is published as 0 or T, never as itself
            assert cell["aantal"] in (0, T)
    assert not 0 < found["uniekePersonen"] < T
    if found["uniekePersonen"] < T:
        assert found["schatting"] is None and "Te weinig personen" in found["weigering"]
    # the same question, the same answer, through the API as well
    api = login(Client(), cast.fleur).get(reverse("api-personen"), {"regio": "den-haag", "jaar": 2025}).json()
    assert api == found == _command("--regio", "den-haag", "--jaar", "2025")


def test_no_data_and_bad_arguments(cast: Cast) -> None:
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert list(found) == KEYS and found["uniekePersonen"] == 0 and found["registraties"] == 0
    assert found["overlap"] == [] and found["schatting"] is None and "geen gecodeerde registraties" in found["weigering"]
    with pytest.raises(CommandError, match="Onbekende regio"):
        _command("--regio", "atlantis", "--jaar", "2025")
    with pytest.raises(CommandError, match="hoort niet bij"):
        _command("--regio", "den-haag", "--jaar", "2025", "--district", "nergens")
    out = io.StringIO()
    call_command("monitor", "personen", "--regio", "den-haag", "--jaar", "2025", stdout=out)
    assert "den-haag 2025: 0 registraties" in out.getvalue()


def test_the_command_and_the_api_run_a_waiting_linkage_before_answering(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, truth, _ = partner_files(150, {"politie": 0.6, "nla": 0.5}, seed=27)
    with django_capture_on_commit_callbacks(execute=False):  # no worker picked the task up
        for slug, data in files.items():
            services.import_file(actor=cast.fleur, source=Source.objects.get(slug=slug), file_name=f"{slug}.csv", data=data)
    assert LinkageRun.objects.get().status == RunStatus.WACHTEND
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert LinkageRun.objects.get().status == RunStatus.KLAAR
    D = settings.MONITOR_PTABLE_MAX_DEVIATION
    assert abs(found["registraties"] - len(truth)) <= D and found["uniekePersonen"] > 100
    # a later import: the API runs its linkage too and counts it at once
    more, more_truth, _ = partner_files(60, {"comensha": 0.9}, seed=127)
    with django_capture_on_commit_callbacks(execute=False):
        services.import_file(actor=cast.fleur, source=Source.objects.get(slug="comensha"), file_name="comensha.csv", data=more["comensha"])
    assert LinkageRun.objects.filter(status=RunStatus.WACHTEND).exists()
    api = login(Client(), cast.fleur).get(reverse("api-personen"), {"regio": "den-haag", "jaar": 2025})
    assert api.status_code == 200 and "Ketenzicht-Koppeling" not in api
    assert not LinkageRun.objects.filter(status=RunStatus.WACHTEND).exists()
    assert "comensha" in api.json()["bronnen"]
    assert abs(api.json()["registraties"] - len(truth) - len(more_truth)) <= D


def test_api_only_for_the_ketenregisseur_of_that_region_with_a_second_factor(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    zwb = second_region()
    files, _, _ = partner_files(100, {"politie": 0.6, "nla": 0.5}, seed=28)
    _deliver(cast, files, django_capture_on_commit_callbacks)
    url, params = reverse("api-personen"), {"regio": "den-haag", "jaar": 2025}
    mine = login(Client(), cast.fleur).get(url, params)
    assert mine.status_code == 200 and mine.json()["uniekePersonen"] > 50
    refused = login(Client(), zwb["kim"]).get(url, params)  # other region's ketenregisseur
    assert refused.status_code == 403 and "uniekePersonen" not in refused.content.decode()
    own = login(Client(), zwb["kim"]).get(url, {"regio": "zeeland-west-brabant", "jaar": 2025})
    assert own.status_code == 200 and own.json()["uniekePersonen"] == 0 and own.json()["bronnen"] == []  # nothing of Den Haag
    for who in (cast.anouk, cast.gijs, cast.hanna, cast.julia):
        assert login(Client(), who).get(url, params).status_code == 403, who.username
    assert Client().get(url, params, HTTP_AUTHORIZATION=f"Token {cast.pim_token}").status_code in (401, 403)
    assert Client().get(url, params).status_code in (401, 403)
    unverified = Client()
    unverified.force_login(cast.fleur)  # password only, no second factor
    assert unverified.get(url, params).status_code in (302, 401, 403)
    bad = login(Client(), cast.fleur).get(url, {"regio": "den-haag", "jaar": "twintig"})
    assert bad.status_code == 400 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["invalidParams"][0]["name"] == "jaar"
    assert login(Client(), cast.fleur).get(url, {"regio": "atlantis", "jaar": 2025}).status_code == 404


def test_district_figures_where_counts_allow(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, _, _ = partner_files(400, {"politie": 0.5, "nla": 0.45, "comensha": 0.4}, seed=29)
    _deliver(cast, files, django_capture_on_commit_callbacks)
    region = Region.objects.get(slug="den-haag")
    district = region.districts.get(slug="leiden-bollenstreek")
    found = _command("--regio", "den-haag", "--jaar", "2025", "--district", district.slug)
    whole = _command("--regio", "den-haag", "--jaar", "2025")
    assert found["district"] == district.slug and 0 < found["registraties"] < whole["registraties"]
    assert 0 < found["uniekePersonen"] < whole["uniekePersonen"]
    # a person counts in the district of their first registration of the year (one row each);
    # the release then publishes the same protected values for the district
    made = release_through(DEC_2025)
    rows = ReleaseCount.objects.filter(release=made, kind="personen", municipality__district=district)
    assert abs(found["uniekePersonen"] - sum(r.n for r in rows)) <= made.max_deviation
    assert found["uniekePersonen"] == protected.count(
        "personen", region=region, first=date(2025, 1, 1), last=DEC_2025, municipalities=list(district.municipalities.all())
    ).value
    assert found["registraties"] == selectors.published(region, 2025, district).payload["registraties"]
    page = login(Client(), cast.fleur).get(reverse("persons:persons"), {"jaar": 2025, "district": district.slug}).content.decode()
    assert district.name in page


def test_repeat_registrations_earlier_and_later(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    """Persons of 2025 already registered in 2024: the released kind personen-eerder, shown on
    the persons page; persons of 2024 registered again in 2025: ``laterOpnieuw`` of the command
    and the API when asked for, computed now and protected the same way."""
    capture = {"politie": 0.6, "nla": 0.5}
    for year in (2024, 2025):
        files, _, _ = partner_files(150, capture, seed=30, year=year)
        for slug, data in files.items():
            lines = data.decode().splitlines(keepends=True)  # the partners' record ids differ per year
            data = (lines[0] + "".join(f"{year}-{line}" for line in lines[1:])).encode()
            with django_capture_on_commit_callbacks(execute=True):
                result = services.import_file(actor=cast.fleur, source=Source.objects.get(slug=slug), file_name=f"{slug}-{year}.csv", data=data)
            assert result.accepted, result.record.errors[:3]
    D = settings.MONITOR_PTABLE_MAX_DEVIATION
    raw_2024 = PersonsFigure.objects.get(district=None, year=2024).data
    assert raw_2024["laterOpnieuw"] > 50
    later = _command("--regio", "den-haag", "--jaar", "2024", "--later-opnieuw")
    assert list(later) == [*KEYS, "laterOpnieuw"] and abs(later["laterOpnieuw"] - raw_2024["laterOpnieuw"]) <= D
    assert list(_command("--regio", "den-haag", "--jaar", "2024")) == KEYS  # the contract unless asked for
    api = login(Client(), cast.fleur).get(reverse("api-personen"), {"regio": "den-haag", "jaar": 2024, "laterOpnieuw": "ja"}).json()
    assert api == later
    assert _command("--regio", "den-haag", "--jaar", "2025", "--later-opnieuw")["laterOpnieuw"] == 0  # nobody after 2025
    made = release_through(DEC_2025)
    region = Region.objects.get(slug="den-haag")
    raw = PersonsFigure.objects.get(district=None, year=2025).data
    assert raw["eerderGezien"] > 50
    found = selectors.published(region, 2025)
    assert abs(found.extra["eerderGezien"] - raw["eerderGezien"]) <= made.max_deviation
    assert selectors.live(region, 2025).extra["eerderGezien"] == found.extra["eerderGezien"]  # one set, one value
    assert selectors.published(region, 2024).extra["eerderGezien"] == 0  # nobody before 2024
    # The whole region ("Hele regio"): fleur, a district coordinator, lands on her own district.
    page = login(Client(), cast.fleur).get(reverse("persons:persons"), {"jaar": 2025, "district": ""}).content.decode()
    assert "Opnieuw geregistreerd" in page and f"<dd>{found.extra['eerderGezien']}</dd>" in page
