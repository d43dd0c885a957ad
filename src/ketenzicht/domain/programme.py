"""The action programme's rules: when an action is due, its green/orange/red history, what is
overdue, training coverage and the report periods. Plain Python, no Django.

The seeds write "when" as people do in a Word table: "Q3 2024", "2022", "Jaarlijks",
"Jaarlijks, Q2 en Q4", "Doorlopend", "vanaf Q4 2021", "halfjaarlijks". ``parse_when`` turns
such a text into a ``When``: one deadline, a recurrence that yields one deadline per occurrence,
or "doorlopend" (ongoing: a status, never a deadline). Anything else is refused with a message
that says how to write it, so that an imported table never silently loses a deadline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from ketenzicht.domain.clock import local_date
from ketenzicht.domain.kpi import Quarter


class ProgrammeInputError(ValueError):
    """A value a person typed or imported that we cannot read; the message says what to write."""


# --- status: green / orange / red ---------------------------------------------------------------
class Rag(StrEnum):
    GROEN = "groen"
    ORANJE = "oranje"
    ROOD = "rood"


# Never colour alone (WCAG 1.4.1): pages and reports print these words next to the colour.
RAG_TEXT: dict[Rag, str] = {
    Rag.GROEN: "Groen: op koers",
    Rag.ORANJE: "Oranje: aandacht nodig",
    Rag.ROOD: "Rood: niet op koers",
}

_RAG_WORDS = {
    "groen": Rag.GROEN, "green": Rag.GROEN, "g": Rag.GROEN,
    "oranje": Rag.ORANJE, "orange": Rag.ORANJE, "amber": Rag.ORANJE, "o": Rag.ORANJE,
    "rood": Rag.ROOD, "red": Rag.ROOD, "r": Rag.ROOD,
}


def parse_rag(text: str) -> Rag | None:
    """'Groen', 'oranje', 'ROOD' → Rag; empty → None (no status yet)."""
    word = (text or "").strip().lower()
    if not word:
        return None
    if word not in _RAG_WORDS:
        raise ProgrammeInputError(f"Onbekende status '{text}': gebruik groen, oranje of rood (of laat leeg).")
    return _RAG_WORDS[word]


@dataclass(frozen=True)
class StatusEntry:
    """One dated line of an action's history: a status (or None: a note only) and a note."""

    at: datetime
    status: Rag | None
    note: str = ""


def status_on(history: Iterable[StatusEntry], day: date) -> Rag | None:
    """The status that held at the end of `day`: the last status set on or before it.

    Entries without a status (progress notes) do not change it; of two entries at the same
    moment the later one in the history wins, as it was recorded later.
    """
    current: Rag | None = None
    current_at: datetime | None = None
    for entry in history:
        if entry.status is None or local_date(entry.at) > day:
            continue
        if current_at is None or entry.at >= current_at:
            current, current_at = entry.status, entry.at
    return current


def last_status_change(history: Iterable[StatusEntry]) -> StatusEntry | None:
    entries = [e for e in history if e.status is not None]
    return max(entries, key=lambda e: e.at) if entries else None


def is_stale(history: Iterable[StatusEntry], today: date, *, max_age_days: int = 183) -> bool:
    """True when nobody confirmed or changed the status for half a year (or ever)."""
    last = last_status_change(history)
    return last is None or (today - local_date(last.at)).days > max_age_days


def rag_counts(statuses: Iterable[Rag | None]) -> dict[str, int]:
    """Counts per status, with 'geen' for actions without one: the board sees every action."""
    counts = {Rag.GROEN.value: 0, Rag.ORANJE.value: 0, Rag.ROOD.value: 0, "geen": 0}
    for status in statuses:
        counts[status.value if status is not None else "geen"] += 1
    return counts


# --- when: one deadline, a recurrence, or ongoing --------------------------------------------
class Frequency(StrEnum):
    MAANDELIJKS = "maandelijks"
    PER_KWARTAAL = "per_kwartaal"
    HALFJAARLIJKS = "halfjaarlijks"
    JAARLIJKS = "jaarlijks"


