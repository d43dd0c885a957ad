"""API plumbing: access through the policy module, errors as problem+json (RFC 9457)."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler

from ketenzicht.core.errors import ServiceError

PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Ongeldige invoer",
    401: "Niet ingelogd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    406: "Niet aanvaardbaar",
    409: "Conflict",
    413: "Verzoek te groot",
    415: "Niet-ondersteund formaat",
    422: "Niet verwerkbaar",
    429: "Te veel verzoeken",
    500: "Interne fout",
}


class ProblemJSONRenderer(JSONRenderer):
    media_type = PROBLEM_CONTENT_TYPE


def _invalid_params(detail: Any, prefix: str = "") -> list[dict[str, str]]:
    params: list[dict[str, str]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            params.extend(_invalid_params(value, name))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, (dict, list)):
                params.extend(_invalid_params(value, f"{prefix}[{index}]" if prefix else str(index)))
            else:
                params.append({"name": prefix or "nonFieldErrors", "code": getattr(value, "code", "invalid"), "reason": str(value)})
    else:
        params.append({"name": prefix or "nonFieldErrors", "code": getattr(detail, "code", "invalid"), "reason": str(detail)})
    return params


def _problem_body(status_code: int, detail: str, *, title: str | None = None, code: str = "", instance: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://ketenzicht.nl/problemen/{code or status_code}",
        "title": title or TITLES.get(status_code, "Fout"),
        "status": status_code,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if instance:
        body["instance"] = instance
    return body


def problem_response(status_code: int, detail: str, *, code: str = "", instance: str = "") -> HttpResponse:
    """problem+json outside DRF: URL-resolver 404s, 500s, the body limit (no request parsing)."""
    body = _problem_body(status_code, detail, code=code, instance=instance)
    return HttpResponse(json.dumps(body, ensure_ascii=False), status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def api_error_page(request: HttpRequest, status_code: int) -> HttpResponse:
    """The answer of Django's error handlers for /api/ paths: never HTML, never a trace."""
    details = {
        400: "Het verzoek kon niet worden gelezen.",
        403: "U heeft geen toegang tot deze bron.",
        404: "Deze bron bestaat niet. Zie /api/v1/openapi.json voor de paden.",
        500: "Er ging iets mis aan onze kant. Het is vastgelegd; probeer het later opnieuw.",
    }
    # The path may hold personal data only if a client put it there; it is the client's own.
    return problem_response(status_code, details.get(status_code, "Fout."), instance=request.path[:200])


def problem(status_code: int, detail: str, *, title: str | None = None, code: str = "", invalid_params: list[dict[str, str]] | None = None, instance: str = "") -> Response:
    body: dict[str, Any] = {
        "type": f"https://ketenzicht.nl/problemen/{code or status_code}",
        "title": title or TITLES.get(status_code, "Fout"),
        "status": status_code,
        "detail": detail,
    }
    if code:
        body["code"] = code
    if instance:
        body["instance"] = instance
    if invalid_params:
        body["invalidParams"] = invalid_params
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    request = context.get("request")
    if isinstance(exc, ServiceError):
        # A service refused: its Dutch message and code, as on the page (core/errors.py).
        return problem(exc.status, exc.message, code=exc.code, instance=request.path if request is not None else "")
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    instance = request.path if request is not None else ""
    if isinstance(exc, exceptions.ValidationError):
        result = problem(
            status.HTTP_400_BAD_REQUEST,
            "Een of meer velden zijn ongeldig; zie invalidParams.",
            code="ongeldige-invoer",
            invalid_params=_invalid_params(exc.detail),
            instance=instance,
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        result = problem(response.status_code, str(detail), code=getattr(exc, "default_code", ""), instance=instance)
    for header in ("WWW-Authenticate", "Retry-After", "Allow"):
        if header in response:
            result[header] = response[header]
    return result
