"""BAG API Individuele Bevragingen (Kadaster, v2): what an address is used for and how large it is.

`GET {base}/adressenuitgebreid?postcode=2381AB&huisnummer=3[&huisletter=A][&huisnummertoevoeging=1]
&exacteMatch=true` with the API key in `X-Api-Key` answers (HAL)
`{"_embedded": {"adressen": [{"openbareRuimteNaam", "huisnummer", "postcode", "woonplaatsNaam",
"nummeraanduidingIdentificatie", "adresseerbaarObjectIdentificatie", "typeAdresseerbaarObject",
"gebruiksdoelen": ["woonfunctie"], "oppervlakte": 85, "oorspronkelijkBouwjaar": ["1931"], ...}]}}`;
no match is an answer without `_embedded` (or with an empty list). This source needs a key
(free, on request at the Kadaster); it is the one that gives gebruiksdoel and oppervlakte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from ketenzicht.core.registries.http import garbage, request_json

SOURCE = "De BAG (Kadaster)"
_BAG_ID = re.compile(r"^\d{16}$")
_USES = {
    "woonfunctie", "bijeenkomstfunctie", "celfunctie", "gezondheidszorgfunctie", "industriefunctie", "kantoorfunctie",
    "logiesfunctie", "onderwijsfunctie", "sportfunctie", "winkelfunctie", "overige gebruiksfunctie",
}


@dataclass(frozen=True)
class BagObject:
    address_line: str
    nummeraanduiding_id: str
    adresseerbaar_object_id: str
    object_type: str  # Verblijfsobject, Standplaats or Ligplaats
    gebruiksdoelen: tuple[str, ...]
    oppervlakte: int | None  # m², verblijfsobjecten only
    bouwjaar: str


class BagIbClient:
    def __init__(self, base_url: str, api_key: str, timeout: float = 3.0, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.session = session or requests.Session()

    def address(self, postcode: str, house_number: int, letter: str = "", addition: str = "") -> BagObject | None:
        params: dict[str, Any] = {"postcode": postcode, "huisnummer": house_number, "exacteMatch": "true"}
        if letter:
            params["huisletter"] = letter
        if addition:
            params["huisnummertoevoeging"] = addition
        payload = request_json(
            self.session,
            "GET",
            f"{self.base_url}/adressenuitgebreid",
            source=SOURCE,
            timeout=self.timeout,
            params=params,
            headers={"X-Api-Key": self.api_key, "Accept": "application/hal+json"},
        )
        try:
            return _parse(payload)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise garbage(SOURCE, exc) from exc


def _parse(payload: Any) -> BagObject | None:
    if not isinstance(payload, dict):
        raise TypeError("answer is not an object")
    found = (payload.get("_embedded") or {}).get("adressen") or []
    if not isinstance(found, list):
        raise TypeError("adressen is not a list")
    if not found:
        return None
    doc = found[0]
    nummeraanduiding, object_id = str(doc["nummeraanduidingIdentificatie"]), str(doc.get("adresseerbaarObjectIdentificatie", ""))
    if not _BAG_ID.match(nummeraanduiding) or (object_id and not _BAG_ID.match(object_id)):
        raise ValueError("not a BAG identifier")
    uses = doc.get("gebruiksdoelen") or []
    if not isinstance(uses, list) or any(u not in _USES for u in uses):
        raise ValueError("unknown gebruiksdoel")
    area = doc.get("oppervlakte")
    if area is not None and (not isinstance(area, int) or isinstance(area, bool) or area < 1):
        raise ValueError("oppervlakte is not a positive whole number")
    number = f"{int(doc['huisnummer'])}{doc.get('huisletter', '') or ''}"
    if doc.get("huisnummertoevoeging"):
        number += f"-{doc['huisnummertoevoeging']}"
    street, city = str(doc["openbareRuimteNaam"]), str(doc["woonplaatsNaam"])
    built = doc.get("oorspronkelijkBouwjaar") or []
    return BagObject(
        address_line=f"{street} {number}, {doc.get('postcode', '')} {city}".replace(",  ", ", "),
        nummeraanduiding_id=nummeraanduiding,
        adresseerbaar_object_id=object_id,
        object_type=str(doc.get("typeAdresseerbaarObject", "")),
        gebruiksdoelen=tuple(uses),
        oppervlakte=area,
        bouwjaar=str(built[0]) if isinstance(built, list) and built else "",
    )


def bag_ib_client() -> BagIbClient | None:
    """The configured client, or None when BAG_IB_API_URL is empty (adapter disabled)."""
    if not settings.BAG_IB_API_URL:
        return None
    return BagIbClient(settings.BAG_IB_API_URL, settings.BAG_IB_API_KEY, timeout=settings.BAG_API_TIMEOUT)
