"""Norms per region: the deadlines of a signal after intake and after a table's decision.

A region sets its norms in ``data/norms/<region>.yaml`` (first assessment within 5 working
days; feedback to the reporter within *n* working days after a decision; the default due date
of an action item; how early a reminder goes out) plus its working-day calendar and the kinds
of tables it holds. This module reads and checks that file and does the arithmetic on top of
:mod:`ketenzicht.domain.workdays`; it never reads the clock (``today`` and moments are passed in).

Meeting schedules are here too: a recurring table ("every 4 weeks on Tuesday") falls on a
public holiday now and then, and is then held on the next working day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from ketenzicht.domain.workdays import (
    WorkdayCalendar,
    add_working_days,
    due_status,
    next_working_day,
)

__all__ = [
    "NormsError",
    "Norms",
    "ReminderStage",
    "TableKind",
    "SourceSpec",
    "TableVenue",
    "Schedule",
    "load_norms",
    "parse_norms",
    "default_norms_path",
]


class NormsError(Exception):
    """The norms file is malformed; the message names the field."""


class TableVenue(StrEnum):
    """Which decisions a kind of table takes (matches ``case_states.Venue`` values)."""

    SIGNALENOVERLEG = "signalenoverleg"
    LOO = "loo"
    REGIONALE_TAFEL = "regionale_tafel"
    OVERIG = "overig"


class ReminderStage(StrEnum):
    BIJNA = "bijna"  # the deadline is near (within the warning window, or today)
    TE_LAAT = "te_laat"  # the deadline has passed


@dataclass(frozen=True)
class TableKind:
    slug: str
    naam: str
    soort: TableVenue
    omschrijving: str = ""


@dataclass(frozen=True)
class SourceSpec:
    """A monitor source a region starts with (its care coordinator, for one)."""

    slug: str
    naam: str
    eenheid: str
    omschrijving: str = ""


# The defaults are the Den Haag values (data/norms/den-haag.yaml): a region file that names no
# term gets these, documented as a choice in docs/architecture.md ("Region norms").
@dataclass(frozen=True)
class Norms:
    regio: str = ""
    first_assessment_days: int = 5
    feedback_days_after_decision: int = 10
    action_item_days: int = 10
    remind_days_before: int = 2
    effect_follow_up_days: int = 20
    calendar: WorkdayCalendar = field(default_factory=WorkdayCalendar)
    tables: tuple[TableKind, ...] = ()
    sources: tuple[SourceSpec, ...] = ()

    def first_assessment_due(self, received: datetime) -> date:
        """Deadline of the first assessment of a signal received at ``received`` (aware)."""
        return add_working_days(received, self.first_assessment_days, calendar=self.calendar)

    def feedback_due(self, decided_at: datetime) -> date:
        """Deadline for telling the reporter what the table decided."""
        return add_working_days(decided_at, self.feedback_days_after_decision, calendar=self.calendar)

    def effect_due(self, started_on: date) -> date:
        """When the effect of an intervention started on ``started_on`` should be recorded (003 doelstelling 5)."""
        return add_working_days(started_on, self.effect_follow_up_days, calendar=self.calendar, cutoff=None)

    def action_item_due(self, decided_at: datetime) -> date:
        """Default due date of an action item agreed at a table."""
        return add_working_days(decided_at, self.action_item_days, calendar=self.calendar)

    def reminder_stage(self, deadline: date, today: date) -> ReminderStage | None:
        """Whether a reminder is due today for ``deadline``: near, overdue, or not yet."""
        status = due_status(deadline, today, warn_days=self.remind_days_before, calendar=self.calendar)
        if status == "te_laat":
            return ReminderStage.TE_LAAT
        if status == "bijna":
            return ReminderStage.BIJNA
        return None

    def local_date(self, moment: datetime) -> date:
        """The calendar date of an aware moment in the region's time zone."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("moment must be timezone-aware")
        return moment.astimezone(self.calendar.tz).date()


Frequency = Literal["wekelijks", "per_n_weken"]


@dataclass(frozen=True)
class Schedule:
    """A recurring table: every ``interval_weeks`` weeks on ``weekday`` (0 = Monday), from ``start``."""

    start: date
    weekday: int
    interval_weeks: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 4:
            raise ValueError("weekday must be a working weekday (0 = Monday … 4 = Friday)")
        if self.interval_weeks < 1:
            raise ValueError("interval_weeks must be at least 1")

    def _first(self) -> date:
        return self.start + timedelta(days=(self.weekday - self.start.weekday()) % 7)

    def next_dates(self, after: date, count: int, calendar: WorkdayCalendar | None = None) -> list[date]:
        """The next ``count`` sitting dates on or after ``after``.

        A sitting that falls on a public holiday moves to the next working day (a table is
        not skipped: signals would wait another cycle).
        """
        cal = calendar or WorkdayCalendar()
        step = timedelta(weeks=self.interval_weeks)
        d = self._first()
        if d < after:
            cycles = (after - d).days // step.days
            d += step * cycles
            while d < after:
                d += step
        result: list[date] = []
        while len(result) < count:
            held = d if cal.is_working_day(d) else next_working_day(d, cal)
            if held >= after:
                result.append(held)
            d += step
        return result


@lru_cache(maxsize=64)
def default_norms_path(region: str) -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "norms" / f"{region}.yaml"


def _int(section: Mapping[str, Any], name: str, default: int) -> int:
    value = section.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise NormsError(f"termijnen.{name}: verwacht een heel getal van 0 of meer, niet {value!r}")
    return value


