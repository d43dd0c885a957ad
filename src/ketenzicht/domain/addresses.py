"""Dutch postcodes, house numbers and KvK numbers as people type them (pure, no Django).

Registries are asked by postcode + huisnummer (+ huisletter, huisnummertoevoeging) and by an
eight-digit KvK number; these functions turn typed text into those parts, or say it is not
one. `guess_query` reads them out of a free-text address to prefill a lookup form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_POSTCODE = re.compile(r"^\s*([1-9]\d{3})\s?([A-Za-z]{2})\s*$")
_POSTCODE_IN_TEXT = re.compile(r"\b([1-9]\d{3})\s?([A-Za-z]{2})\b")
# 3 | 3A | 3 a | 3-A | 12-2 | 12 bis | 3A-1 | 3 A 1
_HOUSE_NUMBER = re.compile(r"^\s*(\d{1,5})\s*(?:-?\s*([A-Za-z])(?![A-Za-z0-9]))?\s*(?:[-\s]\s*([A-Za-z0-9]{1,4}))?\s*$")
_NUMBER_AFTER_STREET = re.compile(r"[A-Za-zÀ-ÿ.'’)]\s+(\d{1,5}(?:\s*-?\s*[A-Za-z](?![A-Za-z]))?(?:-[A-Za-z0-9]{1,4})?)(?=\s*(?:,|$)|\s+[A-Za-zÀ-ÿ])")
_KVK = re.compile(r"^\s*(\d{8})\s*$")
_KVK_SPACED = re.compile(r"^\s*(\d{2})[\s.]?(\d{2})[\s.]?(\d{2})[\s.]?(\d{2})\s*$")


@dataclass(frozen=True)
class AddressQuery:
    postcode: str  # "2381AB"
    house_number: int
    letter: str = ""  # huisletter, one letter, upper case
    addition: str = ""  # huisnummertoevoeging, up to four letters or digits


def parse_postcode(text: str) -> str | None:
    match = _POSTCODE.match(text or "")
    return f"{match.group(1)}{match.group(2).upper()}" if match else None


def parse_house_number(text: str) -> tuple[int, str, str] | None:
    """(number, letter, addition) from "3", "3a", "12-2", "3A-1"; None when it is no house number."""
    match = _HOUSE_NUMBER.match(text or "")
    if not match or int(match.group(1)) == 0:
        return None
    return int(match.group(1)), (match.group(2) or "").upper(), match.group(3) or ""


def parse_query(postcode: str, house_number: str) -> AddressQuery | None:
    code, number = parse_postcode(postcode), parse_house_number(house_number)
    if code is None or number is None:
        return None
    return AddressQuery(code, number[0], number[1], number[2])


def guess_query(address: str) -> dict[str, str]:
    """Postcode and house number as written in a free-text address, for prefilling; may be empty."""
    guess: dict[str, str] = {}
    text = address or ""
    postcode = _POSTCODE_IN_TEXT.search(text)
    if postcode:
        guess["postcode"] = f"{postcode.group(1)} {postcode.group(2).upper()}"
        text = text[: postcode.start()] + "," + text[postcode.end() :]
    number = _NUMBER_AFTER_STREET.search(text)
    if number:
        guess["huisnummer"] = re.sub(r"\s+", "", number.group(1))
    return guess


def parse_kvk(text: str) -> str | None:
    """An eight-digit KvK number ("12345678", "12 34 56 78", "12.34.56.78"), or None."""
    match = _KVK.match(text or "") or _KVK_SPACED.match(text or "")
    return "".join(match.groups()) if match else None
