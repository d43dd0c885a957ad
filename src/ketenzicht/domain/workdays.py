"""Deadlines counted in Dutch working days.

A signal gets a first assessment within *n* working days. Working days are Monday to
Friday, minus the Dutch public holidays below. Two holidays differ per employer, so
they are settings of :class:`WorkdayCalendar`:

* Goede Vrijdag is a working day by default. It is not in the Algemene termijnenwet
  and many municipalities stay open; set ``good_friday_off=True`` where it is a day off.
* Bevrijdingsdag (5 May) is a day off by default only in lustrum years (years divisible
  by 5: 2025, 2030), as in many CAOs. Set ``liberation_day="every_year"`` where it is a
  day off every year. Note: the Algemene termijnenwet treats 5 May as a holiday *every*
  year, so for statutory (legal) deadlines use ``"every_year"``.

Koningsdag is 27 April, or 26 April when the 27th is a Sunday (since 2014; before that
Koninginnedag on 30 April, or 29 April when the 30th was a Sunday).

Received after the cut-off: a signal that arrives at or after the cut-off time (default
17:00 local time, when the office is closed) or on a non-working day is treated as
received at the start of the next working day. Day 0 is the (effective) day of receipt;
the deadline is the *n*-th working day after it, so ``n=0`` means "the same working day".

Nothing here reads the clock: pass the moment of receipt and ``today`` in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal
from zoneinfo import ZoneInfo

__all__ = [
    "DEFAULT_CALENDAR",
    "DueStatus",
    "LiberationDayRule",
    "WorkdayCalendar",
    "add_working_days",
    "due_status",
    "dutch_holidays",
    "easter_sunday",
    "effective_receipt_day",
    "is_working_day",
    "next_working_day",
    "working_days_between",
]

DueStatus = Literal["op_tijd", "bijna", "te_laat"]
LiberationDayRule = Literal["lustrum", "every_year", "never"]

DEFAULT_TZ = "Europe/Amsterdam"
DEFAULT_CUTOFF = time(17, 0)


def easter_sunday(year: int) -> date:
    """Easter Sunday (Gregorian calendar), by the anonymous Gregorian algorithm."""
    if year < 1583:
        # The algorithm is only valid for the Gregorian calendar.
        raise ValueError(f"year {year} is before the Gregorian calendar")
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _kings_day(year: int) -> tuple[date, str]:
    if year >= 2014:
        d = date(year, 4, 27)
        # Never celebrated on a Sunday: moved to the Saturday before.
        return (d - timedelta(days=1) if d.weekday() == 6 else d), "Koningsdag"
    d = date(year, 4, 30)
    return (d - timedelta(days=1) if d.weekday() == 6 else d), "Koninginnedag"


@lru_cache(maxsize=512)
def _holidays(year: int, good_friday_off: bool, liberation_day: str) -> Mapping[date, str]:
    easter = easter_sunday(year)
    days: dict[date, str] = {
        date(year, 1, 1): "Nieuwjaarsdag",
        easter: "Eerste Paasdag",
        easter + timedelta(days=1): "Tweede Paasdag",
        easter + timedelta(days=39): "Hemelvaartsdag",
        easter + timedelta(days=49): "Eerste Pinksterdag",
        easter + timedelta(days=50): "Tweede Pinksterdag",
        date(year, 12, 25): "Eerste Kerstdag",
        date(year, 12, 26): "Tweede Kerstdag",
    }
    kd, kd_name = _kings_day(year)
    days[kd] = kd_name
    if good_friday_off:
        days[easter - timedelta(days=2)] = "Goede Vrijdag"
    if liberation_day == "every_year" or (liberation_day == "lustrum" and year % 5 == 0):
        days[date(year, 5, 5)] = "Bevrijdingsdag"
    # Read-only because the mapping is shared through the cache.
    return MappingProxyType(dict(sorted(days.items())))


def dutch_holidays(
    year: int, *, good_friday_off: bool = False, liberation_day: LiberationDayRule = "lustrum"
) -> Mapping[date, str]:
    """Dutch public holidays in ``year`` that are days off, as {date: Dutch name}."""
    if liberation_day not in ("lustrum", "every_year", "never"):
        raise ValueError(f"unknown liberation_day rule: {liberation_day!r}")
    return _holidays(year, good_friday_off, liberation_day)


@dataclass(frozen=True)
class WorkdayCalendar:
    """Which days count as working days, and when the office day ends."""

    good_friday_off: bool = False
    liberation_day: LiberationDayRule = "lustrum"
    cutoff: time | None = DEFAULT_CUTOFF
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TZ))

    def __post_init__(self) -> None:
        if self.liberation_day not in ("lustrum", "every_year", "never"):
            raise ValueError(f"unknown liberation_day rule: {self.liberation_day!r}")
        if self.cutoff is not None and self.cutoff.tzinfo is not None:
            # The cut-off is a local wall-clock time in ``tz``.
            raise ValueError("cutoff must be a naive local time")

    def holidays(self, year: int) -> Mapping[date, str]:
        return dutch_holidays(
            year, good_friday_off=self.good_friday_off, liberation_day=self.liberation_day
        )

    def holiday_name(self, d: date) -> str | None:
        return self.holidays(d.year).get(d)

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.holidays(d.year)


DEFAULT_CALENDAR = WorkdayCalendar()


def _as_date(d: date | datetime) -> date:
    # datetime is a subclass of date; a bare date check would accept it silently.
    if isinstance(d, datetime):
        raise TypeError("pass a date, not a datetime; convert to local time first")
    return d


def is_working_day(d: date, calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> bool:
    """True on Monday to Friday unless it is a (configured) public holiday."""
    return calendar.is_working_day(_as_date(d))


def next_working_day(d: date, calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> date:
    """The first working day strictly after ``d``."""
    d = _as_date(d) + timedelta(days=1)
    while not calendar.is_working_day(d):
        d += timedelta(days=1)
    return d


def _calendar_with(
    calendar: WorkdayCalendar, tz: str | ZoneInfo | None, cutoff: time | None | Literal["default"]
) -> WorkdayCalendar:
    changes: dict[str, Any] = {}
    if tz is not None:
        changes["tz"] = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
    if cutoff != "default":
        changes["cutoff"] = cutoff
    return replace(calendar, **changes) if changes else calendar


def effective_receipt_day(
    received: datetime | date, calendar: WorkdayCalendar = DEFAULT_CALENDAR
) -> date:
    """The working day from which a deadline is counted (day 0).

    ``received`` as a datetime must be timezone-aware (a naive time is ambiguous across
    servers and DST); it is converted to the calendar's time zone. A plain date means
    "received during office hours on that day".
    """
    if isinstance(received, datetime):
        if received.tzinfo is None or received.utcoffset() is None:
            raise ValueError("received must be timezone-aware")
        local = received.astimezone(calendar.tz)
        day = local.date()
        after_hours = calendar.cutoff is not None and local.time() >= calendar.cutoff
    else:
        day = received
        after_hours = False
    if after_hours or not calendar.is_working_day(day):
        return next_working_day(day, calendar)
    return day


def add_working_days(
    start: datetime | date,
    n: int,
    tz: str | ZoneInfo | None = None,
    *,
    cutoff: time | None | Literal["default"] = "default",
    calendar: WorkdayCalendar = DEFAULT_CALENDAR,
) -> date:
    """Deadline: the ``n``-th working day after the effective day of receipt.

    ``tz`` and ``cutoff`` override the calendar's (Europe/Amsterdam, 17:00);
    ``cutoff=None`` disables the evening cut-off.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError("n must be a non-negative int")
    cal = _calendar_with(calendar, tz, cutoff)
    d = effective_receipt_day(start, cal)
    for _ in range(n):
        d = next_working_day(d, cal)
    return d


