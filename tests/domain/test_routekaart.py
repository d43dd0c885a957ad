"""Signalenroutekaart: shipped maps, the engine, and rejection of malformed maps.

The path tests are exhaustive, not sampled: for every shipped region they run every
combination of answer values the contract allows (2 routes x 2^6 booleans x 31 non-empty
sets of uitbuitingsvormen) and check the advice against the rules of the seeds, written
out here independently of the map files.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ketenzicht.domain import routekaart as rk
from ketenzicht.domain.routekaart import (
    ADVIES_SOORTEN,
    UITBUITINGSVORMEN,
    MissingAnswerError,
    RoutekaartError,
    RoutekaartInputError,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "routekaart"
REGIONS = ("den-haag", "noord-holland", "rotterdam", "zeeland-west-brabant")
BOOL_KEYS = (
    "acuutGevaar",
    "wilPolitieSpreken",
    "wilHulp",
    "ernstigeZorgenGeenGrip",
    "minderjarig",
    "meldcodeProfessional",
)
POLITIE_VORMEN = {"seksueel", "crimineel", "orgaan", "onbekend"}
NATIONAL_NUMBERS = {
    "alarm-112": "112",
    "politie-avim": "0900-8844",
    "meld-misdaad-anoniem": "0800-7000",
    "veilig-thuis": "0800-2000",
    "nla": "0800-5151",
}


def all_answer_sets() -> Iterator[dict[str, Any]]:
    vorm_sets = [
        list(combo)
        for size in range(1, len(UITBUITINGSVORMEN) + 1)
        for combo in itertools.combinations(UITBUITINGSVORMEN, size)
    ]
    for route in rk.ROUTES:
        for bools in itertools.product((True, False), repeat=len(BOOL_KEYS)):
            for vormen in vorm_sets:
                yield {
                    "route": route,
                    **dict(zip(BOOL_KEYS, bools, strict=True)),
                    "uitbuitingsvormen": vormen,
                }


ALL_ANSWERS = list(all_answer_sets())


@pytest.fixture(scope="module", params=REGIONS)
def region(request: pytest.FixtureRequest) -> rk.RouteMap:
    return rk.load_region(request.param)


@pytest.fixture(scope="module")
def walked(region: rk.RouteMap) -> list[tuple[dict[str, Any], rk.Advice]]:
    return [(answers, rk.advise(region, answers)) for answers in ALL_ANSWERS]


def soorten(advice: rk.Advice) -> list[str]:
    return [item.soort for item in advice.items]


# --- shipped maps -----------------------------------------------------------------------


def test_all_four_regions_ship_and_load() -> None:
    assert rk.available_regions() == sorted(REGIONS)
    for slug in REGIONS:
        route_map = rk.load_region(slug)
        assert route_map.regio == slug
        assert route_map.versie
        assert route_map.bron


def test_every_answer_combination_gives_contract_json(
    region: rk.RouteMap, walked: list[tuple[dict[str, Any], rk.Advice]]
) -> None:
    assert len(walked) == 2 * 2**6 * 31
    for _answers, advice in walked:
        data = json.loads(json.dumps(advice.to_json()))  # must be plain JSON
        assert set(data) == {"advies", "pad", "versie", "openVragen"}
        assert data["openVragen"] == []  # complete answers leave nothing open
        assert data["versie"] == region.versie
        assert data["advies"], "every path must end in at least one partner"
        for item in data["advies"]:
            assert set(item) == {"soort", "organisatie", "telefoon", "email", "reden"}
            assert item["soort"] in ADVIES_SOORTEN
            assert item["organisatie"] and item["reden"]
        soort_list = [i["soort"] for i in data["advies"]]
        assert soort_list.count("alarm-112") <= 1
        for item in advice.items:
            # every outcome has a phone number or a note saying where to look
            assert item.telefoon or item.partner.notities


def test_victim_route_follows_the_seed_rules(
    region: rk.RouteMap, walked: list[tuple[dict[str, Any], rk.Advice]]
) -> None:
    for a, advice in walked:
        if a["route"] != "slachtoffer":
            continue
        got = soorten(advice)
        vormen = set(a["uitbuitingsvormen"])
        context = (region.regio, a, got)

        assert (got[0] == "alarm-112") == a["acuutGevaar"], context
        assert ("nla" in got) == (a["wilPolitieSpreken"] and "arbeid" in vormen), context
        assert ("politie-avim" in got) == (
            a["wilPolitieSpreken"] and bool(vormen & POLITIE_VORMEN)
        ), context
        if a["wilHulp"]:
            assert "zorgcoordinator" in got, context
        # 'ernstige zorgen maar geen grip' is asked only when the victim wants no help
        assert ("zorg-en-veiligheidshuis" in got) == (
            not a["wilHulp"] and a["ernstigeZorgenGeenGrip"]
        ), context
        assert ("veilig-thuis" in got) == (a["meldcodeProfessional"] or a["minderjarig"]), context
        for absent in ("heit", "riec", "meld-misdaad-anoniem"):
            assert absent not in got, context

        nothing_fits = not any(a[k] for k in BOOL_KEYS)
        assert ("signalenoverleg" in got) == nothing_fits, context
        if nothing_fits:
            # fallback only; in ZWB it also goes to the zorgcoördinator (003 doelstelling 2)
            assert set(got) <= {"signalenoverleg", "zorgcoordinator"}, context


def test_location_route_follows_the_seed_rules(
    region: rk.RouteMap, walked: list[tuple[dict[str, Any], rk.Advice]]
) -> None:
    for a, advice in walked:
        if a["route"] != "locatie":
            continue
        got = soorten(advice)
        vormen = set(a["uitbuitingsvormen"])
        context = (region.regio, a, got)

        assert (got[0] == "alarm-112") == a["acuutGevaar"], context
        assert ("nla" in got) == ("arbeid" in vormen), context
        assert ("politie-avim" in got) == bool(vormen & POLITIE_VORMEN), context
        assert ("meld-misdaad-anoniem" in got) == (not a["wilPolitieSpreken"]), context
        assert "signalenoverleg" in got and "riec" in got, context
        # HEIT exists only in eenheid Den Haag: illegal prostitution or malafide bedrijvigheid
        expect_heit = region.regio == "den-haag" and bool(vormen & {"seksueel", "arbeid"})
        assert ("heit" in got) == expect_heit, context
        for absent in ("zorg-en-veiligheidshuis", "veilig-thuis"):
            assert absent not in got, context


def test_location_route_ignores_victim_only_answers(
    walked: list[tuple[dict[str, Any], rk.Advice]],
) -> None:
    by_relevant: dict[tuple[Any, ...], dict[str, Any]] = {}
    for a, advice in walked:
        if a["route"] != "locatie":
            continue
        key = (a["acuutGevaar"], a["wilPolitieSpreken"], tuple(a["uitbuitingsvormen"]))
        by_relevant.setdefault(key, advice.to_json())
        assert advice.to_json() == by_relevant[key]


def test_path_records_each_answer_and_covers_every_branch(
    region: rk.RouteMap, walked: list[tuple[dict[str, Any], rk.Advice]]
) -> None:
    taken: set[tuple[str, str]] = set()
    partners_seen: set[str] = set()
    for a, advice in walked:
        assert advice.pad[0] == rk.PathStep("route", a["route"])
        for step in advice.pad[1:]:
            node = region.knopen[step.knoop]
            assert node.is_vraag
            value = a[node.sleutel]
            hit = (
                bool(set(value) & set(node.bevat_een_van))
                if node.sleutel == "uitbuitingsvormen"
                else value
            )
            assert step.antwoord == ("ja" if hit else "nee"), (step, a)
            taken.add((step.knoop, step.antwoord))
        partners_seen.update(item.partner.id for item in advice.items)

    branches = {(n.id, ans) for n in region.knopen.values() if n.is_vraag for ans in n.antwoorden}
    assert taken == branches, f"never taken: {sorted(branches - taken)}"
    used = {adv.partner for n in region.knopen.values() for adv in n.advies}
    assert partners_seen == used


@pytest.mark.parametrize(
    ("slug", "organisatie_bevat"),
    [
        ("den-haag", "SHOP"),
        ("noord-holland", "HVO-Querido"),
        ("zeeland-west-brabant", "Sterk Huis"),
        ("rotterdam", "Rotterdam"),
    ],
)
def test_zorgcoordinator_per_region(slug: str, organisatie_bevat: str) -> None:
    advice = rk.advise(
        rk.load_region(slug),
        {
            "route": "slachtoffer",
            "acuutGevaar": False,
            "wilPolitieSpreken": False,
            "wilHulp": True,
            "meldcodeProfessional": False,
            "minderjarig": False,
        },
    )
    zoco = [i for i in advice.items if i.soort == "zorgcoordinator"]
    assert zoco and organisatie_bevat in zoco[0].organisatie


def test_den_haag_contacts_are_the_ones_in_seed_001_bijlage_1() -> None:
    partners = rk.load_region("den-haag").partners
    assert partners["shop"].telefoon == "070-3614747 / 06-14007438"
    assert partners["shop"].email == "zoco@shop-denhaag.nl"
    assert partners["zvh-haaglanden"].telefoon == "070-7570900"
    assert partners["zvh-hollands-midden"].telefoon == "088-3084343"
    assert partners["nla"].telefoon == "0800-5151"
    assert partners["politie-avim"].telefoon == "0900-8844"


def test_den_haag_names_both_zorg_en_veiligheidshuizen() -> None:
    advice = rk.advise(
        rk.load_region("den-haag"),
        {
            "route": "slachtoffer",
            "acuutGevaar": False,
            "wilPolitieSpreken": False,
            "wilHulp": False,
            "ernstigeZorgenGeenGrip": True,
            "meldcodeProfessional": False,
            "minderjarig": False,
        },
    )
    zvh = [i.organisatie for i in advice.items if i.soort == "zorg-en-veiligheidshuis"]
    assert zvh == [
        "Zorg- en Veiligheidshuis Haaglanden",
        "Zorg- en Veiligheidshuis Hollands Midden",
    ]


def test_rotterdam_points_municipalities_without_zorgcoordinatie_to_comensha() -> None:
    advice = rk.advise(
        rk.load_region("rotterdam"),
        {
            "route": "slachtoffer",
            "acuutGevaar": False,
            "wilPolitieSpreken": False,
            "wilHulp": True,
            "meldcodeProfessional": False,
            "minderjarig": False,
        },
    )
    zoco = [(i.organisatie, i.telefoon) for i in advice.items if i.soort == "zorgcoordinator"]
    assert zoco[1] == ("CoMensha (landelijk coördinatiecentrum mensenhandel)", "033-4481186")


def test_empty_phones_point_to_the_regional_social_map_and_national_numbers_are_marked() -> None:
    for slug in REGIONS:
        for partner in rk.load_region(slug).partners.values():
            notes = (partner.notities + " " + partner.bron).lower()
            if not partner.telefoon:
                assert "zie regionale sociale kaart" in notes, (slug, partner.id)
            national = NATIONAL_NUMBERS.get(partner.soort)
            if partner.telefoon and national and partner.soort != "alarm-112":
                assert partner.telefoon == national, (slug, partner.id)
                # either the seed gives the number (001 bijlage 1) or it is marked national
                assert "landelijk" in notes or "001 bijlage 1" in partner.bron, (slug, partner.id)


# --- guided walk ------------------------------------------------------------------------


def test_guided_walk_asks_exactly_the_keys_on_the_path(
    region: rk.RouteMap, walked: list[tuple[dict[str, Any], rk.Advice]]
) -> None:
    # Every 7th combination keeps this fast; 7 is coprime to the enumeration's strides, so
    # both routes and every key still vary.
    for full, expected in walked[::7]:
        given_answers: dict[str, Any] = {}
        asked: list[str] = []
        while (question := rk.next_question(region, given_answers)) is not None:
            assert question.sleutel not in given_answers
            if question.meerkeuze:
                assert question.opties == UITBUITINGSVORMEN
            asked.append(question.sleutel)
            given_answers[question.sleutel] = full[question.sleutel]
        assert asked[0] == "route"
        assert rk.advise(region, given_answers).to_json() == expected.to_json()
        path_keys = {region.knopen[s.knoop].sleutel for s in expected.pad[1:]}
        assert set(asked) == {"route"} | path_keys


def test_first_question_is_the_route_choice() -> None:
    question = rk.next_question(rk.load_region("den-haag"), {})
    assert question is not None
    assert (question.knoop, question.sleutel, question.opties) == (
        "route",
        "route",
        ("slachtoffer", "locatie"),
    )


def test_missing_answer_names_the_key_and_carries_the_question() -> None:
    route_map = rk.load_region("noord-holland")
    with pytest.raises(MissingAnswerError, match="'wilPolitieSpreken'") as exc:
        rk.advise(route_map, {"route": "slachtoffer", "acuutGevaar": True})
    assert exc.value.sleutel == "wilPolitieSpreken"
    assert exc.value.question.knoop == "s_politie"
    with pytest.raises(RoutekaartInputError, match="'route'"):
        rk.advise(route_map, {"acuutGevaar": True})


def test_none_counts_as_not_answered() -> None:
    route_map = rk.load_region("rotterdam")
    question = rk.next_question(route_map, {"route": "locatie", "acuutGevaar": None})
    assert question is not None and question.sleutel == "acuutGevaar"


# --- input errors -----------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["utrecht", "Den-Haag", "../den-haag", "den_haag", ""])
def test_unknown_region_is_named(slug: str) -> None:
    with pytest.raises(RoutekaartInputError) as exc:
        rk.load_region(slug)
    assert repr(slug) in str(exc.value) or f"'{slug}'" in str(exc.value)


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        ({"route": "slachtoffer", "acuutgevaar": True}, "'acuutgevaar'"),
        ({"route": "slachtoffer", "plaats": "Lisse"}, "'plaats'"),
        ({"route": "persoon"}, "'persoon'"),
        ({"route": "slachtoffer", "acuutGevaar": "ja"}, "'acuutGevaar'"),
        ({"route": "slachtoffer", "acuutGevaar": 1}, "'acuutGevaar'"),
        ({"route": "locatie", "uitbuitingsvormen": "arbeid"}, "'uitbuitingsvormen'"),
        ({"route": "locatie", "uitbuitingsvormen": ["arbeid", "slavernij"]}, "'slavernij'"),
        ({"route": "locatie", "uitbuitingsvormen": []}, "'uitbuitingsvormen'"),
    ],
)
def test_wrong_answers_are_named(answers: dict[str, Any], named: str) -> None:
    route_map = rk.load_region("den-haag")
    for call in (rk.advise, rk.next_question):
        with pytest.raises(RoutekaartInputError) as exc:
            call(route_map, answers)
        assert named in str(exc.value)


def test_answers_must_be_a_mapping() -> None:
    with pytest.raises(RoutekaartInputError):
        rk.advise(rk.load_region("den-haag"), [("route", "locatie")])  # type: ignore[arg-type]


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    answers=st.dictionaries(
        st.sampled_from([*rk.ANTWOORD_SLEUTELS, "onbekend", "Route"]),
        _json_values | st.sampled_from([*rk.ROUTES, *UITBUITINGSVORMEN]) | st.just(["arbeid"]),
        max_size=9,
    )
)
def test_arbitrary_json_input_gives_advice_or_a_named_input_error(answers: dict[str, Any]) -> None:
    route_map = rk.load_region("zeeland-west-brabant")
    try:
        advice = rk.advise(route_map, answers)
    except RoutekaartInputError as exc:
        assert str(exc)
    else:
        assert advice.items


# --- engine details, on small maps written for the test ---------------------------------

_SMALL_MAP = """\
regio: {regio}
versie: "t1"
geldig_vanaf: 2026-01-01
bron: test
partners:
  - {{id: alarm, soort: alarm-112, organisatie: Alarmnummer 112, telefoon: "112"}}
  - {{id: overleg, soort: signalenoverleg, organisatie: Overleg, notities: zie regionale sociale kaart}}
