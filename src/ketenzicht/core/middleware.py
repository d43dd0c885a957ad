"""Two-factor login for every staff account, enforced for every page but the public ones."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

# Paths a person may reach before the second factor: logging in, setting it up, public pages.
EXEMPT_PREFIXES = (
    "/account/",
    "/static/",
    "/melden/",
    "/healthz",
    "/i18n/",
    "/api/",
    # Organisation themes (stylesheet, logo) hold no personal data; the setup pages load them.
    "/thema/",
)


class RequireTwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.TWO_FACTOR_REQUIRED
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not user.is_verified()
        ):
            from django_otp import devices_for_user

            if any(True for _ in devices_for_user(user)):
                return redirect(f"{settings.LOGIN_URL_PATH}?next={request.path}")
            return redirect("two_factor:setup")
        return self.get_response(request)
