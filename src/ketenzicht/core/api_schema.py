"""A drf-spectacular post-processing hook: every operation documents its problem+json answers.

The middleware, the parser and the error handlers (core/api.py, core/api_input.py) can answer
any operation with these statuses, so the OpenAPI document says so for every operation,
including operations other parts add later; a view's own description of a status wins.
"""

from __future__ import annotations

from typing import Any

from ketenzicht.core.api import PROBLEM_CONTENT_TYPE

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "application/problem+json (RFC 9457).",
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": "string"},
        "invalidParams": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "code": {"type": "string"}, "reason": {"type": "string"}},
                "required": ["name", "code", "reason"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}

ALWAYS = {
    400: "Ongeldig verzoek (bijvoorbeeld een ongeldige queryparameter); invalidParams noemt wat.",
    401: "Niet ingelogd: geen of een ongeldig token.",
    403: "Geen toegang tot deze bewerking of dit object.",
    406: "Alleen application/json kan worden geleverd.",
    429: "Te veel verzoeken; zie Retry-After.",
    500: "Interne fout; er wordt nooit een foutspoor getoond.",
}
WITH_PATH_PARAMETERS = {404: "Bestaat niet (ook bij een ongeldig formaat van de sleutel in het pad)."}
WITH_BODY = {
    400: "Ongeldige invoer (ook ongeldige JSON, te diep genest of met een losse surrogaat); invalidParams noemt het veld.",
    413: "Het verzoek is te groot.",
    415: "Alleen application/json.",
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def document_problems(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            extra = dict(ALWAYS)
            if "{" in path:
                extra.update(WITH_PATH_PARAMETERS)
            if "requestBody" in operation:
                extra.update(WITH_BODY)
            responses = operation.setdefault("responses", {})
            for status, description in extra.items():
                responses.setdefault(str(status), _problem(description))
            # A view may have described a problem status without a body schema: give it one.
            for status, response in responses.items():
                if status.startswith(("4", "5")) and not response.get("content"):
                    response["content"] = _problem(response.get("description", ""))["content"]
            retry = responses["429"].setdefault("headers", {})
            retry.setdefault("Retry-After", {"schema": {"type": "integer"}, "description": "Seconden tot een nieuwe poging kan."})
    return result
