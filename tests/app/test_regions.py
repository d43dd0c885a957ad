"""The four regions of the seeds as data (issue 13 item 1): loaded whole, idempotently, or not at all."""

from __future__ import annotations

import csv
import json
from collections import Counter
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from ketenzicht.accounts.models import District, Municipality, Organisation, Region
from ketenzicht.routing.models import RoutekaartVersion

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
REGIONS_DIR = REPO / "src" / "ketenzicht" / "data" / "regions"
CSV = REPO / "src" / "ketenzicht" / "data" / "nl" / "gemeenten_2025.csv"
UNITS = {"den-haag": "Den Haag", "noord-holland": "Noord-Holland", "zeeland-west-brabant": "Zeeland-West-Brabant", "rotterdam": "Rotterdam"}


def _cbs() -> dict[str, str]:
    with CSV.open(encoding="utf-8", newline="") as handle:
        return {row["gemeente_code"]: row["politie_eenheid"] for row in csv.DictReader(handle)}


def _regions_json() -> list[dict[str, Any]]:
    out = StringIO()
    call_command("regions", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_four_regions_load_with_exactly_the_cbs_municipalities_of_their_police_unit() -> None:
    call_command("load_region", *UNITS, verbosity=0)
    cbs = _cbs()
    printed = {r["slug"]: r for r in _regions_json()}
    assert set(UNITS) <= set(printed)
    for slug, unit in UNITS.items():
        expected = sorted(code for code, police in cbs.items() if police == unit)
        assert printed[slug]["gemeenten"] == expected, slug
        assert Municipality.objects.filter(region__slug=slug).count() == len(expected)
        # Districts partition the region: every municipality in exactly one district.
        in_districts = Counter(code for d in printed[slug]["districten"] for code in d["gemeenten"])
        assert sorted(in_districts) == expected and set(in_districts.values()) == {1}, slug
        # Every region has its routekaart active and its partners each with a kind.
        assert RoutekaartVersion.objects.filter(slug=slug, is_active=True).count() == 1
    assert {len(printed[s]["gemeenten"]) for s in UNITS} == {27, 32, 37, 23}
    sterk_huis = Organisation.objects.get(slug="sterk-huis")
    assert sterk_huis.region.slug == "zeeland-west-brabant" and sterk_huis.kind == "zorgcoordinator"
    assert District.objects.get(slug="de-markiezaten").municipalities.filter(name="Roosendaal").exists()


def test_regions_json_keys_exactly_as_the_issue_spells_them() -> None:
    printed = _regions_json()
    assert printed, "the test database holds the demo regions"
    for region in printed:
        assert list(region) == ["slug", "naam", "gemeenten", "districten"]
        assert all(code.startswith("GM") and len(code) == 6 for code in region["gemeenten"])
        for district in region["districten"]:
            assert list(district) == ["naam", "gemeenten"]
            assert set(district["gemeenten"]) <= set(region["gemeenten"])
    den_haag = next(r for r in printed if r["slug"] == "den-haag")
    assert den_haag["naam"] == "Eenheid Den Haag"
    leiden = next(d for d in den_haag["districten"] if d["naam"] == "Leiden-Bollenstreek")
    assert "GM0638" in leiden["gemeenten"]  # Zoeterwoude


def test_loading_twice_changes_nothing() -> None:
    call_command("load_region", "rotterdam", verbosity=0)
    before = (Organisation.objects.count(), District.objects.count(), RoutekaartVersion.objects.filter(slug="rotterdam").count())
    call_command("load_region", "rotterdam", verbosity=0)
    after = (Organisation.objects.count(), District.objects.count(), RoutekaartVersion.objects.filter(slug="rotterdam").count())
    assert before == after


# The partners an AF calls or refers to in every region; others (HEIT, ODWH …) where known.
CORE_PARTNERS = {"politie-avim", "nla", "zorgcoordinator", "veilig-thuis", "riec", "om", "zorg-en-veiligheidshuis"}


def test_shipped_partners_have_a_kind_and_a_way_to_reach_them() -> None:
    for slug in UNITS:
        data = yaml.safe_load((REGIONS_DIR / f"{slug}.yaml").read_text(encoding="utf-8"))
        kinds = {org["soort"] for org in data["organisaties"]}
        assert {"politie-avim", "nla", "zorgcoordinator", "riec"} <= kinds, slug
        for org in data["organisaties"]:
            assert org.get("soort"), org["slug"]
            if org["soort"] in CORE_PARTNERS:
                assert org.get("contact"), f"{slug}: {org['slug']} has no contact"


# --- bad input: a clear error naming file, key and problem; nothing loaded ----------------------
def _bad_file(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load((REGIONS_DIR / "rotterdam.yaml").read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "rotterdam-fout.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _unknown_code(data: dict[str, Any]) -> None:
    data["districten"][1]["gemeenten"].append("GM9999")


def _two_districts(data: dict[str, Any]) -> None:
    data["districten"][2]["gemeenten"].append(data["districten"][1]["gemeenten"][0])


def _partner_without_type(data: dict[str, Any]) -> None:
    del data["organisaties"][4]["soort"]


def _duplicate_slug(data: dict[str, Any]) -> None:
    data["organisaties"].append(dict(data["organisaties"][3]))


def _slug_of_another_region(data: dict[str, Any]) -> None:
    data["organisaties"][5]["slug"] = "shop"  # SHOP belongs to eenheid Den Haag


def _municipality_of_another_unit(data: dict[str, Any]) -> None:
    data["gemeenten"].append("GM0638")  # Zoeterwoude: police unit Den Haag


@pytest.mark.parametrize(
    ("change", "key", "problem"),
    [
        (_unknown_code, "districten[1].gemeenten[3]", "onbekende CBS-code 'GM9999'"),
        (_two_districts, "districten[2].gemeenten[3]", "staat in twee districten: 'rijnmond-noord' en 'rijnmond-oost'"),
        (_partner_without_type, "organisaties[4] (nla-rotterdam).soort", "ontbreekt: elke organisatie heeft een soort"),
        (_duplicate_slug, "organisaties[11] (politie-rotterdam-avim).slug", "dubbele slug 'politie-rotterdam-avim'"),
        (_slug_of_another_region, "organisaties[5] (shop).slug", "dubbele slug 'shop': al in gebruik door regio 'den-haag'"),
        (_municipality_of_another_unit, "gemeenten[23]", "hoort volgens de CBS-indeling 2025 bij politie-eenheid Den Haag"),
    ],
)
def test_a_wrong_region_file_names_file_key_and_problem_and_loads_nothing(tmp_path: Path, change: Any, key: str, problem: str) -> None:
    path = _bad_file(tmp_path, change)
    organisations = Organisation.objects.count()
    with pytest.raises(CommandError) as error:
        call_command("load_region", str(path), verbosity=0)
    message = str(error.value)
    assert f"rotterdam-fout.yaml: {key}: " in message and problem in message, message
    assert not Region.objects.filter(slug="rotterdam").exists()
    assert Organisation.objects.count() == organisations
    assert Municipality.objects.get(cbs_code="GM0599").region_id is None
    assert not RoutekaartVersion.objects.filter(slug="rotterdam").exists()


def test_an_unknown_region_is_named_with_the_ones_that_exist() -> None:
    with pytest.raises(CommandError, match="onbekende regio 'utrecht'. Bekend: den-haag, noord-holland, rotterdam, zeeland-west-brabant"):
        call_command("load_region", "utrecht", verbosity=0)
