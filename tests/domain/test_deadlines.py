"""Norms per region and deadline arithmetic: working days, holidays, time zones, schedules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from ketenzicht.domain.deadlines import (
    Norms,
    NormsError,
    ReminderStage,
    Schedule,
    load_norms,
    parse_norms,
)

AMS = ZoneInfo("Europe/Amsterdam")


def test_den_haag_norms_file_is_valid_and_names_the_tables() -> None:
    norms = load_norms("den-haag")
    assert norms.first_assessment_days == 5
    assert norms.feedback_days_after_decision == 10
    slugs = {t.slug: t.soort.value for t in norms.tables}
    assert slugs["signalenoverleg"] == "signalenoverleg" and slugs["loo"] == "loo"
    assert "casusoverleg-zvh" in slugs


def test_region_without_file_gets_defaults() -> None:
    assert load_norms("bestaat-niet") == Norms(regio="bestaat-niet")


def test_feedback_due_skips_weekend_and_easter() -> None:
    norms = Norms(feedback_days_after_decision=3)
    # Thursday 2 April 2026 11:00; Good Friday is a working day by default, Easter Monday is not.
    decided = datetime(2026, 4, 2, 11, 0, tzinfo=AMS)
    assert norms.feedback_due(decided) == date(2026, 4, 8)  # Fri 3, Tue 7, Wed 8


def test_good_friday_off_is_a_regional_setting() -> None:
    norms = parse_norms("termijnen: {terugkoppeling_werkdagen_na_besluit: 3}\nkalender: {goede_vrijdag_vrij: true}\n")
    assert norms.feedback_due(datetime(2026, 4, 2, 11, 0, tzinfo=AMS)) == date(2026, 4, 9)


def test_decision_after_office_hours_counts_from_next_working_day() -> None:
    norms = Norms(action_item_days=1)
    # 16:30 UTC on Friday 24 April 2026 is 18:30 in Amsterdam (CEST): after the 17:00 cut-off.
    late = datetime(2026, 4, 24, 16, 30, tzinfo=UTC)
    # Day 0 is Monday 27 April = Koningsdag, so Tuesday 28; one working day later: Wednesday 29.
    assert norms.action_item_due(late) == date(2026, 4, 29)
    # The same instant seen as 14:30 UTC (16:30 local) is still within office hours.
    assert norms.action_item_due(datetime(2026, 4, 24, 14, 30, tzinfo=UTC)) == date(2026, 4, 28)


def test_time_zone_from_the_norms_file_moves_the_local_date() -> None:
    norms = parse_norms("termijnen: {actiepunt_werkdagen: 0}\nkalender: {tijdzone: America/Curacao, einde_werkdag: ''}\n")
    # 02:00 UTC on Tuesday is still Monday evening on Curaçao (UTC-4).
    assert norms.action_item_due(datetime(2026, 3, 3, 2, 0, tzinfo=UTC)) == date(2026, 3, 2)
    with pytest.raises(ValueError):
        norms.local_date(datetime(2026, 3, 3, 2, 0))


def test_liberation_day_in_lustrum_year() -> None:
    norms = Norms(first_assessment_days=1)
    # Monday 4 May 2025 → next working day skips Bevrijdingsdag (lustrum year 2025).
    assert norms.first_assessment_due(datetime(2025, 5, 2, 9, 0, tzinfo=AMS)) == date(2025, 5, 6)
    assert norms.first_assessment_due(datetime(2026, 5, 4, 9, 0, tzinfo=AMS)) == date(2026, 5, 5)


@pytest.mark.parametrize(
    ("today", "stage"),
    [
        (date(2026, 3, 2), None),  # Monday; deadline Friday 6 March, 4 working days away
        (date(2026, 3, 4), ReminderStage.BIJNA),  # 2 working days left
        (date(2026, 3, 6), ReminderStage.BIJNA),  # deadline day
        (date(2026, 3, 7), ReminderStage.TE_LAAT),
    ],
)
def test_reminder_stage(today: date, stage: ReminderStage | None) -> None:
    assert Norms(remind_days_before=2).reminder_stage(date(2026, 3, 6), today) == stage


def test_schedule_every_four_weeks_moves_off_holidays() -> None:
    # Every 4 weeks on Monday from 5 January 2026: 2 Feb, 2 Mar, 30 Mar, 27 Apr (Koningsdag → 28), 25 May (Pinksteren → 26).
    schedule = Schedule(start=date(2026, 1, 5), weekday=0, interval_weeks=4)
    assert schedule.next_dates(date(2026, 3, 1), 4) == [date(2026, 3, 2), date(2026, 3, 30), date(2026, 4, 28), date(2026, 5, 26)]


def test_schedule_refuses_weekend_and_zero_interval() -> None:
    with pytest.raises(ValueError):
        Schedule(start=date(2026, 1, 5), weekday=5)
    with pytest.raises(ValueError):
        Schedule(start=date(2026, 1, 5), weekday=1, interval_weeks=0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("termijnen: {eerste_beoordeling_werkdagen: -1}", "eerste_beoordeling_werkdagen"),
        ("kalender: {tijdzone: Mars/Olympus}", "tijdzone"),
        ("kalender: {bevrijdingsdag: soms}", "bevrijdingsdag"),
        ("tafels: [{slug: a, naam: A, soort: kantine}]", "soort"),
        ("tafels: [{slug: a, naam: A}, {slug: a, naam: B}]", "dubbel"),
        ("[1, 2", "YAML"),
    ],
)
def test_malformed_norms_name_the_field(text: str, message: str) -> None:
    with pytest.raises(NormsError, match=message):
        parse_norms(text, "test.yaml")
