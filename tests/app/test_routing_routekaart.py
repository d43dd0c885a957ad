"""Routekaart in the application: loading versions, the guided page, the API and the command."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases.models import CaseEvent
from ketenzicht.cases.services import case_transition
from ketenzicht.domain import routekaart
from ketenzicht.routing.models import RouteAdvice, RoutekaartVersion
from tests.support import Cast, login, report_signal

pytestmark = pytest.mark.django_db

LABOUR_VICTIM = {
    "route": "slachtoffer",
    "acuutGevaar": False,
    "wilPolitieSpreken": True,
    "uitbuitingsvormen": ["arbeid"],
    "wilHulp": True,
    "meldcodeProfessional": False,
    "minderjarig": False,
}


def _copy_maps(tmp_path: Path) -> Path:
    for slug in routekaart.available_regions():
        shutil.copy(routekaart.default_data_dir() / f"{slug}.yaml", tmp_path / f"{slug}.yaml")
    return tmp_path


# --- load_routekaart ---------------------------------------------------------------------------


def test_load_routekaart_loads_all_four_maps_once() -> None:
    call_command("load_routekaart", verbosity=0)
    active = dict(RoutekaartVersion.objects.filter(is_active=True).values_list("slug", "versie"))
    assert set(active) == {"den-haag", "noord-holland", "zeeland-west-brabant", "rotterdam"}
    call_command("load_routekaart", verbosity=0)  # same content: no new version
    assert RoutekaartVersion.objects.count() == 4
    den_haag = RoutekaartVersion.objects.get(slug="den-haag")
    assert {p["id"] for p in den_haag.content["partners"]} >= {"shop", "nla", "politie-avim"}


SHIPPED = routekaart.load_region("den-haag").versie


def test_a_changed_map_becomes_a_new_active_version(tmp_path: Path) -> None:
    data = _copy_maps(tmp_path)
    call_command("load_routekaart", "den-haag", dir=str(data), verbosity=0)
    path = data / "den-haag.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(f'versie: "{SHIPPED}"', 'versie: "2099.1"'), encoding="utf-8")
    call_command("load_routekaart", "den-haag", dir=str(data), verbosity=0)
    versions = list(RoutekaartVersion.objects.filter(slug="den-haag").order_by("loaded_at").values_list("versie", "is_active"))
    assert versions == [(SHIPPED, False), ("2099.1", True)]


def test_malformed_map_is_rejected_naming_the_node_and_nothing_is_stored(tmp_path: Path) -> None:
    data = _copy_maps(tmp_path)
    path = data / "den-haag.yaml"
    # s_meldcode's 'nee' branch now points at a node that does not exist.
    text = path.read_text(encoding="utf-8").replace("antwoorden: {ja: s_veilig_thuis_meldcode, nee: s_minderjarig}", "antwoorden: {ja: s_veilig_thuis_meldcode, nee: s_bestaat_niet}")
    path.write_text(text, encoding="utf-8")
    stderr = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load_routekaart", "den-haag", "rotterdam", dir=str(data), verbosity=0, stderr=stderr)
    assert "knoop 's_meldcode'" in str(caught.value) and "s_bestaat_niet" in str(caught.value)
    assert "s_meldcode" in stderr.getvalue()
    # The good map in the same run is still loaded; the bad one is not.
    assert list(RoutekaartVersion.objects.values_list("slug", flat=True)) == ["rotterdam"]


def test_load_routekaart_names_an_unknown_region() -> None:
    with pytest.raises(CommandError, match="onbekende regio 'utrecht'"):
        call_command("load_routekaart", "utrecht", verbosity=0)


# --- the command ---------------------------------------------------------------------------------


def test_advice_command_prints_the_engine_json() -> None:
    out = StringIO()
    call_command("routekaart", "advies", "--regio", "den-haag", "--antwoorden", json.dumps(LABOUR_VICTIM), stdout=out)
    body = json.loads(out.getvalue())
    expected = routekaart.advise(routekaart.load_region("den-haag"), LABOUR_VICTIM).to_json()
    assert body["advies"] == expected["advies"] and body["regio"] == "den-haag"
    assert [item["soort"] for item in body["advies"]] == ["nla", "zorgcoordinator"]
    assert set(body["advies"][0]) == {"soort", "organisatie", "telefoon", "email", "reden"}


@pytest.mark.parametrize(
    ("regio", "answers", "named"),
    [
        ("utrecht", {"route": "locatie"}, "onbekende regio 'utrecht'"),
        ("den-haag", {"route": "locatie", "acuutgevaar": True}, "antwoorden.acuutgevaar"),
        ("den-haag", {"route": "locatie", "acuutGevaar": "ja"}, "antwoorden.acuutGevaar"),
        ("den-haag", {"uitbuitingsvormen": ["slavernij"]}, "antwoorden.uitbuitingsvormen"),
    ],
)
def test_advice_command_names_what_is_wrong(regio: str, answers: dict[str, Any], named: str) -> None:
    with pytest.raises(CommandError, match=named):
        call_command("routekaart", "advies", "--regio", regio, "--antwoorden", json.dumps(answers))


def test_advice_command_uses_the_loaded_version_when_there_is_one(tmp_path: Path) -> None:
    data = _copy_maps(tmp_path)
    path = data / "den-haag.yaml"
    # Meld Misdaad Anoniem is no organisation of the region data: its number comes from the map.
    text = path.read_text(encoding="utf-8").replace('telefoon: "0800-7000"', 'telefoon: "0800-0000"')
    path.write_text(text.replace(f'versie: "{SHIPPED}"', 'versie: "2099.9"'), encoding="utf-8")
    call_command("load_routekaart", "den-haag", dir=str(data), verbosity=0)
    out = StringIO()
    anonymous = {"route": "locatie", "acuutGevaar": False, "uitbuitingsvormen": ["seksueel"], "wilPolitieSpreken": False}
    call_command("routekaart", "advies", "--regio", "den-haag", "--antwoorden", json.dumps(anonymous), stdout=out)
    body = json.loads(out.getvalue())
    mma = next(item for item in body["advies"] if item["soort"] == "meld-misdaad-anoniem")
    assert body["versie"] == "2099.9" and mma["telefoon"] == "0800-0000"


# --- the API ----------------------------------------------------------------------------------------


def _post(client: Client, body: dict[str, Any], **headers: str) -> Any:
    return client.post("/api/v1/routekaart/advies", json.dumps(body), content_type="application/json", **headers)


def test_api_gives_the_same_advice_as_the_engine(cast: Cast) -> None:
    response = _post(Client(), {"regio": "den-haag", "antwoorden": LABOUR_VICTIM}, HTTP_AUTHORIZATION=f"Token {cast.pim_token}")
    assert response.status_code == 200
    expected = routekaart.advise(routekaart.load_region("den-haag"), LABOUR_VICTIM).to_json()
    assert response.json()["advies"] == expected["advies"]


@pytest.mark.parametrize(
    ("body", "name", "said"),
    [
        ({"regio": "utrecht", "antwoorden": {"route": "locatie"}}, "regio", "utrecht"),
        ({"regio": "den-haag", "antwoorden": {"route": "locatie", "ernstigeZorgen": True}}, "antwoorden.ernstigeZorgen", "ernstigeZorgen"),
        ({"regio": "den-haag", "antwoorden": {"route": "slachtoffer", "wilHulp": "ja"}}, "antwoorden.wilHulp", "wilHulp"),
    ],
)
def test_api_errors_are_problem_json_naming_the_field(cast: Cast, body: dict[str, Any], name: str, said: str) -> None:
    response = _post(Client(), body, HTTP_AUTHORIZATION=f"Token {cast.pim_token}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert said in problem["detail"] and problem["invalidParams"][0]["name"] == name


def test_api_refuses_anonymous_callers() -> None:
    assert _post(Client(), {"regio": "den-haag", "antwoorden": LABOUR_VICTIM}).status_code in {401, 403}


def test_openapi_documents_the_operation_with_an_example() -> None:
    import yaml

    schema = yaml.safe_load(Client().get("/api/v1/openapi.json").content)
    operation = schema["paths"]["/api/v1/routekaart/advies"]["post"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    assert any(e["value"]["regio"] == "den-haag" for e in examples.values())
    assert "400" in operation["responses"]


# --- the guided pages --------------------------------------------------------------------------------


def _walk_page(client: Client, url: str, steps: list[tuple[str, Any]], *, htmx: bool = False) -> Any:
    """Answer question after question like a browser without JavaScript: carry the hidden fields."""
    import re

    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.get(url)
    carried: dict[str, str] = {}
    for key, value in steps:
        html = response.content.decode()
        assert f'name="{key}"' in html, f"expected question {key}, page asks something else"
        carried = dict(re.findall(r'<input type="hidden" name="(a_[A-Za-z]+)" value="([^"]*)"', html))
        data: dict[str, Any] = {**carried, key: value}
        response = client.post(url, data, **headers)
    return response


STEPS = [
    ("route", "slachtoffer"),
    ("acuutGevaar", "nee"),
    ("wilPolitieSpreken", "ja"),
    ("uitbuitingsvormen", ["arbeid"]),
    ("wilHulp", "ja"),
    ("meldcodeProfessional", "nee"),
    ("minderjarig", "nee"),
]


def test_standalone_page_walks_without_javascript_and_stores_nothing(cast: Cast) -> None:
    client = login(Client(), cast.chantal)
    response = _walk_page(client, "/routekaart/", STEPS)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nederlandse Arbeidsinspectie (NLA)" in html and "0800-5151" in html and "zoco@shop-denhaag.nl" in html
    assert html.index("Nederlandse Arbeidsinspectie") < html.index("SHOP")
    assert RouteAdvice.objects.count() == 0


def test_a_question_left_open_is_asked_again_with_an_error(cast: Cast) -> None:
    client = login(Client(), cast.otto)
    response = client.post("/routekaart/", {"a_route": "locatie"})
    assert response.status_code == 400
    assert "Kies ja of nee." in response.content.decode()
    assert 'name="a_route" value="locatie"' in response.content.decode()


def test_htmx_gets_only_the_step(cast: Cast) -> None:
    client = login(Client(), cast.chantal)
    response = client.post("/routekaart/", {"route": "locatie"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="kz-routekaart"') and "<html" not in html
    assert 'name="acuutGevaar"' in html


def test_case_walk_stores_answers_advice_history_and_audit(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    call_command("load_routekaart", "den-haag", verbosity=0)
    client = login(Client(), cast.anouk)
    url = f"/werkvoorraad/{case.pk}/routekaart/"
    # Acute danger (no) and the form (arbeid) come from the case: not asked again.
    response = _walk_page(client, url, [step for step in STEPS if step[0] not in ("acuutGevaar", "uitbuitingsvormen")])
    assert response.status_code == 302
    advice = RouteAdvice.objects.get(case=case)
    assert advice.answers == {**{k: (v == "ja") if v in ("ja", "nee") else v for k, v in STEPS}, "route": "slachtoffer"}
    assert [item["soort"] for item in advice.advice["advies"]] == ["nla", "zorgcoordinator"]
    assert advice.map_version == RoutekaartVersion.objects.get(slug="den-haag", is_active=True)
    assert advice.actor == cast.anouk and advice.versie == SHIPPED
    assert CaseEvent.objects.filter(case=case, kind="routekaart").exists()
    assert AuditEvent.objects.filter(object_type="routeadvies", object_label=case.reference, actor=cast.anouk).exists()
    page = client.get(f"/werkvoorraad/{case.pk}/").content.decode()
    assert "Nederlandse Arbeidsinspectie (NLA) — 0800-5151" in page
    assert "Routekaart opnieuw doorlopen" in page


def test_changing_the_forms_of_the_case_starts_from_what_the_case_records(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude, forms=["seksueel"])
    client = login(Client(), cast.anouk)
    url = f"/werkvoorraad/{case.pk}/routekaart/"
    page = client.get(url).content.decode()
    assert 'name="uitbuitingsvormen"' not in page  # answered by the case, so not asked
    response = client.post(url, {"a_acuutGevaar": "nee", "a_uitbuitingsvormen": "seksueel", "wijzig": "uitbuitingsvormen"})
    html = response.content.decode()
    assert 'value="seksueel" id="id_uitbuitingsvormen_0" checked' in html


def test_map_review_shows_partners_contacts_and_questions(cast: Cast) -> None:
    client = login(Client(), cast.hanna)
    html = client.get("/routekaart/kaart/").content.decode()
    assert "Nog niet in de database" in html  # fresh install: the shipped file
    call_command("load_routekaart", verbosity=0)
    html = client.get("/routekaart/kaart/").content.decode()
    assert "SHOP" in html and "070-3614747 / 06-14007438" in html and "zoco@shop-denhaag.nl" in html
    assert "24 uur per dag, 7 dagen per week" in html
    assert "Heeft het slachtoffer acute hulp of ingrijpen nodig?" in html
    assert "Nog niet in de database" not in html
