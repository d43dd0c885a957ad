"""Whether the login page offers SSO (only when it is configured)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from ketenzicht.accounts.oidc import oidc_enabled


def sso(request: HttpRequest) -> dict[str, Any]:
    return {"oidc_enabled": oidc_enabled()} if request.path.startswith("/account/") else {}
