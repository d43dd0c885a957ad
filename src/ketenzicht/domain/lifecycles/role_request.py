"""The lifecycle of a role request: a grant of beheerder or privacy officer under four eyes.

A beheerder asks; the grant waits (`wacht`) until a second beheerder of the region confirms or
refuses it. Whoever asked may withdraw it. It lapses (`vervallen`) when it can no longer be
meant: the role was taken away, or the account of the person it is for, or of the one who asked,
was deactivated. A request is decided once; the row itself (who, when, why) is its history.
Which roles wait at all is `domain.roles.plan_roles`.

`accounts.services.role_request_transition` is the only caller that applies a transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ketenzicht.domain.lifecycles.base import Groups, Machine, Transition, transition
from ketenzicht.domain.roles import INCOMPATIBLE, LABELS


class RoleRequestState(StrEnum):
    WACHT = "wacht"
    BEVESTIGD = "bevestigd"
    GEWEIGERD = "geweigerd"
    INGETROKKEN = "ingetrokken"
    VERVALLEN = "vervallen"


STATE_LABELS = {
    RoleRequestState.WACHT: "Wacht op bevestiging",
    RoleRequestState.BEVESTIGD: "Bevestigd",
    RoleRequestState.GEWEIGERD: "Geweigerd",
    RoleRequestState.INGETROKKEN: "Ingetrokken",
    RoleRequestState.VERVALLEN: "Vervallen",
}


class Action(StrEnum):
    BEVESTIGEN = "bevestigen"
    WEIGEREN = "weigeren"
    INTREKKEN = "intrekken"
    VERVALLEN = "vervallen"


Q = RoleRequestState
DECIDED = frozenset({Q.BEVESTIGD, Q.GEWEIGERD, Q.INGETROKKEN, Q.VERVALLEN})
GROUPS = Groups(
    open=frozenset({Q.WACHT}),
    waiting=frozenset({Q.WACHT}),  # waiting for a second beheerder
    workable=frozenset(),
    terminal=DECIDED,
    read_only=DECIDED,
)

TRANSITIONS: tuple[Transition[RoleRequestState], ...] = (
    transition(Action.BEVESTIGEN, [Q.WACHT], Q.BEVESTIGD, "Bevestigen",
               why="Beheerder en privacy officer geven toegang tot de toegang zelf; een tweede beheerder "
                   "van de regio bevestigt, en pas dan krijgt de persoon de rol.",
               asked_by="issue 13 item 3 (vier ogen bij beheerder en privacy officer)"),
    transition(Action.WEIGEREN, [Q.WACHT], Q.GEWEIGERD, "Weigeren",
               why="De tweede beheerder vindt de rol niet nodig of niet passend; de aanvrager leest waarom.",
               asked_by="issue 13 item 3", requires_reason=True),
    transition(Action.INTREKKEN, [Q.WACHT], Q.INGETROKKEN, "Verzoek intrekken",
               why="Wie het verzoek deed, bedenkt zich (bijv. een verkeerde persoon aangevinkt) voordat een "
                   "tweede beheerder erover besluit.",
               asked_by="issue 13 item 3"),
    transition(Action.VERVALLEN, [Q.WACHT], Q.VERVALLEN, "Vervallen",
               why="Het verzoek kan niet meer bedoeld zijn: de rol is afgenomen, of het account van de persoon "
                   "of van de aanvrager is gedeactiveerd. Een geblokkeerd account laat geen rol achter die "
                   "later alsnog wordt bevestigd.",
               asked_by="issue 13 item 3; issue 16 item 1 (deactiveren); issue 18", requires_reason=True),
)


@dataclass(frozen=True)
class RoleRequestFacts:
    role: str = ""
    # Who acts, relative to the request: the one who asked, the person it is for.
    by_requester: bool = False
    by_subject: bool = False
    # The roles the person holds now (a role granted since the request may not go with it).
    held: frozenset[str] = frozenset()


def _guard(t: Transition[RoleRequestState], facts: RoleRequestFacts, now: datetime) -> list[str]:
    if t.action in (Action.BEVESTIGEN, Action.WEIGEREN) and (facts.by_requester or facts.by_subject):
        return ["Een tweede beheerder bevestigt of weigert dit verzoek, niet wie het deed of wie het betreft."]
    if t.action == Action.INTREKKEN and not facts.by_requester:
        return ["Alleen wie het verzoek deed, kan het intrekken."]
    if t.action == Action.BEVESTIGEN:
        for pair in INCOMPATIBLE:
            if facts.role in pair and (pair - {facts.role}) & facts.held:
                other = LABELS[sorted(pair - {facts.role})[0]]
                return [f"De rol {LABELS[facts.role]} gaat niet samen met de rol {other}, die deze persoon "
                        "inmiddels heeft. Weiger het verzoek, of neem eerst die andere rol af."]
    return []


MACHINE: Machine[RoleRequestState] = Machine.build(
    "het rolverzoek", RoleRequestState, STATE_LABELS, TRANSITIONS, GROUPS, _guard
)
