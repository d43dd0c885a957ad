"""django-csp's middleware, with the policy's text built once instead of on every answer.

No view here sets a policy of its own (`csp.decorators`) or uses a nonce, so every answer carries
the same Content-Security-Policy. The library builds that text anew for each response, twice
(the policy and the report-only one) and from a deep copy of the settings: about 70 µs of the
busiest requests (the intake, issue 19). Here it is built once per configuration; an answer with
a policy of its own, or a request that took a nonce, goes through the library unchanged.
"""

from __future__ import annotations

import copy
import http.client
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

_OWN_POLICY = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_DEBUG_EXEMPT = (http.client.INTERNAL_SERVER_ERROR, http.client.NOT_FOUND)
_built: list[Any] = []  # [(config, report-only config, ((header, text, exempt attribute, excluded prefixes), …))]


def _policies() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    config = getattr(settings, "CONTENT_SECURITY_POLICY", None)
    config_ro = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
    if _built and _built[0][0] == config and _built[0][1] == config_ro:
        return _built[0][2]
    policies = tuple(
        (header, text, exempt, tuple((conf or {}).get("EXCLUDE_URL_PREFIXES", None) or ()))
        for header, text, exempt, conf in (
            (HEADER, build_policy(), "_csp_exempt", config),
            (HEADER_REPORT_ONLY, build_policy(report_only=True), "_csp_exempt_ro", config_ro),
        )
        if text
    )
    # Copies: a configuration changed in place (a test's override) is seen as changed.
    _built[:] = [(copy.deepcopy(config), copy.deepcopy(config_ro), policies)]
    return policies


class CSPMiddleware(LibraryCSPMiddleware):
    def process_response(self, request: Any, response: Any) -> Any:
        if getattr(request, "_csp_nonce", None) is not None or any(hasattr(response, name) for name in _OWN_POLICY):
            return super().process_response(request, response)
        if response.status_code in _DEBUG_EXEMPT and settings.DEBUG:
            return response
        for header, text, exempt, excluded in _policies():
            # As the library: only where no header is set, the answer is not exempt, the path not excluded.
            if header not in response and getattr(response, exempt, False) is False and not request.path_info.startswith(excluded):
                response[header] = text
        # As the library: a nonce asked for after the header was written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
