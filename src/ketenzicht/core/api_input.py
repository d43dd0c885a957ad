"""What the API accepts as a body before any view sees it.

- JSON only (415 otherwise), parsed with a nesting limit: deeply nested input made the standard
  parser raise RecursionError (an HTML 500); here it is a 400 problem+json.
- No lone surrogates anywhere (keys or values): they cannot be stored as UTF-8 and used to
  surface as a 500 from the database driver.
- Bodies larger than API_MAX_BODY_BYTES are refused with 413 before they are read
  (`ApiBodyLimitMiddleware`, which also covers bodies without a Content-Length).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 20
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_structure(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """Why `value` is refused (too deep, lone surrogate), or None. Iterative: no recursion."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > max_depth:
                return _("De JSON is te diep genest (meer dan %(n)d niveaus).") % {"n": max_depth}
            children = list(item.items()) if isinstance(item, dict) else [(None, v) for v in item]
            for key, child in children:
                if isinstance(key, str) and _SURROGATE.search(key):
                    return _("Een sleutel bevat een ongeldig teken (een losse surrogaat).")
                stack.append((child, depth + 1))
        elif isinstance(item, str) and _SURROGATE.search(item):
            return _("Een waarde bevat een ongeldig teken (een losse surrogaat).")
    return None


class SafeJSONParser(JSONParser):
    """DRF's JSON parser with a depth limit and a surrogate check; every failure is a 400."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: dict[str, Any] | None = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("De JSON is te diep genest.")) from exc
        except ParseError as exc:
            raise ParseError(_("De inhoud is geen geldige JSON.")) from exc
        reason = check_structure(data)
        if reason:
            raise ParseError(reason)
        return data


def _too_large(request: HttpRequest) -> HttpResponse:
    from ketenzicht.core.api import problem_response

    limit = settings.API_MAX_BODY_BYTES // 1024
    return problem_response(413, _("Het verzoek is te groot (meer dan %(n)d KiB).") % {"n": limit}, code="te-groot", instance=request.path)


class ApiBodyLimitMiddleware:
    """413 problem+json for an /api/ body over the limit, before anything reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.API_MAX_BODY_BYTES:
                return _too_large(request)
            if length == 0 and request.META.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
                body = request.read(settings.API_MAX_BODY_BYTES + 1)
                if len(body) > settings.API_MAX_BODY_BYTES:
                    return _too_large(request)
                request._body = body  # type: ignore[attr-defined]
        return self.get_response(request)