@dataclass(frozen=True)
class Recurrence:
    """A recurring action: the quarters (or months) in which an occurrence is due each year.

    ``quarters`` are 1–4; an occurrence is due on the last day of its quarter ("Jaarlijks, Q2
    en Q4" → 30 June and 31 December). Monthly actions use ``months``. ``since``: the first
    day from which occurrences count ("vanaf Q4 2021").
    """

    frequency: Frequency
    quarters: tuple[int, ...] = ()
    months: tuple[int, ...] = ()
    since: date | None = None

    def occurrences(self, start: date, end: date) -> list[date]:
        """Due dates of the occurrences with start ≤ due ≤ end (and due ≥ since), in order."""
        if end < start:
            return []
        dues: list[date] = []
        for year in range(start.year, end.year + 1):
            if self.months:
                candidates = [_month_end(year, m) for m in self.months]
            else:
                candidates = [Quarter(year, q).end for q in self.quarters]
            dues.extend(candidates)
        first = max(start, self.since) if self.since else start
        return sorted(d for d in dues if first <= d <= end)

    def label(self) -> str:
        if self.frequency == Frequency.MAANDELIJKS:
            text = "Maandelijks"
        elif self.frequency == Frequency.PER_KWARTAAL:
            text = "Elk kwartaal"
        elif self.frequency == Frequency.HALFJAARLIJKS and self.quarters == (2, 4):
            text = "Halfjaarlijks"
        else:
            named = " en ".join(f"Q{q}" for q in self.quarters)
            text = f"Jaarlijks, {named}" if self.quarters != (4,) else "Jaarlijks"
            if self.frequency == Frequency.HALFJAARLIJKS:
                text = f"Halfjaarlijks, {named}"
        if self.since:
            text += f", vanaf {Quarter.of(self.since).label}"
        return text


class WhenKind(StrEnum):
    DATUM = "datum"
    TERUGKEREND = "terugkerend"
    DOORLOPEND = "doorlopend"


@dataclass(frozen=True)
class When:
    kind: WhenKind
    due: date | None = None  # one deadline (DATUM)
    recurrence: Recurrence | None = None  # TERUGKEREND
    label: str = ""  # how pages print it: "Q3 2024", "Jaarlijks, Q2 en Q4", "Doorlopend"

    def deadlines(self, start: date, end: date) -> list[date]:
        """Deadlines within [start, end]: one for a dated action, each occurrence of a recurring one."""
        if self.kind == WhenKind.DATUM and self.due is not None:
            return [self.due] if start <= self.due <= end else []
        if self.kind == WhenKind.TERUGKEREND and self.recurrence is not None:
            return self.recurrence.occurrences(start, end)
        return []


