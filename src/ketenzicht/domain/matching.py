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


# --- hit/no-hit across the region (issue 14 item 2) -------------------------------------------
# The verwijsindex-like check compares a case with the signals of the other municipalities of the
# region. Addresses and KvK numbers match on the keys above; company names and persons use the
# linkage's name rules (`domain.linkage.names`: diacritics, particles, "v.d."), and a person also
# tolerates a typo (Jaro-Winkler ≥ 0.92 per name part, as the linkage's "both names" level) and a
# swap of given name and surname, but only with the same birth date: a name alone matches too many.
_LEGAL_FORMS = frozenset({"bv", "b v", "nv", "vof", "v o f", "cv", "holding", "stichting", "vereniging", "eenmanszaak"})
PERSON_SIMILARITY = 0.92


def company_name_key(name: str) -> str:
    """'Uitzendbureau De Bollen B.V.' and 'uitzendbureau de bollen' give the same key."""
    from ketenzicht.domain.linkage.names import fold

    text = " " + fold(name.replace(".", "")) + " "
    for form in sorted(_LEGAL_FORMS, key=len, reverse=True):
        text = text.replace(f" {form} ", " ")
    return " ".join(text.split())


def person_tokens(name: str) -> tuple[str, ...]:
    """The comparable parts of a full name: folded, particles left out ('Jan v.d. Berg' → jan, berg)."""
    from ketenzicht.domain.linkage.names import PARTICLES, fold

    tokens = fold(name).split()
    kept = tuple(t for t in tokens if t not in PARTICLES and t not in {"van", "der", "den"})
    return kept or tuple(tokens[-1:])


def same_person(name_a: str, birth_a: date | None, name_b: str, birth_b: date | None) -> bool:
    """Same birth date and the same name parts, allowing a typo per part and any order."""
    from itertools import permutations

    from jellyfish import jaro_winkler_similarity

    if birth_a is None or birth_b is None or birth_a != birth_b:
        return False
    a, b = person_tokens(name_a), person_tokens(name_b)
    if not a or not b or len(a) != len(b) or len(a) > 4:
        return bool(a) and a == b
    return any(
        all(jaro_winkler_similarity(x, y) >= PERSON_SIMILARITY for x, y in zip(a, order, strict=True))
        for order in permutations(b)
    )
