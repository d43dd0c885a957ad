"""Haal Centraal BRP bewoning: how many people are registered at an address (a count, no names).

`POST {base}/bewoningen` with `{"type": "BewoningMetPeildatum", "adresseerbaarObjectIdentificatie":
"0638010000012345", "peildatum": "2026-11-25"}` answers `{"bewoningen": [{"bewoners": [...],
"mogelijkeBewoners": [...], "indicatieVeelBewoners": false, ...}]}`. Only municipalities have
access (their own addresses), through their own BRP connection; no public source gives the
number of registered occupants. Ketenzicht keeps only the counts: the persons in the answer
(burgerservicenummers) are counted and dropped, never stored, shown or logged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import requests
from django.conf import settings

from ketenzicht.core.registries.http import garbage, request_json

SOURCE = "De BRP (bewoning)"
_BAG_ID = re.compile(r"^\d{16}$")


@dataclass(frozen=True)
class Occupancy:
    registered: int  # persons registered at the address on the date
    possibly: int  # persons whose registration there is uncertain on the date
    many: bool  # the BRP says more than 100
    on: date


class BewoningClient:
    def __init__(self, base_url: str, api_key: str, timeout: float = 3.0, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.session = session or requests.Session()

    def occupancy(self, adresseerbaar_object_id: str, on: date) -> Occupancy:
        if not _BAG_ID.match(adresseerbaar_object_id):
            raise ValueError("not a BAG adresseerbaar object id")
        payload = request_json(
            self.session,
            "POST",
            f"{self.base_url}/bewoningen",
            source=SOURCE,
            timeout=self.timeout,
            headers={"X-Api-Key": self.api_key} if self.api_key else {},
            json_body={"type": "BewoningMetPeildatum", "adresseerbaarObjectIdentificatie": adresseerbaar_object_id, "peildatum": on.isoformat()},
        )
        try:
            return _count(payload, on)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise garbage(SOURCE, exc) from exc


def _count(payload: Any, on: date) -> Occupancy:
    bewoningen = payload["bewoningen"]
    if not isinstance(bewoningen, list):
        raise TypeError("bewoningen is not a list")
    registered = possibly = 0
    many = False
    for bewoning in bewoningen[:1]:  # one peildatum: one composition of residents
        residents, maybe = bewoning.get("bewoners") or [], bewoning.get("mogelijkeBewoners") or []
        if not isinstance(residents, list) or not isinstance(maybe, list):
            raise TypeError("bewoners is not a list")
        registered, possibly = len(residents), len(maybe)
        many = bewoning.get("indicatieVeelBewoners") is True
    return Occupancy(registered=registered, possibly=possibly, many=many, on=on)


def bewoning_client() -> BewoningClient | None:
    """The configured client, or None when BRP_BEWONING_API_URL is empty (adapter disabled)."""
    if not settings.BRP_BEWONING_API_URL:
        return None
    return BewoningClient(settings.BRP_BEWONING_API_URL, settings.BRP_BEWONING_API_KEY, timeout=settings.BRP_BEWONING_API_TIMEOUT)
