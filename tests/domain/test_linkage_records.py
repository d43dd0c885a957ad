"""CSV validation: each error names file, row and column."""

from pathlib import Path

import pytest

from ketenzicht.domain.linkage import LinkageInputError, parse_date, read_registrations

HEADER = (
    "bron,registratie_id,voornaam,achternaam,geboortedatum,geslacht,nationaliteit,gemeente_code\n"
)


def _csv(tmp_path: Path, body: str, name: str = "a.csv", header: str = HEADER) -> Path:
    p = tmp_path / name
    p.write_text(header + body, encoding="utf-8")
    return p


def test_dates_iso_and_dutch_order() -> None:
    assert parse_date("1990-03-04") == parse_date("04-03-1990") == parse_date("4/3/1990")
    assert parse_date("") is None
    with pytest.raises(ValueError):
        parse_date("1990-02-30")
    with pytest.raises(ValueError):
        parse_date("03/04/90")


def test_reads_and_normalises(tmp_path: Path) -> None:
    f = _csv(tmp_path, "politie,1,Jan,de Vries,04-03-1990,m,nld,gm0363\npolitie,2,,,,,,\n")
    a, b = read_registrations([f])
    assert a.geboortedatum is not None and a.geboortedatum.isoformat() == "1990-03-04"
    assert (a.geslacht, a.nationaliteit, a.gemeente_code) == ("M", "NLD", "GM0363")
    assert b.voornaam is None and b.geboortedatum is None


def test_missing_column(tmp_path: Path) -> None:
    f = _csv(tmp_path, "x,1,a\n", header="bron,registratie_id,voornaam\n")
    with pytest.raises(LinkageInputError) as e:
        read_registrations([f])
    assert e.value.file == str(f) and e.value.row == 1 and e.value.column == "achternaam"
    assert "ontbrekende kolom" in str(e.value) and str(f) in str(e.value)


def test_unparseable_date_names_row_and_column(tmp_path: Path) -> None:
    f = _csv(tmp_path, "p,1,Jan,Berg,1990-01-01,,,\np,2,Piet,Berg,31-31-1990,,,\n")
    with pytest.raises(LinkageInputError) as e:
        read_registrations([f])
    assert (e.value.row, e.value.column) == (3, "geboortedatum")


@pytest.mark.parametrize(
    "row,column", [(",1,Jan,,,,,\n", "bron"), ("p, ,Jan,,,,,\n", "registratie_id")]
)
def test_empty_key_fields(tmp_path: Path, row: str, column: str) -> None:
    with pytest.raises(LinkageInputError) as e:
        read_registrations([_csv(tmp_path, row)])
    assert (e.value.row, e.value.column) == (2, column)


def test_duplicate_within_and_across_files(tmp_path: Path) -> None:
    f = _csv(tmp_path, "p,1,Jan,,,,,\np,1,Piet,,,,,\n")
    with pytest.raises(LinkageInputError, match="dubbele") as e:
        read_registrations([f])
    assert e.value.row == 3
    g = _csv(tmp_path, "p,1,Jan,,,,,\n", name="b.csv")
    h = _csv(tmp_path, "p,1,Jan,,,,,\n", name="c.csv")
    with pytest.raises(LinkageInputError, match="dubbele") as e:
        read_registrations([g, h])
    assert e.value.file == str(h) and str(g) in str(e.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LinkageInputError, match="kan niet worden geopend"):
        read_registrations([tmp_path / "nope.csv"])
