"""Encoding a delivery file: identity columns out, encodings in, every other cell unchanged."""

import base64

import pytest

from ketenzicht.domain.linkage import EncodingKey, LinkageInputError
from ketenzicht.domain.linkage.bloom import ENCODED_BYTES, SCHEME
from ketenzicht.domain.linkage.delivery import encode_file, parse_csv

KEY = EncodingKey(b"gedeelde-sleutel-0123456789")
MONITOR = (
    "registratie_id;datum;gemeente_code;eenheid;voornaam;achternaam;geboortedatum;geslacht;nationaliteit;vorm\r\n"
    'R-1;2025-03-04;GM0638;melding;Jan;"van der Berg";04-03-1990;m;nld;arbeid\r\n'
    "\r\n"
    'R-2;2025-03-05; GM0553 ;slachtoffer;Anna;Nowak;;V;POL;"seksueel;""x"""\r\n'
)


def _rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    return [cells for _, cells in parse_csv(text, ";" if text.count(";") > text.count(",") else ",", file="x")]


def test_monitor_file_keeps_every_other_cell_and_its_separator() -> None:
    out = encode_file("levering.csv", ("\ufeff" + MONITOR).encode(), KEY)
    rows = _rows(out)
    assert rows[0] == ["registratie_id", "datum", "gemeente_code", "eenheid", "sleutel_id", "schema", "clk", "vorm"]
    assert [r[:4] + r[7:] for r in rows[1:]] == [
        ["R-1", "2025-03-04", "GM0638", "melding", "arbeid"],
        ["R-2", "2025-03-05", " GM0553 ", "slachtoffer", 'seksueel;"x"'],
    ]
    for r in rows[1:]:
        assert r[4] == KEY.fingerprint and r[5] == SCHEME
        assert len(base64.b64decode(r[6])) == ENCODED_BYTES
    text = out.decode("utf-8")
    assert "Jan" not in text and "Berg" not in text and "1990" not in text and "POL" not in text
    assert text.splitlines()[2].endswith('"seksueel;""x"""')
    assert not text.startswith("\ufeff") and "\r" not in text


def test_linkage_file_gives_the_linkage_columns() -> None:
    data = b"bron,registratie_id,voornaam,achternaam,geboortedatum,geslacht,nationaliteit,gemeente_code\npolitie,1,Jan,Berg,1990-03-04,M,NLD,GM0363\n"
    rows = _rows(encode_file("p.csv", data, KEY))
    assert rows[0] == ["bron", "registratie_id", "sleutel_id", "schema", "clk"]
    assert rows[1][:2] == ["politie", "1"]


def test_same_person_same_encoding_in_both_formats() -> None:
    link = b"bron,registratie_id,voornaam,achternaam,geboortedatum,geslacht,nationaliteit,gemeente_code\np,1,Jan,Berg,1990-03-04,M,NLD,GM0363\n"
    monitor = b"registratie_id,datum,gemeente_code,eenheid,voornaam,achternaam,geboortedatum,geslacht,nationaliteit\n1,2025-01-01,GM0363,melding,Jan,Berg,04-03-1990,man,nld\n"
    assert _rows(encode_file("a", link, KEY))[1][4] == _rows(encode_file("b", monitor, KEY))[1][6]


@pytest.mark.parametrize(
    ("data", "row", "column", "fragment"),
    [
        (b"registratie_id,datum,eenheid,gemeente_code\nR-1,2025-01-01,melding,GM0638\n", 1, None, "geen identiteitskolommen"),
        (b"datum,eenheid,voornaam\n2025-01-01,melding,Jan\n", 1, "registratie_id", "ontbreekt"),
        (b"registratie_id,datum,eenheid,voornaam,geboortedatum\nR-1,2025-01-01,melding,Jan,1990-02-30\n", 2, "geboortedatum", "bestaat niet"),
        (b"registratie_id,datum,eenheid,voornaam\nR-1,2025-01-01,melding,Jan\nR-1,2025-01-01,melding,Piet\n", 3, "registratie_id", "ook op rij 2"),
        (b"registratie_id,datum,eenheid,voornaam\n,2025-01-01,melding,Jan\n", 2, "registratie_id", "verplicht"),
        (b"registratie_id,datum,eenheid,voornaam\nR-1,2025-01-01,melding,Jan,extra\n", 2, None, "cellen"),
        (b'registratie_id,datum,eenheid,voornaam\nR-1,2025-01-01,melding,"Jan\n', 2, None, "aanhalingsteken"),
        (b"registratie_id,datum,eenheid,sleutel_id,schema,clk\nR-1,2025-01-01,melding,a,b,c\n", 1, "sleutel_id", "al gecodeerd"),
        (b"registratie_id,datum,eenheid,voornaam\n", 2, None, "geen gegevensregels"),
        (b"PK\x03\x04rest", None, None, "Excel"),
        ("registratie_id,voornaam\nR-1,Zoë\n".encode("latin-1"), None, None, "UTF-8"),
    ],
)
def test_bad_files_are_refused_naming_row_and_column(data: bytes, row: int | None, column: str | None, fragment: str) -> None:
    with pytest.raises(LinkageInputError) as info:
        encode_file("levering.csv", data, KEY)
    assert fragment in str(info.value)
    assert (info.value.file, info.value.row, info.value.column) == ("levering.csv", row, column)
