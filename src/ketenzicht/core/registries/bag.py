"""BAG address lookup through a PDOK-Locatieserver-like API.

`GET {base}/free?q=<address>&fq=type:adres&rows=1` answers
`{"response": {"numFound": n, "docs": [{"gemeentecode": "0638", ...}]}}`; the first document
is the best match. Only the municipality is used today (routing a report to the municipality
where it happened); the other fields come along for the AF's enrichment later.

The address is personal data in the context of a signal: it goes to the registry (a
government source under its own agreement) and nowhere else: not into log lines, not into
exception messages.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from ketenzicht.core.registries import RegistryUnavailable

logger = logging.getLogger(__name__)

_CBS_DIGITS = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class AddressMatch:
    municipality_code: str  # CBS code with prefix, as in accounts.Municipality: "GM0638"
    municipality_name: str
    postcode: str
    house_number: str
    street: str
    city: str


class BagClient:
    def __init__(self, base_url: str, timeout: float = 3.0, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    def lookup(self, address: str) -> AddressMatch | None:
        """The best-matching address, or None when the registry knows none.

        Raises RegistryUnavailable on a timeout, a connection error, an error status or an
        answer that is not the expected JSON.
        """
        query = " ".join(address.split())
        if not query:
            return None
        try:
            response = self.session.get(
                f"{self.base_url}/free",
                params={"q": query, "fq": "type:adres", "rows": 1},
                timeout=self.timeout,
                headers={"Accept": "application/json"},
            )
        except requests.Timeout as exc:
            logger.warning("bag lookup timed out after %ss", self.timeout)
            raise RegistryUnavailable("BAG: geen antwoord binnen de wachttijd") from exc
        except requests.RequestException as exc:
            logger.warning("bag lookup failed: %s", type(exc).__name__)
            raise RegistryUnavailable("BAG: niet bereikbaar") from exc
        if response.status_code != 200:
            logger.warning("bag lookup answered status=%s", response.status_code)
            raise RegistryUnavailable(f"BAG: status {response.status_code}")
        try:
            return _parse(response.json())
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            logger.warning("bag lookup answer malformed: %s", type(exc).__name__)
            raise RegistryUnavailable("BAG: onleesbaar antwoord") from exc


def _parse(payload: Any) -> AddressMatch | None:
    docs = payload["response"]["docs"]
    if not isinstance(docs, list):
        raise TypeError("docs is not a list")
    if not docs:
        return None
    doc = docs[0]
    code = str(doc["gemeentecode"])
    if not _CBS_DIGITS.match(code):
        raise ValueError("gemeentecode is not four digits")
    return AddressMatch(
        municipality_code=f"GM{code}",
        municipality_name=str(doc.get("gemeentenaam", "")),
        postcode=str(doc.get("postcode", "")),
        house_number=str(doc.get("huisnummer", "")),
        street=str(doc.get("straatnaam", "")),
        city=str(doc.get("woonplaatsnaam", "")),
    )


def bag_client() -> BagClient | None:
    """The configured client, or None when BAG_API_URL is empty (adapter disabled)."""
    if not settings.BAG_API_URL:
        return None
    return BagClient(settings.BAG_API_URL, timeout=settings.BAG_API_TIMEOUT)
