"""Keys for finding earlier signals on the same address, company or person.

Deliberately simple and explainable: exact matches on normalised keys. Fuzzy person linkage
across partners lives in `domain.linkage` (the monitor); here the AF must be able to see why
two signals were put side by side.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_POSTCODE = re.compile(r"\b(\d{4})\s?([A-Za-z]{2})\b")
_HOUSE_NUMBER = re.compile(r"\b(\d+)\s*([A-Za-z]?)\b")


def _ascii_lower(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def address_key(address: str) -> str:
    """'Dorpsstraat 12a, 2381 AB Zoeterwoude' and '2381ab 12 A' give the same key.

    With a postcode the key is postcode + house number (the Dutch unique address); without it,
    the street and number with spacing and case folded.
    """
    text = _ascii_lower(address.strip())
    if not text:
        return ""
    postcode = _POSTCODE.search(text)
    if postcode:
        rest = text[: postcode.start()] + " " + text[postcode.end() :]
        number = _HOUSE_NUMBER.search(rest)
        suffix = f"{number.group(1)}{number.group(2)}" if number else ""
        return f"{postcode.group(1)}{postcode.group(2)}:{suffix}"
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def name_key(name: str, birth_date: date | None) -> str:
    """A person key only when there is a birth date: a name alone matches too many people."""
    if not name.strip() or birth_date is None:
        return ""
    tokens = sorted(re.sub(r"[^a-z ]+", " ", _ascii_lower(name)).split())
    return f"{' '.join(tokens)}|{birth_date.isoformat()}"


def kvk_key(kvk: str) -> str:
    digits = re.sub(r"\D", "", kvk)
    return digits if len(digits) == 8 else ""
