"""The `API-Version` response header on every /api/v1/ answer (Dutch API design rules, API-57).

A middleware rather than a DRF hook so that errors raised before a view runs (404 on an
unknown path, 401, 429) carry the header too. The version comes from the OpenAPI settings,
so the document and the header never disagree.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/v1/"


class ApiVersionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.version = settings.SPECTACULAR_SETTINGS["VERSION"]

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(API_PREFIX):
            response["API-Version"] = self.version
        return response
