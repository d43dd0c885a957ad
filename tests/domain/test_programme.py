"""The action programme's rules: 'when' as people write it, recurrence, RAG history, overdue
logic, training coverage, report periods and the redaction of names."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketenzicht.domain.programme import (
    DeadlineState,
    Frequency,
    ProgrammeInputError,
    Rag,
    Recurrence,
    ReportPeriod,
    StatusEntry,
    TargetGroup,
    WhenKind,
    coverage,
    days_overdue,
    deadline_state,
    is_stale,
    parse_rag,
    parse_when,
    rag_counts,
    status_on,
)
from ketenzicht.domain.redaction import MARK, redact


# --- when ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "due", "label"),
    [
        ("Q3 2024", date(2024, 9, 30), "Q3 2024"),
        ("q1 2026", date(2026, 3, 31), "Q1 2026"),
        ("2026-Q2", date(2026, 6, 30), "Q2 2026"),
        ("Q4|2021", date(2021, 12, 31), "Q4 2021"),
        ("(2022)", date(2022, 12, 31), "2022"),
        ("H1 2026", date(2026, 6, 30), "H1 2026"),
        ("juni 2026", date(2026, 6, 30), "Juni 2026"),
        ("februari 2028", date(2028, 2, 29), "Februari 2028"),
        ("2026-07-15", date(2026, 7, 15), "15-07-2026"),
        ("15-07-2026", date(2026, 7, 15), "15-07-2026"),
    ],
)
def test_one_deadline_is_the_last_day_of_what_was_written(text: str, due: date, label: str) -> None:
    when = parse_when(text)
    assert when.kind == WhenKind.DATUM
    assert when.due == due
    assert when.label == label


def test_ongoing_actions_have_no_deadline() -> None:
    when = parse_when("Doorlopend")
    assert when.kind == WhenKind.DOORLOPEND
    assert when.deadlines(date(2020, 1, 1), date(2030, 12, 31)) == []


def test_vanaf_alone_is_ongoing_from_then() -> None:
    when = parse_when("vanaf Q4 2021")
    assert when.kind == WhenKind.DOORLOPEND
    assert "Q4 2021" in when.label


@pytest.mark.parametrize("text", ["", "   ", "binnenkort", "Q5 2026", "31-02-2026", "2026-13-01", "vanaf morgen", "elke dinsdag"])
def test_unreadable_when_is_refused_with_how_to_write_it(text: str) -> None:
    with pytest.raises(ProgrammeInputError) as info:
        parse_when(text)
    message = str(info.value)
    assert "Q3 2026" in message or "bestaande datum" in message or "vanaf" in message


# --- recurrence ----------------------------------------------------------------------------------
def test_yearly_in_q2_and_q4_is_due_end_of_june_and_december() -> None:
    when = parse_when("Jaarlijks, Q2 en Q4")
    assert when.kind == WhenKind.TERUGKEREND
    assert when.recurrence == Recurrence(Frequency.JAARLIJKS, quarters=(2, 4))
    assert when.deadlines(date(2025, 1, 1), date(2026, 12, 31)) == [
        date(2025, 6, 30), date(2025, 12, 31), date(2026, 6, 30), date(2026, 12, 31),
    ]
    assert when.label == "Jaarlijks, Q2 en Q4"


def test_plain_yearly_is_due_at_the_end_of_each_year() -> None:
    assert parse_when("jaarlijks").deadlines(date(2024, 3, 1), date(2026, 6, 30)) == [date(2024, 12, 31), date(2025, 12, 31)]


def test_quarterly_half_yearly_and_monthly() -> None:
    assert parse_when("Elk kwartaal").deadlines(date(2026, 1, 1), date(2026, 12, 31)) == [
        date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31),
    ]
    assert parse_when("halfjaarlijks").deadlines(date(2026, 1, 1), date(2026, 12, 31)) == [date(2026, 6, 30), date(2026, 12, 31)]
    monthly = parse_when("maandelijks").deadlines(date(2028, 1, 1), date(2028, 3, 31))
    assert monthly == [date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31)]


def test_recurrence_counts_only_from_its_start() -> None:
    when = parse_when("Jaarlijks, Q2 en Q4, vanaf Q4 2025")
    assert when.deadlines(date(2025, 1, 1), date(2026, 12, 31)) == [date(2025, 12, 31), date(2026, 6, 30), date(2026, 12, 31)]


def test_an_empty_or_reversed_window_has_no_occurrences() -> None:
    assert parse_when("Elk kwartaal").deadlines(date(2026, 5, 1), date(2026, 5, 31)) == []
    assert parse_when("Elk kwartaal").deadlines(date(2026, 12, 31), date(2026, 1, 1)) == []


@given(st.dates(date(2000, 1, 1), date(2090, 1, 1)), st.integers(0, 2000), st.sampled_from(["jaarlijks", "Jaarlijks, Q2", "halfjaarlijks", "elk kwartaal", "maandelijks"]))
def test_occurrences_lie_in_the_window_in_order_without_doubles(start: date, span: int, text: str) -> None:
    end = start + timedelta(days=span)
    dues = parse_when(text).deadlines(start, end)
    assert dues == sorted(set(dues))
    assert all(start <= d <= end for d in dues)
    # Each occurrence is a month's last day.
    assert all((d + timedelta(days=1)).day == 1 for d in dues)


# --- status history -----------------------------------------------------------------------------
def _at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00")


def test_status_on_a_day_is_the_last_status_set_up_to_that_day() -> None:
    history = [
        StatusEntry(_at("2026-02-01"), Rag.GROEN, "Gestart"),
        StatusEntry(_at("2026-04-10"), Rag.ORANJE, "Vertraging bij de planning"),
        StatusEntry(_at("2026-05-01"), None, "Alleen een notitie"),
        StatusEntry(_at("2026-08-01"), Rag.GROEN, "Weer op koers"),
    ]
    assert status_on(history, date(2026, 1, 31)) is None
    assert status_on(history, date(2026, 2, 1)) == Rag.GROEN
    assert status_on(history, date(2026, 6, 30)) == Rag.ORANJE  # the note did not change it
    assert status_on(history, date(2026, 12, 31)) == Rag.GROEN


def test_history_order_does_not_matter_but_a_later_entry_at_the_same_moment_wins() -> None:
    a = StatusEntry(_at("2026-03-01"), Rag.ROOD)
    b = StatusEntry(_at("2026-03-01"), Rag.ORANJE)
    c = StatusEntry(_at("2026-01-01"), Rag.GROEN)
    assert status_on([c, a, b], date(2026, 3, 1)) == Rag.ORANJE
    assert status_on([b, a, c], date(2026, 3, 1)) == Rag.ROOD


def test_stale_when_no_status_for_half_a_year() -> None:
    history = [StatusEntry(_at("2026-01-10"), Rag.GROEN), StatusEntry(_at("2026-06-01"), None, "notitie")]
    assert not is_stale(history, date(2026, 7, 12))
    assert is_stale(history, date(2026, 7, 13))  # notes do not refresh the status
    assert is_stale([], date(2026, 1, 1))


def test_a_status_set_just_after_midnight_in_the_netherlands_counts_on_that_day() -> None:
    set_at = datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 00:30 on 1 April in Amsterdam
    history = [StatusEntry(datetime(2026, 1, 5, 9, tzinfo=UTC), Rag.GROEN), StatusEntry(set_at, Rag.ROOD)]
    assert status_on(history, date(2026, 3, 31)) == Rag.GROEN
    assert status_on(history, date(2026, 4, 1)) == Rag.ROOD
    assert not is_stale(history, date(2026, 9, 30)) and is_stale(history, date(2026, 10, 2))


def test_rag_counts_include_actions_without_status() -> None:
    assert rag_counts([Rag.GROEN, None, Rag.ROOD, Rag.GROEN]) == {"groen": 2, "oranje": 0, "rood": 1, "geen": 1}


@pytest.mark.parametrize(("text", "rag"), [("Groen", Rag.GROEN), (" ORANJE ", Rag.ORANJE), ("rood", Rag.ROOD), ("", None), ("amber", Rag.ORANJE)])
def test_parse_rag(text: str, rag: Rag | None) -> None:
    assert parse_rag(text) == rag


def test_unknown_rag_names_the_choices() -> None:
    with pytest.raises(ProgrammeInputError, match="groen, oranje of rood"):
        parse_rag("paars")


# --- overdue ------------------------------------------------------------------------------------
TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("due", "done", "state"),
    [
        (date(2026, 11, 22), None, DeadlineState.TE_LAAT),
        (date(2026, 11, 23), None, DeadlineState.BINNENKORT),  # the day itself is still in time
        (date(2026, 12, 23), None, DeadlineState.BINNENKORT),  # 30 days ahead
        (date(2026, 12, 24), None, DeadlineState.GEPLAND),
        (date(2025, 1, 1), date(2026, 11, 1), DeadlineState.AFGEROND),  # late but done
    ],
)
def test_deadline_state(due: date, done: date | None, state: DeadlineState) -> None:
    assert deadline_state(due, done, TODAY) == state


def test_days_overdue() -> None:
    assert days_overdue(date(2026, 11, 20), TODAY) == 3
    assert days_overdue(date(2026, 12, 1), TODAY) == 0


# --- coverage ------------------------------------------------------------------------------------
def test_coverage_counts_groups_with_at_least_their_target_trained() -> None:
    groups = [
        TargetGroup("boa", headcount=6),
        TargetGroup("bwt", headcount=4, target=3),
        TargetGroup("wmo", headcount=8),
        TargetGroup("leerplicht"),
    ]
    result = coverage(groups, {"boa": 5, "bwt": 2, "leerplicht": 1, "jongerenwerk": 4})
    by_function = {g.function: g for g in result.groups}
    assert by_function["boa"].covered and by_function["boa"].share == pytest.approx(5 / 6)
    assert not by_function["bwt"].covered  # 2 of the 3 required
    assert not by_function["wmo"].covered and by_function["wmo"].trained == 0
    assert by_function["leerplicht"].covered and by_function["leerplicht"].share is None
    assert (result.covered, result.total, result.percent, result.complete) == (2, 4, 50, False)
    assert result.missing == ["bwt", "wmo"]
    assert result.untargeted == {"jongerenwerk": 4}  # reported apart, never counted


def test_coverage_is_complete_only_when_every_group_is_trained() -> None:
    assert coverage([TargetGroup("boa")], {"boa": 1}).complete
    assert not coverage([], {"boa": 3}).complete
    assert coverage([], {}).percent is None


def test_coverage_percent_rounds_down() -> None:
    groups = [TargetGroup(f) for f in ("a", "b", "c")]
    assert coverage(groups, {"a": 1, "b": 1}).percent == 66


def test_a_target_above_the_headcount_is_capped_and_share_is_capped_at_one() -> None:
    result = coverage([TargetGroup("boa", headcount=2, target=5)], {"boa": 7})
    assert result.groups[0].target == 2 and result.groups[0].covered and result.groups[0].share == 1.0


def test_coverage_refuses_doubles_and_negative_numbers() -> None:
    with pytest.raises(ProgrammeInputError, match="twee keer"):
        coverage([TargetGroup("boa"), TargetGroup("boa")], {})
    with pytest.raises(ProgrammeInputError, match="negatief"):
        coverage([TargetGroup("boa")], {"boa": -1})


# --- report periods -----------------------------------------------------------------------------
def test_report_periods() -> None:
    h1 = ReportPeriod.parse("2026H1")
    assert (h1.start, h1.end, h1.kind, h1.code, h1.label) == (date(2026, 1, 1), date(2026, 6, 30), "halfjaar", "2026H1", "H1 2026")
    year = ReportPeriod.parse("2025")
    assert (year.start, year.end, year.kind) == (date(2025, 1, 1), date(2025, 12, 31), "jaar")
    assert ReportPeriod.parse(" 2026-h2 ") == ReportPeriod(2026, 2)
    assert ReportPeriod.last_completed_half(date(2026, 7, 2)) == ReportPeriod(2026, 1)
    assert ReportPeriod.last_completed_half(date(2027, 1, 2)) == ReportPeriod(2026, 2)
    with pytest.raises(ProgrammeInputError, match="2026H1"):
        ReportPeriod.parse("2026H3")


# --- redaction ------------------------------------------------------------------------------------
def test_redaction_replaces_whole_names_in_any_case_and_html_escaped() -> None:
    text = "Overleg met ANNA DE VRIES en anna@example.test; O&#x27;Brien belt. Annabel niet."
    result, count = redact(text, ["Anna de Vries", "anna@example.test", "O'Brien", "Li"])
    assert "de vries" not in result.lower() and "anna@example.test" not in result
    assert "Brien" not in result
    assert "Annabel" in result  # a longer word is not a name match
    assert count == 3 and result.count(MARK) == 3


def test_redaction_matches_names_across_line_breaks() -> None:
    result, count = redact("verantwoordelijk: Fleur\n  van Dijk", ["Fleur van Dijk"])
    assert count == 1 and "Dijk" not in result
