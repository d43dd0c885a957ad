"""Cross-cutting views: home, health check."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from ketenzicht.core import policy
from ketenzicht.core.api import api_error_page
from ketenzicht.core.decorators import policy_view

# Where each person starts: the first place their role works in.
START_PAGES = [
    ("case.queue", "cases:queue"),
    ("partner.inbox", "routing:partner_inbox"),
    ("case.list_own_reports", "intake:own_reports"),
    ("monitor.view", "monitor:overview"),
    ("meeting.list", "meetings:list"),
    ("audit.view", "audit:log"),
    ("users.manage", "accounts:users"),
]


@policy_view("app.home")
def home(request: HttpRequest) -> HttpResponse:
    for action, url_name in START_PAGES:
        if policy.can(request.user, action):
            return redirect(url_name)
    return render(request, "core/home.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the app and its database answer, 503 otherwise (for load balancers)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out on POST (a GET shows the button, so a link cannot log someone out)."""
    from django.contrib.auth import logout

    if request.method == "POST":
        logout(request)
        return redirect("two_factor:login")
    return render(request, "core/logout.html")


# Error pages: generic, with no path, query or object named (they may hold personal data).
# Under /api/ every error is problem+json (core/api.py), whatever raised it.
def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_error_page(request, 400)
    return render(request, "errors/400.html", {"lang_next": "/"}, status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_error_page(request, 403)
    return render(request, "errors/403.html", {"lang_next": "/"}, status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return api_error_page(request, 404)
    return render(request, "errors/404.html", {"lang_next": "/"}, status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return api_error_page(request, 500)
    return render(request, "errors/500.html", {"lang_next": "/"}, status=500)
