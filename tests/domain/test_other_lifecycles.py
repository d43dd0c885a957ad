"""Every allowed and every forbidden transition of the referral, control, intervention, Bibob
and programme-action lifecycles, with their guards (dates against ``now``, notes, reasons)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ketenzicht.domain.lifecycles import (
    MACHINES,
    bibob,
    control,
    intervention,
    linkage_run,
    programme_action,
    referral,
)
from ketenzicht.domain.lifecycles.base import Machine, TransitionNotAllowed

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
R, C, I, B, P = (referral.ReferralState, control.ControlState, intervention.InterventionState,  # noqa: E741
                 bibob.BibobState, programme_action.ActionState)
L = linkage_run.LinkageRunState


@dataclass(frozen=True)
class Case:
    machine: Machine[Any]
    states: type[StrEnum]
    facts: Any  # facts under which every guard passes
    expected: dict[tuple[Any, str], Any]  # written out by hand; None target = stays


_RUNNING = [P.GEEN, P.GROEN, P.ORANJE, P.ROOD]
CASES = {
    "referral": Case(referral.MACHINE, R, referral.ReferralFacts(partner_told_how="gebeld"), {
        (R.CONCEPT, "verzenden"): R.VERZONDEN,
        (R.VERZONDEN, "ontvangen"): R.ONTVANGEN,
        (R.ONTVANGEN, "accepteren"): R.GEACCEPTEERD,
        (R.ONTVANGEN, "afwijzen"): R.AFGEWEZEN,
        (R.GEACCEPTEERD, "tussentijds_terugkoppelen"): R.GEACCEPTEERD,
        (R.GEACCEPTEERD, "afronden"): R.AFGEROND,
        **{(s, "intrekken"): R.INGETROKKEN for s in (R.CONCEPT, R.VERZONDEN, R.ONTVANGEN, R.GEACCEPTEERD)},
    }),
    "control": Case(control.MACHINE, C, control.ControlFacts(executed_on=TODAY), {
        (C.GEPLAND, "uitvoeren"): C.UITGEVOERD,
        (C.UITGEVOERD, "bevindingen_aanvullen"): C.UITGEVOERD,
        (C.GEPLAND, "annuleren"): C.GEANNULEERD,
    }),
    "intervention": Case(intervention.MACHINE, I, intervention.InterventionFacts(started_on=TODAY), {
        (I.VOORGESTELD, "besluiten"): I.BESLOTEN,
        (I.VOORGESTELD, "inzetten"): I.INGEZET,
        (I.BESLOTEN, "inzetten"): I.INGEZET,
        (I.INGEZET, "effect_vastleggen"): I.EFFECT_VASTGELEGD,
        (I.VOORGESTELD, "afzien"): I.AFGEZIEN,
        (I.BESLOTEN, "afzien"): I.AFGEZIEN,
    }),
    "bibob": Case(bibob.MACHINE, B, bibob.BibobFacts(received_on=date(2026, 1, 5), decided_on=TODAY), {
        (B.LOPEND, "verlenen"): B.VERLEEND,
        (B.LOPEND, "verlenen_met_voorschriften"): B.VOORSCHRIFTEN,
        (B.LOPEND, "weigeren"): B.GEWEIGERD,
        (B.LOPEND, "aanvraag_ingetrokken"): B.INGETROKKEN_AANVRAGER,
        (B.VERLEEND, "vergunning_intrekken"): B.INGETROKKEN,
        (B.VOORSCHRIFTEN, "vergunning_intrekken"): B.INGETROKKEN,
        **{(s, "heroverwegen"): B.LOPEND for s in (B.VERLEEND, B.VOORSCHRIFTEN, B.GEWEIGERD)},
    }),
    "programme_action": Case(programme_action.MACHINE, P, programme_action.ActionFacts(note="loopt", done_on=TODAY), {
        **{(s, "op_koers"): P.GROEN for s in _RUNNING if s is not P.GROEN},
        **{(s, "aandacht_nodig"): P.ORANJE for s in _RUNNING if s is not P.ORANJE},
        **{(s, "niet_op_koers"): P.ROOD for s in _RUNNING if s is not P.ROOD},
        **{(s, "voortgang"): s for s in _RUNNING},
        **{(s, "afronden"): P.AFGEROND for s in _RUNNING},
    }),
    "linkage_run": Case(linkage_run.MACHINE, L, None, {
        (L.WACHTEND, "starten"): L.BEZIG,
        (L.BEZIG, "afronden"): L.KLAAR,
        (L.BEZIG, "vervangen"): L.VERVANGEN,
        (L.BEZIG, "mislukken"): L.MISLUKT,
    }),
}
ALLOWED = [(name, s, a) for name, c in CASES.items() for (s, a) in c.expected]
FORBIDDEN = [
    (name, s, a)
    for name, c in CASES.items()
    for s, a in itertools.product(c.states, c.machine.transitions)
    if (s, a) not in c.expected
]


def test_every_machine_is_covered() -> None:
    # case: test_case_lifecycle.py; role_request: test_role_request_lifecycle.py
    assert set(CASES) | {"case", "role_request"} == set(MACHINES)


@pytest.mark.parametrize(("name", "state", "action"), ALLOWED)
def test_allowed_transition_reaches_its_target(name: str, state: StrEnum, action: str) -> None:
    c = CASES[name]
    assert c.machine.apply(state, action, c.facts, now=NOW, reason="toelichting") is c.expected[(state, action)]


@pytest.mark.parametrize(("name", "state", "action"), FORBIDDEN)
def test_forbidden_transition_is_refused(name: str, state: StrEnum, action: str) -> None:
    c = CASES[name]
    with pytest.raises(TransitionNotAllowed) as excinfo:
        c.machine.apply(state, action, c.facts, now=NOW, reason="toelichting")
    assert excinfo.value.code == "invalid_source"


@pytest.mark.parametrize("name", sorted(CASES))
def test_table_matches_expected_and_is_annotated(name: str) -> None:
    c = CASES[name]
    actual = {(s, t.action): t.target_from(s) for t in c.machine.transitions.values() for s in t.sources}
    assert actual == c.expected
    for t in c.machine.transitions.values():
        assert len(t.why) > 20 and t.asked_by
        assert t.sources, t.action


@pytest.mark.parametrize("name", sorted(CASES))
def test_groupings_are_consistent(name: str) -> None:
    groups = CASES[name].machine.groups
    assert groups.read_only <= groups.terminal
    assert not (groups.open & groups.terminal)
    assert groups.waiting <= groups.open


@pytest.mark.parametrize(
    ("machine", "state", "action", "facts", "message"),
    [
        (referral.MACHINE, R.CONCEPT, "verzenden", referral.ReferralFacts(case_read_only=True), "afgesloten"),
        (referral.MACHINE, R.CONCEPT, "verzenden", referral.ReferralFacts(case_taken_in=False), "eerst in behandeling"),
        (referral.MACHINE, R.CONCEPT, "verzenden", referral.ReferralFacts(sent_at=datetime(2026, 3, 3, tzinfo=UTC)), "toekomst"),
        (referral.MACHINE, R.VERZONDEN, "intrekken", referral.ReferralFacts(on_platform=False, was_sent=True), "ingelicht"),
        (control.MACHINE, C.GEPLAND, "uitvoeren", control.ControlFacts(executed_on=date(2026, 3, 3)), "toekomst"),
        (control.MACHINE, C.GEPLAND, "uitvoeren", control.ControlFacts(), "datum"),
        (intervention.MACHINE, I.BESLOTEN, "inzetten", intervention.InterventionFacts(started_on=date(2026, 3, 3)), "toekomst"),
        (intervention.MACHINE, I.INGEZET, "effect_vastleggen",
         intervention.InterventionFacts(started_on=TODAY, ended_on=date(2026, 3, 1)), "vóór de datum van inzet"),
        (bibob.MACHINE, B.LOPEND, "weigeren", bibob.BibobFacts(), "datum van het besluit"),
        (bibob.MACHINE, B.LOPEND, "weigeren", bibob.BibobFacts(decided_on=date(2026, 3, 3)), "toekomst"),
        (bibob.MACHINE, B.LOPEND, "weigeren", bibob.BibobFacts(received_on=TODAY, decided_on=date(2026, 3, 1)), "vóór de ontvangst"),
        (programme_action.MACHINE, P.GROEN, "aandacht_nodig", programme_action.ActionFacts(), "Licht oranje of rood toe"),
        (programme_action.MACHINE, P.ORANJE, "niet_op_koers", programme_action.ActionFacts(note=" "), "Licht oranje of rood toe"),
        (programme_action.MACHINE, P.GROEN, "afronden", programme_action.ActionFacts(recurring=True, done_on=TODAY), "per keer"),
        (programme_action.MACHINE, P.GROEN, "afronden", programme_action.ActionFacts(done_on=date(2026, 3, 3)), "toekomst"),
    ],
)
def test_guards_refuse_with_a_dutch_message(machine: Machine[Any], state: StrEnum, action: str, facts: Any, message: str) -> None:
    with pytest.raises(TransitionNotAllowed) as excinfo:
        machine.apply(state, action, facts, now=NOW, reason="toelichting")
    assert excinfo.value.code == "guard" and message in str(excinfo.value)


def test_a_bibob_decision_never_reverts_without_a_reason() -> None:
    """The probe of issue 18: a decision could silently go back to 'lopend'."""
    facts = CASES["bibob"].facts
    with pytest.raises(TransitionNotAllowed) as excinfo:
        bibob.MACHINE.apply(B.GEWEIGERD, "heroverwegen", facts, now=NOW, reason="")
    assert excinfo.value.code == "reason_required"
    assert bibob.ACTION_FOR_DECISION[B.LOPEND] == "heroverwegen"


def test_withdrawing_a_referral_needs_a_reason_and_a_concept_needs_nobody_told() -> None:
    with pytest.raises(TransitionNotAllowed):
        referral.MACHINE.apply(R.GEACCEPTEERD, "intrekken", referral.ReferralFacts(), now=NOW)
    facts = referral.ReferralFacts(on_platform=False, was_sent=False)
    assert referral.MACHINE.apply(R.CONCEPT, "intrekken", facts, now=NOW, reason="niet nodig") is R.INGETROKKEN


def test_programme_action_state_of_stored_values() -> None:
    assert programme_action.state_of("", False) is P.GEEN
    assert programme_action.state_of("rood", False) is P.ROOD
    assert programme_action.state_of("groen", True) is P.AFGEROND


@given(st.sampled_from(sorted(CASES)), st.lists(st.integers(min_value=0, max_value=50), max_size=25))
def test_random_walks_only_take_expected_steps(name: str, picks: list[int]) -> None:
    c = CASES[name]
    state = next(iter(c.states))
    actions = list(c.machine.transitions)
    for pick in picks:
        action = actions[pick % len(actions)]
        try:
            new = c.machine.apply(state, action, c.facts, now=NOW, reason="toelichting")
        except TransitionNotAllowed:
            assert (state, action) not in c.expected
            continue
        assert new is c.expected[(state, action)]
        state = new


# 00:30 on 1 January in Amsterdam is still 31 December in UTC, the moment services pass.
AFTER_MIDNIGHT = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
SUMMER_AFTER_MIDNIGHT = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)  # 00:30 on 1 July (UTC+2)


@pytest.mark.parametrize("now, today", [(AFTER_MIDNIGHT, date(2026, 1, 1)), (SUMMER_AFTER_MIDNIGHT, date(2026, 7, 1))])
@pytest.mark.parametrize(
    "machine, state, action, facts_on",
    [
        (control.MACHINE, C.GEPLAND, "uitvoeren", lambda d: control.ControlFacts(executed_on=d)),
        (intervention.MACHINE, I.BESLOTEN, "inzetten", lambda d: intervention.InterventionFacts(started_on=d)),
        (bibob.MACHINE, B.LOPEND, "weigeren", lambda d: bibob.BibobFacts(decided_on=d)),
        (programme_action.MACHINE, P.GROEN, "afronden", lambda d: programme_action.ActionFacts(done_on=d)),
    ],
)
def test_today_is_the_dutch_calendar_day_just_after_midnight(
    machine: Machine[Any], state: StrEnum, action: str, facts_on: Any, now: datetime, today: date,
) -> None:
    """An AF who records today's date at half past midnight is not told it lies in the future."""
    assert machine.apply(state, action, facts_on(today), now=now) is not None
    with pytest.raises(TransitionNotAllowed, match="toekomst"):
        machine.apply(state, action, facts_on(date.fromordinal(today.toordinal() + 1)), now=now)
