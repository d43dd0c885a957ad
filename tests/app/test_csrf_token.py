"""core/csrf.token_for makes the token Django's get_token makes, with one draw of randomness
(issue 19): Django's middleware accepts it, every mask character is equally likely, and the
confirmation page of a public report carries one that the language switch takes."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _get_new_csrf_string, _unmask_cipher_token
from django.test import Client, RequestFactory
from scipy.stats import chisquare

from ketenzicht.core import csrf
from tests.support import Cast


def _request(cookie: str | None) -> Any:
    request = RequestFactory().get("/")
    if cookie is not None:
        request.META["CSRF_COOKIE"] = cookie
    return request


def test_the_token_unmasks_to_the_cookies_secret_and_renews_the_cookie() -> None:
    secret = _get_new_csrf_string()
    tokens = set()
    for _ in range(50):
        request = _request(secret)
        token = csrf.token_for(request)
        assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
        assert _unmask_cipher_token(token) == secret
        assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
        tokens.add(token)
    assert len(tokens) == 50  # a fresh mask each time (against BREACH)


def test_without_a_cookie_yet_django_makes_the_secret_and_the_token() -> None:
    request = _request(None)
    token = csrf.token_for(request)
    assert len(request.META["CSRF_COOKIE"]) == 32 and request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]


def test_every_character_of_the_mask_is_equally_likely() -> None:
    """256 is no multiple of 62: taking every byte modulo 62 would make the first eight characters
    a quarter likelier; this would see that (p far below the bound) and sees nothing now."""
    counts = Counter(csrf.random_indexes(200_000))
    assert set(counts) == set(range(len(CSRF_ALLOWED_CHARS)))
    assert chisquare([counts[i] for i in range(len(CSRF_ALLOWED_CHARS))]).pvalue > 1e-6
    # Positions are independent: the first character of a mask says nothing of the second.
    pairs = Counter((a, b) for a, b in (csrf.random_indexes(2) for _ in range(40_000)) if a < 2 and b < 2)
    assert chisquare(list(pairs.values())).pvalue > 1e-6 and len(pairs) == 4


@pytest.mark.parametrize("municipality", ["Zoeterwoude", "Vlissingen"])
def test_the_confirmation_pages_language_switch_takes_the_token(cast: Cast, municipality: str) -> None:
    from tests.app.test_intake_fast_public import _report

    client = Client(enforce_csrf_checks=True)
    form = client.get("/melden/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    page = client.post("/melden/", {**_report(municipality=municipality), "csrfmiddlewaretoken": token}).content.decode()
    assert "data-testid=\"receipt-code\"" in page
    on_page = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert on_page != token and _unmask_cipher_token(on_page) == client.cookies["csrftoken"].value
    answer = client.post("/i18n/setlang/", {"language": "en", "next": "/melden/", "csrfmiddlewaretoken": on_page})
    assert answer.status_code == 302 and client.cookies["django_language"].value == "en"
