from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketenzicht.domain.workdays import (
    WorkdayCalendar,
    add_working_days,
    due_status,
    dutch_holidays,
    easter_sunday,
    effective_receipt_day,
    is_working_day,
    next_working_day,
    working_days_between,
)

AMS = ZoneInfo("Europe/Amsterdam")


def ams(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Published dates (Rijksoverheid / calendars), not derived from the code under test.
EASTER = {
    2024: date(2024, 3, 31),
    2025: date(2025, 4, 20),
    2026: date(2026, 4, 5),
    2027: date(2027, 3, 28),
    2028: date(2028, 4, 16),
    2029: date(2029, 4, 1),
    2030: date(2030, 4, 21),
}
ASCENSION = {
    2024: date(2024, 5, 9),
    2025: date(2025, 5, 29),
    2026: date(2026, 5, 14),
    2027: date(2027, 5, 6),
    2028: date(2028, 5, 25),
    2029: date(2029, 5, 10),
    2030: date(2030, 5, 30),
}
WHIT_MONDAY = {
    2024: date(2024, 5, 20),
    2025: date(2025, 6, 9),
    2026: date(2026, 5, 25),
    2027: date(2027, 5, 17),
    2028: date(2028, 6, 5),
    2029: date(2029, 5, 21),
    2030: date(2030, 6, 10),
}
KINGS_DAY = {
    2024: date(2024, 4, 27),
    2025: date(2025, 4, 26),  # 27 April 2025 is a Sunday
    2026: date(2026, 4, 27),
    2027: date(2027, 4, 27),
    2028: date(2028, 4, 27),
    2029: date(2029, 4, 27),
    2030: date(2030, 4, 27),
}


@pytest.mark.parametrize("year", sorted(EASTER))
def test_easter_2024_2030(year: int) -> None:
    assert easter_sunday(year) == EASTER[year]


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2000, date(2000, 4, 23)),
        (2011, date(2011, 4, 24)),
        (2038, date(2038, 4, 25)),
        (2285, date(2285, 3, 22)),
    ],
)
def test_easter_extremes(year: int, expected: date) -> None:
    assert easter_sunday(year) == expected


@pytest.mark.parametrize("year", sorted(EASTER))
def test_full_holiday_list_2024_2030(year: int) -> None:
    e = EASTER[year]
    expected = {
        date(year, 1, 1): "Nieuwjaarsdag",
        e: "Eerste Paasdag",
        e + timedelta(days=1): "Tweede Paasdag",
        KINGS_DAY[year]: "Koningsdag",
        ASCENSION[year]: "Hemelvaartsdag",
        WHIT_MONDAY[year] - timedelta(days=1): "Eerste Pinksterdag",
        WHIT_MONDAY[year]: "Tweede Pinksterdag",
        date(year, 12, 25): "Eerste Kerstdag",
        date(year, 12, 26): "Tweede Kerstdag",
    }
    if year in (2025, 2030):
        expected[date(year, 5, 5)] = "Bevrijdingsdag"
    assert dict(dutch_holidays(year)) == expected


def test_good_friday_is_a_working_day_unless_configured() -> None:
    good_friday = date(2025, 4, 18)
    assert is_working_day(good_friday)
    off = WorkdayCalendar(good_friday_off=True)
    assert not is_working_day(good_friday, off)
    assert off.holiday_name(good_friday) == "Goede Vrijdag"


@pytest.mark.parametrize(
    ("rule", "off_2025", "off_2026"),
    [("lustrum", True, False), ("every_year", True, True), ("never", False, False)],
)
def test_liberation_day_rule(rule: str, off_2025: bool, off_2026: bool) -> None:
    cal = WorkdayCalendar(liberation_day=rule)  # type: ignore[arg-type]
    # 5 May 2025 is a Monday, 5 May 2026 a Tuesday: both otherwise working days.
    assert is_working_day(date(2025, 5, 5), cal) is not off_2025
    assert is_working_day(date(2026, 5, 5), cal) is not off_2026


def test_unknown_liberation_rule_is_rejected() -> None:
    with pytest.raises(ValueError):
        WorkdayCalendar(liberation_day="sometimes")  # type: ignore[arg-type]


def test_kings_day_before_and_after_2014() -> None:
    assert dutch_holidays(2014)[date(2014, 4, 26)] == "Koningsdag"  # 27th was a Sunday
    assert dutch_holidays(2013)[date(2013, 4, 30)] == "Koninginnedag"


def test_weekends_are_not_working_days() -> None:
    assert is_working_day(date(2025, 1, 10))  # Friday
    assert not is_working_day(date(2025, 1, 11))
    assert not is_working_day(date(2025, 1, 12))