_Q = r"(?:q|k|kwartaal\s*)([1-4])"
_QUARTER_YEAR = re.compile(rf"^(?:{_Q}[\s|/-]*(\d{{4}})|(\d{{4}})[\s|/-]*{_Q})$")
_HALF_YEAR = re.compile(r"^(?:h([12])[\s/-]*(\d{4})|(\d{4})[\s/-]*h([12]))$")
_YEAR = re.compile(r"^\(?(\d{4})\)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_QUARTER_LIST = re.compile(r"q([1-4])")
_MONTHS = {
    "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6,
    "juli": 7, "augustus": 8, "september": 9, "oktober": 10, "november": 11, "december": 12,
}
_MONTH_YEAR = re.compile(r"^([a-z]+)\s+(\d{4})$")
_SINCE = re.compile(r"\b(?:vanaf|met ingang van)\s+(.+)$")

HOW_TO_WRITE = (
    "Schrijf een datum (2026-06-30 of 30-06-2026), een kwartaal (Q3 2026), een halfjaar (H1 2026), "
    "een maand (juni 2026), een jaar (2026), 'Doorlopend' of een herhaling zoals 'Jaarlijks', "
    "'Jaarlijks, Q2 en Q4', 'Halfjaarlijks', 'Elk kwartaal' of 'Maandelijks'."
)


def parse_when(text: str) -> When:
    """Read a 'when' as written in an action table. Raises ProgrammeInputError with how to write it."""
    original = (text or "").strip()
    raw = re.sub(r"\s+", " ", original.lower()).strip(" .")
    if not raw:
        raise ProgrammeInputError(f"'Wanneer' is leeg. {HOW_TO_WRITE}")
    since: date | None = None
    match = _SINCE.search(raw)
    if match:
        since = _one_date(match.group(1), start=True)
        if since is None:
            raise ProgrammeInputError(f"'{original}': na 'vanaf' verwachten we een kwartaal, jaar of datum. {HOW_TO_WRITE}")
        raw = raw[: match.start()].strip(" ,")
        if not raw:  # "vanaf Q4 2021" alone: ongoing from then on
            return When(WhenKind.DOORLOPEND, label=f"Doorlopend, vanaf {Quarter.of(since).label}")
    if raw in {"doorlopend", "continu", "permanent", "structureel"}:
        return When(WhenKind.DOORLOPEND, label="Doorlopend")
    recurrence = _recurrence(raw, since)
    if recurrence is not None:
        return When(WhenKind.TERUGKEREND, recurrence=recurrence, label=recurrence.label())
    due = _one_date(raw, start=False)
    if due is None:
        raise ProgrammeInputError(f"'{original}' is geen datum, periode of herhaling die we kennen. {HOW_TO_WRITE}")
    return When(WhenKind.DATUM, due=due, label=_date_label(raw, due))


def _recurrence(raw: str, since: date | None) -> Recurrence | None:
    head = raw.split(",")[0].strip()
    quarters = tuple(sorted({int(q) for q in _QUARTER_LIST.findall(raw)}))
    if head in {"maandelijks", "elke maand", "iedere maand"}:
        return Recurrence(Frequency.MAANDELIJKS, months=tuple(range(1, 13)), since=since)
    if head in {"elk kwartaal", "ieder kwartaal", "per kwartaal", "kwartaal", "driemaandelijks"}:
        return Recurrence(Frequency.PER_KWARTAAL, quarters=(1, 2, 3, 4), since=since)
    if head in {"halfjaarlijks", "elk halfjaar", "ieder halfjaar", "twee keer per jaar", "2x per jaar", "tweemaal per jaar"}:
        return Recurrence(Frequency.HALFJAARLIJKS, quarters=quarters or (2, 4), since=since)
    if head in {"jaarlijks", "elk jaar", "ieder jaar", "eens per jaar", "1x per jaar"}:
        return Recurrence(Frequency.JAARLIJKS, quarters=quarters or (4,), since=since)
    return None


def _one_date(raw: str, *, start: bool) -> date | None:
    """A date, quarter, half-year, month or year → its last day (or first, with start=True)."""
    raw = raw.strip(" .()")
    try:
        if m := _ISO.match(raw):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DUTCH_DATE.match(raw):
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError as exc:
        raise ProgrammeInputError(f"'{raw}' is geen bestaande datum.") from exc
    if m := _QUARTER_YEAR.match(raw):
        quarter = Quarter(int(m[2] or m[3]), int(m[1] or m[4]))
        return quarter.start if start else quarter.end
    if m := _HALF_YEAR.match(raw):
        half = HalfYear(int(m[2] or m[3]), int(m[1] or m[4]))
        return half.start if start else half.end
    if (m := _MONTH_YEAR.match(raw)) and m[1] in _MONTHS:
        year, month = int(m[2]), _MONTHS[m[1]]
        return date(year, month, 1) if start else _month_end(year, month)
    if m := _YEAR.match(raw):
        year = int(m[1])
        return date(year, 1, 1) if start else date(year, 12, 31)
    return None


def _date_label(raw: str, due: date) -> str:
    raw = raw.strip(" .()")
    if _QUARTER_YEAR.match(raw):
        return Quarter.of(due).label
    if _HALF_YEAR.match(raw):
        return HalfYear.of(due).label
    if _YEAR.match(raw):
        return str(due.year)
    if _MONTH_YEAR.match(raw):
        return raw.capitalize()
    return due.strftime("%d-%m-%Y")


def _month_end(year: int, month: int) -> date:
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return nxt - timedelta(days=1)


# --- deadlines: overdue and due soon ----------------------------------------------------------
class DeadlineState(StrEnum):
    AFGEROND = "afgerond"
    TE_LAAT = "te_laat"
    BINNENKORT = "binnenkort"
    GEPLAND = "gepland"


DEADLINE_TEXT = {
    DeadlineState.AFGEROND: "Afgerond",
    DeadlineState.TE_LAAT: "Te laat",
    DeadlineState.BINNENKORT: "Binnenkort",
    DeadlineState.GEPLAND: "Gepland",
}


def deadline_state(due: date, done_on: date | None, today: date, *, soon_days: int = 30) -> DeadlineState:
    """Done → afgerond; past its day and not done → te laat; within `soon_days` → binnenkort.

    The deadline day itself still counts as in time: an action due today is 'binnenkort'.
    """
    if done_on is not None:
        return DeadlineState.AFGEROND
    if due < today:
        return DeadlineState.TE_LAAT
    if due <= today + timedelta(days=soon_days):
        return DeadlineState.BINNENKORT
    return DeadlineState.GEPLAND


def days_overdue(due: date, today: date) -> int:
    return max(0, (today - due).days)


# --- periods of the reports to the board ------------------------------------------------------
@dataclass(frozen=True, order=True)
class HalfYear:
    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2):
            raise ProgrammeInputError(f"Een halfjaar is 1 of 2, niet {self.number}.")

    @classmethod
    def of(cls, day: date) -> HalfYear:
        return cls(day.year, 1 if day.month <= 6 else 2)

    @property
    def start(self) -> date:
        return date(self.year, 1 if self.number == 1 else 7, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.number == 1 else date(self.year, 12, 31)

    def previous(self) -> HalfYear:
        return HalfYear(self.year - 1, 2) if self.number == 1 else HalfYear(self.year, 1)

    @property
    def label(self) -> str:
        return f"H{self.number} {self.year}"


@dataclass(frozen=True)
class ReportPeriod:
    """A half-year (report to mayor and regional table) or a year (report to the council)."""

    year: int
    half: int | None = None  # 1, 2 or None for the whole year

    @classmethod
    def parse(cls, text: str) -> ReportPeriod:
        raw = (text or "").strip().upper().replace(" ", "").replace("-", "")
        if m := re.fullmatch(r"(\d{4})H([12])", raw):
            return cls(int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})", raw):
            return cls(int(m[1]))
        raise ProgrammeInputError(f"Periode '{text}' niet herkend: schrijf 2026H1, 2026H2 of 2026.")

    @classmethod
    def last_completed_half(cls, today: date) -> ReportPeriod:
        half = HalfYear.of(today).previous()
        return cls(half.year, half.number)

    @property
    def kind(self) -> str:
        return "halfjaar" if self.half else "jaar"

    @property
    def start(self) -> date:
        return HalfYear(self.year, self.half).start if self.half else date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return HalfYear(self.year, self.half).end if self.half else date(self.year, 12, 31)

    @property
    def code(self) -> str:
        return f"{self.year}H{self.half}" if self.half else str(self.year)

    @property
    def label(self) -> str:
        return HalfYear(self.year, self.half).label if self.half else str(self.year)


