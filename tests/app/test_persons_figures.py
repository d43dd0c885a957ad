"""Issue 15 item 4: persons and the estimate per region and year — the JSON contract on the
command line and the API, the refusals in plain Dutch, access, the page; and the end-to-end
path from four partner files with names to an estimate in the monitor. Every figure comes from
the release (the one protected source, Cell Key Method): within the p-table's maximum deviation
of the live value, and equal to what the monitor page publishes for the same release."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
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
    before = _command("--regio", "den-haag", "--jaar", "2025")  # linked, not yet released
    assert list(before) == KEYS and before["uniekePersonen"] is None and "nog geen cijfers vrijgegeven" in before["weigering"]
    made = release_through(DEC_2025)
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert list(found) == KEYS
    seen = len(set(truth.values()))
    assert found["regio"] == "den-haag" and found["jaar"] == 2025
    assert found["bronnen"] == ["politie", "zorgcoordinator-shop", "nla", "comensha"]
    assert abs(found["registraties"] - len(truth)) <= made.max_deviation
    assert abs(found["uniekePersonen"] - seen) <= 0.03 * seen + made.max_deviation
    # the monitor page publishes the same seen count for the same release
    region = Region.objects.get(slug="den-haag")
    assert found["uniekePersonen"] == selectors.trend(region).years[-1].seen
    assert all(set(c) == {"bronnen", "aantal"} for c in found["overlap"])
    raw = PersonsFigure.objects.get(district=None, year=2025).data
    assert abs(sum(c["aantal"] for c in found["overlap"]) - raw["uniekePersonen"]) <= len(found["overlap"]) * made.max_deviation
    estimate = found["schatting"]
    assert set(estimate) == {"waarde", "interval", "methode", "model"} and estimate["methode"] == "auto"
    low, high = estimate["interval"]
    assert low <= estimate["waarde"] <= high and estimate["waarde"] >= found["uniekePersonen"]
    assert estimate["waarde"] % 10 == 0 and low % 10 == 0 and high % 10 == 0  # published rounded
    assert low <= raw["schatting"]["interval"][0] and high >= raw["schatting"]["interval"][1]  # widened
    assert estimate["waarde"] == selectors.trend(region).years[-1].estimate
    assert found["weigering"] is None
    # the API answers the same for the ketenregisseur of the region
    api = login(Client(), cast.fleur).get(reverse("api-personen"), {"regio": "den-haag", "jaar": 2025})
    assert api.status_code == 200 and api.json() == found
    # and the monitor's persons page shows it, with the explanation of the assumptions
    page = login(Client(), cast.fleur).get(reverse("persons:persons"), {"jaar": 2025}).content.decode()
    assert f"<strong>{estimate['waarde']}</strong>" in page and "Gesloten populatie binnen het jaar" in page
    assert "Koppelfouten" in page and "Overlap tussen bronnen" in page and "<svg" in page


def test_a_year_with_one_source_is_refused_in_plain_dutch(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, truth, _ = partner_files(200, {"politie": 0.7}, seed=22)
    made = _released(cast, files, django_capture_on_commit_callbacks)
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert found["schatting"] is None and found["bronnen"] == ["politie"]
    assert "alleen politie" in found["weigering"] and "minstens twee bronnen" in found["weigering"]
    assert found["uniekePersonen"] > 100
    # one source: the registrations are the monitor page's total for that source and year
    politie = Source.objects.get(slug="politie")
    page = protected.figures(Selection(region=Region.objects.get(slug="den-haag"), source=politie, unit=politie.default_unit, year=2025))
    assert found["registraties"] == page.total and abs(found["registraties"] - len(truth)) <= made.max_deviation


def test_too_little_overlap_is_refused(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, _, _ = partner_files(300, {"politie": 0.15, "nla": 0.1}, seed=23)
    _released(cast, files, django_capture_on_commit_callbacks)
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

    _released(cast, {slug: encoded_file(r) for slug, r in files.items()}, django_capture_on_commit_callbacks)
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert found["schatting"] is None
    assert "niet identificeerbaar" in found["weigering"] and "comensha" in found["weigering"]


def test_small_numbers_are_not_published_as_themselves(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, _, _ = partner_files(12, {"politie": 0.5, "nla": 0.5}, seed=26)
    made = _released(cast, files, django_capture_on_commit_callbacks)
    raw = PersonsFigure.objects.get(district=None).data
    found = _command("--regio", "den-haag", "--jaar", "2025")
    raw_cells = {tuple(c["bronnen"]): c["aantal"] for c in raw["overlap"] if c["aantal"]}
    assert {tuple(c["bronnen"]) for c in found["overlap"]} == set(raw_cells)
    for cell in found["overlap"]:
        true = raw_cells[tuple(cell["bronnen"])]
        assert abs(cell["aantal"] - true) <= made.max_deviation
        if true < made.threshold:  # 1 … T−1 is published as 0 or T, never as itself
            assert cell["aantal"] in (0, made.threshold)
    assert not 0 < found["uniekePersonen"] < made.threshold
    if found["uniekePersonen"] < made.threshold:
        assert found["schatting"] is None and "Te weinig personen" in found["weigering"]


def test_no_data_and_bad_arguments(cast: Cast) -> None:
    found = _command("--regio", "den-haag", "--jaar", "2019")
    assert list(found) == KEYS and found["uniekePersonen"] is None and "nog geen cijfers vrijgegeven" in found["weigering"]
    release_through(DEC_2025)
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert found["uniekePersonen"] == 0 and found["overlap"] == [] and "geen gecodeerde registraties" in found["weigering"]
    with pytest.raises(CommandError, match="Onbekende regio"):
        _command("--regio", "atlantis", "--jaar", "2025")
    with pytest.raises(CommandError, match="hoort niet bij"):
        _command("--regio", "den-haag", "--jaar", "2025", "--district", "nergens")
    out = io.StringIO()
    call_command("monitor", "personen", "--regio", "den-haag", "--jaar", "2025", stdout=out)
    assert "den-haag 2025: 0 registraties" in out.getvalue()


def test_the_command_runs_a_waiting_linkage_before_answering(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, truth, _ = partner_files(150, {"politie": 0.6, "nla": 0.5}, seed=27)
    with django_capture_on_commit_callbacks(execute=False):  # no worker picked the task up
        for slug, data in files.items():
            services.import_file(actor=cast.fleur, source=Source.objects.get(slug=slug), file_name=f"{slug}.csv", data=data)
    assert LinkageRun.objects.get().status == RunStatus.WACHTEND
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert LinkageRun.objects.get().status == RunStatus.KLAAR
    assert "nog geen cijfers vrijgegeven" in found["weigering"]  # linked now, published with the release
    made = release_through(DEC_2025)
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert abs(found["registraties"] - len(truth)) <= made.max_deviation


def test_api_only_for_the_ketenregisseur_of_that_region_with_a_second_factor(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    zwb = second_region()
    files, _, _ = partner_files(100, {"politie": 0.6, "nla": 0.5}, seed=28)
    _deliver(cast, files, django_capture_on_commit_callbacks)
    url, params = reverse("api-personen"), {"regio": "den-haag", "jaar": 2025}
    assert login(Client(), cast.fleur).get(url, params).status_code == 200
    assert login(Client(), zwb["kim"]).get(url, params).status_code == 403  # other region's ketenregisseur
    assert login(Client(), zwb["kim"]).get(url, {"regio": "zeeland-west-brabant", "jaar": 2025}).status_code == 200
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
    made = _released(cast, files, django_capture_on_commit_callbacks)
    region = Region.objects.get(slug="den-haag")
    district = region.districts.get(slug="leiden-bollenstreek")
    found = _command("--regio", "den-haag", "--jaar", "2025", "--district", district.slug)
    whole = _command("--regio", "den-haag", "--jaar", "2025")
    assert found["district"] == district.slug and 0 < found["registraties"] < whole["registraties"]
    # a person counts in the district of their first registration of the year (one row each)
    rows = ReleaseCount.objects.filter(release=made, kind="personen", municipality__district=district)
    assert abs(found["uniekePersonen"] - sum(r.n for r in rows)) <= made.max_deviation
    assert 0 < found["uniekePersonen"] < whole["uniekePersonen"]
    # the district's persons are a protected count of their own, the same on every question
    assert found["uniekePersonen"] == protected.count(
        "personen", region=region, first=date(2025, 1, 1), last=DEC_2025, municipalities=list(district.municipalities.all())
    ).value
    page = login(Client(), cast.fleur).get(reverse("persons:persons"), {"jaar": 2025, "district": district.slug}).content.decode()
    assert district.name in page


def test_repeat_registrations_are_a_protected_count_of_their_own(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    """Persons of 2025 already registered in 2024: the kind personen-eerder, within the p-table's
    maximum deviation of the linked value, shown on the persons page."""
    capture = {"politie": 0.6, "nla": 0.5}
    for year in (2024, 2025):
        files, _, _ = partner_files(150, capture, seed=30, year=year)
        for slug, data in files.items():
            lines = data.decode().splitlines(keepends=True)  # the partners' record ids differ per year
            data = (lines[0] + "".join(f"{year}-{line}" for line in lines[1:])).encode()
            with django_capture_on_commit_callbacks(execute=True):
                result = services.import_file(actor=cast.fleur, source=Source.objects.get(slug=slug), file_name=f"{slug}-{year}.csv", data=data)
            assert result.accepted, result.record.errors[:3]
    made = release_through(DEC_2025)
    region = Region.objects.get(slug="den-haag")
    raw = PersonsFigure.objects.get(district=None, year=2025).data
    assert raw["eerderGezien"] > 50
    found = selectors.published(region, 2025)
    assert abs(found.extra["eerderGezien"] - raw["eerderGezien"]) <= made.max_deviation
    assert selectors.published(region, 2024).extra["eerderGezien"] == 0  # nobody before 2024
    # The whole region ("Hele regio"): fleur, a district coordinator, lands on her own district.
    page = login(Client(), cast.fleur).get(reverse("persons:persons"), {"jaar": 2025, "district": ""}).content.decode()
    assert "Opnieuw geregistreerd" in page and f"<dd>{found.extra['eerderGezien']}</dd>" in page
