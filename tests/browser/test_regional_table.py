"""A regional table in the browser (issue 14 item 3): the ketenregisseur of Zeeland-West-Brabant
convenes it, the AFs of Vlissingen and Breda each bring a case of their own municipality, the
chair adds a theme, the police member sees only what its sharing profile allows (no reporter),
and a decision moves Vlissingen's case in Vlissingen's own process. axe-core checks every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ketenzicht.cases.models import Case
from ketenzicht.cases.services import case_transition
from ketenzicht.meetings import services
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast, report_signal

pytestmark = pytest.mark.browser


def _open_sitting(page: Page, base: str) -> None:
    page.goto(f"{base}/overleggen/")
    page.get_by_role("link", name="Regionale tafel mensenhandel ZWB").click()
    page.get_by_role("link", name=re.compile(r"\d{4}")).first.click()


def _bring(page: Page, base: str, user: str, case: Case, reason: str) -> None:
    page.context.clear_cookies()
    login_browser(page, base, user)
    _open_sitting(page, base)
    page.get_by_role("link", name="Signaal van uw gemeente agenderen").click()
    check_a11y(page, f"signaal agenderen ({user})")
    page.get_by_role("combobox", name=re.compile(r"^Signaal")).select_option(value=str(case.pk))
    page.get_by_label("Waarom op deze tafel").fill(reason)
    page.get_by_role("button", name="Agenderen").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text(f"Signaal {case.reference} staat op de agenda")


def test_ketenregisseur_convenes_a_regional_table_and_a_decision_moves_a_case_home(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_default_timeout(60_000)
    services.meeting_kinds_sync("zeeland-west-brabant")
    vlissingen = case_transition(actor=cast.vera, case=report_signal(cast.mila, cast.vlissingen, location_address="Walstraat 50, 4381 GK Vlissingen", description="Uitzendkrachten in een loods."), action="in_behandeling_nemen")
    breda = case_transition(actor=cast.daan, case=report_signal(cast.daan, cast.breda, location_address="Haven 1, 4811 AA Breda", description="Zelfde uitzendbureau in Breda."), action="in_behandeling_nemen")

    login_browser(page, base, "koen")
    page.get_by_role("link", name="Overleggen").click()
    check_a11y(page, "overleggen (ketenregisseur)")
    page.get_by_role("link", name="Regionale tafel bijeenroepen").click()
    check_a11y(page, "regionale tafel bijeenroepen")
    page.get_by_label("Soort tafel").select_option(label="Regionale tafel mensenhandel")
    page.get_by_label("Naam").fill("Regionale tafel mensenhandel ZWB")
    for org in ("Gemeente Vlissingen", "Gemeente Breda", "Politie eenheid Zeeland-West-Brabant – team AVIM"):
        page.get_by_label(org, exact=True).check()
    for member in ("Vera Test (Gemeente Vlissingen)", "Daan Test (Gemeente Breda)", "Lars Test (Politie eenheid Zeeland-West-Brabant – team AVIM)"):
        page.get_by_label(member).check()
    page.get_by_role("button", name="Tafel opslaan").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("De tafel is bijeengeroepen")
    check_a11y(page, "regionale tafel")
    page.get_by_role("button", name="Volgende vergadering plannen").click()
    expect(page.get_by_text("Er staat nog niets op de agenda.")).to_be_visible()
    page.get_by_role("link", name="Thema agenderen").click()
    check_a11y(page, "thema agenderen")
    page.get_by_role("textbox", name=re.compile(r"^Thema")).fill("Witte vlek: huisvesting van arbeidsmigranten")
    page.get_by_role("button", name="Thema agenderen").click()
    expect(page.get_by_test_id("agenda-item")).to_have_count(1)
    check_a11y(page, "agenda met thema")

    _bring(page, base, "vera", vlissingen, "Zelfde uitzendbureau ook in Breda.")
    _bring(page, base, "daan", breda, "Werkgever ook actief in Vlissingen.")
    expect(page.get_by_test_id("agenda-item")).to_have_count(3)

    # The police member: the signals without the reporter (their sharing profile withholds it).
    page.context.clear_cookies()
    login_browser(page, base, "lars")
    _open_sitting(page, base)
    expect(page.get_by_test_id("agenda-item")).to_have_count(3)
    page.get_by_text("Gegevens van het signaal").first.click()
    expect(page.get_by_test_id("group-signaal").first).to_be_visible()
    expect(page.get_by_test_id("group-melder")).to_have_count(0)
    expect(page.get_by_text("Gemeld door")).to_have_count(0)
    expect(page.get_by_text("Niet zichtbaar voor uw organisatie (deelprofiel): Melder").first).to_be_visible()
    check_a11y(page, "regionale agenda voor de politie")

    # The chair decides on Vlissingen's case: it goes back into Vlissingen's own process.
    page.context.clear_cookies()
    login_browser(page, base, "koen")
    _open_sitting(page, base)
    page.get_by_role("link", name=f"Besluit vastleggen {vlissingen.reference}").click()
    check_a11y(page, "besluit regionale tafel")
    page.get_by_label("Regionale tafel: integrale controle").check()
    page.get_by_label("Onderbouwing").fill("Gezamenlijke controle in beide gemeenten.")
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text(f"Het besluit over {vlissingen.reference} is vastgelegd")
    expect(page.get_by_test_id("agenda-item").filter(has_text=vlissingen.reference).get_by_test_id("item-state")).to_have_text("Integrale controle")
    page.get_by_role("link", name="Notulen", exact=True).click()
    expect(page.get_by_test_id("minutes-decision")).to_have_text(["Regionale tafel: integrale controle"])
    page.get_by_role("button", name="Notulen vaststellen").click()
    expect(page.get_by_test_id("minutes-status")).to_contain_text("Vastgesteld")
    check_a11y(page, "notulen regionale tafel")

    vlissingen.refresh_from_db()
    breda.refresh_from_db()
    assert (vlissingen.state, vlissingen.municipality) == ("integrale_controle", cast.vlissingen)
    assert (breda.state, breda.municipality) == ("geagendeerd_regio", cast.breda)