routes:
  slachtoffer: {{start: a}}
  locatie: {{start: a}}
knopen:
  - {{id: a, soort: uitkomst, advies: [{{partner: overleg, reden: Eerst overleg.}}], daarna: b}}
  - id: b
    soort: vraag
    sleutel: acuutGevaar
    vraag: Acuut?
    antwoorden: {{ja: c, nee: d}}
  - {{id: c, soort: uitkomst, advies: [{{partner: alarm, reden: Bel 112.}}], daarna: d}}
  - {{id: d, soort: uitkomst, advies: [{{partner: overleg, reden: Nogmaals overleg.}}]}}
"""


def test_112_comes_first_and_a_partner_appears_once(tmp_path: Path) -> None:
    path = tmp_path / "klein.yaml"
    path.write_text(_SMALL_MAP.format(regio="klein"), encoding="utf-8")
    advice = rk.advise(rk.load_map(path), {"route": "locatie", "acuutGevaar": True})
    assert soorten(advice) == ["alarm-112", "signalenoverleg"]
    assert advice.items[1].reden == "Eerst overleg. Nogmaals overleg."
    assert [s.knoop for s in advice.pad] == ["route", "b"]


def test_load_region_reads_from_a_given_data_dir(tmp_path: Path) -> None:
    (tmp_path / "klein.yaml").write_text(_SMALL_MAP.format(regio="klein"), encoding="utf-8")
    assert rk.available_regions(tmp_path) == ["klein"]
    assert rk.load_region("klein", data_dir=tmp_path).versie == "t1"


# --- malformed maps ---------------------------------------------------------------------


def test_minimal_fixture_is_valid_so_each_defect_fixture_fails_for_its_own_reason() -> None:
    route_map = rk.load_map(FIXTURES / "geldig-minimaal.yaml")
    assert soorten(rk.advise(route_map, {"route": "slachtoffer", "acuutGevaar": True})) == [
        "alarm-112"
    ]


@pytest.mark.parametrize(
    ("fixture", "names", "says"),
    [
        ("onvolledig-antwoord", "knoop 's_acuut'", "antwoord 'nee' ontbreekt"),
        ("vraag-zonder-antwoorden", "knoop 's_acuut'", "vraag zonder antwoorden"),
        ("onbekende-knoop", "knoop 's_acuut'", "onbekende knoop 'u_bestaat_niet'"),
        ("onbekende-partner", "knoop 'u_112'", "onbekende partner 'brandweer'"),
        ("onbereikbare-knoop", "knoop 'u_wees'", "onbereikbaar"),
        ("doodlopende-knoop", "knoop 'u_leeg'", "doodlopend"),
        ("cyclus", "knoop 'u_112'", "cyclus"),
        ("onbekende-start", "knoop 'l_start'", "route 'locatie'"),
        ("onbekende-sleutel", "knoop 's_acuut'", "onbekende sleutel 'acuutgevaar'"),
        ("onbekende-vorm", "knoop 's_vorm'", "slavernij"),
        ("dubbele-knoop", "knoop 'u_112'", "dubbel"),
        ("ontbrekende-route", "route ontbreekt", "locatie"),
        ("onbekende-partnersoort", "partner 'overleg'", "onbekende soort 'gemeente'"),
        ("partner-zonder-contact", "partner 'overleg'", "geen telefoon en geen notitie"),
        ("telefoon-als-getal", "partner 'alarm'", "'telefoon' moet tekst zijn"),
        ("verkeerde-regio", "regio 'den-haag'", "bestandsnaam"),
        ("onvolledig-bestand", "onvolledig", "versie"),
        ("dubbele-yaml-sleutel", "dubbele sleutel 'ja'", "line 25"),
        ("ongeldige-yaml", "geen geldige YAML", "line 4"),
    ],
)
def test_malformed_map_is_rejected_naming_file_and_node(
    fixture: str, names: str, says: str
) -> None:
    with pytest.raises(RoutekaartError) as exc:
        rk.load_map(FIXTURES / f"{fixture}.yaml")
    message = str(exc.value)
    assert message.startswith(f"{fixture}.yaml: "), message
    assert names in message and says in message, message


def test_every_defect_fixture_is_covered() -> None:
    on_disk = {p.stem for p in FIXTURES.glob("*.yaml")} - {"geldig-minimaal"}
    params = test_malformed_map_is_rejected_naming_file_and_node.pytestmark[0].args[1]  # type: ignore[attr-defined]
    assert on_disk == {fixture for fixture, _names, _says in params}


def test_missing_file_is_a_map_error() -> None:
    with pytest.raises(RoutekaartError, match="bestaat-niet.yaml"):
        rk.load_map(FIXTURES / "bestaat-niet.yaml")
