"""Postcodes, house numbers and KvK numbers as people type them."""

from __future__ import annotations

import pytest

from ketenzicht.domain.addresses import (
    AddressQuery,
    guess_query,
    parse_house_number,
    parse_kvk,
    parse_postcode,
    parse_query,
)


@pytest.mark.parametrize(("text", "expected"), [("2381AB", "2381AB"), ("2381 ab", "2381AB"), (" 2381  AB", None), ("0381AB", None), ("2381A", None), ("23811AB", None), ("", None)])
def test_postcode(text: str, expected: str | None) -> None:
    assert parse_postcode(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", (3, "", "")), ("3a", (3, "A", "")), ("3 A", (3, "A", "")), ("12-2", (12, "", "2")), ("12 bis", (12, "", "bis")), ("3A-1", (3, "A", "1")), ("0", None), ("drie", None), ("123456", None), ("3 abcde", None)],
)
def test_house_number(text: str, expected: tuple[int, str, str] | None) -> None:
    assert parse_house_number(text) == expected


def test_query_needs_both() -> None:
    assert parse_query("2381 AB", "3a") == AddressQuery("2381AB", 3, "A", "")
    assert parse_query("2381 AB", "") is None and parse_query("", "3") is None


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Dorpsstraat 3, 2381 AB Zoeterwoude", {"postcode": "2381 AB", "huisnummer": "3"}),
        ("Dorpsstr. 3 Zoeterwoude", {"huisnummer": "3"}),
        ("Hoofdstraat 12a-2, 2161AB Lisse", {"postcode": "2161 AB", "huisnummer": "12a-2"}),
        ("achter de kerk", {}),
        ("", {}),
    ],
)
def test_guess_from_free_text(address: str, expected: dict[str, str]) -> None:
    assert guess_query(address) == expected


@pytest.mark.parametrize(("text", "expected"), [("12345678", "12345678"), (" 12 34 56 78 ", "12345678"), ("12.34.56.78", "12345678"), ("1234567", None), ("123456789", None), ("1234567a", None)])
def test_kvk_number(text: str, expected: str | None) -> None:
    assert parse_kvk(text) == expected
