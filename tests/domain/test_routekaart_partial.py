"""The routekaart as a guide: advice from incomplete answers, over all four shipped maps.

The reference is brute force, independent of the engine's branch walk: for a partial answer
set, every complete answer set that agrees with it is walked with the strict engine. The
partial advice must be exactly what all those completions advise, and the open questions
exactly the missing keys any of them asks, in an order every one of them respects.
"""

from __future__ import annotations

import itertools
import json
import random
from typing import Any

import pytest

from ketenzicht.domain import routekaart as rk
from ketenzicht.domain.routekaart import RoutekaartInputError

REGIONS = ("den-haag", "noord-holland", "rotterdam", "zeeland-west-brabant")
BOOL_KEYS = rk.BOOL_SLEUTELS
VORM_SETS = [
    list(combo) for size in range(1, len(rk.UITBUITINGSVORMEN) + 1) for combo in itertools.combinations(rk.UITBUITINGSVORMEN, size)
]
ALL_ANSWERS = [
    {"route": route, **dict(zip(BOOL_KEYS, bools, strict=True)), "uitbuitingsvormen": vormen}
    for route in rk.ROUTES
    for bools in itertools.product((True, False), repeat=len(BOOL_KEYS))
    for vormen in VORM_SETS
]


@pytest.fixture(scope="module", params=REGIONS)
def walked(request: pytest.FixtureRequest) -> tuple[rk.RouteMap, list[tuple[dict[str, Any], rk.Advice, list[str]]]]:
    route_map = rk.load_region(request.param)
    rows = []
    for answers in ALL_ANSWERS:
        advice = rk.advise(route_map, answers)
        asked = ["route", *(route_map.knopen[step.knoop].sleutel for step in advice.pad[1:])]
        rows.append((answers, advice, list(dict.fromkeys(asked))))
    return route_map, rows


def _agrees(full: dict[str, Any], partial: dict[str, Any]) -> bool:
    for key, value in partial.items():
        if key == "uitbuitingsvormen":
            if sorted(value) != sorted(full[key]):
                return False
        elif full[key] != value:
            return False
    return True


def _partials(seed: int, count: int) -> list[dict[str, Any]]:
    """Partial answer sets: complete ones with a random selection of keys left out."""
    rng = random.Random(seed)
    keys = list(rk.ANTWOORD_SLEUTELS)
    result = [{}, {"acuutGevaar": True}, {"acuutGevaar": False}, {"route": "locatie"}, {"route": "slachtoffer", "acuutGevaar": True}]
    for _ in range(count):
        full = rng.choice(ALL_ANSWERS)
        kept = rng.sample(keys, rng.randint(0, len(keys)))
        result.append({k: full[k] for k in kept})
    return result


def test_partial_advice_is_exactly_what_every_completion_advises(walked: tuple[rk.RouteMap, list[Any]]) -> None:
    route_map, rows = walked
    for partial in _partials(seed=16, count=45):
        completions = [(advice, asked) for answers, advice, asked in rows if _agrees(answers, partial)]
        assert completions, partial
        result = rk.advise_partial(route_map, partial)

        common = set.intersection(*({(i.soort, i.organisatie) for i in advice.items} for advice, _ in completions))
        assert {(i.soort, i.organisatie) for i in result.items} == common, partial
        if any(i.soort == "alarm-112" for i in result.items):
            assert result.items[0].soort == "alarm-112"

        missing_asked = [[k for k in asked if k not in partial] for _, asked in completions]
        open_keys = [q.sleutel for q in result.open_vragen]
        assert set(open_keys) == set().union(*map(set, missing_asked)), partial
        assert len(open_keys) == len(set(open_keys))
        if "route" not in partial:
            # The two routes ask in different orders; the route choice comes first.
            assert open_keys[0] == "route"
            continue
        for sequence in missing_asked:  # every completion asks its open questions in this order
            positions = [open_keys.index(k) for k in sequence]
            assert positions == sorted(positions), (partial, sequence, open_keys)


