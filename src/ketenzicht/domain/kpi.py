"""Quarters and KPI targets: plain arithmetic, no Django.

The Zeeland-West-Brabant action programme (seed 003, doelstelling 5) sets targets per district
per quarter (e.g. "elk kwartaal ten minste vier controles samen met ISZW/NLA") and per year
("minimaal één bewustzijnscampagne per jaar"). This module answers two questions:

* which quarter or year a date belongs to, and which dates a quarter or year spans;
* whether a count meets its target: green (met), orange (not met yet while the period runs, or
  met for at least ``orange_fraction`` of the target once it has ended) or red (ended, too low).

Status is never shown by colour alone; ``STATUS_TEXT`` gives the words the page prints next to it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

_QUARTER_RE = re.compile(r"^(\d{4})-?[Qq]([1-4])$")


class KpiError(ValueError):
    """A malformed quarter or target; the message says what to fix."""


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise KpiError(f"Een kwartaal is 1 t/m 4, niet {self.number}.")

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """'2026-Q3' or '2026Q3' → Quarter(2026, 3)."""
        match = _QUARTER_RE.match(text.strip())
        if not match:
            raise KpiError(f"Onbekend kwartaal {text!r}: schrijf bijvoorbeeld 2026-Q3.")
        return cls(int(match.group(1)), int(match.group(2)))

    @property
    def start(self) -> date:
        return date(self.year, 3 * (self.number - 1) + 1, 1)

    @property
    def end(self) -> date:
        """Last day of the quarter (inclusive)."""
        return self.next().start - timedelta(days=1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def label(self) -> str:
        return f"Q{self.number} {self.year}"


def year_span(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


class Period(StrEnum):
    KWARTAAL = "kwartaal"
    JAAR = "jaar"


class Status(StrEnum):
    GROEN = "groen"
    ORANJE = "oranje"
    ROOD = "rood"


STATUS_TEXT: dict[Status, str] = {
    Status.GROEN: "Gehaald",
    Status.ORANJE: "Nog niet gehaald",
    Status.ROOD: "Niet gehaald",
}


@dataclass(frozen=True)
class Target:
    code: str
    label: str
    minimum: int
    period: Period
    orange_fraction: float = 0.5

    def __post_init__(self) -> None:
        if self.minimum < 1:
            raise KpiError(f"Doel {self.code}: het minimum moet ten minste 1 zijn.")
        if not 0 <= self.orange_fraction <= 1:
            raise KpiError(f"Doel {self.code}: oranje_fractie ligt tussen 0 en 1.")


def period_span(target: Target, quarter: Quarter) -> tuple[date, date]:
    """The dates a target is measured over when looking at ``quarter``.

    A yearly target is measured from 1 January up to the end of the chosen quarter's year, so
    a campaign in Q1 counts for the whole year.
    """
    if target.period is Period.JAAR:
        return year_span(quarter.year)
    return quarter.start, quarter.end


def evaluate(target: Target, count: int, quarter: Quarter, today: date) -> Status:
    """Green/orange/red for ``count`` against ``target`` in the period around ``quarter``."""
    if count < 0:
        raise KpiError("Een aantal kan niet negatief zijn.")
    if count >= target.minimum:
        return Status.GROEN
    _, end = period_span(target, quarter)
    if today <= end:
        return Status.ORANJE  # the period still runs: the target can still be met
    if count > 0 and count >= math.ceil(target.minimum * target.orange_fraction):
        return Status.ORANJE
    return Status.ROOD


def parse_targets(raw: list[dict[str, object]]) -> list[Target]:
    """Targets from a region's YAML list (keys in Dutch: code, naam, minimum, periode)."""
    targets = []
    seen: set[str] = set()
    for entry in raw:
        try:
            code = str(entry["code"])
            target = Target(
                code=code,
                label=str(entry["naam"]),
                minimum=int(entry["minimum"]),  # type: ignore[call-overload]
                period=Period(str(entry["periode"])),
                orange_fraction=float(entry.get("oranje_fractie", 0.5)),  # type: ignore[arg-type]
            )
        except KeyError as exc:
            raise KpiError(f"Doel zonder verplicht veld {exc.args[0]!r}.") from exc
        except ValueError as exc:
            raise KpiError(f"Ongeldig doel: {exc}") from exc
        if code in seen:
            raise KpiError(f"Doel {code} staat twee keer in het bestand.")
        seen.add(code)
        targets.append(target)
    return targets
