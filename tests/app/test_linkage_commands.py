"""The linkage commands as a partner and the monitor's operator run them: files in, files out,
and bad input refused with the file, row and column named."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

HEADER = ["bron", "registratie_id", "voornaam", "achternaam", "geboortedatum", "geslacht", "nationaliteit", "gemeente_code"]


def _write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _people(bron: str, start: int) -> list[list[str]]:
    names = [("Marieke", "Dijkstra", "1985-06-01"), ("Wojciech", "Zielinski", "1979-02-03"), ("Ioana", "Munteanu", "1991-09-09"),
             ("Hendrik", "van der Heijden", "1966-04-05"), ("Anna", "Kowalska", "2001-12-24"), ("Piet", "Jansen", "1970-02-03")]
    return [[bron, f"{bron}{start + i}", v, a, d, "", "", "GM0638"] for i, (v, a, d) in enumerate(names)]


def _clusters(path: Path) -> dict[tuple[str, str], str]:
    with path.open(encoding="utf-8") as handle:
        return {(r["bron"], r["registratie_id"]): r["persoon_id"] for r in csv.DictReader(handle)}


def test_plain_link_writes_one_person_per_registration_and_the_overlap(tmp_path: Path) -> None:
    police = _write(tmp_path / "politie.csv", _people("politie", 1))
    care = _write(tmp_path / "zorg.csv", _people("zorg", 1)[:3] + [["zorg", "z9", "Kees", "Bakker", "1960-01-01", "", "", "GM0553"]])
    out, overlap = tmp_path / "clusters.csv", tmp_path / "overlap.csv"
    stdout = io.StringIO()
    call_command("link", str(police), str(care), "--out", str(out), "--overlap", str(overlap), stdout=stdout)
    clusters = _clusters(out)
    assert len(clusters) == 10
    for i in (1, 2, 3):
        assert clusters[("politie", f"politie{i}")] == clusters[("zorg", f"zorg{i}")]
    assert len(set(clusters.values())) == 7
    assert "10 registrations -> 7 persons" in stdout.getvalue()
    rows = list(csv.reader(overlap.open(encoding="utf-8")))
    assert rows[0] == ["politie", "zorg", "count"]
    assert sorted(map(tuple, rows[1:])) == [("0", "1", "1"), ("1", "0", "3"), ("1", "1", "3")]


def test_encoded_round_trip_links_without_names(tmp_path: Path) -> None:
    key = tmp_path / "sleutel.key"
    key.write_bytes(b"een-gedeelde-geheime-sleutel-van-de-partners")
    files = []
    for bron, rows in (("politie", _people("politie", 1)), ("zorg", _people("zorg", 1)[:3])):
        plain = _write(tmp_path / f"{bron}.csv", rows)
        encoded = tmp_path / f"{bron}.enc.csv"
        call_command("encode", str(plain), "--key", str(key), "--out", str(encoded), stdout=io.StringIO())
        text = encoded.read_text(encoding="utf-8")
        assert "Dijkstra" not in text and "1985" not in text
        files.append(str(encoded))
    out = tmp_path / "clusters.csv"
    call_command("link", "--encoded", *files, "--out", str(out), stdout=io.StringIO())
    clusters = _clusters(out)
    assert clusters[("politie", "politie1")] == clusters[("zorg", "zorg1")]
    assert len(set(clusters.values())) == 6


def test_bad_input_names_file_row_and_column(tmp_path: Path) -> None:
    missing = _write(tmp_path / "oud.csv", [["politie", "1", "Jan"]], header=["bron", "registratie_id", "voornaam"])
    with pytest.raises(CommandError, match=r"oud\.csv.*achternaam"):
        call_command("link", str(missing), "--out", str(tmp_path / "o.csv"))
    bad_date = _write(tmp_path / "datum.csv", [["politie", "1", "Jan", "Jansen", "31-02-1980", "", "", "GM0638"]])
    with pytest.raises(CommandError) as info:
        call_command("link", str(bad_date), "--out", str(tmp_path / "o.csv"))
    assert "datum.csv" in str(info.value) and "rij 2" in str(info.value) and "geboortedatum" in str(info.value)
    with pytest.raises(CommandError, match="not both"):
        call_command("link", str(bad_date), "--encoded", str(bad_date), "--out", str(tmp_path / "o.csv"))


def test_encode_a_monitor_file_replaces_only_the_identity_columns(tmp_path: Path) -> None:
    key = tmp_path / "sleutel.key"
    key.write_bytes(b"een-gedeelde-geheime-sleutel-van-de-partners\n")
    plain = _write(
        tmp_path / "politie.csv",
        [["R-1", "2025-03-04", "GM0638", "melding", "arbeid", "Marieke", "Dijkstra", "1985-06-01", "V", "NLD"]],
        header=["registratie_id", "datum", "gemeente_code", "eenheid", "vorm", "voornaam", "achternaam", "geboortedatum", "geslacht", "nationaliteit"],
    )
    out = tmp_path / "politie.enc.csv"
    stdout = io.StringIO()
    call_command("encode", str(plain), "--key", str(key), "--out", str(out), stdout=stdout)
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0] == ["registratie_id", "datum", "gemeente_code", "eenheid", "vorm", "sleutel_id", "schema", "clk"]
    assert rows[1][:5] == ["R-1", "2025-03-04", "GM0638", "melding", "arbeid"]
    assert "Dijkstra" not in out.read_text(encoding="utf-8")
    assert "1 registraties gecodeerd" in stdout.getvalue()
    with pytest.raises(CommandError, match=r"politie\.enc\.csv.*al gecodeerd"):
        call_command("encode", str(out), "--key", str(key), "--out", str(tmp_path / "x.csv"))
