"""The lifecycle of an intervention: proposed, decided, started, effect recorded — or dropped.

Every intervention is recorded with its effect (003 doelstelling 5); the effect can only follow
a start, and a start cannot lie in the future. `barriers.services.intervention_transition` is
the only caller that applies a transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ketenzicht.domain.clock import local_date
from ketenzicht.domain.lifecycles.base import Groups, Machine, Transition, transition


class InterventionState(StrEnum):
    VOORGESTELD = "voorgesteld"
    BESLOTEN = "besloten"
    INGEZET = "ingezet"
    EFFECT_VASTGELEGD = "effect_vastgelegd"
    AFGEZIEN = "afgezien"


STATE_LABELS = {
    InterventionState.VOORGESTELD: "Voorgesteld",
    InterventionState.BESLOTEN: "Besloten",
    InterventionState.INGEZET: "Ingezet, effect nog niet vastgelegd",
    InterventionState.EFFECT_VASTGELEGD: "Effect vastgelegd",
    InterventionState.AFGEZIEN: "Niet doorgegaan",
}


class Action(StrEnum):
    BESLUITEN = "besluiten"
    INZETTEN = "inzetten"
    EFFECT_VASTLEGGEN = "effect_vastleggen"
    AFZIEN = "afzien"


I = InterventionState  # noqa: E741 - short alias for the table below
GROUPS = Groups(
    open=frozenset({I.VOORGESTELD, I.BESLOTEN, I.INGEZET}),
    waiting=frozenset({I.VOORGESTELD}),
    workable=frozenset({I.INGEZET}),
    terminal=frozenset({I.EFFECT_VASTGELEGD, I.AFGEZIEN}),
    read_only=frozenset({I.EFFECT_VASTGELEGD, I.AFGEZIEN}),
)

TRANSITIONS: tuple[Transition[InterventionState], ...] = (
    transition(Action.BESLUITEN, [I.VOORGESTELD], I.BESLOTEN, "Besluiten",
               why="Het LOO (of de gemeente voor een eigen instrument) besluit de interventie in te zetten.",
               asked_by="002 §3.3.3 stap 5", requires_reason=True),
    transition(Action.INZETTEN, [I.VOORGESTELD, I.BESLOTEN], I.INGEZET, "Inzetten",
               why="De maatregel is genomen; vanaf nu loopt de termijn om het effect vast te leggen.",
               asked_by="003 doelstelling 5"),
    transition(Action.EFFECT_VASTLEGGEN, [I.INGEZET], I.EFFECT_VASTGELEGD, "Effect vastleggen",
               why="Van elke interventie wordt achteraf het effect vastgelegd, ook 'geen effect'.",
               asked_by="003 doelstelling 5", requires_reason=True),
    transition(Action.AFZIEN, [I.VOORGESTELD, I.BESLOTEN], I.AFGEZIEN, "Niet doorzetten",
               why="De interventie gaat niet door; waarom blijft bewaard voor de witte vlekken van het barrièremodel.",
               asked_by="004 opgave 4 (barrièremodel); issue 18", requires_reason=True),
)


@dataclass(frozen=True)
class InterventionFacts:
    started_on: date | None = None
    ended_on: date | None = None


def _guard(t: Transition[InterventionState], facts: InterventionFacts, now: datetime) -> list[str]:
    if t.action == Action.INZETTEN:
        if facts.started_on is None:
            return ["Geef de datum waarop de interventie is ingezet."]
        if facts.started_on > local_date(now):
            return ["De datum van inzet ligt in de toekomst."]
    ended, started = facts.ended_on, facts.started_on
    if t.action == Action.EFFECT_VASTLEGGEN and ended is not None and started is not None and ended < started:
        return ["De einddatum ligt vóór de datum van inzet."]
    return []


MACHINE: Machine[InterventionState] = Machine.build(
    "de interventie", InterventionState, STATE_LABELS, TRANSITIONS, GROUPS, _guard
)
