"""The lifecycle of a linkage run: one linkage of a region's encoded registrations.

A run waits (`wachtend`) from the accepted or withdrawn import that asked for it until a worker
(or a command that cannot wait for one) claims it (`bezig`). It ends `klaar` with its persons
and figures, `vervangen` when a newer run of the region finished first (its result would be
older than what the monitor shows), or `mislukt` with the kind of error. A run is never resumed:
the next import asks for a new one, which reads everything again.

`persons.services.linkage_run_transition` is the only caller that applies a transition.
"""

from __future__ import annotations

from enum import StrEnum

from ketenzicht.domain.lifecycles.base import Groups, Machine, Transition, transition


class LinkageRunState(StrEnum):
    WACHTEND = "wachtend"
    BEZIG = "bezig"
    KLAAR = "klaar"
    VERVANGEN = "vervangen"
    MISLUKT = "mislukt"


STATE_LABELS = {
    LinkageRunState.WACHTEND: "Wacht op de taakverwerker",
    LinkageRunState.BEZIG: "Bezig",
    LinkageRunState.KLAAR: "Klaar",
    LinkageRunState.VERVANGEN: "Vervangen door een nieuwere koppeling",
    LinkageRunState.MISLUKT: "Mislukt",
}


class Action(StrEnum):
    STARTEN = "starten"
    AFRONDEN = "afronden"
    VERVANGEN = "vervangen"
    MISLUKKEN = "mislukken"


R = LinkageRunState
ENDED = frozenset({R.KLAAR, R.VERVANGEN, R.MISLUKT})
GROUPS = Groups(
    open=frozenset({R.WACHTEND, R.BEZIG}),
    waiting=frozenset({R.WACHTEND}),  # waiting for the task worker
    workable=frozenset(),
    terminal=ENDED,
    read_only=ENDED,
)

TRANSITIONS: tuple[Transition[LinkageRunState], ...] = (
    transition(Action.STARTEN, [R.WACHTEND], R.BEZIG, "Starten",
               why="Eén taakverwerker neemt de koppeling op zich; een tweede die dezelfde run ziet, laat hem liggen.",
               asked_by="issue 15 item 3 (koppeling als achtergrondtaak, voortgang zichtbaar)"),
    transition(Action.AFRONDEN, [R.BEZIG], R.KLAAR, "Afronden",
               why="Personen en schattingen per jaar zijn berekend; de monitor leest vanaf nu deze uitkomst.",
               asked_by="issue 15 items 3 en 4"),
    transition(Action.VERVANGEN, [R.BEZIG], R.VERVANGEN, "Vervangen",
               why="Een later gevraagde koppeling van de regio was eerder klaar; deze uitkomst zou ouder zijn "
                   "dan wat de monitor al toont.",
               asked_by="issue 15 item 3"),
    transition(Action.MISLUKKEN, [R.BEZIG], R.MISLUKT, "Mislukt",
               why="Een mislukte taak wordt vastgelegd (met de soort fout), nooit als 'bezig' achtergelaten.",
               asked_by="issue 15 item 3", requires_reason=True),
)

MACHINE: Machine[LinkageRunState] = Machine.build("de koppeling", LinkageRunState, STATE_LABELS, TRANSITIONS, GROUPS)
