"""The lifecycle of an integral control (integrale controle): planned, executed or cancelled.

`barriers.services.control_transition` is the only caller that applies a transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ketenzicht.domain.clock import local_date
from ketenzicht.domain.lifecycles.base import Groups, Machine, Transition, transition


class ControlState(StrEnum):
    GEPLAND = "gepland"
    UITGEVOERD = "uitgevoerd"
    GEANNULEERD = "geannuleerd"


STATE_LABELS = {
    ControlState.GEPLAND: "Gepland",
    ControlState.UITGEVOERD: "Uitgevoerd",
    ControlState.GEANNULEERD: "Geannuleerd",
}


class Action(StrEnum):
    UITVOEREN = "uitvoeren"
    BEVINDINGEN_AANVULLEN = "bevindingen_aanvullen"
    ANNULEREN = "annuleren"


C = ControlState
GROUPS = Groups(
    open=frozenset({C.GEPLAND}),
    waiting=frozenset({C.GEPLAND}),
    # Follow-up interventions come from an executed control.
    workable=frozenset({C.UITGEVOERD}),
    terminal=frozenset({C.UITGEVOERD, C.GEANNULEERD}),
    read_only=frozenset({C.GEANNULEERD}),
)

TRANSITIONS: tuple[Transition[ControlState], ...] = (
    transition(Action.UITVOEREN, [C.GEPLAND], C.UITGEVOERD, "Bevindingen vastleggen",
               why="Na de controle legt de AF de factsheet-checklist en de overige bevindingen vast.",
               asked_by="001 §6.3.1.2; 003 KPI (controles met de Arbeidsinspectie)"),
    transition(Action.BEVINDINGEN_AANVULLEN, [C.UITGEVOERD], None, "Bevindingen aanvullen",
               why="Een partner levert later nog bevindingen aan; de eerdere blijven in de geschiedenis.",
               asked_by="issue 8"),
    transition(Action.ANNULEREN, [C.GEPLAND], C.GEANNULEERD, "Annuleren",
               why="De controle gaat niet door (bijv. het pand staat leeg of het signaal is vervallen); "
                   "een geannuleerde controle telt niet mee in de KPI.",
               asked_by="issue 8; issue 18", requires_reason=True),
)


@dataclass(frozen=True)
class ControlFacts:
    executed_on: date | None = None


def _guard(t: Transition[ControlState], facts: ControlFacts, now: datetime) -> list[str]:
    if t.action in (Action.UITVOEREN, Action.BEVINDINGEN_AANVULLEN):
        if facts.executed_on is None:
            return ["Geef de datum waarop de controle is uitgevoerd."]
        if facts.executed_on > local_date(now):
            return ["Bevindingen legt u vast na de controle: de datum van uitvoering ligt niet in de toekomst."]
    return []


MACHINE: Machine[ControlState] = Machine.build("de controle", ControlState, STATE_LABELS, TRANSITIONS, GROUPS, _guard)
