"""Issue 15 item 4: persons and the estimate per region and year — the JSON contract on the
command line and the API, the refusals in plain Dutch, disclosure control, access, the page;
and the end-to-end path from four partner files with names to an estimate in the monitor."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ketenzicht.accounts.models import Region
from ketenzicht.monitor import services
from ketenzicht.monitor.models import Source
from ketenzicht.persons.models import LinkageRun, PersonsFigure, RunStatus
from tests.app.persons_support import (
    CODES,
    named_file,
    named_rows,
    partner_files,
    second_region,
)
from tests.support import Cast, login

KEYS = ["regio", "jaar", "bronnen", "registraties", "uniekePersonen", "overlap", "schatting", "weigering"]


def _deliver(cast: Cast, files: dict[str, bytes], capture: Any) -> None:
    for slug, data in files.items():
        with capture(execute=True):
            result = services.import_file(actor=cast.fleur, source=Source.objects.get(slug=slug), file_name=f"{slug}.csv", data=data)
        assert result.accepted, result.record.errors[:3]


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
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert list(found) == KEYS
    seen = len(set(truth.values()))
    assert found["regio"] == "den-haag" and found["jaar"] == 2025
    assert found["bronnen"] == ["politie", "zorgcoordinator-shop", "nla", "comensha"]
    assert found["registraties"] == len(truth)
    assert abs(found["uniekePersonen"] - seen) <= 0.03 * seen
    assert sum(c["aantal"] or 0 for c in found["overlap"]) <= found["uniekePersonen"]
    assert all(set(c) == {"bronnen", "aantal"} for c in found["overlap"])
    estimate = found["schatting"]
    assert set(estimate) == {"waarde", "interval", "methode", "model"} and estimate["methode"] == "auto"
    low, high = estimate["interval"]
    assert low <= estimate["waarde"] <= high and estimate["waarde"] >= found["uniekePersonen"]
    assert found["weigering"] is None
    # the API answers the same for the ketenregisseur of the region
    api = login(Client(), cast.fleur).get(reverse("api-personen"), {"regio": "den-haag", "jaar": 2025})
    assert api.status_code == 200 and api.json() == found
    # and the monitor's persons page shows it, with the explanation of the assumptions
    page = login(Client(), cast.fleur).get(reverse("persons:persons"), {"jaar": 2025}).content.decode()
    assert f"<strong>{estimate['waarde']}</strong>" in page and "Gesloten populatie binnen het jaar" in page
    assert "Koppelfouten" in page and "Overlap tussen bronnen" in page and "<svg" in page


def test_a_year_with_one_source_is_refused_in_plain_dutch(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, _, _ = partner_files(200, {"politie": 0.7}, seed=22)
    _deliver(cast, files, django_capture_on_commit_callbacks)
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert found["schatting"] is None and found["bronnen"] == ["politie"]
    assert "alleen politie" in found["weigering"] and "minstens twee bronnen" in found["weigering"]
    assert found["uniekePersonen"] > 100


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


def test_small_numbers_are_suppressed(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, _, _ = partner_files(12, {"politie": 0.5, "nla": 0.5}, seed=26)
    _deliver(cast, files, django_capture_on_commit_callbacks)
    raw = PersonsFigure.objects.get(district=None).data
    found = _command("--regio", "den-haag", "--jaar", "2025")
    for cell, raw_cell in zip(found["overlap"], raw["overlap"], strict=True):
        if 0 < raw_cell["aantal"] < 5:
            assert cell["aantal"] is None
    if raw["uniekePersonen"] < 5:
        assert found["uniekePersonen"] is None and found["schatting"] is None
    assert all(c["aantal"] is None or c["aantal"] >= 5 for c in found["overlap"])


def test_no_data_and_bad_arguments(cast: Cast) -> None:
    found = _command("--regio", "den-haag", "--jaar", "2019")
    assert list(found) == KEYS and found["uniekePersonen"] == 0 and "geen gecodeerde registraties" in found["weigering"]
    with pytest.raises(CommandError, match="Onbekende regio"):
        _command("--regio", "atlantis", "--jaar", "2025")
    with pytest.raises(CommandError, match="hoort niet bij"):
        _command("--regio", "den-haag", "--jaar", "2025", "--district", "nergens")
    out = io.StringIO()
    call_command("monitor", "personen", "--regio", "den-haag", "--jaar", "2019", stdout=out)
    assert "den-haag 2019: 0 registraties" in out.getvalue()


def test_the_command_runs_a_waiting_linkage_before_answering(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    files, truth, _ = partner_files(150, {"politie": 0.6, "nla": 0.5}, seed=27)
    with django_capture_on_commit_callbacks(execute=False):  # no worker picked the task up
        for slug, data in files.items():
            services.import_file(actor=cast.fleur, source=Source.objects.get(slug=slug), file_name=f"{slug}.csv", data=data)
    assert LinkageRun.objects.get().status == RunStatus.WACHTEND
    found = _command("--regio", "den-haag", "--jaar", "2025")
    assert found["registraties"] == len(truth)
    assert LinkageRun.objects.get().status == RunStatus.KLAAR


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
    _deliver(cast, files, django_capture_on_commit_callbacks)
    region = Region.objects.get(slug="den-haag")
    district = region.districts.get(slug="leiden-bollenstreek")
    found = _command("--regio", "den-haag", "--jaar", "2025", "--district", district.slug)
    whole = _command("--regio", "den-haag", "--jaar", "2025")
    assert found["district"] == district.slug and 0 < found["registraties"] < whole["registraties"]
    page = login(Client(), cast.fleur).get(reverse("persons:persons"), {"jaar": 2025, "district": district.slug}).content.decode()
    assert district.name in page