def test_is_working_day_refuses_datetimes() -> None:
    # A datetime's date depends on its time zone; callers must convert first.
    with pytest.raises(TypeError):
        is_working_day(ams(2025, 1, 10, 12))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("received", "n", "expected"),
    [
        (ams(2025, 1, 6, 10), 1, date(2025, 1, 7)),  # Mon -> Tue
        (ams(2025, 1, 6, 10), 0, date(2025, 1, 6)),
        (ams(2025, 1, 10, 10), 1, date(2025, 1, 13)),  # Fri -> Mon over the weekend
        (ams(2025, 1, 10, 10), 5, date(2025, 1, 17)),
        (ams(2025, 1, 10, 16, 59, 59), 1, date(2025, 1, 13)),
        (ams(2025, 1, 10, 17, 0), 1, date(2025, 1, 14)),  # 17:00 is after hours
        (ams(2025, 1, 11, 9), 0, date(2025, 1, 13)),  # Saturday counts from Monday
        (ams(2025, 1, 11, 9), 1, date(2025, 1, 14)),
        # Christmas and New Year
        (ams(2024, 12, 23, 10), 1, date(2024, 12, 24)),
        (ams(2024, 12, 23, 10), 2, date(2024, 12, 27)),
        (ams(2024, 12, 23, 10), 3, date(2024, 12, 30)),
        (ams(2024, 12, 23, 10), 5, date(2025, 1, 2)),
        (ams(2024, 12, 31, 18), 1, date(2025, 1, 3)),
        # Easter 2025 (Good Friday is a working day by default)
        (ams(2025, 4, 17, 10), 1, date(2025, 4, 18)),
        (ams(2025, 4, 18, 10), 1, date(2025, 4, 22)),
        # Koningsdag 2026 on a Monday
        (ams(2026, 4, 24, 10), 1, date(2026, 4, 28)),
        # Bevrijdingsdag 2025 (lustrum) on a Monday; 2026 is not a lustrum year
        (ams(2025, 5, 2, 10), 1, date(2025, 5, 6)),
        (ams(2026, 5, 4, 10), 1, date(2026, 5, 5)),
        # Hemelvaartsdag 2025 (Thu) and Tweede Pinksterdag 2025 (Mon)
        (ams(2025, 5, 28, 10), 1, date(2025, 5, 30)),
        (ams(2025, 6, 6, 10), 1, date(2025, 6, 10)),
    ],
)
def test_add_working_days(received: datetime, n: int, expected: date) -> None:
    assert add_working_days(received, n) == expected


def test_add_working_days_with_calendar_options() -> None:
    easter_cal = WorkdayCalendar(good_friday_off=True)
    assert add_working_days(ams(2025, 4, 17, 10), 1, calendar=easter_cal) == date(2025, 4, 22)
    every_year = WorkdayCalendar(liberation_day="every_year")
    assert add_working_days(ams(2026, 5, 4, 10), 1, calendar=every_year) == date(2026, 5, 6)


def test_cutoff_is_a_parameter() -> None:
    late = ams(2025, 1, 6, 18)
    assert add_working_days(late, 1) == date(2025, 1, 8)
    assert add_working_days(late, 1, cutoff=None) == date(2025, 1, 7)
    assert add_working_days(late, 1, cutoff=time(19, 0)) == date(2025, 1, 7)


def test_date_input_means_received_during_office_hours() -> None:
    assert add_working_days(date(2025, 1, 6), 1) == date(2025, 1, 7)
    assert add_working_days(date(2025, 1, 11), 0) == date(2025, 1, 13)


def test_naive_datetime_is_rejected() -> None:
    with pytest.raises(ValueError):
        add_working_days(datetime(2025, 1, 6, 10), 1)


def test_negative_n_is_rejected() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2025, 1, 6), -1)


