"""BAG addresses through the PDOK Locatieserver (free, no key).

`GET {base}/free?q=<query>&fq=type:adres&rows=1` answers
`{"response": {"numFound": n, "docs": [{"gemeentecode": "0638", ...}]}}`; the first document
is the best match. Two uses:
- intake (`lookup`): a free-text address → the municipality, to route a report;
- enrichment (`lookup_postcode`): postcode + huisnummer → the official address, its BAG ids
  (nummeraanduiding, adresseerbaar object) and the municipality. The Locatieserver gives no
  gebruiksdoel, oppervlakte or occupants; see `bag_ib` and `brp` for those.

The address is personal data in the context of a signal: it goes to the registry (a
government source under its own agreement) and nowhere else: not into log lines, not into
exception messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import requests
from django.conf import settings

from ketenzicht.core.registries.http import garbage, request_json

SOURCE = "De BAG (PDOK Locatieserver)"
_CBS_DIGITS = re.compile(r"^\d{4}$")
_BAG_ID = re.compile(r"^\d{16}$")


@dataclass(frozen=True)
class AddressMatch:
    municipality_code: str  # CBS code with prefix, as in accounts.Municipality: "GM0638"
    municipality_name: str
    postcode: str
    house_number: str
    street: str
    city: str


@dataclass(frozen=True)
class LocatedAddress:
    """An address as the Locatieserver knows it, with its BAG identifiers."""

    address_line: str  # "Dorpsstraat 3, 2381AB Zoeterwoude"
    street: str
    house_number: str  # with letter and addition: "3A-1"
    postcode: str
    city: str
    municipality_code: str
    municipality_name: str
    nummeraanduiding_id: str
    adresseerbaar_object_id: str


class BagClient:
    def __init__(self, base_url: str, timeout: float = 3.0, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    def _search(self, query: str) -> Any:
        payload = request_json(
            self.session,
            "GET",
            f"{self.base_url}/free",
            source=SOURCE,
            timeout=self.timeout,
            params={"q": query, "fq": "type:adres", "rows": 1},
        )
        try:
            docs = payload["response"]["docs"]
            if not isinstance(docs, list):
                raise TypeError("docs is not a list")
        except (TypeError, KeyError) as exc:
            raise garbage(SOURCE, exc) from exc
        return docs

    def lookup(self, address: str) -> AddressMatch | None:
        """The best-matching address, or None when the registry knows none.

        Raises RegistryUnavailable on a timeout, a connection error, an error status or an
        answer that is not the expected JSON.
        """
        query = " ".join(address.split())
        if not query:
            return None
        docs = self._search(query)
        try:
            return _parse(docs)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise garbage(SOURCE, exc) from exc

    def lookup_postcode(self, postcode: str, house_number: int, letter: str = "", addition: str = "") -> LocatedAddress | None:
        """The address at postcode + huisnummer (+ huisletter, toevoeging), or None.

        `postcode` is normalised ("2381AB"); the query uses the Locatieserver's field syntax,
        so a street of the same name elsewhere never matches.
        """
        query = f"postcode:{postcode} and huisnummer:{house_number}"
        if letter:
            query += f" and huisletter:{letter}"
        if addition:
            query += f" and huisnummertoevoeging:{addition}"
        docs = self._search(query)
        if not docs:
            return None
        try:
            return _located(docs[0])
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise garbage(SOURCE, exc) from exc


def _parse(docs: list[Any]) -> AddressMatch | None:
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


def _located(doc: dict[str, Any]) -> LocatedAddress:
    code = str(doc["gemeentecode"])
    nummeraanduiding = str(doc.get("nummeraanduiding_id", ""))
    object_id = str(doc.get("adresseerbaarobject_id", ""))
    if not _CBS_DIGITS.match(code) or (nummeraanduiding and not _BAG_ID.match(nummeraanduiding)) or (object_id and not _BAG_ID.match(object_id)):
        raise ValueError("not a BAG address document")
    street, city, postcode = str(doc["straatnaam"]), str(doc["woonplaatsnaam"]), str(doc.get("postcode", ""))
    number = str(int(doc["huisnummer"])) + str(doc.get("huisletter", "") or "")
    if doc.get("huisnummertoevoeging"):
        number += f"-{doc['huisnummertoevoeging']}"
    return LocatedAddress(
        address_line=f"{street} {number}, {postcode} {city}".replace(",  ", ", "),
        street=street,
        house_number=number,
        postcode=postcode,
        city=city,
        municipality_code=f"GM{code}",
        municipality_name=str(doc.get("gemeentenaam", "")),
        nummeraanduiding_id=nummeraanduiding,
        adresseerbaar_object_id=object_id,
    )


def bag_client() -> BagClient | None:
    """The configured client, or None when BAG_API_URL is empty (adapter disabled)."""
    if not settings.BAG_API_URL:
        return None
    return BagClient(settings.BAG_API_URL, timeout=settings.BAG_API_TIMEOUT)
