"""One way to call a registry over HTTP: timeouts, error statuses and unreadable answers all
become `RegistryUnavailable` naming the source and the kind of failure, never the data."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import requests

from ketenzicht.core.registries import GARBAGE, STATUS, TIMEOUT, UNREACHABLE, RegistryUnavailable

logger = logging.getLogger(__name__)

# Answers larger than this are not what any of these APIs sends for one object.
MAX_BYTES = 2_000_000


def request_json(
    session: requests.Session,
    method: str,
    url: str,
    *,
    source: str,
    timeout: float,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    json_body: Any = None,
    not_found: bool = False,
) -> Any:
    """The parsed JSON answer; `None` for a 404 when `not_found` (the registry knows no such thing).

    `source` is the registry's name as the user reads it ("BAG (Kadaster)"); it is the only
    thing besides the failure kind that reaches logs and messages.
    """
    try:
        response = session.request(
            method,
            url,
            params=params,
            json=json_body,
            headers={"Accept": "application/json", **(headers or {})},
            timeout=timeout,
        )
    except requests.Timeout as exc:
        logger.warning("registry timeout source=%s after=%ss", source, timeout)
        raise RegistryUnavailable(f"{source}: geen antwoord binnen de wachttijd", source=source, kind=TIMEOUT, timeout=timeout) from exc
    except requests.RequestException as exc:
        logger.warning("registry unreachable source=%s error=%s", source, type(exc).__name__)
        raise RegistryUnavailable(f"{source}: niet bereikbaar", source=source, kind=UNREACHABLE) from exc
    if response.status_code == 404 and not_found:
        return None
    if response.status_code != 200:
        logger.warning("registry status source=%s status=%s", source, response.status_code)
        raise RegistryUnavailable(f"{source}: status {response.status_code}", source=source, kind=STATUS, status=response.status_code)
    if len(response.content) > MAX_BYTES:
        logger.warning("registry answer too large source=%s", source)
        raise RegistryUnavailable(f"{source}: onleesbaar antwoord", source=source, kind=GARBAGE)
    try:
        data = response.json()
    except ValueError as exc:
        logger.warning("registry answer malformed source=%s", source)
        raise RegistryUnavailable(f"{source}: onleesbaar antwoord", source=source, kind=GARBAGE) from exc
    if data is None:  # JSON null: no API here answers that; None is kept for "not found"
        raise garbage(source, ValueError("null"))
    return data


def garbage(source: str, exc: Exception) -> RegistryUnavailable:
    """The answer parsed as JSON but is not the shape the API promises."""
    logger.warning("registry answer malformed source=%s error=%s", source, type(exc).__name__)
    return RegistryUnavailable(f"{source}: onleesbaar antwoord", source=source, kind=GARBAGE)
