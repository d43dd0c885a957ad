"""The routekaart as a guide (issue 16 item 6): prefilled from the case, contacts from the
region data, never "contact yourself", advice straight into a prefilled referral, and partial
answers in the command and the API. Two regions and two municipalities throughout."""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from ketenzicht.accounts.models import Municipality, Organisation, Region, User
from ketenzicht.cases.models import Case
from ketenzicht.cases.services import SubjectInput, case_transition, subject_add
from ketenzicht.routing.models import RouteAdvice
from tests.support import Cast, login, make_user, report_signal

pytestmark = pytest.mark.django_db


def _noord_holland() -> User:
    """A second region with one municipality on the platform (Heemstede) and its AF, henk."""
    region, _ = Region.objects.get_or_create(slug="noord-holland", defaults={"name": "Eenheid Noord-Holland"})
    heemstede = Municipality.objects.get(cbs_code="GM0397")
    Municipality.objects.filter(pk=heemstede.pk).update(region=region, on_platform=True)
    Organisation.objects.get_or_create(
        slug="gemeente-heemstede",
        defaults={"name": "Gemeente Heemstede", "kind": "gemeente", "region": region, "municipality": heemstede},
    )
    # The region data may already name the police of Noord-Holland; give it known contacts.
    police = _nh_police()
    contacts = {"phone": "0900-1234567", "email": "mensenhandel@politie-nh.example"}
    if police is None:
        Organisation.objects.create(slug="politie-noord-holland-mensenhandel", name="Politie Noord-Holland – Team Mensenhandel", kind="politie-avim", region=region, **contacts)
    else:
        Organisation.objects.filter(pk=police.pk).update(**contacts)
    return make_user("henk", "gemeente-heemstede", "aandachtsfunctionaris")


def _nh_police() -> Organisation | None:
    return Organisation.objects.filter(region__slug="noord-holland", kind="politie-avim").first()


def _case(cast: Cast, **overrides: Any) -> Case:
    case = report_signal(cast.chantal, cast.zoeterwoude, **overrides)
    return case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")


