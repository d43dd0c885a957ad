"""The one state machine of a case (signaal), from intake to closure.

This module decides which change of state is allowed; the Django service
`cases.services.case_transition` is the only caller that applies one. The path follows the
seeds (002 §3.3.3): intake → verrijken → signalenoverleg with four outcomes → (optionally) the
Lokaal Overleg Ondermijning with three outcomes → terugkoppeling → afgesloten.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class CaseState(StrEnum):
    ONTVANGEN = "ontvangen"
    IN_BEHANDELING = "in_behandeling"
    GEAGENDEERD = "geagendeerd"
    INTEGRALE_CONTROLE = "integrale_controle"
    OVERGEDRAGEN = "overgedragen"
    NIET_BEVESTIGD = "niet_bevestigd"
    GEAGENDEERD_LOO = "geagendeerd_loo"
    INTERVENTIE = "interventie"
    RIEC_CASUS = "riec_casus"
    DOORVERWEZEN = "doorverwezen"
    AFGESLOTEN = "afgesloten"


STATE_LABELS: dict[CaseState, str] = {
    CaseState.ONTVANGEN: "Ontvangen",
    CaseState.IN_BEHANDELING: "In behandeling (verrijken)",
    CaseState.GEAGENDEERD: "Geagendeerd voor signalenoverleg",
    CaseState.INTEGRALE_CONTROLE: "Integrale controle",
    CaseState.OVERGEDRAGEN: "Overgedragen aan andere afdeling",
    CaseState.NIET_BEVESTIGD: "Niet bevestigd",
    CaseState.GEAGENDEERD_LOO: "Geagendeerd voor LOO",
    CaseState.INTERVENTIE: "Interventie",
    CaseState.RIEC_CASUS: "RIEC-casus",
    CaseState.DOORVERWEZEN: "Doorverwezen naar ketenpartner",
    CaseState.AFGESLOTEN: "Afgesloten",
}

# The reporter sees only these three steps (issue 3): never the internal state.
PUBLIC_STATUS: dict[CaseState, str] = {
    state: ("ontvangen" if state is CaseState.ONTVANGEN else "afgerond" if state is CaseState.AFGESLOTEN else "in_behandeling")
    for state in CaseState
}


class Action(StrEnum):
    IN_BEHANDELING_NEMEN = "in_behandeling_nemen"
    AGENDEREN = "agenderen"
    SO_MEER_INFORMATIE = "so_meer_informatie"
    SO_INTEGRALE_CONTROLE = "so_integrale_controle"
    SO_ANDERE_AFDELING = "so_andere_afdeling"
    SO_NIET_BEVESTIGD = "so_niet_bevestigd"
    NAAR_LOO = "naar_loo"
    LOO_INTERVENTIE = "loo_interventie"
    LOO_RIEC_CASUS = "loo_riec_casus"
    LOO_NIET_BEVESTIGD = "loo_niet_bevestigd"
    DOORVERWIJZEN = "doorverwijzen"
    TERUG_IN_BEHANDELING = "terug_in_behandeling"
    AFSLUITEN = "afsluiten"


class Venue(StrEnum):
    """Where a decision is taken: some outcomes belong to a table, not to one person."""

    CASE = "dossier"
    SIGNALENOVERLEG = "signalenoverleg"
    LOO = "loo"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[CaseState]
    target: CaseState
    label: str
    requires_reason: bool
    venue: Venue = Venue.CASE


def _t(
    action: Action,
    sources: Iterable[CaseState],
    target: CaseState,
    label: str,
    *,
    requires_reason: bool = False,
    venue: Venue = Venue.CASE,
) -> Transition:
    return Transition(action, frozenset(sources), target, label, requires_reason, venue)


S = CaseState
# States after a decision from which the case can be closed once the reporter has heard back.
_DECIDED = (S.OVERGEDRAGEN, S.NIET_BEVESTIGD, S.INTEGRALE_CONTROLE, S.INTERVENTIE, S.RIEC_CASUS, S.DOORVERWEZEN)

TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        _t(Action.IN_BEHANDELING_NEMEN, [S.ONTVANGEN], S.IN_BEHANDELING, "In behandeling nemen"),
        _t(Action.AGENDEREN, [S.IN_BEHANDELING], S.GEAGENDEERD, "Agenderen voor signalenoverleg"),
        _t(
            Action.SO_MEER_INFORMATIE,
            [S.GEAGENDEERD],
            S.IN_BEHANDELING,
            "Signalenoverleg: meer informatie nodig",
            requires_reason=True,
            venue=Venue.SIGNALENOVERLEG,
        ),
        _t(
            Action.SO_INTEGRALE_CONTROLE,
            [S.GEAGENDEERD],
            S.INTEGRALE_CONTROLE,
            "Signalenoverleg: integrale controle",
            requires_reason=True,
            venue=Venue.SIGNALENOVERLEG,
        ),
        _t(
            Action.SO_ANDERE_AFDELING,
            [S.GEAGENDEERD],
            S.OVERGEDRAGEN,
            "Signalenoverleg: hoort bij andere afdeling",
            requires_reason=True,
            venue=Venue.SIGNALENOVERLEG,
        ),
        _t(
            Action.SO_NIET_BEVESTIGD,
            [S.GEAGENDEERD],
            S.NIET_BEVESTIGD,
            "Signalenoverleg: niet bevestigd",
            requires_reason=True,
            venue=Venue.SIGNALENOVERLEG,
        ),
        _t(
            Action.NAAR_LOO,
            [S.GEAGENDEERD, S.INTEGRALE_CONTROLE],
            S.GEAGENDEERD_LOO,
            "Opschalen naar Lokaal Overleg Ondermijning",
            requires_reason=True,
            venue=Venue.SIGNALENOVERLEG,
        ),
        _t(
            Action.LOO_INTERVENTIE,
            [S.GEAGENDEERD_LOO],
            S.INTERVENTIE,
            "LOO: interventie",
            requires_reason=True,
            venue=Venue.LOO,
        ),
        _t(
            Action.LOO_RIEC_CASUS,
            [S.GEAGENDEERD_LOO],
            S.RIEC_CASUS,
            "LOO: RIEC-casus",
            requires_reason=True,
            venue=Venue.LOO,
        ),
        _t(
            Action.LOO_NIET_BEVESTIGD,
            [S.GEAGENDEERD_LOO],
            S.NIET_BEVESTIGD,
            "LOO: niet bevestigd",
            requires_reason=True,
            venue=Venue.LOO,
        ),
        _t(
            Action.DOORVERWIJZEN,
            [S.IN_BEHANDELING, S.GEAGENDEERD, S.INTEGRALE_CONTROLE, S.INTERVENTIE],
            S.DOORVERWEZEN,
            "Doorverwijzen naar ketenpartner",
            requires_reason=True,
        ),
        _t(
            Action.TERUG_IN_BEHANDELING,
            [S.DOORVERWEZEN, S.INTEGRALE_CONTROLE, S.OVERGEDRAGEN],
            S.IN_BEHANDELING,
            "Terug in behandeling (bijv. doorverwijzing afgewezen)",
            requires_reason=True,
        ),
        _t(
            Action.AFSLUITEN,
            [S.IN_BEHANDELING, *_DECIDED],
            S.AFGESLOTEN,
            "Afsluiten",
            requires_reason=True,
        ),
    )
}


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need to know about the case beyond its state."""

    feedback_recorded: bool = False
    feedback_impossible_reason: str = ""

    @property
    def reporter_informed_or_excused(self) -> bool:
        return self.feedback_recorded or bool(self.feedback_impossible_reason.strip())


