"""The Content-Security-Policy built once (core/csp.py) is the header django-csp's own middleware
gives: for plain answers, after the configuration changes, for an answer with a policy of its own
and for a request that took a nonce."""

from __future__ import annotations

from typing import Any

import pytest
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from django.http import HttpResponse
from django.test import Client, RequestFactory

from ketenzicht.core.csp import CSPMiddleware
from tests.support import Cast

HEADERS = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


def _both(prepare: Any = None, path: str = "/melden/", status: int = 200) -> list[dict[str, str | None]]:
    """The CSP headers of the same answer through the library's middleware and through ours."""
    out = []
    for middleware in (LibraryCSPMiddleware, CSPMiddleware):
        request = RequestFactory().get(path)

        def view(request: Any) -> HttpResponse:
            response = HttpResponse("x", status=status)
            if prepare is not None:
                prepare(request, response)
            return response

        response = middleware(view)(request)
        out.append({name: response.get(name) for name in HEADERS})
        if getattr(request, "_csp_nonce", None) is None:
            with pytest.raises(Exception, match="after the CSP header has been written"):
                str(request.csp_nonce)  # a nonce asked for afterwards is refused, on both
    return out


def test_a_plain_answer_carries_the_librarys_policy(settings: Any) -> None:
    library, ours = _both()
    assert library == ours and "default-src 'self'" in (ours[HEADERS[0]] or "") and ours[HEADERS[1]] is None


def test_a_changed_configuration_is_seen_at_once(settings: Any) -> None:
    _both()
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"], "img-src": ["'self'", "https://kaart.example"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}, "EXCLUDE_URL_PREFIXES": ["/api/"]}
    library, ours = _both()
    assert library == ours and "https://kaart.example" in (ours[HEADERS[0]] or "") and ours[HEADERS[1]] == "default-src 'none'"
    # The report-only policy leaves out its excluded paths, as the library does.
    assert _both(path="/api/v1/signalen")[1] == {HEADERS[0]: ours[HEADERS[0]], HEADERS[1]: None}
    # Changed in place (a test's override of a nested value): seen too.
    settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append("https://luchtfoto.example")
    library, ours = _both()
    assert library == ours and "https://luchtfoto.example" in (ours[HEADERS[0]] or "")


def test_an_answer_with_a_policy_of_its_own_or_a_nonce_goes_through_the_library() -> None:
    def own(request: Any, response: HttpResponse) -> None:
        response._csp_update = {"img-src": ["https://kaart.example"]}  # type: ignore[attr-defined]

    library, ours = _both(own)
    assert library == ours and "https://kaart.example" in (ours[HEADERS[0]] or "")

    def exempt(request: Any, response: HttpResponse) -> None:
        response._csp_exempt = True  # type: ignore[attr-defined]

    assert _both(exempt) == [{HEADERS[0]: None, HEADERS[1]: None}] * 2

    def nonce(request: Any, response: HttpResponse) -> None:
        assert str(request.csp_nonce)  # taken: the library builds the header (with it, where configured)

    library, ours = _both(nonce)
    assert library == ours


def test_pages_and_the_api_carry_the_same_policy(cast: Cast) -> None:
    """Through the whole stack (the public form, a partner's delivery before the middleware)."""
    from csp.utils import build_policy

    from tests.app.test_partner_api import BODY, post

    expected = build_policy()
    assert Client().get("/melden/")[HEADERS[0]] == expected
    assert post(Client(), cast.pim_token, BODY, key="csp-1")[HEADERS[0]] == expected
    assert post(Client(), cast.wout_token, {**BODY, "gemeenteCode": "GM0718"}, key="csp-2")[HEADERS[0]] == expected