def _hidden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(a_[A-Za-z]+)" value="([^"]*)"', html))


def _answer(client: Client, url: str, html: str, key: str, value: Any) -> Any:
    assert f'name="{key}"' in html, f"expected question {key}"
    return client.post(url, {**_hidden(html), "vraag": key, key: value})


# --- prefilled from the case -----------------------------------------------------------------------


def test_the_case_answers_what_it_records_and_112_comes_first(cast: Cast) -> None:
    case = _case(cast, forms=["seksueel"], acute_danger=True, minor_involved="ja")
    subject_add(actor=cast.anouk, case=case, subject=SubjectInput(role="slachtoffer", description="Jonge vrouw, spreekt Roemeens"))
    client = login(Client(), cast.anouk)
    html = client.get(f"/werkvoorraad/{case.pk}/routekaart/").content.decode()

    known = html[html.index('data-testid="bekende-antwoorden"') : html.index("</dl>", html.index('data-testid="bekende-antwoorden"'))]
    for key, value in [("route", "identificeerbaar slachtoffer"), ("acuutGevaar", "Ja"), ("uitbuitingsvormen", "Seksuele uitbuiting"), ("minderjarig", "Ja")]:
        cell = re.search(rf'data-testid="antwoord-{key}">(.*?)</dd>', known, re.S)
        assert cell and value in cell.group(1) and "uit het signaal" in cell.group(1), key
    # Not asked again; the first open question is the next one on the victim route.
    assert 'name="route"' not in html and 'name="acuutGevaar"' not in html and 'name="uitbuitingsvormen"' not in html
    assert 'name="wilPolitieSpreken"' in html
    advice = html[html.index('data-testid="advies"') :]
    assert "Advies tot nu toe" in html
    assert advice.index("Alarmnummer 112") < advice.index("</ol>") and "112" in advice
    assert RouteAdvice.objects.count() == 0  # nothing stored until the walk is done


def test_a_prefilled_answer_can_be_changed(cast: Cast) -> None:
    case = _case(cast, forms=["arbeid"], acute_danger=True)
    client = login(Client(), cast.anouk)
    url = f"/werkvoorraad/{case.pk}/routekaart/"
    html = client.get(url).content.decode()
    response = client.post(url, {**_hidden(html), "wijzig": "acuutGevaar"})
    html = response.content.decode()
    assert 'value="ja" id="id_acuutGevaar_0" checked' in html  # the case's answer, preselected
    html = _answer(client, url, html, "acuutGevaar", "nee").content.decode()
    assert "Alarmnummer 112" not in html
    cell = re.search(r'data-testid="antwoord-acuutGevaar">(.*?)</dd>', html, re.S)
    assert cell and "Nee" in cell.group(1) and "uit het signaal" not in cell.group(1)
    case.refresh_from_db()
    assert case.acute_danger is True  # the guide never writes the case


def test_tampered_answers_start_again_with_a_message(cast: Cast) -> None:
    case = _case(cast)
    client = login(Client(), cast.anouk)
    response = client.post(f"/werkvoorraad/{case.pk}/routekaart/", {"a_acuutGevaar": "misschien", "a_route": "slachtoffer"})
    html = response.content.decode()
    assert "De antwoorden konden niet worden gelezen; begin opnieuw." in html
    assert 'name="a_acuutGevaar" value="nee"' in html  # back to what the case records


# --- contacts from the region data; never "contact yourself" ----------------------------------------


def _walk_to_the_end(client: Client, url: str, steps: list[tuple[str, Any]]) -> Any:
    response = client.get(url)
    for key, value in steps:
        response = _answer(client, url, response.content.decode(), key, value)
    return response


VICTIM_WANTS_HELP = [("route", "slachtoffer"), ("acuutGevaar", "nee"), ("wilPolitieSpreken", "ja"), ("uitbuitingsvormen", ["arbeid"]), ("wilHulp", "ja"), ("meldcodeProfessional", "nee"), ("minderjarig", "nee")]


def test_phone_and_email_come_from_the_region_data(cast: Cast) -> None:
    Organisation.objects.filter(slug="shop").update(phone="070-1112223", email="zorgcoordinatie@shop.example")
    client = login(Client(), cast.chantal)
    html = _walk_to_the_end(client, "/routekaart/", VICTIM_WANTS_HELP).content.decode()
    shop = html[html.index('data-testid="advies-zorgcoordinator"') :]
    shop = shop[: shop.index("</li>")]
    assert "070-1112223" in shop and "zorgcoordinatie@shop.example" in shop
    assert "070-3614747" not in shop  # the map's number is only the fallback
    assert "zie de toelichting" not in html


def test_without_any_contact_the_page_says_so_and_never_points_to_a_missing_note(cast: Cast) -> None:
    client = login(Client(), cast.chantal)
    location = [("route", "locatie"), ("acuutGevaar", "nee"), ("uitbuitingsvormen", ["seksueel"]), ("wilPolitieSpreken", "ja")]
    html = _walk_to_the_end(client, "/routekaart/", location).content.decode()
    heit = html[html.index('data-testid="advies-heit"') :]
    heit = heit[: heit.index("</li>")]
    assert "Nog niet bekend in de regiogegevens" in heit and "Telefoon" not in heit
    assert "zie de toelichting" not in html.lower()


def test_the_af_is_never_told_to_contact_herself(cast: Cast) -> None:
    location = [("route", "locatie"), ("acuutGevaar", "nee"), ("uitbuitingsvormen", ["seksueel"]), ("wilPolitieSpreken", "ja")]
    af = _walk_to_the_end(login(Client(), cast.anouk), "/routekaart/", location).content.decode()
    overleg = af[af.index('data-testid="advies-signalenoverleg"') :]
    overleg = overleg[: overleg.index("</li>")]
    assert "U bent zelf de aandachtsfunctionaris" in overleg and 'href="/overleggen/"' in overleg
    assert "via de aandachtsfunctionaris" not in overleg and "Telefoon" not in overleg
    assert "Signalenoverleg: uw eigen stap" in overleg and "(eigen gemeente)" not in overleg
    assert "Meld het dan via de interne meldroute" not in af
    # A colleague without the AF role is sent to the internal reporting route instead.
    melder = _walk_to_the_end(login(Client(), cast.chantal), "/routekaart/", location).content.decode()
    overleg = melder[melder.index('data-testid="advies-signalenoverleg"') :]
    assert "interne meldroute" in overleg[: overleg.index("</li>")] and 'href="/signalen/nieuw/"' in overleg
    # The police officer walking the map is not told to call the police: that is her own organisation.
    police = _walk_to_the_end(login(Client(), cast.esra), "/routekaart/", location).content.decode()
    avim = police[police.index('data-testid="advies-politie-avim"') :]
    assert "Dit is uw eigen organisatie" in avim[: avim.index("</li>")] and "0900-8844" not in avim[: avim.index("</li>")]


def test_each_region_shows_its_own_organisations(cast: Cast) -> None:
    henk = _noord_holland()
    location = [("route", "locatie"), ("acuutGevaar", "nee"), ("uitbuitingsvormen", ["seksueel"]), ("wilPolitieSpreken", "ja")]
    html = _walk_to_the_end(login(Client(), henk), "/routekaart/", location).content.decode()
    assert "Politie eenheid Noord-Holland" in html  # the Noord-Holland map
    avim = html[html.index('data-testid="advies-politie-avim"') :]
    assert "0900-1234567" in avim[: avim.index("</li>")] and "mensenhandel@politie-nh.example" in avim
    den_haag = _walk_to_the_end(login(Client(), cast.anouk), "/routekaart/", location).content.decode()
    assert "0900-1234567" not in den_haag and "politie-nh.example" not in den_haag


# --- from advice to a prefilled referral ------------------------------------------------------------


def test_recorded_advice_leads_to_a_prefilled_referral(cast: Cast) -> None:
    case = _case(cast, forms=["arbeid"])
    client = login(Client(), cast.anouk)
    url = f"/werkvoorraad/{case.pk}/routekaart/"
    steps = [s for s in VICTIM_WANTS_HELP if s[0] not in ("acuutGevaar", "uitbuitingsvormen")]
    response = _walk_to_the_end(client, url, steps)
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    nla = Organisation.objects.get(slug="nla")
    link = re.search(rf'href="(/werkvoorraad/{case.pk}/doorverwijzen/\?organisatie={nla.pk}&amp;advies=nla)"', html)
    assert link, "the advice for the NLA links to the referral form"
    form = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert re.search(rf'<option value="{nla.pk}" selected>', form)
    stored = RouteAdvice.objects.get(case=case).advice["advies"][0]
    assert stored["soort"] == "nla" and stored["reden"][:60] in form
    # The case page's panel links there too.
    page = client.get(f"/werkvoorraad/{case.pk}/").content.decode()
    assert link.group(1) in page


def test_a_crafted_link_prefills_nothing(cast: Cast) -> None:
    _noord_holland()
    case = _case(cast)
    client = login(Client(), cast.anouk)
    other = _nh_police()  # an organisation of another region
    assert other is not None
    html = client.get(f"/werkvoorraad/{case.pk}/doorverwijzen/?organisatie={other.pk}&advies=politie-avim").content.decode()
    assert "selected" not in html.split('name="organisation"')[1].split("</select>")[0].replace('value="" selected', "")
    assert "Op advies van de signalenroutekaart" not in html
    assert client.get(f"/werkvoorraad/{case.pk}/doorverwijzen/?organisatie=abc").status_code == 200


def test_another_municipality_cannot_walk_or_refer_this_case(cast: Cast) -> None:
    henk = _noord_holland()
    case = _case(cast)
    for user in (cast.bram, henk):  # Lisse (same region) and Heemstede (other region)
        client = login(Client(), user)
        assert client.get(f"/werkvoorraad/{case.pk}/routekaart/").status_code in {403, 404}
        assert client.get(f"/werkvoorraad/{case.pk}/doorverwijzen/?organisatie=1&advies=nla").status_code in {403, 404}


# --- the command and the API with partial answers ------------------------------------------------------


def test_command_with_partial_answers_gives_advice_and_open_questions() -> None:
    out = StringIO()
    call_command("routekaart", "advies", "--regio", "den-haag", "--antwoorden", '{"acuutGevaar": true}', stdout=out)
    body = json.loads(out.getvalue())
    assert body["advies"][0] == {**body["advies"][0], "soort": "alarm-112", "telefoon": "112"}
    assert [q["sleutel"] for q in body["openVragen"]][:2] == ["route", "wilPolitieSpreken"]
    assert set(body) == {"regio", "versie", "advies", "pad", "openVragen"}


@pytest.mark.parametrize("regio", ["den-haag", "noord-holland", "rotterdam", "zeeland-west-brabant"])
def test_api_with_partial_answers_in_every_region(cast: Cast, regio: str) -> None:
    client = Client()
    body = {"regio": regio, "antwoorden": {"route": "locatie", "acuutGevaar": True, "uitbuitingsvormen": ["arbeid"]}}
    response = client.post("/api/v1/routekaart/advies", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Token {cast.pim_token}")
    assert response.status_code == 200
    data = response.json()
    assert [i["soort"] for i in data["advies"]][:2] == ["alarm-112", "nla"]
    assert [q["sleutel"] for q in data["openVragen"]] == ["wilPolitieSpreken"]
    assert data["openVragen"][0]["opties"] == [True, False]


def test_api_contacts_come_from_the_region_data(cast: Cast) -> None:
    Organisation.objects.filter(slug="nla").update(phone="0800-9999999", email="meldpunt@nla.example")
    body = {"regio": "den-haag", "antwoorden": {"route": "locatie", "uitbuitingsvormen": ["arbeid"]}}
    response = Client().post("/api/v1/routekaart/advies", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Token {cast.pim_token}")
    nla = next(i for i in response.json()["advies"] if i["soort"] == "nla")
    assert (nla["telefoon"], nla["email"]) == ("0800-9999999", "meldpunt@nla.example")
    assert "acuutGevaar" in [q["sleutel"] for q in response.json()["openVragen"]]


def test_api_with_nothing_answered_asks_the_route_first(cast: Cast) -> None:
    response = Client().post("/api/v1/routekaart/advies", json.dumps({"regio": "rotterdam", "antwoorden": {}}), content_type="application/json", HTTP_AUTHORIZATION=f"Token {cast.pim_token}")
    assert response.status_code == 200
    data = response.json()
    assert data["advies"] == [] and data["openVragen"][0]["sleutel"] == "route"
    assert data["openVragen"][0]["opties"] == ["slachtoffer", "locatie"]


def test_every_link_from_a_map_to_the_region_data_exists_with_the_same_kind() -> None:
    """A renamed organisation in data/regions/ must not silently drop a partner's contacts."""
    import yaml

    from ketenzicht.domain import routekaart

    regions_dir = routekaart.default_data_dir().parent / "regions"
    checked = 0
    for slug in routekaart.available_regions():
        route_map = routekaart.load_region(slug)
        links = {p.regio_organisatie: p.soort for p in route_map.partners.values() if p.regio_organisatie}
        region_file = regions_dir / f"{slug}.yaml"
        if not region_file.exists():
            assert links == {}, f"{slug}: links to region data that is not shipped"
            continue
        organisations = {o["slug"]: o["soort"] for o in yaml.safe_load(region_file.read_text(encoding="utf-8"))["organisaties"]}
        for org_slug, soort in links.items():
            assert organisations.get(org_slug) == soort, f"{slug}: regio_organisatie {org_slug!r} ({soort}) not in {region_file.name}"
            checked += 1
    assert checked >= 7  # den-haag links its seven partners with an organisation
