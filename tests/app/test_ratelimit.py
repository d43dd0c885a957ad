"""Rate limits per client: 429 with Retry-After, a fresh window lets the client in again, and
the client's address is only ever kept as a keyed hash."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from rest_framework.authtoken.models import Token

from ketenzicht.cases.models import Case
from ketenzicht.core import ratelimit
from ketenzicht.core.models import RateCounter
from tests.support import Cast, make_user

ADDRESS = "203.0.113.7"
T0 = 1_800_000_000.0  # a moment at the start of a minute window (divisible by 60)


@pytest.fixture(autouse=True)
def _fresh_counters_and_clock(monkeypatch: pytest.MonkeyPatch) -> dict[str, float]:
    cache.clear()
    now = {"t": T0}
    monkeypatch.setattr(ratelimit, "clock", lambda: now["t"])
    return now


def _rates(**rates: str) -> dict[str, Any]:
    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates}}


def _post(token: str, key: str, **extra: Any) -> Any:
    body = {"gemeenteCode": "GM0638", "omschrijving": f"Melding {key}"}
    return Client().post(
        "/api/v1/signalen", json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}", HTTP_IDEMPOTENCY_KEY=key, **extra,
    )


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_parse_rate() -> None:
    assert ratelimit.parse_rate("30/minute") == (30, 60)
    assert ratelimit.parse_rate("5/s") == (5, 1)
    assert ratelimit.parse_rate("1000/hour") == (1000, 3600)
    assert ratelimit.parse_rate("2/day") == (2, 86400)
    for bad in ("30", "x/minute", "30/week", "0/minute", "30/"):
        with pytest.raises(ValueError):
            ratelimit.parse_rate(bad)


# --- the API ---------------------------------------------------------------------------------
@override_settings(REST_FRAMEWORK=_rates(partner="3/minute"))
def test_a_partner_over_the_limit_gets_429_problem_json_with_retry_after(cast: Cast, _fresh_counters_and_clock: dict[str, float]) -> None:
    now = _fresh_counters_and_clock
    assert [_post(cast.pim_token, f"k{i}").status_code for i in range(3)] == [201, 201, 201]

    now["t"] = T0 + 45
    refused = _post(cast.pim_token, "k3")

    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["Retry-After"] == "15"  # the rest of the minute window
    assert refused["API-Version"] == "1.0.0"
    problem = json.loads(refused.content)
    assert problem["status"] == 429
    assert "15 seconden" in problem["detail"]
    assert Case.objects.filter(reporter=cast.pim).count() == 3

    # The next window lets the partner in again.
    now["t"] = T0 + 60
    assert _post(cast.pim_token, "k3").status_code == 201


@override_settings(REST_FRAMEWORK=_rates(partner="2/minute"))
def test_the_api_limit_is_per_partner(cast: Cast) -> None:
    other = make_user("pam", "shop", "partnersysteem")
    other_token = Token.objects.create(user=other).key

    assert [_post(cast.pim_token, f"k{i}").status_code for i in range(3)] == [201, 201, 429]
    # Another partner behind the same address is not held back by pim's traffic.
    assert _post(other_token, "k0").status_code == 201


@override_settings(REST_FRAMEWORK=_rates(partner="1/minute"))
def test_an_env_configured_rate_is_what_counts(cast: Cast) -> None:
    assert [_post(cast.pim_token, f"k{i}").status_code for i in range(2)] == [201, 429]


# --- the decorator for pages (the public form) ------------------------------------------------
@ratelimit.rate_limited("public_report", 2, 60)
def _form_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("formulier ontvangen")


@ratelimit.rate_limited("public_report")
def _form_view_with_configured_rate(request: HttpRequest) -> HttpResponse:
    return HttpResponse("formulier ontvangen")


def _request(method: str = "post", address: str = ADDRESS, **meta: Any) -> HttpRequest:
    request = getattr(RequestFactory(), method)("/melden/", REMOTE_ADDR=address, **meta)
    request.user = AnonymousUser()
    return request


def test_the_page_decorator_answers_a_friendly_dutch_429_and_the_window_resets(db: None, _fresh_counters_and_clock: dict[str, float]) -> None:
    now = _fresh_counters_and_clock
    assert [_form_view(_request()).status_code for _ in range(2)] == [200, 200]

    now["t"] = T0 + 30
    refused = _form_view(_request())
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30"
    page = refused.content.decode()
    assert "Probeer het over 1 minuut opnieuw" in page
    assert "bel dan direct 112" in page.lower()
    assert ADDRESS not in page

    # Reading the form is never limited; another client is not affected.
    assert _form_view(_request("get")).status_code == 200
    assert _form_view(_request(address="198.51.100.20")).status_code == 200

    now["t"] = T0 + 60
    assert _form_view(_request()).status_code == 200


@override_settings(REST_FRAMEWORK=_rates(public_report="1/hour"))
def test_the_page_decorator_reads_the_configured_rate(db: None) -> None:
    assert _form_view_with_configured_rate(_request()).status_code == 200
    refused = _form_view_with_configured_rate(_request())
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(3600 - int(T0) % 3600)


def test_check_rate_reports_the_decision(db: None) -> None:
    request = _request()
    assert ratelimit.check_rate(request, "probe", 1, 10) is True
    assert request.rate_limit.remaining == 0
    assert ratelimit.check_rate(request, "probe", 1, 10) is False
    assert request.rate_limit.retry_after == 10


# --- no raw address is kept -------------------------------------------------------------------
def test_only_a_keyed_hash_of_the_address_is_kept_in_the_counters_and_the_logs(db: None) -> None:
    handler = _Records()
    logger = logging.getLogger("ketenzicht.core.ratelimit")
    logger.addHandler(handler)
    try:
        for _ in range(3):
            _form_view(_request())
    finally:
        logger.removeHandler(handler)

    keys = list(RateCounter.objects.values_list("key", flat=True))  # the shared store, as stored
    hashed = ratelimit.client_hash(_request())
    assert keys and all(ADDRESS not in k for k in keys)
    assert any(hashed in k for k in keys)
    assert handler.lines and all(ADDRESS not in line for line in handler.lines)
    assert hashed in handler.lines[0]

    # Keyed: not a plain digest anyone could compute, and it changes with the secret.
    assert hashed not in hashlib.sha256(ADDRESS.encode()).hexdigest()
    with override_settings(SECRET_KEY="another-secret-key-for-this-test-only-0123456789abcdef"):
        assert ratelimit.client_hash(_request()) != hashed
    assert len(hashed) == ratelimit.HASH_LENGTH


def test_a_submitted_signal_stores_no_client_address(cast: Cast) -> None:
    response = _post(cast.pim_token, "k-adres", REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT="Partnersysteem/2.1")
    assert response.status_code == 201

    from ketenzicht.audit.models import AuditEvent
    from ketenzicht.cases.models import CaseEvent

    case = Case.objects.get(pk=response.json()["id"])
    stored = [case, *CaseEvent.objects.filter(case=case), *AuditEvent.objects.filter(object_id=str(case.pk))]
    dumped = " ".join(str(vars(row)) for row in stored)
    assert ADDRESS not in dumped
    assert "Partnersysteem/2.1" not in dumped


# --- who the client is behind a proxy ---------------------------------------------------------
def test_forwarded_for_is_ignored_without_trusted_proxies() -> None:
    forged = _request(HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert ratelimit.client_address(forged) == ADDRESS


@override_settings(RATE_LIMIT_TRUSTED_PROXIES=1)
def test_behind_one_proxy_the_address_it_saw_counts_not_a_forged_one() -> None:
    request = _request(address="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    assert ratelimit.client_address(request) == "203.0.113.9"
    # Without the header (a request that bypassed the proxy) the peer address counts.
    assert ratelimit.client_address(_request(address="10.0.0.2")) == "10.0.0.2"


def test_guessing_receipt_codes_is_rate_limited(client, db, settings) -> None:
    """The status page answers 429 after the configured number of lookups from one client."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public_status": "3/hour"}}
    from rest_framework.settings import api_settings

    api_settings.reload()
    answers = [client.post("/melden/status/", {"code": f"AAAA-BBBB-CCCC-DDD{i}"}).status_code for i in range(4)]
    api_settings.reload()
    assert answers[:3] == [200, 200, 200] and answers[3] == 429