class TestTimeZones:
    def test_utc_new_years_eve_is_new_year_in_amsterdam(self) -> None:
        # 23:30 UTC on 31 Dec is 00:30 on 1 Jan (a holiday) in Amsterdam.
        received = utc(2024, 12, 31, 23, 30)
        assert effective_receipt_day(received) == date(2025, 1, 2)
        assert add_working_days(received, 0, cutoff=None) == date(2025, 1, 2)
        # The same instant judged in UTC would still be 31 December.
        assert add_working_days(received, 0, tz="UTC", cutoff=None) == date(2024, 12, 31)

    def test_utc_friday_night_is_saturday_in_amsterdam(self) -> None:
        received = utc(2025, 1, 3, 23, 30)
        assert add_working_days(received, 0, cutoff=None) == date(2025, 1, 6)

    def test_cutoff_is_local_time_in_winter(self) -> None:
        # CET = UTC+1: 15:59 UTC is 16:59 local, 16:00 UTC is 17:00 local.
        assert add_working_days(utc(2024, 12, 31, 15, 59), 1) == date(2025, 1, 2)
        assert add_working_days(utc(2024, 12, 31, 16, 0), 1) == date(2025, 1, 3)

    def test_cutoff_is_local_time_in_summer(self) -> None:
        # CEST = UTC+2: 14:59 UTC is 16:59 local, 15:00 UTC is 17:00 local.
        assert add_working_days(utc(2025, 7, 1, 14, 59), 1) == date(2025, 7, 2)
        assert add_working_days(utc(2025, 7, 1, 15, 0), 1) == date(2025, 7, 3)

    def test_spring_forward(self) -> None:
        # Clocks go forward on Sunday 30 March 2025. 15:30 UTC is 16:30 on the Friday
        # before (CET) but 17:30 on the Monday after (CEST).
        assert effective_receipt_day(utc(2025, 3, 28, 15, 30)) == date(2025, 3, 28)
        assert effective_receipt_day(utc(2025, 3, 31, 15, 30)) == date(2025, 4, 1)
        # During the skipped hour itself (01:00-02:00 UTC is Sunday) nothing breaks.
        assert effective_receipt_day(utc(2025, 3, 30, 1, 30)) == date(2025, 3, 31)

    def test_fall_back(self) -> None:
        # Clocks go back on Sunday 26 October 2025.
        assert effective_receipt_day(utc(2025, 10, 24, 15, 30)) == date(2025, 10, 27)
        assert effective_receipt_day(utc(2025, 10, 27, 15, 30)) == date(2025, 10, 27)

    def test_other_time_zone_input_is_converted(self) -> None:
        # 11:30 in New York (EST, UTC-5) on a Monday is 17:30 in Amsterdam.
        received = datetime(2025, 1, 6, 11, 30, tzinfo=ZoneInfo("America/New_York"))
        assert effective_receipt_day(received) == date(2025, 1, 7)


def test_working_days_between() -> None:
    assert working_days_between(date(2025, 1, 6), date(2025, 1, 6)) == 0
    assert working_days_between(date(2025, 1, 10), date(2025, 1, 13)) == 1
    assert working_days_between(date(2024, 12, 24), date(2024, 12, 27)) == 1
    assert working_days_between(date(2024, 12, 23), date(2025, 1, 2)) == 5
    assert working_days_between(date(2025, 1, 13), date(2025, 1, 10)) == -1
    # Weekend days in the interval add nothing.
    assert working_days_between(date(2025, 1, 11), date(2025, 1, 12)) == 0


dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(start=dates, n=st.integers(min_value=0, max_value=60))
def test_between_inverts_add(start: date, n: int) -> None:
    deadline = add_working_days(start, n)
    assert is_working_day(deadline)
    assert working_days_between(effective_receipt_day(start), deadline) == n
    assert deadline >= start


@given(a=dates, b=dates)
def test_between_is_antisymmetric_and_add_reaches_b(a: date, b: date) -> None:
    assert working_days_between(a, b) == -working_days_between(b, a)
    if a <= b and is_working_day(a) and is_working_day(b):
        assert add_working_days(a, working_days_between(a, b)) == b


def test_next_working_day() -> None:
    assert next_working_day(date(2024, 12, 24)) == date(2024, 12, 27)
    assert next_working_day(date(2025, 1, 10)) == date(2025, 1, 13)


class TestDueStatus:
    deadline = date(2025, 1, 13)  # Monday

    def test_before_warning_window(self) -> None:
        assert due_status(self.deadline, date(2025, 1, 9)) == "op_tijd"

    def test_friday_before_monday_deadline_warns(self) -> None:
        assert due_status(self.deadline, date(2025, 1, 10)) == "bijna"
        assert due_status(self.deadline, date(2025, 1, 11)) == "bijna"

    def test_deadline_day_is_bijna(self) -> None:
        assert due_status(self.deadline, self.deadline) == "bijna"
        assert due_status(self.deadline, self.deadline, warn_days=0) == "bijna"

    def test_after_deadline_is_late(self) -> None:
        assert due_status(self.deadline, date(2025, 1, 14)) == "te_laat"

    def test_warn_days_zero_and_wider(self) -> None:
        assert due_status(self.deadline, date(2025, 1, 10), warn_days=0) == "op_tijd"
        assert due_status(self.deadline, date(2025, 1, 8), warn_days=3) == "bijna"

    def test_holidays_count_in_the_warning_window(self) -> None:
        # From 31 Dec 2024 to Fri 3 Jan 2025 are two working days (1 Jan is a holiday).
        assert due_status(date(2025, 1, 3), date(2024, 12, 31)) == "op_tijd"
        assert due_status(date(2025, 1, 3), date(2024, 12, 31), warn_days=2) == "bijna"

    def test_negative_warn_days_rejected(self) -> None:
        with pytest.raises(ValueError):
            due_status(self.deadline, date(2025, 1, 1), warn_days=-1)
