"""The lifecycle of a case (signaal), from intake to closure.

The path follows the seeds (002 §3.3.3): intake → verrijken → signalenoverleg with four outcomes
→ (optionally) the Lokaal Overleg Ondermijning with three outcomes → terugkoppeling → afgesloten.

- **Venues are checked.** An outcome of a table (signalenoverleg, LOO) needs that table's
  decision as context (`TableDecision`, made only by `meetings.services.decision_record`); the
  case page, the API and commands act at `Venue.CASE` and cannot take it.
- **A referral is a parallel track**, not a state: referring to a partner leaves the case where
  it is (the referral has its own machine, `lifecycles.referral`). The case cannot close while a
  referral is open; the AF withdraws it first, and the partner is told.
- **Reopen and merge** are transitions with a reason, like any other.
- **Transfer** (`overdragen`, issue 14) hands the case to another municipality on the platform,
  in or outside the own region: it goes back to `ontvangen` in the receiving AF's queue, with its
  history; the sending municipality keeps only a trace. Not while it waits for a table or an
  open control or intervention of the own municipality (those belong to the sender's tables and
  plans); referrals stay with the case, the partner keeps working on them.

`cases.services.case_transition` is the only caller that applies a transition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ketenzicht.domain.lifecycles.base import (
    Groups,
    Machine,
    Transition,
    TransitionNotAllowed,
    Venue,
    transition,
)


class CaseState(StrEnum):
    ONTVANGEN = "ontvangen"
    IN_BEHANDELING = "in_behandeling"
    GEAGENDEERD = "geagendeerd"
    INTEGRALE_CONTROLE = "integrale_controle"
    OVERGEDRAGEN = "overgedragen"
    NIET_BEVESTIGD = "niet_bevestigd"
    GEAGENDEERD_LOO = "geagendeerd_loo"
    GEAGENDEERD_REGIONAAL = "geagendeerd_regio"
    INTERVENTIE = "interventie"
    RIEC_CASUS = "riec_casus"
    AFGESLOTEN = "afgesloten"
    SAMENGEVOEGD = "samengevoegd"


STATE_LABELS: dict[CaseState, str] = {
    CaseState.ONTVANGEN: "Ontvangen",
    CaseState.IN_BEHANDELING: "In behandeling (verrijken)",
    CaseState.GEAGENDEERD: "Geagendeerd voor signalenoverleg",
    CaseState.INTEGRALE_CONTROLE: "Integrale controle",
    CaseState.OVERGEDRAGEN: "Overgedragen aan andere afdeling",
    CaseState.NIET_BEVESTIGD: "Niet bevestigd",
    CaseState.GEAGENDEERD_LOO: "Geagendeerd voor LOO",
    CaseState.GEAGENDEERD_REGIONAAL: "Geagendeerd voor een regionale tafel",
    CaseState.INTERVENTIE: "Interventie",
    CaseState.RIEC_CASUS: "RIEC-casus",
    CaseState.AFGESLOTEN: "Afgesloten",
    CaseState.SAMENGEVOEGD: "Samengevoegd met een ander signaal",
}

# States that no case holds any more but that the append-only history still names: until
# issue 18 a referral moved the case to `doorverwezen` (migration cases 0003 moved them back).
HISTORIC_LABELS: dict[str, str] = {"doorverwezen": "Doorverwezen naar ketenpartner"}


def state_label(state: str) -> str:
    """Label of a current or historic state (history rows keep the states of their time)."""
    try:
        return STATE_LABELS[CaseState(state)]
    except ValueError:
        return HISTORIC_LABELS.get(state, state)


# The reporter sees only three steps (issue 3): never the internal state.
PUBLIC_STATUS: dict[CaseState, str] = {
    state: (
        "ontvangen"
        if state is CaseState.ONTVANGEN
        else "afgerond" if state is CaseState.AFGESLOTEN else "in_behandeling"
    )
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
    TERUG_IN_BEHANDELING = "terug_in_behandeling"
    AFSLUITEN = "afsluiten"
    HEROPENEN = "heropenen"
    SAMENVOEGEN = "samenvoegen"
    OVERDRAGEN = "overdragen"
    AGENDEREN_REGIONAAL = "agenderen_regionaal"
    RT_TERUG_NAAR_GEMEENTE = "rt_terug_naar_gemeente"
    RT_SIGNALENOVERLEG = "rt_signalenoverleg"
    RT_INTEGRALE_CONTROLE = "rt_integrale_controle"


S = CaseState
_OPEN = frozenset(S) - {S.AFGESLOTEN, S.SAMENGEVOEGD}
# Outcomes after which the case can be closed once the reporter has heard back.
DECIDED = frozenset({S.OVERGEDRAGEN, S.NIET_BEVESTIGD, S.INTEGRALE_CONTROLE, S.INTERVENTIE, S.RIEC_CASUS})
# Outcomes of a table after which the reporter is owed feedback (the case is decided, not sent on).
FEEDBACK_OWED = DECIDED
# Where a case can be handed to another municipality: before the own tables have it (issue 14).
TRANSFERABLE = frozenset({S.ONTVANGEN, S.IN_BEHANDELING})
# The state in which a case waits for each kind of table (the agenda proposes these).
AWAITING_TABLE: dict[Venue, CaseState] = {
    Venue.SIGNALENOVERLEG: S.GEAGENDEERD, Venue.LOO: S.GEAGENDEERD_LOO, Venue.REGIONALE_TAFEL: S.GEAGENDEERD_REGIONAAL,
}

GROUPS = Groups(
    open=_OPEN,
    # Waiting for a table or for the integral control it decided (a referral with a partner is
    # a parallel track: the work queue adds those cases itself).
    waiting=frozenset({*AWAITING_TABLE.values(), S.INTEGRALE_CONTROLE}),
    # Past intake and not finished: a control or intervention may be planned on it.
    workable=_OPEN - {S.ONTVANGEN, S.OVERGEDRAGEN, S.NIET_BEVESTIGD},
    terminal=frozenset({S.AFGESLOTEN, S.SAMENGEVOEGD}),
    read_only=frozenset({S.AFGESLOTEN, S.SAMENGEVOEGD}),
)

SO, LOO, RT = Venue.SIGNALENOVERLEG, Venue.LOO, Venue.REGIONALE_TAFEL
_SEED_ROUTE = "002 §3.3.3"

TRANSITIONS: tuple[Transition[CaseState], ...] = (
    transition(Action.IN_BEHANDELING_NEMEN, [S.ONTVANGEN], S.IN_BEHANDELING, "In behandeling nemen",
               why="De AF neemt een nieuw signaal op om het te verrijken; daarmee is de eerste beoordeling gedaan.",
               asked_by=f"{_SEED_ROUTE} stap 3; 000 §5.1 (aandachtsfunctionaris)"),
    transition(Action.AGENDEREN, [S.IN_BEHANDELING, S.INTEGRALE_CONTROLE], S.GEAGENDEERD,
               "Agenderen voor signalenoverleg",
               why="Het verrijkte signaal, of de bevindingen van een integrale controle, gaan naar het "
                   "signalenoverleg, dat per signaal besluit.",
               asked_by=f"{_SEED_ROUTE} stap 4; 000 §5.5"),
    transition(Action.SO_MEER_INFORMATIE, [S.GEAGENDEERD], S.IN_BEHANDELING, "Signalenoverleg: meer informatie nodig",
               why="Het overleg kan nog niet besluiten: er zijn waarnemingen of gegevens nodig (bijv. van een wijkhandhaver).",
               asked_by=f"{_SEED_ROUTE} stap 4", requires_reason=True, venue=SO),
    transition(Action.SO_INTEGRALE_CONTROLE, [S.GEAGENDEERD], S.INTEGRALE_CONTROLE, "Signalenoverleg: integrale controle",
               why="Het signaal is concreet genoeg voor een gezamenlijke controle.",
               asked_by=f"{_SEED_ROUTE} stap 4; 001 §6.3.1.2", requires_reason=True, venue=SO),
    transition(Action.SO_ANDERE_AFDELING, [S.GEAGENDEERD], S.OVERGEDRAGEN, "Signalenoverleg: hoort bij andere afdeling",
               why="Het signaal is geen mensenhandel maar hoort bij een andere afdeling (bijv. zorg of handhaving).",
               asked_by=f"{_SEED_ROUTE} stap 4", requires_reason=True, venue=SO),
    transition(Action.SO_NIET_BEVESTIGD, [S.GEAGENDEERD], S.NIET_BEVESTIGD, "Signalenoverleg: niet bevestigd",
               why="Het overleg ziet geen aanwijzingen; het signaal wordt niet bevestigd (en korter bewaard).",
               asked_by=f"{_SEED_ROUTE} stap 4", requires_reason=True, venue=SO),
    transition(Action.NAAR_LOO, [S.GEAGENDEERD], S.GEAGENDEERD_LOO, "Opschalen naar Lokaal Overleg Ondermijning",
               why="Het signaal is sterk en van integraal belang: het gaat naar de tafel met politie en RIEC.",
               asked_by=f"{_SEED_ROUTE} stap 5", requires_reason=True, venue=SO),
    transition(Action.LOO_INTERVENTIE, [S.GEAGENDEERD_LOO], S.INTERVENTIE, "LOO: interventie",
               why="Het LOO besluit tot een (bestuurlijke) interventie.",
               asked_by=f"{_SEED_ROUTE} stap 5; 003 doelstelling 5", requires_reason=True, venue=LOO),
    transition(Action.LOO_RIEC_CASUS, [S.GEAGENDEERD_LOO], S.RIEC_CASUS, "LOO: RIEC-casus",
               why="Het LOO maakt er een RIEC-casus van.", asked_by=f"{_SEED_ROUTE} stap 5",
               requires_reason=True, venue=LOO),
    transition(Action.LOO_NIET_BEVESTIGD, [S.GEAGENDEERD_LOO], S.NIET_BEVESTIGD, "LOO: niet bevestigd",
               why="Het LOO ziet het signaal niet bevestigd.", asked_by=f"{_SEED_ROUTE} stap 5",
               requires_reason=True, venue=LOO),
    transition(Action.TERUG_IN_BEHANDELING, [S.INTEGRALE_CONTROLE, S.OVERGEDRAGEN], S.IN_BEHANDELING,
               "Terug in behandeling",
               why="De controle gaf geen uitsluitsel, of de andere afdeling geeft het signaal terug: de AF werkt verder.",
               asked_by="praktijk van de AF (issue 2)", requires_reason=True),
    transition(Action.AFSLUITEN, [S.IN_BEHANDELING, *sorted(DECIDED)], S.AFGESLOTEN, "Afsluiten",
               why="Het signaal is afgehandeld en de melder heeft terugkoppeling gehad (of die kan niet).",
               asked_by=f"{_SEED_ROUTE} stap 6", requires_reason=True),
    transition(Action.HEROPENEN, [S.AFGESLOTEN], S.IN_BEHANDELING, "Heropenen",
               why="Er is nieuwe informatie over een afgesloten signaal; de AF pakt het opnieuw op, met een reden.",
               asked_by="issue 16 item 4; issue 18", requires_reason=True),
    transition(Action.SAMENVOEGEN, sorted(_OPEN), S.SAMENGEVOEGD, "Samenvoegen met een ander signaal",
               why="Twee meldingen over hetzelfde: de dubbele gaat op in de andere, zodat niets dubbel telt "
                   "en de melder de voortgang van het andere signaal ziet.",
               asked_by="002 §3.1 (niet dubbel tellen); issue 18", requires_reason=True),
    transition(Action.OVERDRAGEN, sorted(TRANSFERABLE), S.ONTVANGEN, "Overdragen aan een andere gemeente",
               why="Het signaal hoort bij een andere gemeente (daar is de plek of wonen de betrokkenen): de AF "
                   "daar krijgt het als nieuw overgedragen signaal, met de geschiedenis; de eigen gemeente houdt "
                   "alleen een spoor (kenmerk, datum, aan wie, waarom).",
               asked_by="issue 14 item 1; 001 §6.3.1.3 (waterbedeffect); 004 opgave 2", requires_reason=True),
    # The regional and district tables (issue 14 item 3). The AF of the case's own municipality
    # brings it onto such a table (only through `meetings.services.agenda_bring_case`, which puts
    # it on the agenda in the same transaction); the table's outcome sends it back into that
    # municipality's own process.
    transition(Action.AGENDEREN_REGIONAAL, [S.IN_BEHANDELING], S.GEAGENDEERD_REGIONAAL,
               "Agenderen op een regionale tafel",
               why="Het signaal raakt meer gemeenten of vraagt regionale afstemming (waterbedeffect): de AF "
                   "brengt het op de districtelijke of regionale tafel.",
               asked_by="issue 14 item 3; 003 §3 (districtelijke coördinatie); 001 §6.3.1.3", requires_reason=True),
    transition(Action.RT_TERUG_NAAR_GEMEENTE, [S.GEAGENDEERD_REGIONAAL], S.IN_BEHANDELING,
               "Regionale tafel: advies, terug naar de gemeente",
               why="De tafel geeft advies of afspraken mee; de AF van de gemeente werkt verder aan het signaal.",
               asked_by="issue 14 item 3", requires_reason=True, venue=RT),
    transition(Action.RT_SIGNALENOVERLEG, [S.GEAGENDEERD_REGIONAAL], S.GEAGENDEERD,
               "Regionale tafel: naar het signalenoverleg van de gemeente",
               why="De tafel vraagt het signalenoverleg van de eigen gemeente om per signaal te besluiten.",
               asked_by="issue 14 item 3; 002 §3.3.3 stap 4", requires_reason=True, venue=RT),
    transition(Action.RT_INTEGRALE_CONTROLE, [S.GEAGENDEERD_REGIONAAL], S.INTEGRALE_CONTROLE,
               "Regionale tafel: integrale controle",
               why="De tafel besluit tot een (gemeentegrensoverschrijdende) integrale controle; de gemeente "
                   "van het signaal plant die.",
               asked_by="issue 14 item 3; 004 opgave 4 (regionaal controleteam)", requires_reason=True, venue=RT),
)


@dataclass(frozen=True)
class MergeTarget:
    """The case a duplicate merges into, as far as the guard needs to know."""

    reference: str
    state: str
    same_municipality: bool
    is_self: bool


@dataclass(frozen=True)
class TransferTarget:
    """The municipality a case is handed to, as far as the guard needs to know."""

    name: str
    same_municipality: bool
    # On the platform: the municipality uses Ketenzicht and has an active AF to take the case.
    on_platform: bool


@dataclass(frozen=True)
class CaseFacts:
    """What the guards need to know about the case beyond its state."""

    feedback_recorded: bool = False
    feedback_impossible_reason: str = ""
    # Names of the partners whose referral is sent and not finished (the parallel track).
    open_referrals: tuple[str, ...] = ()
    merge_target: MergeTarget | None = None
    transfer_target: TransferTarget | None = None
    # Open follow-up of the own municipality that a transfer would strand (issue 14).
    on_agenda: bool = False
    open_barrier_work: int = 0
    # The step comes from a regional table's agenda (`meetings.regional.agenda_bring_case`), which
    # puts the case on that agenda in the same transaction (issue 14 item 3).
    regional_agenda: bool = False

    @property
    def reporter_informed_or_excused(self) -> bool:
        return self.feedback_recorded or bool(self.feedback_impossible_reason.strip())


def _open_referrals_message(facts: CaseFacts, doing: str) -> str:
    partners = ", ".join(facts.open_referrals)
    return (
        f"Er loopt nog een doorverwijzing ({partners}). Trek die eerst in — de partner krijgt "
        f"daarvan bericht — of wacht tot de partner hem afrondt; daarna kan {doing}."
    )


def _merge_failures(facts: CaseFacts) -> list[str]:
    target = facts.merge_target
    if target is None:
        return ["Kies het signaal waarmee dit signaal wordt samengevoegd."]
    if target.is_self:
        return ["Een signaal kan niet met zichzelf worden samengevoegd."]
    if not target.same_municipality:
        return ["Samenvoegen kan alleen met een signaal van dezelfde gemeente."]
    if CaseState(target.state) in GROUPS.terminal:
        return [f"Signaal {target.reference} is afgesloten of zelf samengevoegd; kies een lopend signaal."]
    return []


def _transfer_failures(facts: CaseFacts) -> list[str]:
    target = facts.transfer_target
    if target is None:
        return ["Kies de gemeente waaraan u het signaal overdraagt."]
    failures = []
    if target.same_municipality:
        failures.append("Het signaal hoort al bij uw gemeente; kies een andere gemeente.")
    elif not target.on_platform:
        failures.append(
            f"{target.name} werkt niet met Ketenzicht (er is geen aandachtsfunctionaris); overdragen kan alleen "
            "aan een aangesloten gemeente. Neem buiten Ketenzicht contact op met die gemeente."
        )
    if facts.on_agenda:
        failures.append("Het signaal staat op de agenda van een overleg; haal het daar eerst af.")
    if facts.open_barrier_work:
        failures.append(
            "Er loopt nog een integrale controle of interventie van uw gemeente op dit signaal; rond die eerst af of zie ervan af."
        )
    return failures


def _guard(t: Transition[CaseState], facts: CaseFacts, now: datetime) -> list[str]:
    failures: list[str] = []
    if t.action == Action.AFSLUITEN:
        if not facts.reporter_informed_or_excused:
            failures.append(
                "Een signaal kan pas worden afgesloten als de terugkoppeling aan de melder is vastgelegd, "
                "of is vastgelegd waarom terugkoppeling niet mogelijk is."
            )
        if facts.open_referrals:
            failures.append(_open_referrals_message(facts, "het signaal worden afgesloten"))
    elif t.action == Action.SAMENVOEGEN:
        failures += _merge_failures(facts)
        if facts.open_referrals:
            failures.append(_open_referrals_message(facts, "het worden samengevoegd"))
    elif t.action == Action.OVERDRAGEN:
        failures += _transfer_failures(facts)
    elif t.action == Action.AGENDEREN_REGIONAAL and not facts.regional_agenda:
        # Never a state without its agenda item: the case page and the API cannot take this step.
        failures.append("Een signaal komt op een regionale tafel via de agenda van die tafel: kies daar "
                        "‘Signaal van uw gemeente agenderen’.")
    return failures


MACHINE: Machine[CaseState] = Machine.build("het signaal", CaseState, STATE_LABELS, TRANSITIONS, GROUPS, _guard)


@dataclass(frozen=True)
class TableDecision:
    """A decision taken at a table: the venue and the agenda item it was taken on.

    Only `meetings.services.decision_record` makes one (tests/guards/test_state_writes.py
    fails when anything else does), so a table outcome cannot be posted from the case page.
    """

    venue: Venue
    item_ref: str


def transition_for(action: str) -> Transition[CaseState]:
    return MACHINE.transition_for(action)


def guard_failures(t: Transition[CaseState], facts: CaseFacts, now: datetime) -> list[str]:
    return MACHINE.guard_failures(t, facts, now)


def allowed_actions(
    state: CaseState | str, facts: CaseFacts, *, now: datetime, venue: Venue | None = Venue.CASE
) -> list[Transition[CaseState]]:
    """The next steps that can be taken now at ``venue`` (the case page by default), in order."""
    return MACHINE.allowed(state, facts, now, venue=venue)


def apply(
    state: CaseState | str,
    action: str,
    facts: CaseFacts,
    *,
    now: datetime,
    reason: str = "",
    decision: TableDecision | None = None,
) -> CaseState:
    """The new state, or TransitionNotAllowed with a message a user can act on."""
    if decision is not None and not decision.item_ref:
        raise TransitionNotAllowed("Een besluit van een overleg hoort bij een agendapunt.", code="venue")
    venue = decision.venue if decision is not None else Venue.CASE
    return MACHINE.apply(state, action, facts, now=now, reason=reason, venue=venue)


def is_terminal(state: CaseState | str) -> bool:
    return MACHINE.is_terminal(state)


def is_read_only(state: CaseState | str) -> bool:
    return MACHINE.is_read_only(state)
