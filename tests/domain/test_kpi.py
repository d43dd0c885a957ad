"""Quarter arithmetic and green/orange/red evaluation of the district KPIs (domain/kpi.py)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketenzicht.domain.kpi import (
    KpiError,
    Period,
    Quarter,
    Status,
    Target,
    evaluate,
    parse_targets,
    period_span,
)

CONTROLS = Target("controles_nla", "Controles met NLA", 4, Period.KWARTAAL)
CAMPAIGN = Target("campagnes", "Campagne", 1, Period.JAAR)


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 1, 1), Quarter(2026, 1)), (date(2026, 3, 31), Quarter(2026, 1)),
    (date(2026, 4, 1), Quarter(2026, 2)), (date(2026, 12, 31), Quarter(2026, 4)),
])
def test_quarter_of_a_date(day: date, expected: Quarter) -> None:
    assert Quarter.of(day) == expected


def test_quarter_bounds_navigation_and_parsing() -> None:
    q1 = Quarter.parse("2024-Q1")
    assert (q1.start, q1.end) == (date(2024, 1, 1), date(2024, 3, 31))
    assert Quarter(2026, 4).end == date(2026, 12, 31)
    assert Quarter(2026, 4).next() == Quarter(2027, 1) and Quarter(2027, 1).previous() == Quarter(2026, 4)
    assert Quarter.parse("2026q3") == Quarter(2026, 3) and str(Quarter(2026, 3)) == "2026-Q3"
    for bad in ("2026-Q5", "Q3 2026", ""):
        with pytest.raises(KpiError):
            Quarter.parse(bad)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_day_lies_in_exactly_its_quarter(day: date) -> None:
    q = Quarter.of(day)
    assert q.contains(day) and not q.next().contains(day) and not q.previous().contains(day)
    assert (q.next().start - q.end).days == 1  # quarters are contiguous


def test_quarterly_target_green_orange_red() -> None:
    q = Quarter(2026, 2)
    during, after = date(2026, 5, 15), date(2026, 7, 10)
    assert evaluate(CONTROLS, 4, q, during) is Status.GROEN
    assert evaluate(CONTROLS, 0, q, during) is Status.ORANJE  # still running: can still be met
    assert evaluate(CONTROLS, 2, q, after) is Status.ORANJE  # ended, half the target reached
    assert evaluate(CONTROLS, 1, q, after) is Status.ROOD
    assert evaluate(CONTROLS, 0, q, after) is Status.ROOD


def test_yearly_target_is_measured_over_the_whole_year() -> None:
    assert period_span(CAMPAIGN, Quarter(2026, 2)) == (date(2026, 1, 1), date(2026, 12, 31))
    # No campaign yet in Q2: orange, the year still runs; after the year: red.
    assert evaluate(CAMPAIGN, 0, Quarter(2026, 2), date(2026, 5, 1)) is Status.ORANJE
    assert evaluate(CAMPAIGN, 0, Quarter(2026, 4), date(2027, 1, 2)) is Status.ROOD
    assert evaluate(CAMPAIGN, 1, Quarter(2026, 1), date(2026, 2, 1)) is Status.GROEN


def test_targets_from_data_are_validated() -> None:
    targets = parse_targets([{"code": "a", "naam": "A", "minimum": 4, "periode": "kwartaal", "oranje_fractie": 0.75}])
    assert targets[0].minimum == 4 and targets[0].period is Period.KWARTAAL
    assert evaluate(targets[0], 2, Quarter(2026, 1), date(2026, 5, 1)) is Status.ROOD  # 2 < 0.75 × 4
    for bad in (
        [{"code": "a", "naam": "A", "minimum": 0, "periode": "kwartaal"}],
        [{"code": "a", "naam": "A", "minimum": 1, "periode": "maand"}],
        [{"code": "a", "naam": "A", "periode": "jaar"}],
        [{"code": "a", "naam": "A", "minimum": 1, "periode": "jaar"}] * 2,
    ):
        with pytest.raises(KpiError):
            parse_targets(bad)
