"""A whole signalenoverleg in the browser: agenda of three signals, three outcomes, minutes,
one signal escalated to the LOO and decided there; the police participant sees the agenda
without the reporter (their sharing profile withholds it). axe-core checks every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ketenzicht.meetings.models import Decision
from tests.app.test_meetings_support import make_meeting, ready_case
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast

pytestmark = pytest.mark.browser


def _decide(page: Page, reference: str, outcome: str, rationale: str, **fields: str) -> None:
    page.get_by_role("link", name=f"Besluit vastleggen {reference}").click()
    page.get_by_label(outcome).check()
    page.get_by_label("Onderbouwing").fill(rationale)
    for label, value in fields.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text(f"Het besluit over {reference} is vastgelegd")


def test_whole_signalenoverleg_with_escalation_to_loo(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    # A long journey with PDF-free but heavy pages; the shared 2-core CI machine can be slow.
    page.set_default_timeout(60_000)
    make_meeting(cast, "signalenoverleg")
    make_meeting(cast, "loo", orgs=("gemeente-zoeterwoude", "politie-den-haag-avim", "riec-den-haag"))
    info = ready_case(cast, description="Busjes die 's nachts vertrekken bij de loods.")
    control = ready_case(cast, description="Twaalf matrassen in twee kamers.")
    escalate = ready_case(cast, description="Massagesalon in een gewone woning.")

    login_browser(page, base, "anouk")
    page.get_by_role("link", name="Overleggen").click()
    check_a11y(page, "overleggen")
    page.get_by_role("link", name="signalenoverleg Zoeterwoude").click()
    check_a11y(page, "overleg")
    page.get_by_role("button", name="Volgende vergadering plannen").click()
    expect(page.get_by_test_id("agenda-item")).to_have_count(3)
    check_a11y(page, "agenda")

    # The chair orders the agenda (htmx swaps the list in place).
    page.get_by_role("button", name=f"Omlaag {info.reference}").click()
    expect(page.get_by_test_id("agenda-item").first).to_contain_text(control.reference)

    # A decision without what it needs is refused, with what to fix; the choice stays.
    page.get_by_role("link", name=f"Besluit vastleggen {info.reference}").click()
    check_a11y(page, "besluit")
    page.get_by_label("Signalenoverleg: meer informatie nodig").check()
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.get_by_role("alert")).to_contain_text("Geef aan welke informatie nodig is")
    expect(page.get_by_label("Signalenoverleg: meer informatie nodig")).to_be_checked()
    check_a11y(page, "besluit met fouten")
    page.get_by_role("link", name="Terug naar de agenda").click()

    _decide(page, info.reference, "Signalenoverleg: meer informatie nodig", "Nog te weinig om te beoordelen.",
            **{"Welke informatie is nodig": "Waarnemingen 's nachts", "Van wie": "Wijkhandhaver"})
    page.get_by_role("link", name=f"Besluit vastleggen {control.reference}").click()
    page.get_by_label("Signalenoverleg: integrale controle").check()
    page.get_by_label("Onderbouwing").fill("Overbewoning en signalen van uitbuiting.")
    page.get_by_label("Actiepunt", exact=True).fill("Integrale controle plannen")
    page.get_by_label("Actiepunt voor organisatie").select_option(label="Politie eenheid Den Haag – AVIM")
    page.get_by_role("button", name="Besluit vastleggen").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text(control.reference)
    _decide(page, escalate.reference, "Opschalen naar Lokaal Overleg Ondermijning", "Sterk signaal van integraal belang.")

    page.get_by_role("link", name="Notulen", exact=True).click()
    expect(page.get_by_test_id("minutes-decision")).to_have_count(3)
    check_a11y(page, "notulen (concept)")
    page.get_by_role("button", name="Notulen vaststellen").click()
    expect(page.get_by_test_id("minutes-status")).to_contain_text("Vastgesteld")
    check_a11y(page, "notulen vastgesteld")

    # The LOO: the escalated signal is proposed and decided there.
    page.goto(f"{base}/overleggen/")
    page.get_by_role("link", name="loo Zoeterwoude").click()
    page.get_by_role("button", name="Volgende vergadering plannen").click()
    expect(page.get_by_test_id("agenda-item")).to_have_count(1)
    expect(page.get_by_test_id("agenda-item")).to_contain_text(escalate.reference)
    _decide(page, escalate.reference, "LOO: RIEC-casus", "Meerdere partners betrokken; RIEC-casus.")
    expect(page.get_by_test_id("item-state")).to_have_text("RIEC-casus")
    page.get_by_role("link", name="Notulen", exact=True).click()
    expect(page.get_by_test_id("minutes-decision")).to_have_text(["LOO: RIEC-casus"])

    page.goto(f"{base}/overleggen/termijnen/")
    expect(page.get_by_test_id("action-items")).to_contain_text("Integrale controle plannen")
    check_a11y(page, "actiepunten en termijnen")
    page.goto(f"{base}/overleggen/doorlooptijden/")
    check_a11y(page, "doorlooptijden")

    outcomes = sorted(Decision.objects.values_list("action", flat=True))
    assert outcomes == ["loo_riec_casus", "naar_loo", "so_integrale_controle", "so_meer_informatie"]
    for case, state in ((info, "in_behandeling"), (control, "integrale_controle"), (escalate, "riec_casus")):
        case.refresh_from_db()
        assert case.state == state

    # The police participant: the agenda without the reporter.
    page.context.clear_cookies()
    login_browser(page, base, "esra")
    page.get_by_role("link", name="Overleggen").click()
    page.get_by_role("link", name="signalenoverleg Zoeterwoude").click()
    page.get_by_role("link", name=re.compile(r"\d{4}")).first.click()
    expect(page.get_by_test_id("agenda-item")).to_have_count(3)
    page.get_by_text("Gegevens van het signaal").first.click()
    expect(page.get_by_test_id("group-signaal").first).to_be_visible()
    expect(page.get_by_test_id("group-melder")).to_have_count(0)
    expect(page.get_by_text("Gemeld door")).to_have_count(0)
    expect(page.get_by_text("Niet zichtbaar voor uw organisatie (deelprofiel): Melder").first).to_be_visible()
    check_a11y(page, "agenda voor de politie")
    page.get_by_role("link", name="Notulen", exact=True).click()
    expect(page.get_by_test_id("minutes-decision")).to_have_count(3)
    check_a11y(page, "notulen voor de politie")
