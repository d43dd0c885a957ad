"""API authentication: tokens for partner systems, sessions only with a verified second factor.

The two-factor middleware leaves /api/ alone (an API answers in problem+json, not with a
redirect to the login page), so the check for session users is made here: a browser session
of someone who logged in with only a password (no confirmed TOTP device yet, or not verified
in this session) does not authenticate an API request. Partner systems keep their tokens.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request


class VerifiedSessionAuthentication(SessionAuthentication):
    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None or not settings.TWO_FACTOR_REQUIRED:
            return result
        user = result[0]
        is_verified = getattr(user, "is_verified", None)
        if is_verified is None or not is_verified():
            raise AuthenticationFailed(
                "Log in met tweestapsverificatie om de API met uw sessie te gebruiken; systemen gebruiken een token."
            )
        return result


class VerifiedSessionScheme(SessionScheme):
    """The OpenAPI document: the same cookie scheme, noting the second factor."""

    target_class = "ketenzicht.core.api_auth.VerifiedSessionAuthentication"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {**super().get_security_definition(auto_schema), "description": "Sessie na inloggen met tweestapsverificatie."}