def working_days_between(a: date, b: date, calendar: WorkdayCalendar = DEFAULT_CALENDAR) -> int:
    """Working days in the half-open interval (a, b]; negative when b < a.

    Chosen so that ``working_days_between(a, add_working_days(a, n)) == n`` for a
    working day ``a``: the day of receipt itself does not count.
    """
    a, b = _as_date(a), _as_date(b)
    if b < a:
        return -working_days_between(b, a, calendar)
    count = 0
    d = a
    while d < b:
        d += timedelta(days=1)
        count += calendar.is_working_day(d)
    return count


def due_status(
    deadline: date,
    today: date,
    warn_days: int = 1,
    calendar: WorkdayCalendar = DEFAULT_CALENDAR,
) -> DueStatus:
    """Traffic light for a deadline.

    ``"te_laat"`` after the deadline; ``"bijna"`` on the deadline day or when at most
    ``warn_days`` working days remain (so a Friday before a Monday deadline warns);
    ``"op_tijd"`` otherwise.
    """
    if warn_days < 0:
        raise ValueError("warn_days must be >= 0")
    deadline, today = _as_date(deadline), _as_date(today)
    if today > deadline:
        return "te_laat"
    if working_days_between(today, deadline, calendar) <= warn_days:
        return "bijna"
    return "op_tijd"
