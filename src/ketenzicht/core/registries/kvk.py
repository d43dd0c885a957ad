"""KvK Basisprofiel API (v1): a company by its KvK number.

`GET {base}/v1/basisprofielen/{kvkNummer}` with the key in the `apikey` header answers
`{"kvkNummer": "68750110", "naam": "...", "sbiActiviteiten": [{"sbiCode": "5610",
"sbiOmschrijving": "Restaurants", "indHoofdactiviteit": "Ja"}], "_embedded": {"hoofdvestiging":
{"adressen": [{"type": "bezoekadres", "indAfgeschermd": "Nee", "volledigAdres": "...",
"straatnaam", "huisnummer", "postcode", "plaats"}]}}}`; an unknown number is a 404. A shielded
address (`indAfgeschermd: "Ja"`) is not shown. The owner of a sole proprietorship is a person:
Ketenzicht reads only the name of the business, its activities and its address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from ketenzicht.core.registries.http import garbage, request_json

SOURCE = "Het Handelsregister (KvK)"
_KVK = re.compile(r"^\d{8}$")
_SBI = re.compile(r"^\d{2,6}$")


@dataclass(frozen=True)
class SbiActivity:
    code: str
    description: str
    main: bool


@dataclass(frozen=True)
class CompanyProfile:
    kvk_number: str
    name: str
    activities: tuple[SbiActivity, ...]
    address: str  # the visiting address of the main branch; "" when none or shielded
    address_shielded: bool

    @property
    def main_activity(self) -> SbiActivity | None:
        return next((a for a in self.activities if a.main), self.activities[0] if self.activities else None)


class KvkClient:
    def __init__(self, base_url: str, api_key: str, timeout: float = 3.0, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.session = session or requests.Session()

    def profile(self, kvk_number: str) -> CompanyProfile | None:
        """The company with this KvK number, or None when the register knows none."""
        if not _KVK.match(kvk_number):
            raise ValueError("a KvK number has eight digits")
        payload = request_json(
            self.session,
            "GET",
            f"{self.base_url}/v1/basisprofielen/{kvk_number}",
            source=SOURCE,
            timeout=self.timeout,
            headers={"apikey": self.api_key},
            not_found=True,
        )
        if payload is None:
            return None
        try:
            return _parse(payload, kvk_number)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise garbage(SOURCE, exc) from exc


def _parse(payload: Any, asked: str) -> CompanyProfile:
    if str(payload["kvkNummer"]) != asked:
        raise ValueError("the answer is about another company")
    name = payload["naam"]
    if not isinstance(name, str) or not name.strip():
        raise ValueError("no name")
    activities = []
    for entry in payload.get("sbiActiviteiten") or []:
        code = str(entry["sbiCode"])
        if not _SBI.match(code):
            raise ValueError("not an SBI code")
        activities.append(SbiActivity(code, str(entry.get("sbiOmschrijving", "")), entry.get("indHoofdactiviteit") == "Ja"))
    branch = (payload.get("_embedded") or {}).get("hoofdvestiging") or {}
    addresses = branch.get("adressen") or []
    if not isinstance(addresses, list):
        raise TypeError("adressen is not a list")
    visiting = next((a for a in addresses if a.get("type") == "bezoekadres"), addresses[0] if addresses else None)
    shielded = bool(visiting) and visiting.get("indAfgeschermd") == "Ja"
    address = ""
    if visiting and not shielded:
        address = str(visiting.get("volledigAdres") or "").strip() or _compose(visiting)
    return CompanyProfile(kvk_number=asked, name=name.strip(), activities=tuple(activities), address=address, address_shielded=shielded)


def _compose(address: dict[str, Any]) -> str:
    street = " ".join(str(address.get(k, "") or "") for k in ("straatnaam", "huisnummer", "huisletter")).strip()
    place = " ".join(str(address.get(k, "") or "") for k in ("postcode", "plaats")).strip()
    return ", ".join(part for part in (street, place) if part)


def kvk_client() -> KvkClient | None:
    """The configured client, or None when KVK_API_URL is empty (adapter disabled)."""
    if not settings.KVK_API_URL:
        return None
    return KvkClient(settings.KVK_API_URL, settings.KVK_API_KEY, timeout=settings.KVK_API_TIMEOUT)
