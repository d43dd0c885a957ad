"""What every lifecycle has in common: annotated transitions, state groupings, one `apply`.

A machine is data: a table of transitions, each with the reason it exists (`why`), the seed or
need that asked for it (`asked_by`) and where it may be decided (`venue`), after Signalen's
annotated ``workflow.py``. `Machine.apply` is the only decision: the state it starts from, the
venue it is taken at, a reason where one is required, and the entity's own guards (which read
facts the service gathered, and ``now``, never the clock). Pure Python: no Django, no apps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

S = TypeVar("S", bound=StrEnum)


class Venue(StrEnum):
    """Where a decision is taken: some outcomes belong to a table, not to one person."""

    CASE = "dossier"  # the object's own page, the API, a command or a job
    SIGNALENOVERLEG = "signalenoverleg"
    LOO = "loo"
    # A table above the municipality (district or region, issue 14 item 3): the ketenregisseur
    # or district coordinator chairs; its outcomes send the case back into its own municipality.
    REGIONALE_TAFEL = "regionale_tafel"


VENUE_LABELS = {
    Venue.CASE: "de signaalpagina",
    Venue.SIGNALENOVERLEG: "het signalenoverleg",
    Venue.LOO: "het Lokaal Overleg Ondermijning",
    Venue.REGIONALE_TAFEL: "een regionale of districtelijke tafel",
}


class TransitionNotAllowed(Exception):
    """A change of state the machine does not allow; the message says why, in Dutch.

    ``code``: ``unknown_action``, ``invalid_source``, ``venue``, ``guard`` or ``reason_required``.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Transition(Generic[S]):
    action: str
    sources: frozenset[S]
    # None: the state stays; the step is still a transition with its history (interim feedback).
    target: S | None
    label: str
    why: str
    asked_by: str
    requires_reason: bool = False
    venue: Venue = Venue.CASE

    def target_from(self, state: S) -> S:
        return state if self.target is None else self.target


def transition(
    action: str,
    sources: Iterable[S],
    target: S | None,
    label: str,
    *,
    why: str,
    asked_by: str,
    requires_reason: bool = False,
    venue: Venue = Venue.CASE,
) -> Transition[S]:
    return Transition(action, frozenset(sources), target, label, why, asked_by, requires_reason, venue)


@dataclass(frozen=True)
class Groups(Generic[S]):
    """The state groupings other code asks about, decided here once.

    - ``open``: not finished; counts as work in progress.
    - ``waiting``: open, but waiting for someone else (a table, a partner, a date).
    - ``workable``: open and past intake: follow-up (a control, an intervention) may be planned.
    - ``terminal``: no transition leads further, except an explicit reopen.
    - ``read_only``: nothing about the object may be edited any more.
    """

    open: frozenset[S]
    waiting: frozenset[S]
    workable: frozenset[S]
    terminal: frozenset[S]
    read_only: frozenset[S]


F = TypeVar("F")
Guard = Callable[[Transition[Any], Any, datetime], list[str]]


def _no_guard(transition: Transition[Any], facts: Any, now: datetime) -> list[str]:
    return []


@dataclass(frozen=True)
class Machine(Generic[S]):
    """One lifecycle: its states, labels, transitions (by action), groupings and guards."""

    name: str  # Dutch, as a user reads it: "het signaal", "de doorverwijzing"
    states: type[S]
    labels: Mapping[S, str]
    transitions: Mapping[str, Transition[S]]
    groups: Groups[S]
    guard: Guard = field(default=_no_guard)

    @classmethod
    def build(
        cls,
        name: str,
        states: type[S],
        labels: Mapping[S, str],
        transitions: Iterable[Transition[S]],
        groups: Groups[S],
        guard: Guard = _no_guard,
    ) -> Machine[S]:
        table: dict[str, Transition[S]] = {}
        for t in transitions:
            if t.action in table:
                raise ValueError(f"{name}: action {t.action!r} defined twice")
            table[t.action] = t
        missing = set(states) - set(labels)
        if missing:
            raise ValueError(f"{name}: states without a label: {sorted(missing)}")
        return cls(name, states, dict(labels), table, groups, guard)

    def label(self, state: S | str) -> str:
        return self.labels[self.states(state)]

    def transition_for(self, action: str) -> Transition[S]:
        try:
            return self.transitions[str(action)]
        except KeyError:
            raise TransitionNotAllowed(f"Onbekende stap '{action}'.", code="unknown_action") from None

    def guard_failures(self, t: Transition[S], facts: Any, now: datetime) -> list[str]:
        """Reasons (Dutch) why a structurally allowed transition cannot happen yet."""
        return self.guard(t, facts, now)

    def allowed(
        self, state: S | str, facts: Any, now: datetime, *, venue: Venue | None = Venue.CASE
    ) -> list[Transition[S]]:
        """The steps that can be taken now, in table order (``venue=None``: at any venue)."""
        current = self.states(state)
        return [
            t
            for t in self.transitions.values()
            if current in t.sources
            and (venue is None or t.venue is venue)
            and not self.guard(t, facts, now)
        ]

    def apply(
        self,
        state: S | str,
        action: str,
        facts: Any,
        *,
        now: datetime,
        reason: str = "",
        venue: Venue = Venue.CASE,
    ) -> S:
        """Return the new state, or raise TransitionNotAllowed with a message a user can act on."""
        current = self.states(state)
        t = self.transition_for(action)
        if current not in t.sources:
            raise TransitionNotAllowed(
                f"De stap '{t.label}' kan niet: {self.name} heeft de status '{self.labels[current]}'.",
                code="invalid_source",
            )
        if t.venue is not venue:
            where = VENUE_LABELS[t.venue]
            raise TransitionNotAllowed(
                f"De stap '{t.label}' is een besluit van {where}; leg het daar vast."
                if t.venue is not Venue.CASE
                else f"De stap '{t.label}' zet u op {where}, niet aan een overlegtafel.",
                code="venue",
            )
        failures = self.guard(t, facts, now)
        if failures:
            raise TransitionNotAllowed(" ".join(failures), code="guard")
        if t.requires_reason and not reason.strip():
            raise TransitionNotAllowed(f"Geef een toelichting bij de stap '{t.label}'.", code="reason_required")
        return t.target_from(current)

    def is_open(self, state: S | str) -> bool:
        return self.states(state) in self.groups.open

    def is_waiting(self, state: S | str) -> bool:
        return self.states(state) in self.groups.waiting

    def is_workable(self, state: S | str) -> bool:
        return self.states(state) in self.groups.workable

    def is_terminal(self, state: S | str) -> bool:
        return self.states(state) in self.groups.terminal

    def is_read_only(self, state: S | str) -> bool:
        return self.states(state) in self.groups.read_only

    def values(self, group: frozenset[S]) -> list[str]:
        """A grouping as plain strings, in declaration order (for queries: ``state__in=``)."""
        return [s.value for s in self.states if s in group]
