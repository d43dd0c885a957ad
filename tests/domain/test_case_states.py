"""Every allowed and every forbidden transition of the case state machine."""

import itertools

import pytest

from ketenzicht.domain.case_states import (
    PUBLIC_STATUS,
    TRANSITIONS,
    Action,
    CaseFacts,
    CaseState,
    TransitionNotAllowed,
    allowed_actions,
    apply,
)

S = CaseState
A = Action
INFORMED = CaseFacts(feedback_recorded=True)

# The expected machine, written out independently of the module's table.
EXPECTED: dict[tuple[CaseState, Action], CaseState] = {
    (S.ONTVANGEN, A.IN_BEHANDELING_NEMEN): S.IN_BEHANDELING,
    (S.IN_BEHANDELING, A.AGENDEREN): S.GEAGENDEERD,
    (S.GEAGENDEERD, A.SO_MEER_INFORMATIE): S.IN_BEHANDELING,
    (S.GEAGENDEERD, A.SO_INTEGRALE_CONTROLE): S.INTEGRALE_CONTROLE,
    (S.GEAGENDEERD, A.SO_ANDERE_AFDELING): S.OVERGEDRAGEN,
    (S.GEAGENDEERD, A.SO_NIET_BEVESTIGD): S.NIET_BEVESTIGD,
    (S.GEAGENDEERD, A.NAAR_LOO): S.GEAGENDEERD_LOO,
    (S.INTEGRALE_CONTROLE, A.NAAR_LOO): S.GEAGENDEERD_LOO,
    (S.GEAGENDEERD_LOO, A.LOO_INTERVENTIE): S.INTERVENTIE,
    (S.GEAGENDEERD_LOO, A.LOO_RIEC_CASUS): S.RIEC_CASUS,
    (S.GEAGENDEERD_LOO, A.LOO_NIET_BEVESTIGD): S.NIET_BEVESTIGD,
    (S.IN_BEHANDELING, A.DOORVERWIJZEN): S.DOORVERWEZEN,
    (S.GEAGENDEERD, A.DOORVERWIJZEN): S.DOORVERWEZEN,
    (S.INTEGRALE_CONTROLE, A.DOORVERWIJZEN): S.DOORVERWEZEN,
    (S.INTERVENTIE, A.DOORVERWIJZEN): S.DOORVERWEZEN,
    (S.DOORVERWEZEN, A.TERUG_IN_BEHANDELING): S.IN_BEHANDELING,
    (S.INTEGRALE_CONTROLE, A.TERUG_IN_BEHANDELING): S.IN_BEHANDELING,
    (S.OVERGEDRAGEN, A.TERUG_IN_BEHANDELING): S.IN_BEHANDELING,
    (S.IN_BEHANDELING, A.AFSLUITEN): S.AFGESLOTEN,
    (S.OVERGEDRAGEN, A.AFSLUITEN): S.AFGESLOTEN,
    (S.NIET_BEVESTIGD, A.AFSLUITEN): S.AFGESLOTEN,
    (S.INTEGRALE_CONTROLE, A.AFSLUITEN): S.AFGESLOTEN,
    (S.INTERVENTIE, A.AFSLUITEN): S.AFGESLOTEN,
    (S.RIEC_CASUS, A.AFSLUITEN): S.AFGESLOTEN,
    (S.DOORVERWEZEN, A.AFSLUITEN): S.AFGESLOTEN,
}

ALL_PAIRS = list(itertools.product(CaseState, Action))


@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
def test_allowed_transition_reaches_its_target(state: CaseState, action: Action) -> None:
    assert apply(state, action, INFORMED, reason="besproken") is EXPECTED[(state, action)]


@pytest.mark.parametrize(
    ("state", "action"), [pair for pair in ALL_PAIRS if pair not in EXPECTED]
)
def test_forbidden_transition_is_refused_with_a_message(state: CaseState, action: Action) -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        apply(state, action, INFORMED, reason="besproken")
    assert excinfo.value.code == "invalid_source"
    assert "kan niet vanuit de status" in str(excinfo.value)


def test_table_matches_expected_machine_exactly() -> None:
    actual = {(s, t.action): t.target for t in TRANSITIONS.values() for s in t.sources}
    assert actual == EXPECTED


def test_closed_case_is_terminal() -> None:
    assert allowed_actions(S.AFGESLOTEN, INFORMED) == []


def test_case_cannot_be_closed_without_feedback() -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        apply(S.NIET_BEVESTIGD, A.AFSLUITEN, CaseFacts(), reason="klaar")
    assert excinfo.value.code == "guard"
    assert "terugkoppeling" in str(excinfo.value)
    assert A.AFSLUITEN not in {t.action for t in allowed_actions(S.NIET_BEVESTIGD, CaseFacts())}


def test_case_can_be_closed_when_feedback_impossible_is_explained() -> None:
    facts = CaseFacts(feedback_impossible_reason="Anonieme melding zonder contactgegevens")
    assert apply(S.NIET_BEVESTIGD, A.AFSLUITEN, facts, reason="klaar") is S.AFGESLOTEN


def test_whitespace_is_not_an_explanation_for_missing_feedback() -> None:
    with pytest.raises(TransitionNotAllowed):
        apply(S.NIET_BEVESTIGD, A.AFSLUITEN, CaseFacts(feedback_impossible_reason="  "), reason="x")


@pytest.mark.parametrize("action", [t.action for t in TRANSITIONS.values() if t.requires_reason])
def test_decisions_need_a_reason(action: Action) -> None:
    source = next(iter(TRANSITIONS[action].sources))
    with pytest.raises(TransitionNotAllowed) as excinfo:
        apply(source, action, INFORMED, reason=" ")
    assert excinfo.value.code == "reason_required"


def test_unknown_action_is_named() -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        apply(S.ONTVANGEN, "vernietigen", INFORMED)
    assert "vernietigen" in str(excinfo.value)


def test_allowed_actions_agree_with_apply() -> None:
    for state in CaseState:
        offered = {t.action for t in allowed_actions(state, INFORMED)}
        assert offered == {a for (s, a) in EXPECTED if s is state}


def test_every_state_reachable_from_intake_and_every_state_can_end() -> None:
    reachable = {S.ONTVANGEN}
    frontier = [S.ONTVANGEN]
    while frontier:
        state = frontier.pop()
        for (s, _a), target in EXPECTED.items():
            if s is state and target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(CaseState)


def test_reporter_sees_three_public_steps_only() -> None:
    assert set(PUBLIC_STATUS.values()) == {"ontvangen", "in_behandeling", "afgerond"}
    assert PUBLIC_STATUS[S.ONTVANGEN] == "ontvangen"
    assert PUBLIC_STATUS[S.RIEC_CASUS] == "in_behandeling"
    assert PUBLIC_STATUS[S.AFGESLOTEN] == "afgerond"
