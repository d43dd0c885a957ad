"""Need-to-know, as a matrix: every role × every URL and API operation → allowed or denied.

The expectation below is written out by hand from the rules in the issue, not derived from the
policy module, so a change to the policy that widens access makes this test fail. A URL that
is added to the project without a row here fails `test_every_url_is_in_the_matrix`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.support import Cast, login, report_signal

ANON = "anon"
EVERYONE = {"anon", "anouk", "bram", "chantal", "esra", "julia", "fleur", "gijs", "hanna", "otto", "pim"}
STAFF = EVERYONE - {ANON}
AF_Z = {"anouk"}  # the AF of Zoeterwoude, where the test case lives


def _walk(patterns: list[Any], prefix: str = "") -> list[str]:
    names = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names += _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{prefix}{entry.name}")
    return names


# name → (method, kwargs-builder, roles allowed). The case lives in Zoeterwoude, reported by chantal.
Kw = Callable[[dict[str, Any]], dict[str, Any]]
NONE: Kw = lambda ctx: {}  # noqa: E731
CASE: Kw = lambda ctx: {"case_id": ctx["case"].pk}  # noqa: E731
MATRIX: dict[str, tuple[str, Kw, set[str]]] = {
    "home": ("GET", NONE, STAFF),
    "healthz": ("GET", NONE, EVERYONE),
    "set_language": ("POST", NONE, EVERYONE),
    "logout": ("GET", NONE, EVERYONE),
    "two_factor:login": ("GET", NONE, EVERYONE),
    "two_factor:setup": ("GET", NONE, STAFF),
    "two_factor:qr": ("GET", NONE, set()),  # only during setup: no QR without a pending secret
    "two_factor:setup_complete": ("GET", NONE, STAFF),
    "two_factor:backup_tokens": ("GET", NONE, STAFF),
    "two_factor:profile": ("GET", NONE, STAFF),
    "two_factor:disable": ("GET", NONE, STAFF),
    "intake:report": ("GET", NONE, {"anouk", "bram", "chantal"}),
    "intake:own_reports": ("GET", NONE, {"anouk", "bram", "chantal"}),
    "intake:own_report": ("GET", CASE, {"chantal"}),
    "cases:queue": ("GET", NONE, {"anouk", "bram"}),
    "cases:detail": ("GET", CASE, AF_Z),
    "cases:transition": ("POST", CASE, AF_Z),
    "cases:enrich": ("POST", CASE, AF_Z),
    "cases:feedback": ("POST", CASE, AF_Z),
    "cases:add_subject": ("POST", CASE, AF_Z),
    "cases:add_attachment": ("POST", CASE, AF_Z),
    "cases:download_attachment": ("GET", lambda ctx: {"case_id": ctx["case"].pk, "attachment_id": ctx["attachment"].pk}, AF_Z),
    "cases:assign_to_me": ("POST", CASE, AF_Z),
    "audit:log": ("GET", NONE, {"gijs"}),
    "accounts:users": ("GET", NONE, {"hanna"}),
    "accounts:user_edit": ("GET", lambda ctx: {"user_id": ctx["cast"].otto.pk}, {"hanna"}),
    "openapi": ("GET", NONE, EVERYONE),
    "api-signalen": ("GET", NONE, {"anouk", "bram"}),
    "api-signaal": ("GET", CASE, AF_Z),
    "api-signaal-transitie": ("POST", CASE, AF_Z),
    "api-gemeenten": ("GET", NONE, STAFF),
}

DENIED_STATUSES = {401, 403, 404}
# Form data for POSTs whose answer depends on it (set_language redirects to `next`).
POST_DATA = {"set_language": {"language": "en", "next": "/healthz"}}


def test_every_url_is_in_the_matrix() -> None:
    names = set(_walk(get_resolver().url_patterns))
    missing = sorted(names - set(MATRIX))
    stale = sorted(set(MATRIX) - names)
    assert missing == [], f"URLs without a row in the permission matrix: {missing}"
    assert stale == [], f"matrix rows for URLs that no longer exist: {stale}"


def _outcome(client: Client, method: str, url: str, who: str, token: str, data: dict[str, str]) -> tuple[bool, int]:
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if who == "pim" and url.startswith("/api/") else {}
    send = client.post if method == "POST" else client.get
    response = send(url, data, follow=True, **headers)
    status = response.status_code
    if status in DENIED_STATUSES:
        return False, status
    # Following redirects: ending on the login page means "log in first", i.e. denied.
    if response.redirect_chain and response.request["PATH_INFO"] == reverse("two_factor:login"):
        return False, response.redirect_chain[0][1]
    assert status < 500, f"{who} {method} {url} → {status}"
    return True, status


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(name: str, cast: Cast) -> None:
    from ketenzicht.cases import services

    case = report_signal(cast.chantal, cast.zoeterwoude)
    attachment = services.attachment_add(
        actor=cast.anouk,
        case=case,
        attachment=services.AttachmentInput(name="foto.pdf", content_type="application/pdf", data=b"%PDF-1.4\n%test\n"),
    )
    method, kwargs, allowed = MATRIX[name]
    url = reverse(name, kwargs=kwargs({"case": case, "attachment": attachment, "cast": cast}))
    members = cast.members()
    wrong = []
    for who in sorted(EVERYONE):
        client = Client()
        if who != ANON and not (who == "pim" and url.startswith("/api/")):
            login(client, members[who])
        ok, status = _outcome(client, method, url, who, cast.pim_token, POST_DATA.get(name, {}))
        if ok != (who in allowed):
            wrong.append(f"{who}: {'allowed' if ok else 'denied'} ({status}), expected {'allowed' if who in allowed else 'denied'}")
    assert wrong == [], f"{method} {url}\n" + "\n".join(wrong)
