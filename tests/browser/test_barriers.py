"""The AF disrupts: from a labour-exploitation case she plans an integral control with the labour
inspectorate, records the findings with the factsheet checklist, adds an APV closure and later
its effect; the district dashboard shows the control and the disrupted step. axe-core checks
every page."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from ketenzicht.cases.services import case_transition
from tests.app.barriers_support import ensure_models
from tests.app.test_meetings_support import decide_at_table
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast, report_signal

pytestmark = pytest.mark.browser


def test_control_findings_intervention_effect_and_dashboard(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_default_timeout(60_000)
    ensure_models()
    today = timezone.localdate().isoformat()
    # The signalenoverleg decided on an integral control (through the state machine).
    case = report_signal(cast.chantal, cast.zoeterwoude, forms=["arbeid"], company_name="Kwekerij De Kas")
    for action in ("in_behandeling_nemen", "agenderen"):
        case = case_transition(actor=cast.anouk, case=case, action=action)
    case = decide_at_table(cast.anouk, case, "so_integrale_controle", "Overbewoning gemeld")

    login_browser(page, base, "anouk")
    page.goto(f"{base}/werkvoorraad/{case.pk}/")
    check_a11y(page, "signaal")
    page.get_by_role("link", name="Integrale controle plannen").click()
    check_a11y(page, "controle plannen")

    # Without participants the form says what to fix and keeps what was typed.
    page.get_by_label("Toelichting aanleiding").fill("Besluit signalenoverleg")
    page.get_by_role("button", name="Controle plannen").click()
    expect(page.get_by_role("alert")).to_contain_text("Kies de organisaties die deelnemen")
    expect(page.get_by_label("Toelichting aanleiding")).to_have_value("Besluit signalenoverleg")
    check_a11y(page, "controle plannen met fouten")
    page.get_by_label("Nederlandse Arbeidsinspectie").check()
    page.get_by_label("Politie eenheid Den Haag – AVIM").check()
    page.get_by_role("button", name="Controle plannen").click()
    expect(page.get_by_test_id("control-status")).to_contain_text("Gepland")
    check_a11y(page, "controle")

    # Findings: the factsheet checklist.
    page.get_by_role("group", name="identiteitspapieren").get_by_label("Ja").check()
    page.get_by_role("group", name="slecht of overbewoond").get_by_label("Ja").check()
    page.get_by_role("group", name="arbeidscontract").get_by_label("Nee").check()
    page.get_by_label("Overige bevindingen").fill("Twaalf bedden in twee kamers.")
    page.get_by_role("button", name="Bevindingen opslaan").click()
    expect(page.get_by_test_id("control-status")).to_contain_text("Uitgevoerd")
    expect(page.get_by_test_id("findings")).to_contain_text("identiteitspapieren")
    check_a11y(page, "controle met bevindingen")

    # Follow-up: an APV closure of the premises.
    page.get_by_role("link", name="Vervolginterventie vastleggen").click()
    check_a11y(page, "interventie vastleggen")
    page.get_by_label("Stap in het barrièremodel").select_option(label="Arbeid")
    page.get_by_label("Instrument").select_option(label="Sluiting op grond van de APV")
    page.get_by_label("Ingezet op").fill(today)
    page.get_by_label("Omschrijving").fill("Bedrijfspand gesloten voor zes maanden.")
    page.get_by_role("button", name="Interventie vastleggen").click()
    expect(page.get_by_test_id("intervention-status")).to_contain_text("effect nog niet vastgelegd")
    check_a11y(page, "interventie")

    # The case page shows the control and the intervention; the address history too.
    page.get_by_role("link", name=f"Terug naar het signaal {case.reference}").click()
    expect(page.get_by_test_id("case-controls")).to_contain_text("2 indicator(en) aangetroffen")
    expect(page.get_by_test_id("case-interventions")).to_contain_text("Sluiting op grond van de APV")
    page.get_by_test_id("case-controls").get_by_role("link", name="adresgeschiedenis").click()
    expect(page.get_by_role("heading", name="Adresgeschiedenis")).to_be_visible()
    check_a11y(page, "adresgeschiedenis")

    # Later: the effect.
    page.goto(f"{base}/werkvoorraad/{case.pk}/")
    page.get_by_test_id("case-interventions").get_by_role("link", name="Sluiting op grond van de APV").click()
    page.get_by_label("Uitbuiting gestopt of situatie hersteld").check()
    page.get_by_label("Toelichting op het effect").fill("Bewoners elders gehuisvest; werkgever beboet door NLA.")
    page.get_by_role("button", name="Effect vastleggen").click()
    expect(page.get_by_test_id("intervention-effect")).to_contain_text("Uitbuiting gestopt")
    check_a11y(page, "interventie met effect")

    # The district dashboard reflects the control and the disrupted step.
    page.get_by_role("link", name="Districtsdashboard").click()
    controls = page.locator("[data-kpi=controles_nla]")
    expect(controls.get_by_test_id("kpi-count")).to_have_text("1")
    expect(controls.get_by_test_id("kpi-status")).to_contain_text("Nog niet gehaald")
    expect(page.locator("[data-testid=heat-arbeid] [data-step=arbeid]")).to_contain_text("Enkele keren verstoord")
    expect(page.locator("[data-testid=heat-arbeid] [data-step=huisvesting]")).to_contain_text("Witte vlek")
    check_a11y(page, "districtsdashboard")
    # Only resource loads may be logged (the intended 400 of the refused form, a favicon): no script errors.
    assert [e for e in page.console_errors if not e.startswith("Failed to load resource")] == []  # type: ignore[attr-defined]
