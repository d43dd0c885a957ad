"""Enrichment from registries on the case page (issue 14 item 5): "niet ingesteld" by default,
look up (htmx), see, take over through case_enrich; timeouts and garbage change nothing;
lookups are audited without the data; only the AF of the case's municipality may look up."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import signing
from django.test import Client

from ketenzicht.accounts.models import Municipality, Organisation, Region
from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases.models import Case, CaseEvent
from ketenzicht.cases.services import case_enrich, case_record_feedback, case_transition
from tests.app import registry_server as fake
from tests.app.registry_server import FakeRegistries, fake_registries
from tests.support import Cast, login, make_user, report_signal

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
ENRICHMENT = ("location_address", "address_details", "company_name", "kvk_number", "enrichment_notes", "address_key", "updated_at")


@pytest.fixture
def registries() -> Iterator[FakeRegistries]:
    with fake_registries() as state, state.settings():
        yield state


def _case(cast: Cast, **overrides: Any) -> Case:
    overrides.setdefault("location_address", "Dorpsstraat 3, 2381 AB Zoeterwoude")
    return report_signal(cast.chantal, cast.zoeterwoude, **overrides)


def _snapshot(case: Case) -> dict[str, Any]:
    row = Case.objects.filter(pk=case.pk).values(*ENRICHMENT).get()
    return {**row, "events": CaseEvent.objects.filter(case=case).count()}


def _token(html: str) -> str:
    match = re.search(r'name="token" value="([^"]+)"', html)
    assert match, "no take-over form"
    return match.group(1)


# --- not configured ---------------------------------------------------------------------------------


def test_without_configuration_the_case_page_says_niet_ingesteld(cast: Cast) -> None:
    case = _case(cast)
    client = login(Client(), cast.anouk)
    html = client.get(f"/werkvoorraad/{case.pk}/").content.decode()
    assert 'data-testid="bag-niet-ingesteld"' in html and 'data-testid="kvk-niet-ingesteld"' in html
    assert html.count("Niet ingesteld.") == 2 and "Adres opzoeken" not in html
    response = client.post(f"/werkvoorraad/{case.pk}/opzoeken/adres/", {"bag-postcode": "2381 AB", "bag-huisnummer": "3"})
    assert "Opzoeken in de BAG is niet ingesteld voor deze installatie." in response.content.decode()


# --- the address --------------------------------------------------------------------------------------


def test_af_looks_up_the_address_and_takes_it_over(cast: Cast, registries: FakeRegistries) -> None:
    case = _case(cast, location_address="Dorpsstr. 3 Zoeterwoude")
    case_enrich(actor=cast.anouk, case=case, changes={"address_details": "Eigenaar woont elders (gesprek wijkagent)."})
    client = login(Client(), cast.anouk)
    page = client.get(f"/werkvoorraad/{case.pk}/").content.decode()
    assert 'name="bag-huisnummer"' in page and 'value="3"' in page  # prefilled from the case's address
    before = _snapshot(case)

    response = client.post(f"/werkvoorraad/{case.pk}/opzoeken/adres/", {"bag-postcode": "2381ab", "bag-huisnummer": "3"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<section class="kz-panel" id="kz-registers"')
    for shown in ("Dorpsstraat 3, 2381AB Zoeterwoude", "0638010000012345", "woonfunctie", "85 m²", "1931"):
        assert shown in html
    assert re.search(r'data-testid="bewoners">9 \(en mogelijk nog 1 persoon\)', html)
    assert "999990" not in html  # burgerservicenummers are counted, never shown
    assert _snapshot(case) == before  # looking up changes nothing

    response = client.post(f"/werkvoorraad/{case.pk}/opzoeken/overnemen/", {"token": _token(html)}, **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"].endswith(f"/werkvoorraad/{case.pk}/?overgenomen=1#h-verrijken")
    case.refresh_from_db()
    assert case.location_address == "Dorpsstraat 3, 2381AB Zoeterwoude"
    lines = case.address_details.splitlines()
    assert lines[0] == "Eigenaar woont elders (gesprek wijkagent)."  # what the AF wrote stays
    assert lines[1].startswith("BAG, opgezocht ") and "verblijfsobject 0638010000012345" in lines[1]
    assert "gebruiksdoel woonfunctie; oppervlakte 85 m²" in lines[1] and "ingeschreven bewoners 9, mogelijk nog 1" in lines[1]
    assert CaseEvent.objects.filter(case=case, kind="verrijkt").count() == 2

    # A second lookup replaces the registry's line; the AF's own line stays.
    registries.answer("brp", {"bewoningen": [{"bewoners": [{}] * 14, "mogelijkeBewoners": []}]})
    html = client.post(f"/werkvoorraad/{case.pk}/opzoeken/adres/", {"bag-postcode": "2381 AB", "bag-huisnummer": "3"}, **HTMX).content.decode()
    client.post(f"/werkvoorraad/{case.pk}/opzoeken/overnemen/", {"token": _token(html)}, **HTMX)
    case.refresh_from_db()
    assert len(case.address_details.splitlines()) == 2 and "ingeschreven bewoners 14 " in case.address_details


def test_lookups_are_audited_without_the_data(cast: Cast, registries: FakeRegistries) -> None:
    case = _case(cast)
    client = login(Client(), cast.anouk)
    client.post(f"/werkvoorraad/{case.pk}/opzoeken/adres/", {"bag-postcode": "2381 AB", "bag-huisnummer": "3"}, **HTMX)
    registries.answer("kvk", {}, status=500)
    client.post(f"/werkvoorraad/{case.pk}/opzoeken/kvk/", {"kvk-kvk_number": "68750110"}, **HTMX)
    rows = list(AuditEvent.objects.filter(object_id=str(case.pk), reason__startswith="registeropvraging").order_by("id"))
    assert [(r.actor, r.fields, r.object_label) for r in rows] == [(cast.anouk, ["bag"], case.reference), (cast.anouk, ["kvk"], case.reference)]
    assert rows[0].reason.endswith("gevonden") and rows[1].reason.endswith("mislukt (status)")
    for row in rows:
        for data in ("2381", "Dorpsstraat", "68750110", "0638010000012345", "woonfunctie"):
            assert data not in row.reason


@pytest.mark.parametrize(
    ("route", "answer", "said"),
    [
        ("bag", {"status": 503}, "De BAG (Kadaster) gaf een foutmelding (status 503)."),
        ("locatieserver", {"raw": b"<html>onderhoud</html>"}, "De BAG (PDOK Locatieserver) gaf een antwoord dat Ketenzicht niet kan lezen."),
        ("bag", {"body": {"_embedded": {"adressen": [{"huisnummer": "drie"}]}}}, "De BAG (Kadaster) gaf een antwoord dat Ketenzicht niet kan lezen."),
        ("brp", {"body": {}, "delay": 2.5}, "De BRP (bewoning) gaf geen antwoord binnen 2 seconden."),
    ],
    ids=["5xx", "html", "garbage", "timeout"],
)
def test_a_failing_registry_gives_a_clear_message_and_changes_nothing(cast: Cast, registries: FakeRegistries, route: str, answer: dict, said: str) -> None:
    registries.answer(route, answer.get("body", {}), status=answer.get("status", 200), delay=answer.get("delay", 0.0), raw=answer.get("raw"))
    case = _case(cast)
    before = _snapshot(case)
    client = login(Client(), cast.anouk)
    for headers in (HTMX, {}):  # with htmx the panel, without JavaScript a page of its own
        response = client.post(f"/werkvoorraad/{case.pk}/opzoeken/adres/", {"bag-postcode": "2381 AB", "bag-huisnummer": "3"}, **headers)
        html = response.content.decode()
        assert said in html and "Er is niets gewijzigd; probeer het later opnieuw." in html
        assert 'name="token"' not in html and 'value="2381 AB"' in html  # nothing to take over; input kept
    assert _snapshot(case) == before


@pytest.mark.parametrize(
    ("data", "said", "kept"),
    [
        ({"bag-postcode": "12345", "bag-huisnummer": "3"}, "Dit is geen postcode.", 'value="12345"'),
        ({"bag-postcode": "2381 AB", "bag-huisnummer": "drie"}, "Dit is geen huisnummer.", 'value="drie"'),
        ({"bag-postcode": "", "bag-huisnummer": ""}, "Vul de postcode in", ""),
    ],
)
def test_bad_input_is_named_and_kept_and_nothing_is_asked(cast: Cast, registries: FakeRegistries, data: dict, said: str, kept: str) -> None:
    case = _case(cast)
    response = login(Client(), cast.anouk).post(f"/werkvoorraad/{case.pk}/opzoeken/adres/", data)
    html = response.content.decode()
    assert response.status_code == 400 and said in html and kept in html
    assert registries.requests == []


def test_an_unknown_address_says_so(cast: Cast, registries: FakeRegistries) -> None:
    registries.answer("locatieserver", {"response": {"numFound": 0, "docs": []}})
    registries.answer("bag", fake.BAG_IB_NONE)
    case = _case(cast)
    html = login(Client(), cast.anouk).post(f"/werkvoorraad/{case.pk}/opzoeken/adres/", {"bag-postcode": "9999 ZZ", "bag-huisnummer": "1"}, **HTMX).content.decode()
    assert "De BAG kent geen adres met deze postcode en dit huisnummer." in html and 'name="token"' not in html


# --- the company --------------------------------------------------------------------------------------


def test_af_looks_up_the_company_and_takes_it_over(cast: Cast, registries: FakeRegistries) -> None:
    case = _case(cast, company_name="uitzendbureau voorbeeld", kvk_number="68750110")
    case_enrich(actor=cast.anouk, case=case, changes={"enrichment_notes": "Busjes rijden 's nachts af en aan."})
    client = login(Client(), cast.anouk)
    assert 'value="68750110"' in client.get(f"/werkvoorraad/{case.pk}/").content.decode()
    html = client.post(f"/werkvoorraad/{case.pk}/opzoeken/kvk/", {"kvk-kvk_number": "6875 0110"}, **HTMX).content.decode()
    assert "Uitzendbureau Voorbeeld B.V." in html and "7820 Uitzendbureaus (hoofdactiviteit)" in html
    assert "Industrieweg 10 2382AB Zoeterwoude" in html and "Postbus 1" not in html
    assert registries.asked("kvk")[0].path == "/kvk/v1/basisprofielen/68750110"
    client.post(f"/werkvoorraad/{case.pk}/opzoeken/overnemen/", {"token": _token(html)})
    case.refresh_from_db()
    assert (case.company_name, case.kvk_number) == ("Uitzendbureau Voorbeeld B.V.", "68750110")
    assert case.enrichment_notes.splitlines()[0] == "Busjes rijden 's nachts af en aan."
    assert case.enrichment_notes.splitlines()[1].startswith("KvK 68750110, opgezocht ")
    assert "SBI 7820 Uitzendbureaus (hoofdactiviteit); SBI 4941" in case.enrichment_notes


def test_an_unknown_kvk_number_says_so_and_a_wrong_one_is_refused(cast: Cast, registries: FakeRegistries) -> None:
    case = _case(cast)
    client = login(Client(), cast.anouk)
    html = client.post(f"/werkvoorraad/{case.pk}/opzoeken/kvk/", {"kvk-kvk_number": "12345678"}, **HTMX).content.decode()
    assert "Het Handelsregister kent dit KvK-nummer niet." in html
    response = client.post(f"/werkvoorraad/{case.pk}/opzoeken/kvk/", {"kvk-kvk_number": "1234567"})
    assert response.status_code == 400 and "Een KvK-nummer heeft 8 cijfers" in response.content.decode() and 'value="1234567"' in response.content.decode()
    assert len(registries.asked("kvk")) == 1


# --- taking over: only what was looked up, for this case --------------------------------------------------


def test_a_tampered_or_foreign_token_changes_nothing(cast: Cast, registries: FakeRegistries) -> None:
    case, other = _case(cast), _case(cast, description="Een ander signaal.")
    client = login(Client(), cast.anouk)
    html = client.post(f"/werkvoorraad/{other.pk}/opzoeken/adres/", {"bag-postcode": "2381 AB", "bag-huisnummer": "3"}, **HTMX).content.decode()
    before = _snapshot(case)
    forged = signing.dumps({"case": str(case.pk), "kind": "bag", "fields": {"location_address": "Nepstraat 1"}, "prefix": "BAG"}, salt="iets-anders")
    for token, said in [(_token(html), "hoort bij een ander signaal"), (forged, "kan niet worden overgenomen"), ("", "Zoek eerst op")]:
        response = client.post(f"/werkvoorraad/{case.pk}/opzoeken/overnemen/", {"token": token})
        assert response.status_code == 400 and said in response.content.decode()
    assert _snapshot(case) == before


def test_an_old_lookup_cannot_be_taken_over(cast: Cast, registries: FakeRegistries, monkeypatch: pytest.MonkeyPatch) -> None:
    case = _case(cast)
    client = login(Client(), cast.anouk)
    html = client.post(f"/werkvoorraad/{case.pk}/opzoeken/adres/", {"bag-postcode": "2381 AB", "bag-huisnummer": "3"}, **HTMX).content.decode()
    monkeypatch.setattr("ketenzicht.cases.registry.TOKEN_MAX_AGE", -1)
    response = client.post(f"/werkvoorraad/{case.pk}/opzoeken/overnemen/", {"token": _token(html)})
    assert response.status_code == 400 and "te oud" in response.content.decode()
    assert Case.objects.get(pk=case.pk).address_details == ""


def test_a_closed_case_is_not_changed(cast: Cast, registries: FakeRegistries) -> None:
    case = _case(cast)
    client = login(Client(), cast.anouk)
    html = client.post(f"/werkvoorraad/{case.pk}/opzoeken/adres/", {"bag-postcode": "2381 AB", "bag-huisnummer": "3"}, **HTMX).content.decode()
    case = case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    case_record_feedback(actor=cast.anouk, case=case, impossible_reason="Anonieme melding.")
    case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="Geen aanknopingspunten.")
    response = client.post(f"/werkvoorraad/{case.pk}/opzoeken/overnemen/", {"token": _token(html)})
    assert response.status_code == 400 and "afgesloten" in response.content.decode()
    assert Case.objects.get(pk=case.pk).address_details == ""


# --- who may look up ----------------------------------------------------------------------------------


def test_only_the_af_of_the_case_municipality_looks_up(cast: Cast, registries: FakeRegistries) -> None:
    region, _ = Region.objects.get_or_create(slug="noord-holland", defaults={"name": "Eenheid Noord-Holland"})
    heemstede = Municipality.objects.get(cbs_code="GM0397")
    Organisation.objects.get_or_create(slug="gemeente-heemstede", defaults={"name": "Gemeente Heemstede", "kind": "gemeente", "region": region, "municipality": heemstede})
    henk = make_user("henk", "gemeente-heemstede", "aandachtsfunctionaris")
    case = _case(cast)
    lisse_case = report_signal(cast.chantal, cast.lisse, location_address="Heereweg 1, 2161 AA Lisse")
    html = login(Client(), cast.anouk).post(f"/werkvoorraad/{case.pk}/opzoeken/adres/", {"bag-postcode": "2381 AB", "bag-huisnummer": "3"}, **HTMX).content.decode()
    token = _token(html)
    registries.requests.clear()
    before = _snapshot(case)
    for user in (cast.bram, henk, cast.chantal, cast.esra, cast.fleur, cast.gijs):
        client = login(Client(), user)
        for path, data in [("adres", {"bag-postcode": "2381 AB", "bag-huisnummer": "3"}), ("kvk", {"kvk-kvk_number": "68750110"}), ("overnemen", {"token": token})]:
            assert client.post(f"/werkvoorraad/{case.pk}/opzoeken/{path}/", data).status_code in {403, 404}, (user.username, path)
    # Anouk (Zoeterwoude) cannot look up Lisse's case either; bram can.
    assert login(Client(), cast.anouk).post(f"/werkvoorraad/{lisse_case.pk}/opzoeken/adres/", {"bag-postcode": "2161 AA", "bag-huisnummer": "1"}).status_code in {403, 404}
    assert registries.requests == []  # nobody without the right asked a registry anything
    assert _snapshot(case) == before
    assert login(Client(), cast.bram).post(f"/werkvoorraad/{lisse_case.pk}/opzoeken/adres/", {"bag-postcode": "2161 AA", "bag-huisnummer": "1"}, **HTMX).status_code == 200
    assert len(registries.asked("locatieserver")) == 1
