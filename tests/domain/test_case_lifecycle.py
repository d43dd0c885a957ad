"""Every allowed and every forbidden transition of the case lifecycle, venues and guards included."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketenzicht.domain.lifecycles.base import TransitionNotAllowed, Venue
from ketenzicht.domain.lifecycles.case import (
    GROUPS,
    MACHINE,
    PUBLIC_STATUS,
    Action,
    CaseFacts,
    CaseState,
    MergeTarget,
    TableDecision,
    TransferTarget,
    allowed_actions,
    apply,
    state_label,
)

S = CaseState
A = Action
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
OTHER = MergeTarget(reference="KZ-2026-000002", state="in_behandeling", same_municipality=True, is_self=False)
LISSE = TransferTarget(name="Lisse", same_municipality=False, on_platform=True)
INFORMED = CaseFacts(feedback_recorded=True, merge_target=OTHER, transfer_target=LISSE, regional_agenda=True)
SO = TableDecision(Venue.SIGNALENOVERLEG, "item-1")
LOO = TableDecision(Venue.LOO, "item-2")
RT = TableDecision(Venue.REGIONALE_TAFEL, "item-3")
OPEN = [s for s in CaseState if s not in (S.AFGESLOTEN, S.SAMENGEVOEGD)]

# The expected machine, written out independently of the module's table: (state, action) → target.
EXPECTED: dict[tuple[CaseState, Action], CaseState] = {
    (S.ONTVANGEN, A.IN_BEHANDELING_NEMEN): S.IN_BEHANDELING,
    (S.IN_BEHANDELING, A.AGENDEREN): S.GEAGENDEERD,
    (S.INTEGRALE_CONTROLE, A.AGENDEREN): S.GEAGENDEERD,
    (S.GEAGENDEERD, A.SO_MEER_INFORMATIE): S.IN_BEHANDELING,
    (S.GEAGENDEERD, A.SO_INTEGRALE_CONTROLE): S.INTEGRALE_CONTROLE,
    (S.GEAGENDEERD, A.SO_ANDERE_AFDELING): S.OVERGEDRAGEN,
    (S.GEAGENDEERD, A.SO_NIET_BEVESTIGD): S.NIET_BEVESTIGD,
    (S.GEAGENDEERD, A.NAAR_LOO): S.GEAGENDEERD_LOO,
    (S.GEAGENDEERD_LOO, A.LOO_INTERVENTIE): S.INTERVENTIE,
    (S.GEAGENDEERD_LOO, A.LOO_RIEC_CASUS): S.RIEC_CASUS,
    (S.GEAGENDEERD_LOO, A.LOO_NIET_BEVESTIGD): S.NIET_BEVESTIGD,
    (S.INTEGRALE_CONTROLE, A.TERUG_IN_BEHANDELING): S.IN_BEHANDELING,
    (S.OVERGEDRAGEN, A.TERUG_IN_BEHANDELING): S.IN_BEHANDELING,
    **{(s, A.AFSLUITEN): S.AFGESLOTEN for s in (S.IN_BEHANDELING, S.OVERGEDRAGEN, S.NIET_BEVESTIGD,
                                                  S.INTEGRALE_CONTROLE, S.INTERVENTIE, S.RIEC_CASUS)},
    (S.AFGESLOTEN, A.HEROPENEN): S.IN_BEHANDELING,
    **{(s, A.SAMENVOEGEN): S.SAMENGEVOEGD for s in OPEN},
    # Transfer to another municipality (issue 14): back to the receiving AF's new signals.
    (S.ONTVANGEN, A.OVERDRAGEN): S.ONTVANGEN,
    (S.IN_BEHANDELING, A.OVERDRAGEN): S.ONTVANGEN,
    # Regional and district tables (issue 14 item 3): brought by the AF, decided back home.
    (S.IN_BEHANDELING, A.AGENDEREN_REGIONAAL): S.GEAGENDEERD_REGIONAAL,
    (S.GEAGENDEERD_REGIONAAL, A.RT_TERUG_NAAR_GEMEENTE): S.IN_BEHANDELING,
    (S.GEAGENDEERD_REGIONAAL, A.RT_SIGNALENOVERLEG): S.GEAGENDEERD,
    (S.GEAGENDEERD_REGIONAAL, A.RT_INTEGRALE_CONTROLE): S.INTEGRALE_CONTROLE,
}
# Where each action may be decided (None: the case page).
TABLE_ACTIONS = {
    A.SO_MEER_INFORMATIE: SO, A.SO_INTEGRALE_CONTROLE: SO, A.SO_ANDERE_AFDELING: SO, A.SO_NIET_BEVESTIGD: SO,
    A.NAAR_LOO: SO, A.LOO_INTERVENTIE: LOO, A.LOO_RIEC_CASUS: LOO, A.LOO_NIET_BEVESTIGD: LOO,
    A.RT_TERUG_NAAR_GEMEENTE: RT, A.RT_SIGNALENOVERLEG: RT, A.RT_INTEGRALE_CONTROLE: RT,
}


def _apply(state: CaseState, action: Action, facts: CaseFacts = INFORMED, reason: str = "besproken") -> CaseState:
    return apply(state, action, facts, now=NOW, reason=reason, decision=TABLE_ACTIONS.get(action))


@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
def test_allowed_transition_reaches_its_target(state: CaseState, action: Action) -> None:
    assert _apply(state, action) is EXPECTED[(state, action)]


@pytest.mark.parametrize(("state", "action"), [p for p in itertools.product(CaseState, Action) if p not in EXPECTED])
def test_forbidden_transition_is_refused_with_a_message(state: CaseState, action: Action) -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        _apply(state, action)
    assert excinfo.value.code == "invalid_source"
    assert f"heeft de status '{state_label(state)}'" in str(excinfo.value)


def test_table_matches_expected_machine_exactly() -> None:
    actual = {(s, t.action): t.target for t in MACHINE.transitions.values() for s in t.sources}
    assert actual == EXPECTED


@pytest.mark.parametrize("action", sorted(TABLE_ACTIONS))
def test_a_table_outcome_cannot_be_taken_on_the_case_page(action: Action) -> None:
    """The probe of issue 18: posting so_niet_bevestigd on the case page closed the signal."""
    source = next(s for (s, a) in EXPECTED if a is action)
    with pytest.raises(TransitionNotAllowed) as excinfo:
        apply(source, action, INFORMED, now=NOW, reason="besproken")
    assert excinfo.value.code == "venue"
    assert "besluit van" in str(excinfo.value)
    assert action not in {t.action for t in allowed_actions(source, INFORMED, now=NOW)}


def test_a_table_cannot_take_the_other_tables_or_the_case_pages_steps() -> None:
    with pytest.raises(TransitionNotAllowed) as wrong_table:
        apply(S.GEAGENDEERD_LOO, A.LOO_INTERVENTIE, INFORMED, now=NOW, reason="x", decision=SO)
    assert wrong_table.value.code == "venue"
    with pytest.raises(TransitionNotAllowed) as case_step:
        apply(S.IN_BEHANDELING, A.AGENDEREN, INFORMED, now=NOW, decision=SO)
    assert case_step.value.code == "venue"
    with pytest.raises(TransitionNotAllowed):
        apply(S.GEAGENDEERD, A.SO_NIET_BEVESTIGD, INFORMED, now=NOW, reason="x", decision=TableDecision(Venue.SIGNALENOVERLEG, ""))


def test_table_offers_only_its_own_outcomes() -> None:
    offered = {t.action for t in allowed_actions(S.GEAGENDEERD, INFORMED, now=NOW, venue=Venue.SIGNALENOVERLEG)}
    assert offered == {A.SO_MEER_INFORMATIE, A.SO_INTEGRALE_CONTROLE, A.SO_ANDERE_AFDELING, A.SO_NIET_BEVESTIGD, A.NAAR_LOO}
    regional = {t.action for t in allowed_actions(S.GEAGENDEERD_REGIONAAL, INFORMED, now=NOW, venue=Venue.REGIONALE_TAFEL)}
    assert regional == {A.RT_TERUG_NAAR_GEMEENTE, A.RT_SIGNALENOVERLEG, A.RT_INTEGRALE_CONTROLE}
    # A regional table takes no municipal table's outcome, and the other way round.
    with pytest.raises(TransitionNotAllowed):
        apply(S.GEAGENDEERD, A.SO_NIET_BEVESTIGD, INFORMED, now=NOW, reason="x", decision=RT)
    with pytest.raises(TransitionNotAllowed):
        apply(S.GEAGENDEERD_REGIONAAL, A.RT_SIGNALENOVERLEG, INFORMED, now=NOW, reason="x", decision=SO)


def test_a_regional_table_is_reached_only_from_its_agenda() -> None:
    """Not from the case page or the API: the state never exists without its agenda item."""
    with pytest.raises(TransitionNotAllowed) as excinfo:
        _apply(S.IN_BEHANDELING, A.AGENDEREN_REGIONAAL, CaseFacts())
    assert excinfo.value.code == "guard" and "via de agenda van die tafel" in str(excinfo.value)
    assert A.AGENDEREN_REGIONAAL not in {t.action for t in allowed_actions(S.IN_BEHANDELING, CaseFacts(), now=NOW)}


def test_case_cannot_be_closed_without_feedback() -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        _apply(S.NIET_BEVESTIGD, A.AFSLUITEN, CaseFacts())
    assert excinfo.value.code == "guard" and "terugkoppeling" in str(excinfo.value)
    assert A.AFSLUITEN not in {t.action for t in allowed_actions(S.NIET_BEVESTIGD, CaseFacts(), now=NOW)}


def test_case_cannot_close_or_merge_while_a_referral_is_with_a_partner() -> None:
    facts = CaseFacts(feedback_recorded=True, open_referrals=("SHOP",), merge_target=OTHER)
    for action in (A.AFSLUITEN, A.SAMENVOEGEN):
        with pytest.raises(TransitionNotAllowed) as excinfo:
            _apply(S.IN_BEHANDELING, action, facts)
        assert "SHOP" in str(excinfo.value) and "Trek die eerst in" in str(excinfo.value)


def test_closing_explained_without_feedback() -> None:
    facts = CaseFacts(feedback_impossible_reason="Anonieme melding zonder contactgegevens")
    assert _apply(S.NIET_BEVESTIGD, A.AFSLUITEN, facts) is S.AFGESLOTEN
    with pytest.raises(TransitionNotAllowed):
        _apply(S.NIET_BEVESTIGD, A.AFSLUITEN, CaseFacts(feedback_impossible_reason="  "))


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (None, "Kies het signaal"),
        (MergeTarget("KZ-1", "in_behandeling", True, True), "met zichzelf"),
        (MergeTarget("KZ-1", "in_behandeling", False, False), "dezelfde gemeente"),
        (MergeTarget("KZ-1", "afgesloten", True, False), "afgesloten of zelf samengevoegd"),
        (MergeTarget("KZ-1", "samengevoegd", True, False), "afgesloten of zelf samengevoegd"),
    ],
)
def test_merge_needs_a_live_case_of_the_same_municipality(target: MergeTarget | None, message: str) -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        _apply(S.IN_BEHANDELING, A.SAMENVOEGEN, CaseFacts(merge_target=target))
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        (CaseFacts(), "Kies de gemeente waaraan u het signaal overdraagt."),
        (CaseFacts(transfer_target=TransferTarget("Zoeterwoude", True, True)), "hoort al bij uw gemeente"),
        (CaseFacts(transfer_target=TransferTarget("Hillegom", False, False)), "Hillegom werkt niet met Ketenzicht"),
        (CaseFacts(transfer_target=LISSE, on_agenda=True), "op de agenda van een overleg"),
        (CaseFacts(transfer_target=LISSE, open_barrier_work=1), "integrale controle of interventie"),
    ],
)
def test_transfer_needs_another_municipality_on_the_platform_and_no_open_table_or_control(facts: CaseFacts, message: str) -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        _apply(S.IN_BEHANDELING, A.OVERDRAGEN, facts)
    assert excinfo.value.code == "guard" and message in str(excinfo.value)
    # Referrals stay with the case: they do not stop a transfer.
    assert _apply(S.IN_BEHANDELING, A.OVERDRAGEN, CaseFacts(transfer_target=LISSE, open_referrals=("SHOP",))) is S.ONTVANGEN


@pytest.mark.parametrize("action", [a for a in Action if MACHINE.transitions[a].requires_reason])
def test_decisions_need_a_reason(action: Action) -> None:
    source = next(s for (s, a) in EXPECTED if a is action)
    with pytest.raises(TransitionNotAllowed) as excinfo:
        _apply(source, action, reason=" ")
    assert excinfo.value.code == "reason_required"


def test_every_transition_says_why_and_who_asked() -> None:
    for t in MACHINE.transitions.values():
        assert len(t.why) > 20 and t.asked_by, t.action


def test_unknown_action_is_named() -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        apply(S.ONTVANGEN, "vernietigen", INFORMED, now=NOW)
    assert "vernietigen" in str(excinfo.value) and excinfo.value.code == "unknown_action"


def test_groupings() -> None:
    assert GROUPS.terminal == GROUPS.read_only == {S.AFGESLOTEN, S.SAMENGEVOEGD}
    assert GROUPS.waiting == {S.GEAGENDEERD, S.GEAGENDEERD_LOO, S.GEAGENDEERD_REGIONAAL, S.INTEGRALE_CONTROLE}
    assert S.ONTVANGEN not in GROUPS.workable and S.INTERVENTIE in GROUPS.workable
    # A closed case offers only reopening; a merged one nothing at all.
    assert [t.action for t in allowed_actions(S.AFGESLOTEN, INFORMED, now=NOW, venue=None)] == [A.HEROPENEN]
    assert allowed_actions(S.SAMENGEVOEGD, INFORMED, now=NOW, venue=None) == []


def test_referral_is_no_state_any_more_but_history_keeps_its_label() -> None:
    assert "doorverwezen" not in {s.value for s in CaseState}
    assert state_label("doorverwezen") == "Doorverwezen naar ketenpartner"


def test_every_state_reachable_from_intake() -> None:
    reachable, frontier = {S.ONTVANGEN}, [S.ONTVANGEN]
    while frontier:
        state = frontier.pop()
        for (s, _a), target in EXPECTED.items():
            if s is state and target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert reachable == set(CaseState)


def test_reporter_sees_three_public_steps_only() -> None:
    assert set(PUBLIC_STATUS.values()) == {"ontvangen", "in_behandeling", "afgerond"}
    assert PUBLIC_STATUS[S.RIEC_CASUS] == "in_behandeling" and PUBLIC_STATUS[S.AFGESLOTEN] == "afgerond"


@given(st.lists(st.sampled_from(list(Action)), max_size=30))
def test_any_walk_stays_in_the_machine_and_read_only_states_only_reopen(walk: list[Action]) -> None:
    state = S.ONTVANGEN
    for action in walk:
        try:
            new = _apply(state, action)
        except TransitionNotAllowed:
            assert (state, action) not in EXPECTED
            continue
        assert (state, action) in EXPECTED and new is EXPECTED[(state, action)]
        if state in GROUPS.read_only:
            assert action is A.HEROPENEN
        state = new
