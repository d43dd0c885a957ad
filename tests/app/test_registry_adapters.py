"""The BAG (Locatieserver, Individuele Bevragingen), BRP bewoning and KvK adapters against a local
HTTP server: what they ask, what they read, and how timeouts, errors and garbage end."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from datetime import date

import pytest
from django.test import override_settings

from ketenzicht.core.registries import RegistryUnavailable
from ketenzicht.core.registries.address import (
    address_lookup_configured,
    company_lookup_configured,
    lookup_address,
)
from ketenzicht.core.registries.bag import BagClient
from ketenzicht.core.registries.bag_ib import BagIbClient, bag_ib_client
from ketenzicht.core.registries.brp import BewoningClient, bewoning_client
from ketenzicht.core.registries.kvk import KvkClient, kvk_client
from ketenzicht.domain.addresses import AddressQuery
from tests.app import registry_server as fake
from tests.app.registry_server import FakeRegistries, fake_registries

TODAY = date(2026, 11, 25)


@pytest.fixture
def registries() -> Iterator[FakeRegistries]:
    with fake_registries() as state:
        yield state


# --- off by default -------------------------------------------------------------------------------


def test_every_adapter_is_off_until_configured() -> None:
    assert not address_lookup_configured() and not company_lookup_configured()
    assert bag_ib_client() is None and bewoning_client() is None and kvk_client() is None
    with override_settings(KVK_API_URL="http://127.0.0.1:9/kvk", KVK_API_KEY="k", KVK_API_TIMEOUT=1.5, BAG_IB_API_URL="http://127.0.0.1:9/bag/"):
        client = kvk_client()
        assert client is not None and client.timeout == 1.5 and client.base_url == "http://127.0.0.1:9/kvk"
        assert company_lookup_configured() and address_lookup_configured()
        assert bag_ib_client() is not None


def test_lookup_without_a_bag_source_is_refused() -> None:
    with pytest.raises(LookupError):
        lookup_address(AddressQuery("2381AB", 3), on=TODAY)


# --- PDOK Locatieserver ------------------------------------------------------------------------------


def test_locatieserver_is_asked_by_postcode_and_house_number(registries: FakeRegistries) -> None:
    found = BagClient(f"{registries.url}/locatieserver", timeout=2).lookup_postcode("2381AB", 3, "A", "1")
    assert found is not None and found.adresseerbaar_object_id == "0638010000012345"
    assert found.address_line == "Dorpsstraat 3, 2381AB Zoeterwoude" and found.municipality_code == "GM0638"
    (request,) = registries.asked("locatieserver")
    assert request.query["q"] == ["postcode:2381AB and huisnummer:3 and huisletter:A and huisnummertoevoeging:1"]
    assert request.query["fq"] == ["type:adres"]


def test_locatieserver_without_a_match_is_none(registries: FakeRegistries) -> None:
    registries.answer("locatieserver", {"response": {"numFound": 0, "docs": []}})
    assert BagClient(f"{registries.url}/locatieserver", timeout=2).lookup_postcode("9999ZZ", 1) is None


@pytest.mark.parametrize(
    "doc",
    [
        {"gemeentecode": "0638", "huisnummer": 3},  # no street
        {**fake.LOCATIESERVER["response"]["docs"][0], "adresseerbaarobject_id": "12"},  # not a BAG id
        {**fake.LOCATIESERVER["response"]["docs"][0], "huisnummer": "drie"},
    ],
)
def test_locatieserver_garbage_is_unavailable(registries: FakeRegistries, doc: dict) -> None:
    registries.answer("locatieserver", {"response": {"docs": [doc]}})
    with pytest.raises(RegistryUnavailable) as exc:
        BagClient(f"{registries.url}/locatieserver", timeout=2).lookup_postcode("2381AB", 3)
    assert exc.value.kind == "garbage"


# --- BAG API Individuele Bevragingen ------------------------------------------------------------------


def test_bag_ib_gives_use_and_floor_area(registries: FakeRegistries) -> None:
    found = BagIbClient(f"{registries.url}/bag", "geheim", timeout=2).address("2381AB", 3)
    assert found is not None
    assert (found.gebruiksdoelen, found.oppervlakte, found.bouwjaar, found.object_type) == (("woonfunctie",), 85, "1931", "Verblijfsobject")
    (request,) = registries.asked("bag")
    assert request.path == "/bag/adressenuitgebreid"
    assert request.query == {"postcode": ["2381AB"], "huisnummer": ["3"], "exacteMatch": ["true"]}
    assert request.headers["X-Api-Key"] == "geheim"


def test_bag_ib_without_a_match_is_none(registries: FakeRegistries) -> None:
    registries.answer("bag", fake.BAG_IB_NONE)
    assert BagIbClient(f"{registries.url}/bag", "k", timeout=2).address("2381AB", 99) is None


@pytest.mark.parametrize(
    "changes",
    [{"gebruiksdoelen": ["casino"]}, {"oppervlakte": "85"}, {"oppervlakte": 0}, {"nummeraanduidingIdentificatie": "abc"}, {"huisnummer": None}],
)
def test_bag_ib_garbage_is_unavailable(registries: FakeRegistries, changes: dict) -> None:
    body = json.loads(json.dumps(fake.BAG_IB))
    body["_embedded"]["adressen"][0].update(changes)
    registries.answer("bag", body)
    with pytest.raises(RegistryUnavailable) as exc:
        BagIbClient(f"{registries.url}/bag", "k", timeout=2).address("2381AB", 3)
    assert exc.value.kind == "garbage"


# --- BRP bewoning -----------------------------------------------------------------------------------


def test_brp_gives_only_counts(registries: FakeRegistries) -> None:
    occupancy = BewoningClient(f"{registries.url}/brp", "sleutel", timeout=2).occupancy("0638010000012345", TODAY)
    assert (occupancy.registered, occupancy.possibly, occupancy.many, occupancy.on) == (9, 1, False, TODAY)
    assert "burgerservicenummer" not in repr(occupancy) and "99999" not in repr(occupancy)
    (request,) = registries.asked("brp")
    assert request.method == "POST" and request.headers["X-Api-Key"] == "sleutel"
    assert json.loads(request.body) == {"type": "BewoningMetPeildatum", "adresseerbaarObjectIdentificatie": "0638010000012345", "peildatum": "2026-11-25"}


@pytest.mark.parametrize("body", [{"bewoningen": "veel"}, {"bewoningen": [{"bewoners": 9}]}, {"geen": []}, ["bewoningen"]])
def test_brp_garbage_is_unavailable(registries: FakeRegistries, body: object) -> None:
    registries.answer("brp", body)
    with pytest.raises(RegistryUnavailable):
        BewoningClient(f"{registries.url}/brp", "k", timeout=2).occupancy("0638010000012345", TODAY)


# --- KvK --------------------------------------------------------------------------------------------


def test_kvk_gives_name_activities_and_visiting_address(registries: FakeRegistries) -> None:
    company = KvkClient(f"{registries.url}/kvk", "kvk-sleutel", timeout=2).profile("68750110")
    assert company is not None and company.name == "Uitzendbureau Voorbeeld B.V."
    assert company.main_activity is not None and company.main_activity.code == "7820"
    assert [a.code for a in company.activities] == ["7820", "4941"]
    assert company.address == "Industrieweg 10 2382AB Zoeterwoude"  # the visiting address, not the postbus
    (request,) = registries.asked("kvk")
    assert request.path == "/kvk/v1/basisprofielen/68750110" and request.headers["apikey"] == "kvk-sleutel"


def test_kvk_unknown_number_is_none(registries: FakeRegistries) -> None:
    assert KvkClient(f"{registries.url}/kvk", "k", timeout=2).profile("12345678") is None


def test_kvk_shielded_address_is_not_read(registries: FakeRegistries) -> None:
    body = json.loads(json.dumps(fake.KVK))
    for address in body["_embedded"]["hoofdvestiging"]["adressen"]:
        address["indAfgeschermd"] = "Ja"
    registries.answer("kvk", body)
    company = KvkClient(f"{registries.url}/kvk", "k", timeout=2).profile("68750110")
    assert company is not None and company.address == "" and company.address_shielded


@pytest.mark.parametrize("changes", [{"kvkNummer": "99999999"}, {"naam": ""}, {"sbiActiviteiten": [{"sbiCode": "x"}]}, {"naam": None}])
def test_kvk_garbage_is_unavailable(registries: FakeRegistries, changes: dict) -> None:
    registries.answer("kvk", {**fake.KVK, **changes})
    with pytest.raises(RegistryUnavailable) as exc:
        KvkClient(f"{registries.url}/kvk", "k", timeout=2).profile("68750110")
    assert exc.value.kind == "garbage"


# --- failures, the same for every registry ------------------------------------------------------------

CALLS = {
    "locatieserver": lambda url, t: BagClient(f"{url}/locatieserver", timeout=t).lookup_postcode("2381AB", 3),
    "bag": lambda url, t: BagIbClient(f"{url}/bag", "k", timeout=t).address("2381AB", 3),
    "brp": lambda url, t: BewoningClient(f"{url}/brp", "k", timeout=t).occupancy("0638010000012345", TODAY),
    "kvk": lambda url, t: KvkClient(f"{url}/kvk", "k", timeout=t).profile("68750110"),
}


@pytest.mark.parametrize("route", sorted(CALLS))
def test_a_slow_registry_times_out(registries: FakeRegistries, route: str) -> None:
    registries.answer(route, {}, delay=1.5)
    started = time.monotonic()
    with pytest.raises(RegistryUnavailable) as exc:
        CALLS[route](registries.url, 0.3)
    assert time.monotonic() - started < 1.4
    assert exc.value.kind == "timeout"
    assert exc.value.user_message.endswith("gaf geen antwoord binnen 0.3 seconden. Er is niets gewijzigd; probeer het later opnieuw.")


@pytest.mark.parametrize("route", sorted(CALLS))
@pytest.mark.parametrize("status", [500, 503, 401])
def test_an_error_status_is_unavailable(registries: FakeRegistries, route: str, status: int) -> None:
    registries.answer(route, {"title": "fout"}, status=status)
    with pytest.raises(RegistryUnavailable) as exc:
        CALLS[route](registries.url, 2)
    assert exc.value.kind == "status" and f"status {status}" in exc.value.user_message


@pytest.mark.parametrize("route", sorted(CALLS))
@pytest.mark.parametrize("raw", [b"<html>Service Unavailable</html>", b"null", b'"tekst"', b"[1, 2]"])
def test_an_unreadable_answer_is_unavailable(registries: FakeRegistries, route: str, raw: bytes) -> None:
    registries.answer(route, raw=raw)
    with pytest.raises(RegistryUnavailable) as exc:
        CALLS[route](registries.url, 2)
    assert exc.value.kind == "garbage" and "niet kan lezen" in exc.value.user_message


def test_an_unreachable_registry_is_unavailable() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(RegistryUnavailable) as exc:
        KvkClient(f"http://127.0.0.1:{port}/kvk", "k", timeout=1).profile("68750110")
    assert exc.value.kind == "unreachable" and "niet bereikbaar" in exc.value.user_message


def test_nothing_asked_or_answered_reaches_the_logs(registries: FakeRegistries, caplog: pytest.LogCaptureFixture) -> None:
    registries.answer("bag", {}, status=500)
    with caplog.at_level(logging.DEBUG), pytest.raises(RegistryUnavailable) as exc:
        BagIbClient(f"{registries.url}/bag", "k", timeout=2).address("2381AB", 3)
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "registry status source=De BAG (Kadaster) status=500" in logged
    for secret in ("2381AB", "2381", "Dorpsstraat"):
        assert secret not in logged and secret not in str(exc.value) and secret not in exc.value.user_message


# --- the address from every configured source ----------------------------------------------------------


def test_the_address_combines_the_configured_sources(registries: FakeRegistries) -> None:
    with registries.settings():
        details = lookup_address(AddressQuery("2381AB", 3), on=TODAY)
    assert details is not None
    assert details.municipality_name == "Zoeterwoude" and details.gebruiksdoelen == ("woonfunctie",) and details.oppervlakte == 85
    assert details.occupancy is not None and details.occupancy.registered == 9
    assert details.sources == ("De BAG (PDOK Locatieserver)", "De BAG (Kadaster)", "De BRP (bewoning)")


def test_with_only_the_locatieserver_use_and_occupants_are_not_given(registries: FakeRegistries) -> None:
    with registries.settings(bag_ib=False, brp=False):
        details = lookup_address(AddressQuery("2381AB", 3), on=TODAY)
    assert details is not None and details.adresseerbaar_object_id == "0638010000012345"
    assert details.gebruiksdoelen == () and details.oppervlakte is None and details.occupancy is None
    assert not details.use_source and not details.occupancy_source
    assert registries.asked("bag") == [] and registries.asked("brp") == []


def test_one_failing_source_fails_the_whole_lookup(registries: FakeRegistries) -> None:
    registries.answer("brp", {}, status=503)
    with registries.settings(), pytest.raises(RegistryUnavailable) as exc:
        lookup_address(AddressQuery("2381AB", 3), on=TODAY)
    assert exc.value.source == "De BRP (bewoning)"


def test_no_source_knows_the_address(registries: FakeRegistries) -> None:
    registries.answer("locatieserver", {"response": {"numFound": 0, "docs": []}})
    registries.answer("bag", fake.BAG_IB_NONE)
    with registries.settings():
        assert lookup_address(AddressQuery("9999ZZ", 1), on=TODAY) is None
    assert registries.asked("brp") == []  # no address, so nobody to count