# --- training coverage --------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupCoverage:
    function: str
    headcount: int | None
    target: int  # how many of the group are to be trained this year (at least 1)
    trained: int
    covered: bool
    share: float | None  # trained / headcount, capped at 1; None without a headcount


@dataclass(frozen=True)
class Coverage:
    groups: list[GroupCoverage]
    untargeted: dict[str, int] = field(default_factory=dict)  # attendance of functions not targeted

    @property
    def covered(self) -> int:
        return sum(1 for g in self.groups if g.covered)

    @property
    def total(self) -> int:
        return len(self.groups)

    @property
    def percent(self) -> int | None:
        """Share of target groups covered, rounded down: 'almost all' never shows as 100 %."""
        return (100 * self.covered) // self.total if self.total else None

    @property
    def complete(self) -> bool:
        """Every target group trained this year (an empty target list is not complete)."""
        return self.total > 0 and self.covered == self.total

    @property
    def missing(self) -> list[str]:
        return [g.function for g in self.groups if not g.covered]


@dataclass(frozen=True)
class TargetGroup:
    function: str
    headcount: int | None = None
    target: int | None = None  # None: at least one person of the group trained this year


def coverage(groups: Iterable[TargetGroup], trained: Mapping[str, int]) -> Coverage:
    """Coverage of the target groups for one year from attendance counts per function.

    A group is covered when at least `target` (default 1) of its people attended a training or
    completed an e-learning in the year. Attendance of functions that are not a target group is
    reported apart and never raises coverage.
    """
    rows: list[GroupCoverage] = []
    seen: set[str] = set()
    for group in groups:
        if group.function in seen:
            raise ProgrammeInputError(f"Doelgroep '{group.function}' staat twee keer in de lijst.")
        seen.add(group.function)
        if group.headcount is not None and group.headcount < 0:
            raise ProgrammeInputError(f"Doelgroep '{group.function}': het aantal medewerkers kan niet negatief zijn.")
        target = max(1, group.target or 1)
        if group.headcount is not None and group.headcount > 0:
            target = min(target, group.headcount)
        count = int(trained.get(group.function, 0))
        if count < 0:
            raise ProgrammeInputError(f"Doelgroep '{group.function}': een aantal deelnemers kan niet negatief zijn.")
        share = min(1.0, count / group.headcount) if group.headcount else None
        rows.append(GroupCoverage(group.function, group.headcount, target, count, count >= target, share))
    untargeted = {f: int(n) for f, n in trained.items() if f not in seen and n}
    return Coverage(rows, untargeted)
