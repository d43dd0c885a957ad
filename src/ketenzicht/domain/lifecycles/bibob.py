"""The lifecycle of a Bibob screening: running until the decision, which never silently reverts.

A decision goes back to "lopend" only through `heroverwegen`, with a reason (an objection was
upheld, or the decision was revised), and that step stays in the history. A granted licence can
later be withdrawn. `barriers.services.bibob_transition` is the only caller that applies one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ketenzicht.domain.clock import local_date
from ketenzicht.domain.lifecycles.base import Groups, Machine, Transition, transition


class BibobState(StrEnum):
    LOPEND = "lopend"
    VERLEEND = "verleend"
    VOORSCHRIFTEN = "voorschriften"
    GEWEIGERD = "geweigerd"
    INGETROKKEN = "ingetrokken"
    INGETROKKEN_AANVRAGER = "ingetrokken_aanvrager"


STATE_LABELS = {
    BibobState.LOPEND: "Nog geen besluit",
    BibobState.VERLEEND: "Verleend",
    BibobState.VOORSCHRIFTEN: "Verleend met voorschriften",
    BibobState.GEWEIGERD: "Geweigerd",
    BibobState.INGETROKKEN: "Ingetrokken",
    BibobState.INGETROKKEN_AANVRAGER: "Aanvraag ingetrokken door aanvrager",
}


class Action(StrEnum):
    VERLENEN = "verlenen"
    VERLENEN_MET_VOORSCHRIFTEN = "verlenen_met_voorschriften"
    WEIGEREN = "weigeren"
    AANVRAAG_INGETROKKEN = "aanvraag_ingetrokken"
    VERGUNNING_INTREKKEN = "vergunning_intrekken"
    HEROVERWEGEN = "heroverwegen"


B = BibobState
# The step that leads to each decision, for a form that asks for the decision itself.
ACTION_FOR_DECISION: dict[BibobState, Action] = {
    B.VERLEEND: Action.VERLENEN,
    B.VOORSCHRIFTEN: Action.VERLENEN_MET_VOORSCHRIFTEN,
    B.GEWEIGERD: Action.WEIGEREN,
    B.INGETROKKEN_AANVRAGER: Action.AANVRAAG_INGETROKKEN,
    B.INGETROKKEN: Action.VERGUNNING_INTREKKEN,
    B.LOPEND: Action.HEROVERWEGEN,
}
GROUPS = Groups(
    open=frozenset({B.LOPEND}),
    waiting=frozenset({B.LOPEND}),
    workable=frozenset({B.LOPEND}),
    terminal=frozenset({B.INGETROKKEN, B.INGETROKKEN_AANVRAGER}),
    read_only=frozenset({B.INGETROKKEN, B.INGETROKKEN_AANVRAGER}),
)
_SEED = "000 §5.5; 001 §6.3 (Bibob bij risicovolle vergunningen)"

TRANSITIONS: tuple[Transition[BibobState], ...] = (
    transition(Action.VERLENEN, [B.LOPEND], B.VERLEEND, "Verlenen",
               why="De toets gaf geen (of aanvaardbaar) gevaar; de vergunning wordt verleend.", asked_by=_SEED),
    transition(Action.VERLENEN_MET_VOORSCHRIFTEN, [B.LOPEND], B.VOORSCHRIFTEN, "Verlenen met voorschriften",
               why="Mindere mate van gevaar: verlenen met voorschriften die het risico beperken.", asked_by=_SEED),
    transition(Action.WEIGEREN, [B.LOPEND], B.GEWEIGERD, "Weigeren",
               why="Ernstig gevaar: de vergunning wordt geweigerd (Wet Bibob art. 3).", asked_by=_SEED),
    transition(Action.AANVRAAG_INGETROKKEN, [B.LOPEND], B.INGETROKKEN_AANVRAGER, "Aanvraag ingetrokken",
               why="De aanvrager trekt de aanvraag in, vaak na de Bibob-vragenlijst; dat telt als resultaat.",
               asked_by=_SEED),
    transition(Action.VERGUNNING_INTREKKEN, [B.VERLEEND, B.VOORSCHRIFTEN], B.INGETROKKEN, "Vergunning intrekken",
               why="Na verlening blijkt alsnog gevaar; de vergunning wordt ingetrokken.", asked_by=_SEED,
               requires_reason=True),
    transition(Action.HEROVERWEGEN, [B.VERLEEND, B.VOORSCHRIFTEN, B.GEWEIGERD], B.LOPEND, "Besluit heroverwegen",
               why="Een bezwaar is gegrond of het besluit wordt herzien; het eerdere besluit blijft in de geschiedenis.",
               asked_by="Awb (bezwaar); issue 18", requires_reason=True),
)


@dataclass(frozen=True)
class BibobFacts:
    received_on: date | None = None
    decided_on: date | None = None


def _guard(t: Transition[BibobState], facts: BibobFacts, now: datetime) -> list[str]:
    if t.action == Action.HEROVERWEGEN:
        return []
    if facts.decided_on is None:
        return ["Geef de datum van het besluit."]
    if facts.decided_on > local_date(now):
        return ["De datum van het besluit ligt in de toekomst."]
    if facts.received_on is not None and facts.decided_on < facts.received_on:
        return ["Het besluit ligt vóór de ontvangst van de aanvraag."]
    return []


MACHINE: Machine[BibobState] = Machine.build(
    "de Bibob-toets", BibobState, STATE_LABELS, TRANSITIONS, GROUPS, _guard
)
