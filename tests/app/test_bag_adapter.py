"""The BAG adapter against a real local HTTP server that answers like the PDOK Locatieserver."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import override_settings

from ketenzicht.accounts.models import Municipality
from ketenzicht.core.registries import RegistryUnavailable
from ketenzicht.core.registries.bag import AddressMatch, BagClient, bag_client
from ketenzicht.intake.addressing import municipality_for_address

DORPSSTRAAT = {
    "response": {
        "numFound": 1,
        "start": 0,
        "docs": [
            {
                "type": "adres",
                "weergavenaam": "Dorpsstraat 3, 2381AB Zoeterwoude",
                "gemeentecode": "0638",
                "gemeentenaam": "Zoeterwoude",
                "postcode": "2381AB",
                "huisnummer": 3,
                "straatnaam": "Dorpsstraat",
                "woonplaatsnaam": "Zoeterwoude",
            }
        ],
    }
}
NOTHING = {"response": {"numFound": 0, "start": 0, "docs": []}}


class Registry:
    """What the fake registry answers next, and what it was asked."""

    def __init__(self) -> None:
        self.status = 200
        self.body: bytes = json.dumps(DORPSSTRAAT).encode()
        self.delay = 0.0
        self.queries: list[dict[str, list[str]]] = []
        self.paths: list[str] = []


@pytest.fixture
def registry() -> Iterator[tuple[Registry, str]]:
    state = Registry()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            url = urlparse(self.path)
            state.paths.append(url.path)
            state.queries.append(parse_qs(url.query))
            if state.delay:
                time.sleep(state.delay)
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/bzk/locatieserver/search/v3_1/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_match_gives_the_municipality_with_its_cbs_prefix(registry: tuple[Registry, str]) -> None:
    state, url = registry
    match = BagClient(url, timeout=2).lookup("  Dorpsstraat 3,\n Zoeterwoude ")

    assert match == AddressMatch(
        municipality_code="GM0638",
        municipality_name="Zoeterwoude",
        postcode="2381AB",
        house_number="3",
        street="Dorpsstraat",
        city="Zoeterwoude",
    )
    assert state.paths == ["/bzk/locatieserver/search/v3_1/free"]
    assert state.queries == [{"q": ["Dorpsstraat 3, Zoeterwoude"], "fq": ["type:adres"], "rows": ["1"]}]


def test_no_match_is_none(registry: tuple[Registry, str]) -> None:
    state, url = registry
    state.body = json.dumps(NOTHING).encode()
    assert BagClient(url, timeout=2).lookup("Nergensweg 999, Nergenshuizen") is None


def test_an_empty_address_asks_nothing(registry: tuple[Registry, str]) -> None:
    state, url = registry
    assert BagClient(url, timeout=2).lookup("   ") is None
    assert state.paths == []


def test_a_slow_registry_is_unavailable_after_the_timeout(registry: tuple[Registry, str]) -> None:
    state, url = registry
    state.delay = 1.5
    started = time.monotonic()
    with pytest.raises(RegistryUnavailable):
        BagClient(url, timeout=0.3).lookup("Dorpsstraat 3, Zoeterwoude")
    assert time.monotonic() - started < 1.4  # the client gave up; it did not wait for the answer


def test_a_server_error_is_unavailable(registry: tuple[Registry, str]) -> None:
    state, url = registry
    state.status = 500
    state.body = b'{"error": "intern"}'
    with pytest.raises(RegistryUnavailable, match="500"):
        BagClient(url, timeout=2).lookup("Dorpsstraat 3, Zoeterwoude")


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Service Unavailable</html>",
        b'{"response": {"numFound": 1, "docs": [{"gemeentenaam": "Zoeterwoude"}]}}',  # no code
        b'{"response": {"numFound": 1, "docs": [{"gemeentecode": "Zoeterwoude"}]}}',  # not a code
        b'{"response": {"docs": "geen lijst"}}',
        b'["response"]',
        b"null",
    ],
)
def test_a_malformed_answer_is_unavailable(registry: tuple[Registry, str], body: bytes) -> None:
    state, url = registry
    state.body = body
    with pytest.raises(RegistryUnavailable):
        BagClient(url, timeout=2).lookup("Dorpsstraat 3, Zoeterwoude")


def test_an_unreachable_registry_is_unavailable() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nobody listens there
    with pytest.raises(RegistryUnavailable):
        BagClient(f"http://127.0.0.1:{port}", timeout=1).lookup("Dorpsstraat 3, Zoeterwoude")


def test_the_adapter_is_off_without_a_url() -> None:
    with override_settings(BAG_API_URL=""):
        assert bag_client() is None
    with override_settings(BAG_API_URL="http://127.0.0.1:9/locatieserver/", BAG_API_TIMEOUT=1.5):
        client = bag_client()
        assert client is not None and client.base_url == "http://127.0.0.1:9/locatieserver" and client.timeout == 1.5


# --- routing a report with it ------------------------------------------------------------------
def test_the_address_decides_the_municipality(region: None, registry: tuple[Registry, str]) -> None:
    _, url = registry
    lisse = Municipality.objects.get(cbs_code="GM0553")
    with override_settings(BAG_API_URL=url):
        assert municipality_for_address("Dorpsstraat 3, Zoeterwoude", fallback=lisse).cbs_code == "GM0638"


@pytest.mark.parametrize(
    ("status", "body", "delay"),
    [(500, b"{}", 0.0), (200, json.dumps(NOTHING).encode(), 0.0), (200, b"niet-json", 0.0), (200, b"{}", 1.0)],
    ids=["server-error", "no-match", "malformed", "timeout"],
)
def test_the_chosen_municipality_wins_when_the_bag_cannot_answer(
    region: None, registry: tuple[Registry, str], status: int, body: bytes, delay: float
) -> None:
    state, url = registry
    state.status, state.body, state.delay = status, body, delay
    lisse = Municipality.objects.get(cbs_code="GM0553")
    with override_settings(BAG_API_URL=url, BAG_API_TIMEOUT=0.3):
        assert municipality_for_address("Dorpsstraat 3, Zoeterwoude", fallback=lisse) == lisse


def test_a_code_we_do_not_know_falls_back(region: None, registry: tuple[Registry, str]) -> None:
    state, url = registry
    unknown = json.loads(json.dumps(DORPSSTRAAT))
    unknown["response"]["docs"][0]["gemeentecode"] = "9999"
    state.body = json.dumps(unknown).encode()
    lisse = Municipality.objects.get(cbs_code="GM0553")
    with override_settings(BAG_API_URL=url):
        assert municipality_for_address("Dorpsstraat 3, Zoeterwoude", fallback=lisse) == lisse


def test_without_the_adapter_nothing_is_asked(region: None, registry: tuple[Registry, str]) -> None:
    state, _ = registry
    lisse = Municipality.objects.get(cbs_code="GM0553")
    with override_settings(BAG_API_URL=""):
        assert municipality_for_address("Dorpsstraat 3, Zoeterwoude", fallback=lisse) == lisse
    assert state.paths == []
