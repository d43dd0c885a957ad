"""Every allowed and every forbidden transition of the role request (four eyes on beheerder and
privacy officer), with its guards: who may decide, who may withdraw, clashing roles, reasons."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from ketenzicht.domain.lifecycles import MACHINES
from ketenzicht.domain.lifecycles.base import TransitionNotAllowed
from ketenzicht.domain.lifecycles.role_request import MACHINE, Action, RoleRequestFacts
from ketenzicht.domain.lifecycles.role_request import RoleRequestState as Q

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
# Written out by hand: (state, action) → target. Everything else is refused.
EXPECTED = {
    (Q.WACHT, "bevestigen"): Q.BEVESTIGD,
    (Q.WACHT, "weigeren"): Q.GEWEIGERD,
    (Q.WACHT, "intrekken"): Q.INGETROKKEN,
    (Q.WACHT, "vervallen"): Q.VERVALLEN,
}
# Facts under which the step's guard passes: a second beheerder decides, the requester withdraws.
FACTS = {
    "bevestigen": RoleRequestFacts(role="beheerder"),
    "weigeren": RoleRequestFacts(role="beheerder"),
    "intrekken": RoleRequestFacts(role="beheerder", by_requester=True),
    "vervallen": RoleRequestFacts(role="beheerder"),
}
FORBIDDEN = [(s, a) for s, a in itertools.product(Q, MACHINE.transitions) if (s, a) not in EXPECTED]


def test_the_machine_is_registered_and_its_table_is_as_written() -> None:
    assert MACHINES["role_request"] is MACHINE
    actual = {(s, t.action): t.target_from(s) for t in MACHINE.transitions.values() for s in t.sources}
    assert actual == EXPECTED
    for t in MACHINE.transitions.values():
        assert len(t.why) > 20 and t.asked_by


@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
def test_allowed_transition_reaches_its_target(state: Q, action: str) -> None:
    assert MACHINE.apply(state, action, FACTS[action], now=NOW, reason="toelichting") is EXPECTED[(state, action)]


@pytest.mark.parametrize(("state", "action"), FORBIDDEN)
def test_forbidden_transition_is_refused(state: Q, action: str) -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        MACHINE.apply(state, action, FACTS[action], now=NOW, reason="toelichting")
    assert excinfo.value.code == "invalid_source"
    assert "het rolverzoek heeft de status" in str(excinfo.value)


def test_a_decided_request_is_final() -> None:
    groups = MACHINE.groups
    assert groups.open == groups.waiting == {Q.WACHT}
    assert groups.terminal == groups.read_only == set(Q) - {Q.WACHT}
    assert all(not MACHINE.allowed(s, FACTS["vervallen"], NOW, venue=None) for s in groups.terminal)


@pytest.mark.parametrize(
    ("action", "facts", "message"),
    [
        ("bevestigen", RoleRequestFacts(role="beheerder", by_requester=True), "niet wie het deed of wie het betreft"),
        ("bevestigen", RoleRequestFacts(role="beheerder", by_subject=True), "niet wie het deed of wie het betreft"),
        ("weigeren", RoleRequestFacts(role="beheerder", by_requester=True), "niet wie het deed of wie het betreft"),
        ("weigeren", RoleRequestFacts(role="privacy_officer", by_subject=True), "niet wie het deed of wie het betreft"),
        ("intrekken", RoleRequestFacts(role="beheerder"), "Alleen wie het verzoek deed"),
        ("intrekken", RoleRequestFacts(role="beheerder", by_subject=True), "Alleen wie het verzoek deed"),
        # A role granted since the request was made: confirming would join what may not go together.
        ("bevestigen", RoleRequestFacts(role="privacy_officer", held=frozenset({"aandachtsfunctionaris"})),
         "privacy officer gaat niet samen met de rol aandachtsfunctionaris"),
    ],
)
def test_guards_refuse_with_a_dutch_message(action: str, facts: RoleRequestFacts, message: str) -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        MACHINE.apply(Q.WACHT, action, facts, now=NOW, reason="toelichting")
    assert excinfo.value.code == "guard" and message in str(excinfo.value)


def test_a_clash_only_blocks_the_clashing_role() -> None:
    facts = RoleRequestFacts(role="beheerder", held=frozenset({"aandachtsfunctionaris", "melder"}))
    assert MACHINE.apply(Q.WACHT, "bevestigen", facts, now=NOW) is Q.BEVESTIGD


@pytest.mark.parametrize("action", [Action.WEIGEREN, Action.VERVALLEN])
def test_a_refusal_and_a_lapse_say_why(action: Action) -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        MACHINE.apply(Q.WACHT, action, FACTS[action], now=NOW, reason="  ")
    assert excinfo.value.code == "reason_required"


def test_confirm_and_withdraw_need_no_reason() -> None:
    assert MACHINE.apply(Q.WACHT, "bevestigen", FACTS["bevestigen"], now=NOW) is Q.BEVESTIGD
    assert MACHINE.apply(Q.WACHT, "intrekken", FACTS["intrekken"], now=NOW) is Q.INGETROKKEN

