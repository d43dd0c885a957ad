"""A local HTTP server (real sockets) that answers like the registries: PDOK Locatieserver,
BAG API Individuele Bevragingen, Haal Centraal BRP bewoning and the KvK Basisprofiel API.

Each route answers a canned body; a test changes status, body or delay per route and reads
back what was asked (path, query, headers, body).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from django.test import override_settings

LOCATIESERVER = {
    "response": {
        "numFound": 1,
        "docs": [
            {
                "type": "adres",
                "weergavenaam": "Dorpsstraat 3, 2381AB Zoeterwoude",
                "straatnaam": "Dorpsstraat",
                "huisnummer": 3,
                "postcode": "2381AB",
                "woonplaatsnaam": "Zoeterwoude",
                "gemeentecode": "0638",
                "gemeentenaam": "Zoeterwoude",
                "nummeraanduiding_id": "0638200000012345",
                "adresseerbaarobject_id": "0638010000012345",
            }
        ],
    }
}
BAG_IB = {
    "_embedded": {
        "adressen": [
            {
                "openbareRuimteNaam": "Dorpsstraat",
                "korteNaam": "Dorpsstraat",
                "huisnummer": 3,
                "postcode": "2381AB",
                "woonplaatsNaam": "Zoeterwoude",
                "nummeraanduidingIdentificatie": "0638200000012345",
                "adresseerbaarObjectIdentificatie": "0638010000012345",
                "typeAdresseerbaarObject": "Verblijfsobject",
                "gebruiksdoelen": ["woonfunctie"],
                "oppervlakte": 85,
                "oorspronkelijkBouwjaar": ["1931"],
            }
        ]
    },
    "_links": {"self": {"href": "/adressenuitgebreid?postcode=2381AB&huisnummer=3"}},
}
BAG_IB_NONE = {"_links": {"self": {"href": "/adressenuitgebreid"}}}
BEWONING = {
    "bewoningen": [
        {
            "adresseerbaarObjectIdentificatie": "0638010000012345",
            "periode": {"datumVan": "2026-11-25", "datumTot": "2026-11-26"},
            "bewoners": [{"burgerservicenummer": f"99999{i:04d}"} for i in range(9)],
            "mogelijkeBewoners": [{"burgerservicenummer": "999990100"}],
        }
    ]
}
KVK = {
    "kvkNummer": "68750110",
    "naam": "Uitzendbureau Voorbeeld B.V.",
    "sbiActiviteiten": [
        {"sbiCode": "7820", "sbiOmschrijving": "Uitzendbureaus", "indHoofdactiviteit": "Ja"},
        {"sbiCode": "4941", "sbiOmschrijving": "Goederenvervoer over de weg", "indHoofdactiviteit": "Nee"},
    ],
    "_embedded": {
        "hoofdvestiging": {
            "vestigingsnummer": "000037178598",
            "adressen": [
                {"type": "correspondentieadres", "indAfgeschermd": "Nee", "volledigAdres": "Postbus 1 2380AA Zoeterwoude"},
                {"type": "bezoekadres", "indAfgeschermd": "Nee", "volledigAdres": "Industrieweg 10 2382AB Zoeterwoude", "straatnaam": "Industrieweg", "huisnummer": 10, "postcode": "2382AB", "plaats": "Zoeterwoude"},
            ],
        }
    },
}

ROUTES = {"locatieserver": "/locatieserver/free", "bag": "/bag/adressenuitgebreid", "brp": "/brp/bewoningen", "kvk": "/kvk/v1/basisprofielen/"}


@dataclass
class Answer:
    status: int = 200
    body: bytes = b"{}"
    delay: float = 0.0


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeRegistries:
    url: str = ""
    answers: dict[str, Answer] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    def answer(self, route: str, body: Any = None, *, status: int = 200, delay: float = 0.0, raw: bytes | None = None) -> None:
        self.answers[route] = Answer(status, raw if raw is not None else json.dumps(body).encode(), delay)

    def asked(self, route: str) -> list[Request]:
        return [r for r in self.requests if r.path.startswith(ROUTES[route])]

    def settings(self, *, bag: bool = True, bag_ib: bool = True, brp: bool = True, kvk: bool = True, timeout: float = 2.0) -> Any:
        return override_settings(
            BAG_API_URL=f"{self.url}/locatieserver/" if bag else "",
            BAG_API_TIMEOUT=timeout,
            BAG_IB_API_URL=f"{self.url}/bag" if bag_ib else "",
            BAG_IB_API_KEY="bag-sleutel",
            BRP_BEWONING_API_URL=f"{self.url}/brp" if brp else "",
            BRP_BEWONING_API_KEY="brp-sleutel",
            BRP_BEWONING_API_TIMEOUT=timeout,
            KVK_API_URL=f"{self.url}/kvk" if kvk else "",
            KVK_API_KEY="kvk-sleutel",
            KVK_API_TIMEOUT=timeout,
        )


def _route(path: str) -> str:
    return next((name for name, prefix in ROUTES.items() if path.startswith(prefix)), "")


@contextmanager
def fake_registries() -> Iterator[FakeRegistries]:
    state = FakeRegistries()
    state.answer("locatieserver", LOCATIESERVER)
    state.answer("bag", BAG_IB)
    state.answer("brp", BEWONING)
    state.answer("kvk", KVK)

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(Request(self.command, url.path, parse_qs(url.query), dict(self.headers.items()), body))
            route = _route(url.path)
            answer = state.answers.get(route, Answer(404, b'{"title": "niet gevonden"}'))
            if route == "kvk" and answer.status == 200 and not url.path.endswith("/68750110"):
                answer = Answer(404, b'{"fout": [{"code": "IPD0005", "omschrijving": "Geen gegevens gevonden"}]}')
            if answer.delay:
                time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        do_GET = _handle  # noqa: N815 - http.server API
        do_POST = _handle  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