def _calendar(section: Mapping[str, Any]) -> WorkdayCalendar:
    tz_name = section.get("tijdzone", "Europe/Amsterdam")
    try:
        tz = ZoneInfo(str(tz_name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise NormsError(f"kalender.tijdzone: onbekende tijdzone {tz_name!r}") from exc
    cutoff_raw = section.get("einde_werkdag", "17:00")
    cutoff: time | None
    if cutoff_raw in (None, ""):
        cutoff = None
    else:
        try:
            cutoff = time.fromisoformat(str(cutoff_raw))
        except ValueError as exc:
            raise NormsError(f"kalender.einde_werkdag: verwacht UU:MM, niet {cutoff_raw!r}") from exc
    liberation = section.get("bevrijdingsdag", "lustrum")
    if liberation not in ("lustrum", "every_year", "never"):
        raise NormsError("kalender.bevrijdingsdag: kies lustrum, every_year of never")
    return WorkdayCalendar(
        good_friday_off=bool(section.get("goede_vrijdag_vrij", False)),
        liberation_day=liberation,
        cutoff=cutoff,
        tz=tz,
    )


def _tables(raw: Any) -> tuple[TableKind, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise NormsError("tafels: verwacht een lijst")
    kinds: list[TableKind] = []
    seen: set[str] = set()
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict) or not entry.get("slug") or not entry.get("naam"):
            raise NormsError(f"tafels[{index}]: 'slug' en 'naam' zijn verplicht")
        slug = str(entry["slug"])
        if slug in seen:
            raise NormsError(f"tafels[{index}]: slug {slug!r} komt dubbel voor")
        seen.add(slug)
        try:
            venue = TableVenue(entry.get("soort", "overig"))
        except ValueError:
            raise NormsError(
                f"tafels[{index}] ({slug}): soort moet signalenoverleg, loo, regionale_tafel of overig zijn"
            ) from None
        kinds.append(
            TableKind(
                slug=slug,
                naam=str(entry["naam"]),
                soort=venue,
                omschrijving=" ".join(str(entry.get("omschrijving", "")).split()),
            )
        )
    return tuple(kinds)


_UNITS = ("signaal", "melding", "slachtoffer", "zorgtraject", "controle", "interventie")


def _sources(raw: Any) -> tuple[SourceSpec, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not isinstance(raw.get("standaardbronnen", []), list):
        raise NormsError("monitor.standaardbronnen: verwacht een lijst")
    specs: list[SourceSpec] = []
    for index, entry in enumerate(raw.get("standaardbronnen") or [], start=1):
        if not isinstance(entry, dict) or not entry.get("slug") or not entry.get("naam"):
            raise NormsError(f"monitor.standaardbronnen[{index}]: 'slug' en 'naam' zijn verplicht")
        unit = str(entry.get("eenheid", "melding"))
        if unit not in _UNITS:
            raise NormsError(f"monitor.standaardbronnen[{index}]: eenheid moet een van {', '.join(_UNITS)} zijn")
        specs.append(SourceSpec(str(entry["slug"]), str(entry["naam"]), unit, " ".join(str(entry.get("omschrijving", "")).split())))
    if len({s.slug for s in specs}) != len(specs):
        raise NormsError("monitor.standaardbronnen: een slug komt dubbel voor")
    return tuple(specs)


def parse_norms(text: str, bestand: str = "norms.yaml") -> Norms:
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise NormsError(f"{bestand}: geen geldige YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise NormsError(f"{bestand}: verwacht een mapping")
    terms = raw.get("termijnen") or {}
    if not isinstance(terms, dict):
        raise NormsError(f"{bestand}: 'termijnen' moet een mapping zijn")
    cal = raw.get("kalender") or {}
    if not isinstance(cal, dict):
        raise NormsError(f"{bestand}: 'kalender' moet een mapping zijn")
    try:
        return Norms(
            regio=str(raw.get("regio", "")),
            first_assessment_days=_int(terms, "eerste_beoordeling_werkdagen", 5),
            feedback_days_after_decision=_int(terms, "terugkoppeling_werkdagen_na_besluit", 10),
            action_item_days=_int(terms, "actiepunt_werkdagen", 10),
            remind_days_before=_int(terms, "herinneren_werkdagen_vooraf", 2),
            effect_follow_up_days=_int(terms, "effect_interventie_werkdagen", 20),
            calendar=_calendar(cal),
            tables=_tables(raw.get("tafels")),
            sources=_sources(raw.get("monitor")),
        )
    except NormsError as exc:
        raise NormsError(f"{bestand}: {exc}") from None


_CACHE: dict[Path, tuple[float, Norms]] = {}


def load_norms(region: str | None = None, path: str | Path | None = None) -> Norms:
    """The norms of ``region`` (defaults when the region has no file); cached by mtime."""
    if path is None:
        if not region:
            return Norms()
        path = default_norms_path(region)
    path = Path(path)
    try:
        mtime = path.stat().st_mtime  # one system call: whether it exists and whether it changed
    except FileNotFoundError:
        return Norms(regio=region or "")
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == mtime:
        return cached[1]
    norms = parse_norms(path.read_text(encoding="utf-8"), path.name)
    _CACHE[path] = (mtime, norms)
    return norms


def tables_by_slug(norms: Norms) -> Mapping[str, TableKind]:
    return MappingProxyType({t.slug: t for t in norms.tables})
