"""The retention table: how long each kind of record is kept, read from data, and when it is due.

Pure: the Django side (`ketenzicht.retention`) reads `data/retention.yaml`, hands the parsed
mapping to `parse_table`, and asks `cutoff(now, rule)` for the moment before which a record of
that kind is due. The reasoning per kind is in docs/retention.md.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ketenzicht.domain.lifecycles import case as case_lifecycle

# A case the AF closed after a partner finished a referral (the referral is a parallel track,
# issue 18); until issue 18 `doorverwezen` was also a state, which old history rows still name.
REFERRED = "doorverwezen"
# The outcomes after which the case lifecycle lets a case close (its `DECIDED` states).
CASE_OUTCOMES: tuple[str, ...] = tuple(s.value for s in case_lifecycle.CaseState if s in case_lifecycle.DECIDED)

# Every kind the purge knows, with the variants it may have (None: one term for the kind).
KINDS: dict[str, tuple[str, ...] | None] = {
    # Cases by outcome (`case_variant`): the decision the case was closed after.
    "case": (*CASE_OUTCOMES, REFERRED, "default"),
    "referral_snapshot": None,
    "sitting": None,
    "integral_control": None,
    "intervention": None,
    "bibob_screening": ("ingetrokken_aanvrager", "default"),
    "monitor_registration": None,
    "notification": None,
    "audit_entry": None,
    "staging_file": None,
}


class RetentionTableError(ValueError):
    """The data file is wrong; the message names the key and what is wrong."""


@dataclass(frozen=True)
class Term:
    years: int = 0
    months: int = 0
    days: int = 0

    def describe(self) -> str:
        parts = []
        if self.years:
            parts.append(f"{self.years} jaar")
        if self.months:
            parts.append(f"{self.months} maand{'en' if self.months != 1 else ''}")
        if self.days:
            parts.append(f"{self.days} dag{'en' if self.days != 1 else ''}")
        return " en ".join(parts) or "0 dagen"


@dataclass(frozen=True)
class Rule:
    kind: str
    variant: str
    term: Term
    counted_from: str
    basis: str

    @property
    def name(self) -> str:
        """How the rule is named in tombstones and reports: `case.niet_bevestigd: 1 jaar`."""
        label = f"{self.kind}.{self.variant}" if self.variant else self.kind
        return f"{label}: {self.term.describe()}"


@dataclass(frozen=True)
class RetentionTable:
    rules: Mapping[tuple[str, str], Rule]

    def rule(self, kind: str, variant: str = "") -> Rule:
        """The rule for a kind (and variant); an unknown variant falls back to `default`."""
        if (kind, variant) in self.rules:
            return self.rules[(kind, variant)]
        return self.rules[(kind, "default")]


def case_variant(closed_from: str, *, referred: bool) -> str:
    """Which term of the `case` rule applies to a closed case.

    `closed_from` is the state the case left when it was closed (its last step into a terminal
    state of the case lifecycle). A decided outcome (a table's) names its own term; a case closed
    from handling by the AF alone counts as referred when a partner finished a referral on it;
    anything else takes the default.
    """
    if closed_from in CASE_OUTCOMES:
        return closed_from
    if referred or closed_from == REFERRED:
        return REFERRED
    return "default"


def subtract(moment: datetime, term: Term) -> datetime:
    """`moment` minus `term` in calendar terms (29 February becomes 28 February)."""
    month_index = moment.year * 12 + (moment.month - 1) - term.years * 12 - term.months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day) - timedelta(days=term.days)


def cutoff(now: datetime, rule: Rule) -> datetime:
    """Records of this rule whose term started before this moment are due."""
    return subtract(now, rule.term)


def _term(value: Any, where: str) -> Term:
    if not isinstance(value, Mapping):
        raise RetentionTableError(f"{where}: verwacht years/months/days, gevonden {value!r}")
    unknown = set(value) - {"years", "months", "days", "from", "basis"}
    if unknown:
        raise RetentionTableError(f"{where}: onbekende sleutel {', '.join(sorted(unknown))}")
    numbers = {}
    for unit in ("years", "months", "days"):
        number = value.get(unit, 0)
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise RetentionTableError(f"{where}.{unit}: moet een geheel getal ≥ 0 zijn, gevonden {number!r}")
        numbers[unit] = number
    term = Term(**numbers)
    if term == Term():
        raise RetentionTableError(f"{where}: een bewaartermijn van 0 is geen bewaartermijn")
    if not str(value.get("basis", "")).strip():
        raise RetentionTableError(f"{where}.basis: zeg waarop de termijn berust")
    return term


def parse_table(data: Mapping[str, Any]) -> RetentionTable:
    """Validate the whole file before anything uses it; every kind must be there."""
    kinds = data.get("kinds") if isinstance(data, Mapping) else None
    if not isinstance(kinds, Mapping):
        raise RetentionTableError("kinds: ontbreekt")
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise RetentionTableError(f"kinds: onbekende soort {', '.join(sorted(unknown))}")
    missing = set(KINDS) - set(kinds)
    if missing:
        raise RetentionTableError(f"kinds: geen termijn voor {', '.join(sorted(missing))}")
    rules: dict[tuple[str, str], Rule] = {}
    for kind, variants in KINDS.items():
        entry = kinds[kind]
        if variants is None:
            rules[(kind, "")] = Rule(kind, "", _term(entry, f"kinds.{kind}"), str(entry.get("from", "")), str(entry["basis"]).strip())
            continue
        by = entry.get("variants") if isinstance(entry, Mapping) else None
        if not isinstance(by, Mapping) or set(by) != set(variants):
            raise RetentionTableError(f"kinds.{kind}.variants: verwacht precies {', '.join(variants)}")
        for variant in variants:
            where = f"kinds.{kind}.variants.{variant}"
            term = _term(by[variant], where)
            rules[(kind, variant)] = Rule(kind, variant, term, str(entry.get("from", "")), str(by[variant]["basis"]).strip())
    return RetentionTable(rules)
