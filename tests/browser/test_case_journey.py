"""The AF takes a signal from ontvangen to afgesloten through the UI; axe checks every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ketenzicht.cases.models import Case, CaseEvent
from tests.app.test_meetings_support import make_meeting
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast, report_signal

pytestmark = pytest.mark.browser


def _decide_at_table(page: Page, base: str, table: str, reference: str, outcome: str, rationale: str) -> None:
    """Issue 18: a table outcome is the table's decision, recorded on its agenda item."""
    page.goto(f"{base}/overleggen/")
    page.get_by_role("link", name=table, exact=True).click()
    page.get_by_role("button", name="Volgende vergadering plannen").click()
    page.get_by_role("link", name=f"Besluit vastleggen {reference}").click()
    page.get_by_label(outcome).check()
    page.get_by_label("Onderbouwing").fill(rationale)
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text(f"Het besluit over {reference} is vastgelegd")


def _step(page: Page, label: str, reason: str = "") -> None:
    page.get_by_label(label).check()
    if reason:
        page.get_by_label("Toelichting", exact=True).fill(reason)
    page.get_by_role("button", name="Stap vastleggen").click()


def test_melder_reports_and_af_takes_signal_to_closure(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_default_timeout(60_000)
    make_meeting(cast, "signalenoverleg")

    # The melder reports through the internal meldroute.
    login_browser(page, base, "chantal")
    page.goto(f"{base}/signalen/nieuw/")
    check_a11y(page, "meldformulier")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.get_by_role("alert")).to_contain_text("Niet alles is goed ingevuld")
    check_a11y(page, "meldformulier met fouten")
    page.get_by_label("Wat heeft u gezien?").fill("Twaalf matrassen in twee kamers; een man voert het woord.")
    page.get_by_label("Adres").fill("Dorpsstraat 3, 2381 AB Zoeterwoude")
    page.get_by_label("Arbeidsuitbuiting").check()
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("Uw melding is ontvangen")
    check_a11y(page, "eigen melding")
    case = Case.objects.get()
    assert case.state == "ontvangen" and case.forms == ["arbeid"]

    # The AF of Zoeterwoude works it.
    page.context.clear_cookies()
    login_browser(page, base, "anouk")
    expect(page).to_have_url(re.compile(r"/werkvoorraad/"))
    check_a11y(page, "werkvoorraad")
    page.get_by_role("link", name=case.reference).click()
    check_a11y(page, "dossier")

    _step(page, "In behandeling nemen")
    expect(page.get_by_test_id("case-state")).to_have_text("In behandeling (verrijken)")
    page.get_by_label("Eerdere sancties").fill("Last onder dwangsom 2025 (huisvesting)")
    page.get_by_role("button", name="Verrijking opslaan").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("verrijking is opgeslagen")

    # A step that needs a reason is refused without one, and the chosen step stays chosen.
    _step(page, "Agenderen voor signalenoverleg")
    # The table's outcomes are not on the case page (issue 18): the signalenoverleg decides.
    expect(page.get_by_test_id("case-waits-for-table")).to_contain_text("het signalenoverleg")
    expect(page.get_by_label("Signalenoverleg: niet bevestigd")).to_have_count(0)
    check_a11y(page, "dossier wacht op overleg")
    _decide_at_table(page, base, "signalenoverleg Zoeterwoude", case.reference, "Signalenoverleg: niet bevestigd",
                     "Controle door wijkhandhaver: geen aanwijzingen.")
    page.goto(f"{base}/werkvoorraad/{case.pk}/")
    expect(page.get_by_test_id("case-state")).to_have_text("Niet bevestigd")

    # Closing is not offered until the reporter has heard back.
    expect(page.get_by_label("Afsluiten")).to_have_count(0)
    expect(page.locator(".utrecht-alert--info")).to_contain_text("terugkoppeling")
    page.get_by_role("textbox", name="Terugkoppeling aan de melder").fill("Dank voor uw melding; het signaal is onderzocht en afgerond.")
    page.get_by_role("button", name="Terugkoppeling vastleggen").click()
    _step(page, "Afsluiten", "Afgerond na signalenoverleg.")
    expect(page.get_by_test_id("case-state")).to_have_text("Afgesloten")
    check_a11y(page, "afgesloten dossier")

    case.refresh_from_db()
    assert case.state == "afgesloten"
    transitions = list(CaseEvent.objects.filter(case=case, kind="transition").values_list("to_state", flat=True))
    assert transitions == ["in_behandeling", "geagendeerd", "niet_bevestigd", "afgesloten"]

    # The melder reads the feedback.
    page.context.clear_cookies()
    login_browser(page, base, "chantal")
    page.goto(f"{base}/signalen/mijn/")
    expect(page.get_by_role("cell", name="Afgerond")).to_be_visible()
    page.get_by_role("link", name=case.reference).click()
    expect(page.locator("main")).to_contain_text("het signaal is onderzocht en afgerond")


def test_af_of_other_municipality_cannot_open_the_case(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    case = report_signal(cast.chantal, cast.zoeterwoude)
    login_browser(page, base, "bram")
    response = page.goto(f"{base}/werkvoorraad/{case.pk}/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Geen toegang")
    assert case.reference not in page.content()
    check_a11y(page, "403")


def test_demo_af_takes_a_demo_signal_to_closure(page: Page, live_server: object) -> None:
    """Exactly what `make run` offers: the demo AF logs in and closes a demo signal."""
    from django.core.management import call_command

    call_command("load_demo", quiet=True)
    base = live_server.url  # type: ignore[attr-defined]
    demo = Case.objects.get(state="ontvangen", location_address__startswith="Industrieweg 14")
    login_browser(page, base, "af.zoeterwoude", password="Ketenzicht-demo-2026")
    page.get_by_role("link", name=demo.reference).click()
    expect(page.get_by_test_id("case-state")).to_have_text("Ontvangen")
    expect(page.locator("main")).to_contain_text("Groen & Teelt Uitzend B.V.")
    _step(page, "In behandeling nemen")
    _step(page, "Agenderen voor signalenoverleg")
    _decide_at_table(page, base, "Signalenoverleg Zoeterwoude", demo.reference, "Signalenoverleg: integrale controle",
                     "Controle met NLA en Boa's gepland.")
    page.goto(f"{base}/werkvoorraad/{demo.pk}/")
    expect(page.get_by_test_id("case-state")).to_have_text("Integrale controle")
    page.get_by_role("textbox", name="Of: waarom terugkoppeling niet mogelijk is").fill("Interne melder is mondeling geïnformeerd.")
    page.get_by_role("button", name="Terugkoppeling vastleggen").click()
    _step(page, "Afsluiten", "Controle uitgevoerd; vervolg in het barrièremodel.")
    expect(page.get_by_test_id("case-state")).to_have_text("Afgesloten")
    check_a11y(page, "afgesloten demosignaal")
    demo.refresh_from_db()
    assert demo.state == "afgesloten" and demo.assigned_to.username == "af.zoeterwoude"