class TransitionNotAllowed(Exception):
    """A change of state the machine does not allow; the message says why, in Dutch."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def transition_for(action: str) -> Transition:
    try:
        return TRANSITIONS[Action(action)]
    except ValueError:
        raise TransitionNotAllowed(f"Onbekende stap '{action}'.", code="unknown_action") from None


def guard_failures(transition: Transition, facts: CaseFacts) -> list[str]:
    """Reasons (Dutch) why a structurally allowed transition cannot happen yet."""
    failures = []
    if transition.action is Action.AFSLUITEN and not facts.reporter_informed_or_excused:
        failures.append(
            "Een signaal kan pas worden afgesloten als de terugkoppeling aan de melder is vastgelegd, "
            "of is vastgelegd waarom terugkoppeling niet mogelijk is."
        )
    return failures


def allowed_actions(state: CaseState | str, facts: CaseFacts) -> list[Transition]:
    """The next steps a person may take now, in a stable order (for the case page)."""
    current = CaseState(state)
    return [
        t for t in TRANSITIONS.values() if current in t.sources and not guard_failures(t, facts)
    ]


def apply(
    state: CaseState | str, action: str, facts: CaseFacts, reason: str = ""
) -> CaseState:
    """Return the new state, or raise TransitionNotAllowed with a message a user can act on."""
    current = CaseState(state)
    transition = transition_for(action)
    if current not in transition.sources:
        raise TransitionNotAllowed(
            f"De stap '{transition.label}' kan niet vanuit de status '{STATE_LABELS[current]}'.",
            code="invalid_source",
        )
    failures = guard_failures(transition, facts)
    if failures:
        raise TransitionNotAllowed(" ".join(failures), code="guard")
    if transition.requires_reason and not reason.strip():
        raise TransitionNotAllowed(
            f"Geef een toelichting bij de stap '{transition.label}'.", code="reason_required"
        )
    return transition.target


def is_terminal(state: CaseState | str) -> bool:
    return CaseState(state) is CaseState.AFGESLOTEN
