"""The lifecycle of a referral (doorverwijzing): a parallel track beside its case.

Sending a referral leaves the case in its state; the case only waits for it when it is to be
closed (`lifecycles.case` refuses closing while a referral is with a partner). The AF withdraws
a referral that is no longer needed, and the partner is told: by mail and in the inbox when the
partner works in Ketenzicht, otherwise the AF records how the partner was told. A partner that
accepted gives interim feedback as often as needed, then completes with the final feedback.

`routing.services.referral_transition` is the only caller that applies a transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ketenzicht.domain.lifecycles.base import Groups, Machine, Transition, transition


class ReferralState(StrEnum):
    CONCEPT = "concept"
    VERZONDEN = "verzonden"
    ONTVANGEN = "ontvangen"
    GEACCEPTEERD = "geaccepteerd"
    AFGEWEZEN = "afgewezen"
    AFGEROND = "afgerond"
    INGETROKKEN = "ingetrokken"


STATE_LABELS = {
    ReferralState.CONCEPT: "Concept",
    ReferralState.VERZONDEN: "Verzonden",
    ReferralState.ONTVANGEN: "Ontvangen",
    ReferralState.GEACCEPTEERD: "Geaccepteerd",
    ReferralState.AFGEWEZEN: "Afgewezen",
    ReferralState.AFGEROND: "Afgerond",
    ReferralState.INGETROKKEN: "Ingetrokken",
}


class Action(StrEnum):
    VERZENDEN = "verzenden"
    ONTVANGEN = "ontvangen"
    ACCEPTEREN = "accepteren"
    AFWIJZEN = "afwijzen"
    TUSSENTIJDS_TERUGKOPPELEN = "tussentijds_terugkoppelen"
    AFRONDEN = "afronden"
    INTREKKEN = "intrekken"


R = ReferralState
# The partner holds it: the case cannot close until it is finished or withdrawn.
WITH_PARTNER = frozenset({R.VERZONDEN, R.ONTVANGEN, R.GEACCEPTEERD})
GROUPS = Groups(
    open=WITH_PARTNER | {R.CONCEPT},
    waiting=frozenset({R.VERZONDEN, R.ONTVANGEN}),
    workable=frozenset({R.GEACCEPTEERD}),
    terminal=frozenset({R.AFGEWEZEN, R.AFGEROND, R.INGETROKKEN}),
    read_only=frozenset({R.AFGEWEZEN, R.AFGEROND, R.INGETROKKEN}),
)

TRANSITIONS: tuple[Transition[ReferralState], ...] = (
    transition(Action.VERZENDEN, [R.CONCEPT], R.VERZONDEN, "Verzenden",
               why="De AF stuurt de partner alleen de veldgroepen van diens deelprofiel; de momentopname gaat mee.",
               asked_by="000 §5.6.2 (stappenplan persoonsgegevens); 001 bijlage 1 (routekaart)"),
    transition(Action.ONTVANGEN, [R.VERZONDEN], R.ONTVANGEN, "Ontvangst bevestigen",
               why="De partner laat weten dat de doorverwijzing binnen is.", asked_by="issue 4"),
    transition(Action.ACCEPTEREN, [R.ONTVANGEN], R.GEACCEPTEERD, "Accepteren",
               why="De partner pakt de vraag op.", asked_by="issue 4"),
    transition(Action.AFWIJZEN, [R.ONTVANGEN], R.AFGEWEZEN, "Afwijzen",
               why="De partner kan of mag de vraag niet oppakken; de AF leest waarom bij het signaal.",
               asked_by="issue 4", requires_reason=True),
    transition(Action.TUSSENTIJDS_TERUGKOPPELEN, [R.GEACCEPTEERD], None, "Tussentijdse terugkoppeling",
               why="Een zorgtraject of onderzoek duurt lang; de AF hoort tussendoor hoe het gaat.",
               asked_by="002 §3.3.3 stap 6 (terugkoppeling); issue 18", requires_reason=True),
    transition(Action.AFRONDEN, [R.GEACCEPTEERD], R.AFGEROND, "Afronden met terugkoppeling",
               why="De partner zegt wat er met de doorverwijzing is gedaan.",
               asked_by="002 §3.3.3 stap 6", requires_reason=True),
    transition(Action.INTREKKEN, [R.CONCEPT, *sorted(WITH_PARTNER)], R.INGETROKKEN, "Intrekken",
               why="De doorverwijzing is niet meer nodig (bijv. het signaal wordt afgesloten); de partner krijgt "
                   "daarvan bericht, zodat niemand werkt aan een afgesloten signaal.",
               asked_by="issue 18", requires_reason=True),
)


@dataclass(frozen=True)
class ReferralFacts:
    case_read_only: bool = False
    # The AF has taken the case in (first assessment done): nothing is shared before that.
    case_taken_in: bool = True
    on_platform: bool = True
    was_sent: bool = False
    sent_at: datetime | None = None
    # For a partner outside Ketenzicht: how the AF told them of a withdrawal.
    partner_told_how: str = ""


def _guard(t: Transition[ReferralState], facts: ReferralFacts, now: datetime) -> list[str]:
    failures: list[str] = []
    if t.action == Action.VERZENDEN:
        if facts.case_read_only:
            failures.append("Het signaal is afgesloten; een doorverwijzing kan niet meer worden verzonden.")
        elif not facts.case_taken_in:
            failures.append("Neem het signaal eerst in behandeling; daarna kunt u doorverwijzen.")
        if facts.sent_at is not None and facts.sent_at > now:
            failures.append("De verzenddatum ligt in de toekomst; vul de werkelijke datum in.")
    elif t.action == Action.INTREKKEN and facts.was_sent and not facts.on_platform and not facts.partner_told_how.strip():
        failures.append("Deze partner werkt niet in Ketenzicht: leg vast hoe u de partner over het intrekken heeft ingelicht.")
    return failures


MACHINE: Machine[ReferralState] = Machine.build(
    "de doorverwijzing", ReferralState, STATE_LABELS, TRANSITIONS, GROUPS, _guard
)
