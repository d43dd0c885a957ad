"""Issue 16 items 7 and 8 in a real browser: Enter on the public form sends the report, the focus
ring is visible, and the privacy officer's audit view passes axe-core with and without errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ketenzicht.cases.models import Case
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast

pytestmark = pytest.mark.browser


def test_enter_in_a_text_field_sends_the_report_not_the_language_switch(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/melden/", timeout=60_000)
    page.locator("#id_description").fill("Mensen slapen in een loods achter de kwekerij.")
    page.locator("#id_municipality").fill("Zoeterwoude")
    page.locator("#id_location_description").fill("Achter de kwekerij aan de dijk")
    page.locator("#id_location_address").fill("Dorpsstraat 3, Zoeterwoude")
    page.locator("#id_location_address").press("Enter")
    expect(page.get_by_test_id("receipt-code")).to_be_visible()
    case = Case.objects.get()
    assert case.description == "Mensen slapen in een loods achter de kwekerij." and case.municipality == cast.zoeterwoude


def test_the_focus_ring_is_visible_and_the_audit_view_passes_axe(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    login_browser(page, base, "gijs")
    page.goto(f"{base}/audit/")
    check_a11y(page, "audittrail")
    page.get_by_label("Naam van de gebruiker").focus()
    ring = page.evaluate("() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]; }")
    assert ring[0] != "none" and ring[1] >= 2, ring

    page.get_by_label("Vanaf").fill("2026-03-31")
    page.get_by_label("Tot en met").fill("2026-03-01")
    page.get_by_role("button", name="Zoeken").click()
    expect(page.locator(".utrecht-alert--error")).to_contain_text("De einddatum ligt vóór de begindatum")
    expect(page.get_by_label("Vanaf")).to_have_value("2026-03-31")
    check_a11y(page, "audittrail met fouten")
