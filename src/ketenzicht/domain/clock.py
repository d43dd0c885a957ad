"""The calendar day of a moment, counted as the people using the product count it.

Services pass `now` as an aware moment in UTC. Between midnight and one (two in summer)
o'clock Dutch time, `now.date()` is still yesterday: an AF who completes an action at
00:30 with today's date was told that the date lay in the future. Every guard that sets
a date a user typed against "today" asks this module for the day instead.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

DUTCH_TIME = ZoneInfo("Europe/Amsterdam")


def local_date(moment: datetime, tz: ZoneInfo = DUTCH_TIME) -> date:
    """The date of `moment` in `tz`; a naive moment is taken as already local."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.date()
    return moment.astimezone(tz).date()
