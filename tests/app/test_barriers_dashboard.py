"""District dashboard (KPIs per quarter, white spots) and the Bibob register's access rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from ketenzicht.accounts.models import District, Organisation
from ketenzicht.barriers import selectors, services
from ketenzicht.barriers.models import BibobScreening
from ketenzicht.cases.services import case_transition
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain.kpi import Quarter, Status
from tests.app.barriers_support import ensure_models
from tests.app.test_meetings_support import decide_at_table
from tests.support import Cast, login, report_signal

TODAY = timezone.localdate()
QUARTER = Quarter.of(TODAY)


def _district() -> District:
    return District.objects.get(slug="leiden-bollenstreek")


def _control(cast: Cast, *, nla: bool = True, executed_on: date = TODAY, forms: tuple[str, ...] = ("arbeid",)):  # noqa: ANN202
    case = case_transition(actor=cast.anouk, case=report_signal(cast.chantal, cast.zoeterwoude, forms=list(forms)), action="in_behandeling_nemen")
    orgs = ["gemeente-zoeterwoude", "politie-den-haag-avim", *(["nla"] if nla else [])]
    control = services.control_plan(actor=cast.anouk, data=services.ControlInput(
        municipality=cast.zoeterwoude, case=case, trigger="signaal", planned_on=executed_on,
        organisations=list(Organisation.objects.filter(slug__in=orgs))))
    return services.control_record_findings(actor=cast.anouk, control=control, executed_on=executed_on, answers={})


def _row(board, code: str):  # noqa: ANN001, ANN202
    return next(r for r in board.rows if r.target.code == code)


def test_four_nla_controls_after_labour_signals_turn_the_quarter_green(cast: Cast) -> None:
    for _ in range(3):
        _control(cast)
    _control(cast, nla=False)  # without the labour inspectorate: does not count
    _control(cast, forms=("seksueel",))  # not after a labour signal: does not count
    _control(cast, executed_on=QUARTER.start - timedelta(days=1))  # previous quarter
    board = selectors.dashboard(cast.anouk, _district(), QUARTER, TODAY)
    row = _row(board, "controles_nla")
    assert (row.count, row.status) == (3, Status.ORANJE)  # the quarter still runs
    assert _row(selectors.dashboard(cast.anouk, _district(), QUARTER, QUARTER.end + timedelta(days=1)), "controles_nla").status is Status.ORANJE
    _control(cast)
    row = _row(selectors.dashboard(cast.anouk, _district(), QUARTER, TODAY), "controles_nla")
    assert (row.count, row.status) == (4, Status.GROEN) and len(row.items) == 4
    previous = _row(selectors.dashboard(cast.anouk, _district(), QUARTER.previous(), TODAY), "controles_nla")
    assert (previous.count, previous.status) == (1, Status.ROOD)


def test_case_proposals_list_own_cases_and_show_the_district_only_as_the_released_protected_figure(cast: Cast) -> None:
    from ketenzicht.cases.models import CaseEvent
    from ketenzicht.domain.programme import ReportPeriod
    from ketenzicht.monitor import kinds, protected
    from ketenzicht.programme import report
    from tests.app.monitor_support import release_through

    def escalate(actor, municipality):  # noqa: ANN001, ANN202
        case = report_signal(actor, municipality, forms=["seksueel"])
        for action in ("in_behandeling_nemen", "agenderen"):
            case = case_transition(actor=actor, case=case, action=action)
        # Escalation to the LOO is the signalenoverleg's decision (issue 18: venue enforced).
        return decide_at_table(actor, case, "naar_loo", "Voorstel stuurgroep")

    own = escalate(cast.anouk, cast.zoeterwoude)
    other = escalate(cast.bram, cast.lisse)
    # This month is not released: the district's number is not shown, her own case is listed.
    row = _row(selectors.dashboard(cast.anouk, _district(), QUARTER, TODAY), "casusvoorstellen")
    assert row.shown == "nog niet vrijgegeven" and row.count == 0
    assert [i.label for i in row.items] == [own.reference] and other.reference not in repr(row)
    assert "Uw eigen gemeente (actueel, niet afgeschermd): 1" in row.note and "+" not in row.shown
    # Both proposals in May 2025, released through June 2025.
    CaseEvent.objects.filter(action="naar_loo").update(at=timezone.make_aware(timezone.datetime(2025, 5, 15, 10)))
    release_through(date(2025, 6, 1))
    q2 = Quarter(2025, 2)
    figure = protected.count(kinds.CASE_PROPOSALS, region=_district().region, first=q2.start, last=q2.end,
                             municipalities=list(_district().municipalities.all()), category=kinds.CASE_PROPOSAL)
    assert figure.value in (0, 5)  # two proposals: a small number, published as 0 or 5
    for viewer in (cast.anouk, cast.fleur):
        row = _row(selectors.dashboard(viewer, _district(), q2, TODAY), "casusvoorstellen")
        assert row.shown == str(figure.value) and row.count == figure.value
        assert row.status is (Status.GROEN if figure.value >= 1 else Status.ROOD)  # judged on the published figure
        assert "Vrijgegeven cijfers van" in row.note and "juni 2025" in row.note
        assert other.reference not in repr(row)
    assert [i.label for i in _row(selectors.dashboard(cast.anouk, _district(), q2, TODAY), "casusvoorstellen").items] == [own.reference]
    assert _row(selectors.dashboard(cast.fleur, _district(), q2, TODAY), "casusvoorstellen").items == []
    # The report to the board prints the very same figure: no "1 + x" beside a "5" anywhere.
    lines = report._kpi_section(_district(), ReportPeriod(2025, 1), TODAY)[0]["lines"]
    assert [line["shown"] for line in lines if line["target"].code == "casusvoorstellen"] == ["0", str(figure.value)]


def test_campaign_counts_for_the_whole_year(cast: Cast) -> None:
    board = selectors.dashboard(cast.fleur, _district(), QUARTER, TODAY)
    assert _row(board, "campagnes").count == 0
    services.campaign_create(actor=cast.fleur, district=_district(), title="Week tegen Mensenhandel", held_on=date(TODAY.year, 1, 15))
    row = _row(selectors.dashboard(cast.fleur, _district(), Quarter(TODAY.year, 4), TODAY), "campagnes")
    assert (row.count, row.status) == (1, Status.GROEN)


def test_white_spots_are_the_steps_without_interventions_and_show_in_words(cast: Cast, client) -> None:  # noqa: ANN001
    ensure_models()
    control = _control(cast)
    services.intervention_create(actor=cast.anouk, data=services.InterventionInput(
        municipality=cast.zoeterwoude, control=control, form="arbeid", step_code="arbeid", instrument="apv_sluiting",
        organisation=Organisation.objects.get(slug="gemeente-zoeterwoude"), started_on=TODAY))
    board = selectors.dashboard(cast.anouk, _district(), QUARTER, TODAY)
    labour = next(h for h in board.heat if h.form == "arbeid")
    levels = {s.code: s.level for s in labour.steps}
    assert levels["arbeid"] == "enkele"
    assert {code for code, level in levels.items() if level == "wit"} == {"werving", "toegang_identiteit", "huisvesting", "financien"}
    login(client, cast.anouk)
    page = client.get("/verstoren/dashboard/").content.decode()
    assert "Witte vlek: niet verstoord" in page and "Enkele keren verstoord" in page


def test_dashboard_is_per_own_district(cast: Cast, client) -> None:  # noqa: ANN001
    login(client, cast.anouk)
    assert client.get("/verstoren/dashboard/?district=haaglanden").status_code == 403
    login(client, cast.fleur)
    assert client.get("/verstoren/dashboard/?district=haaglanden&kwartaal=2026-Q1").status_code == 200


def _screening(cast: Cast, **values):  # noqa: ANN202
    return services.bibob_create(actor=cast.anouk, municipality=cast.zoeterwoude, values={
        "application_kind": "seksinrichting", "applicant": "Club BV", "received_on": date(2026, 2, 1), **values})


def test_bibob_register_is_the_municipalitys_af_only(cast: Cast, client) -> None:  # noqa: ANN001
    row = _screening(cast, risk="ernstig", lbb_advice_requested=True, lbb_requested_on=date(2026, 2, 10))
    login(client, cast.anouk)
    assert "Club BV" in client.get("/verstoren/bibob/").content.decode()
    login(client, cast.bram)  # AF of Lisse: not in his list, not openable
    assert "Club BV" not in client.get("/verstoren/bibob/").content.decode()
    assert client.get(f"/verstoren/bibob/{row.pk}/").status_code in {403, 404}
    for who in (cast.fleur, cast.gijs, cast.esra, cast.otto):
        login(client, who)
        assert client.get(f"/verstoren/bibob/{row.pk}/").status_code == 403
        assert client.get("/verstoren/bibob/").status_code == 403


def test_bibob_validation_and_update(cast: Cast, client) -> None:  # noqa: ANN001
    # A decision without its date is refused by the screening's lifecycle (the base service error).
    with pytest.raises(ServiceError, match="datum van het besluit"):
        _screening(cast, decision="geweigerd")
    with pytest.raises(services.BarrierError, match="Landelijk Bureau Bibob"):
        _screening(cast, lbb_requested_on=date(2026, 2, 3))
    row = _screening(cast)
    login(client, cast.anouk)
    response = client.post(f"/verstoren/bibob/{row.pk}/", {
        "application_kind": "seksinrichting", "applicant": "Club BV", "received_on": "2026-02-01", "risk": "ernstig",
        "decision": "geweigerd", "decided_on": "2026-01-01"})
    assert response.status_code == 400 and "vóór de ontvangst" in response.content.decode()
    client.post(f"/verstoren/bibob/{row.pk}/", {
        "application_kind": "seksinrichting", "applicant": "Club BV", "received_on": "2026-02-01", "risk": "ernstig",
        "decision": "geweigerd", "decided_on": "2026-03-01"})
    row = BibobScreening.objects.get(pk=row.pk)
    assert (row.risk, row.decision, row.decided_on) == ("ernstig", "geweigerd", date(2026, 3, 1))
