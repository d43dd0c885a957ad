"""Importing an action table: every faulty row reported by file, row and column; good rows read."""

from __future__ import annotations

from datetime import date

from ketenzicht.domain.action_table import parse_action_table
from ketenzicht.domain.programme import Rag, WhenKind

HEADER = ["Nr", "Pijler", "Doel", "Actie", "Wie", "Wanneer", "Status", "Toelichting"]


def _where(result: object) -> list[tuple[int | None, str | None]]:
    return [(e.row, e.column) for e in result.errors]  # type: ignore[attr-defined]


def test_a_sound_table_is_read_row_by_row() -> None:
    result = parse_action_table([
        HEADER,
        ["1.1", "Signaleren", "Herkennen", "Training voor Boa's", "AF", "Jaarlijks, Q2 en Q4", "Groen", "Gepland"],
        ["", "", "", "", "", "", "", ""],  # empty lines between pillars are skipped
        ["1.2", "Signaleren", "", "DPIA opstellen", "", "Q3 2024", "", ""],
    ], file="acties.csv")
    assert result.ok and not result.warnings
    first, second = result.rows
    assert (first.row, first.number, first.status, first.when.kind) == (2, "1.1", Rag.GROEN, WhenKind.TERUGKEREND)
    assert (second.row, second.when.due, second.status) == (4, date(2024, 9, 30), None)


def test_aliases_and_unknown_columns() -> None:
    result = parse_action_table([["Wat", "Planning", "Trekker", "Budget"], ["Campagne", "Doorlopend", "RIEC", "10k"]], file="a.csv")
    assert result.ok
    assert result.rows[0].what == "Campagne" and result.rows[0].who == "RIEC"
    assert result.warnings == ["Kolommen genegeerd (niet bekend): Budget."]


def test_each_faulty_row_is_reported_with_row_and_column_and_nothing_is_read() -> None:
    result = parse_action_table([
        HEADER,
        ["1", "P", "", "", "AF", "Q3 2024", "", ""],  # no action
        ["2", "P", "", "Iets", "AF", "binnenkort", "", ""],  # unreadable when
        ["3", "P", "", "Iets", "AF", "Q1 2025", "paars", ""],  # unknown status
        ["3", "P", "", "Nog iets", "AF", "Q1 2025", "", ""],  # number used twice
        ["4", "P", "", "x" * 1001, "AF", "2025", "", ""],  # too long
        ["5", "P", "", "Goed", "AF", "2025", "rood", "ok"],
    ], file="acties.xlsx")
    assert not result.ok
    assert _where(result) == [(2, "actie"), (3, "wanneer"), (4, "status"), (5, "nr"), (6, "actie")]
    assert all(str(e).startswith("acties.xlsx, rij ") for e in result.errors)
    assert "ook in rij 4" in result.errors[3].reason
    assert [r.number for r in result.rows] == ["5"]  # only sound rows are read; the app writes none of them


def test_missing_required_columns_are_named() -> None:
    result = parse_action_table([["nr", "pijler", "wie"], ["1", "P", "AF"]], file="oud.csv")
    assert _where(result) == [(1, None)]
    assert "'actie'" in result.errors[0].reason and "'wanneer'" in result.errors[0].reason


def test_a_doubled_column_is_refused() -> None:
    result = parse_action_table([["actie", "wanneer", "Actie"], ["a", "2025", "b"]], file="d.csv")
    assert "meer dan één keer" in result.errors[0].reason


def test_empty_file_and_header_only() -> None:
    assert "leeg" in parse_action_table([], file="e.csv").errors[0].reason
    assert "geen acties" in parse_action_table([HEADER], file="e.csv").errors[0].reason