def test_first_open_question_is_the_next_question_and_complete_answers_match_the_strict_engine(
    walked: tuple[rk.RouteMap, list[Any]],
) -> None:
    route_map, rows = walked
    for full, expected, asked in rows[::11]:
        given: dict[str, Any] = {}
        for key in asked:  # answer in the order the walk asks, checking each prefix
            result = rk.advise_partial(route_map, given)
            question = rk.next_question(route_map, given)
            assert question is not None and result.open_vragen[0] == question
            assert not result.volledig
            given[key] = full[key]
        result = rk.advise_partial(route_map, given)
        assert result.volledig and result.open_vragen == ()
        assert result.to_json() == expected.to_json()


@pytest.mark.parametrize("slug", REGIONS)
@pytest.mark.parametrize("route", [None, "slachtoffer", "locatie"])
def test_acute_danger_alone_gives_112_and_the_questions_in_order(slug: str, route: str | None) -> None:
    route_map = rk.load_region(slug)
    answers: dict[str, Any] = {"acuutGevaar": True}
    if route:
        answers["route"] = route
    data = json.loads(json.dumps(rk.advise_partial(route_map, answers).to_json()))
    assert data["advies"][0]["soort"] == "alarm-112" and data["advies"][0]["telefoon"] == "112"
    keys = [q["sleutel"] for q in data["openVragen"]]
    assert "acuutGevaar" not in keys
    assert (keys[0] == "route") == (route is None)
    for question in data["openVragen"]:
        assert set(question) == {"sleutel", "vraag", "toelichting", "opties", "meerkeuze"}
        assert question["vraag"]
    assert all(set(item) == {"soort", "organisatie", "telefoon", "email", "reden"} for item in data["advies"])


def test_nothing_known_asks_everything_starting_with_the_route() -> None:
    result = rk.advise_partial(rk.load_region("den-haag"), {})
    assert result.items == () and result.pad == () and result.route == ""
    keys = [q.sleutel for q in result.open_vragen]
    assert keys[:2] == ["route", "acuutGevaar"]
    assert set(keys) == set(rk.ANTWOORD_SLEUTELS)
    vormen = next(q for q in result.open_vragen if q.sleutel == "uitbuitingsvormen")
    assert vormen.meerkeuze and vormen.opties == rk.UITBUITINGSVORMEN


def test_a_victim_who_wants_help_already_gets_the_zorgcoordinator() -> None:
    # Later answers count even while an earlier question is open.
    result = rk.advise_partial(rk.load_region("den-haag"), {"route": "slachtoffer", "wilHulp": True})
    assert [i.soort for i in result.items] == ["zorgcoordinator"]
    assert [q.sleutel for q in result.open_vragen][:3] == ["acuutGevaar", "wilPolitieSpreken", "uitbuitingsvormen"]
    assert "ernstigeZorgenGeenGrip" not in [q.sleutel for q in result.open_vragen]  # only asked after 'no help'


@pytest.mark.parametrize(
    ("answers", "named"),
    [
        ({"acuutgevaar": True}, "'acuutgevaar'"),
        ({"route": "persoon"}, "'persoon'"),
        ({"acuutGevaar": "ja"}, "'acuutGevaar'"),
        ({"uitbuitingsvormen": []}, "'uitbuitingsvormen'"),
    ],
)
def test_wrong_keys_and_values_are_still_errors(answers: dict[str, Any], named: str) -> None:
    with pytest.raises(RoutekaartInputError) as exc:
        rk.advise_partial(rk.load_region("rotterdam"), answers)
    assert named in str(exc.value)


def test_none_is_an_open_answer() -> None:
    route_map = rk.load_region("noord-holland")
    assert rk.advise_partial(route_map, {"route": "locatie", "acuutGevaar": None}) == rk.advise_partial(route_map, {"route": "locatie"})
