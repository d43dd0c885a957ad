"""The status of an action of the action programme: green, orange or red, and done.

The board reads why an action is off course, so orange and red need a note whenever the colour
changes to them (by hand or by importing an action table). A one-off action is completed once,
on a date that is not in the future; a recurring action is ticked off per occurrence instead.
`programme.services.action_status_transition` is the only caller that applies a transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ketenzicht.domain.clock import local_date
from ketenzicht.domain.lifecycles.base import Groups, Machine, Transition, transition


class ActionState(StrEnum):
    GEEN = "geen"  # no status yet
    GROEN = "groen"
    ORANJE = "oranje"
    ROOD = "rood"
    AFGEROND = "afgerond"


STATE_LABELS = {
    ActionState.GEEN: "Nog geen status",
    ActionState.GROEN: "Groen: op koers",
    ActionState.ORANJE: "Oranje: aandacht nodig",
    ActionState.ROOD: "Rood: niet op koers",
    ActionState.AFGEROND: "Afgerond",
}


class Step(StrEnum):
    OP_KOERS = "op_koers"
    AANDACHT_NODIG = "aandacht_nodig"
    NIET_OP_KOERS = "niet_op_koers"
    VOORTGANG = "voortgang"
    AFRONDEN = "afronden"


A = ActionState
_RUNNING = frozenset({A.GEEN, A.GROEN, A.ORANJE, A.ROOD})
STEP_FOR_COLOUR = {A.GROEN: Step.OP_KOERS, A.ORANJE: Step.AANDACHT_NODIG, A.ROOD: Step.NIET_OP_KOERS}
GROUPS = Groups(
    open=_RUNNING,
    waiting=frozenset(),
    workable=_RUNNING,
    terminal=frozenset({A.AFGEROND}),
    read_only=frozenset(),
)
_SEED = "003 (monitor van het Actieprogramma, groen-oranje-rood)"

TRANSITIONS: tuple[Transition[ActionState], ...] = (
    transition(Step.OP_KOERS, _RUNNING - {A.GROEN}, A.GROEN, "Groen: op koers",
               why="De actie ligt op koers.", asked_by=_SEED),
    transition(Step.AANDACHT_NODIG, _RUNNING - {A.ORANJE}, A.ORANJE, "Oranje: aandacht nodig",
               why="De actie vraagt aandacht; de notitie zegt waarom en wat de volgende stap is.", asked_by=_SEED),
    transition(Step.NIET_OP_KOERS, _RUNNING - {A.ROOD}, A.ROOD, "Rood: niet op koers",
               why="De actie ligt niet op koers; de notitie zegt waarom en wat de volgende stap is.", asked_by=_SEED),
    transition(Step.VOORTGANG, _RUNNING, None, "Voortgang vastleggen",
               why="Een voortgangsnotitie zonder kleurwijziging: het bestuur ziet dat de stand is bevestigd.",
               asked_by=_SEED, requires_reason=True),
    transition(Step.AFRONDEN, _RUNNING, A.AFGEROND, "Afronden",
               why="Een eenmalige actie is gedaan.", asked_by="003; 001 §8 (stappenplan)"),
)


@dataclass(frozen=True)
class ActionFacts:
    note: str = ""
    recurring: bool = False
    done_on: date | None = None


def state_of(status: str, done: bool) -> ActionState:
    """The machine state of a stored action: its colour, or done."""
    return A.AFGEROND if done else ActionState(status or A.GEEN)


def _guard(t: Transition[ActionState], facts: ActionFacts, now: datetime) -> list[str]:
    if t.action in (Step.AANDACHT_NODIG, Step.NIET_OP_KOERS) and not facts.note.strip():
        return ["Licht oranje of rood toe: wat is er aan de hand en wat is de volgende stap?"]
    if t.action == Step.AFRONDEN:
        if facts.recurring:
            return ["Een terugkerende actie vinkt u per keer af."]
        if facts.done_on is None:
            return ["Geef de datum waarop de actie is afgerond."]
        if facts.done_on > local_date(now):
            return ["De datum van afronden kan niet in de toekomst liggen."]
    return []


MACHINE: Machine[ActionState] = Machine.build(
    "de actie", ActionState, STATE_LABELS, TRANSITIONS, GROUPS, _guard
)
