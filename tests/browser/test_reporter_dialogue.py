"""The AF asks an anonymous public reporter a question; the reporter answers in Polish with the
receipt code; the AF is notified and reads the answer (issue 16 item 4, acceptance).

The AF finds the report in the work queue by searching its address first; every page of the
dialogue is checked with axe-core (WCAG 2.1 AA).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from ketenzicht.cases.models import Case
from ketenzicht.intake import public_services
from ketenzicht.intake.public_services import PublicReport, public_report_submit
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast

pytestmark = pytest.mark.browser


def test_af_asks_the_reporter_who_answers_in_polish(page: Page, browser: Browser, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    receipt = public_report_submit(report=PublicReport(
        form_key=public_services.new_form_key(), municipality=cast.zoeterwoude, language="pl", forms=["onbekend"],
        description="W szklarni przy Kasweg śpi dwunastu ludzi.", location_address="Kasweg 12, 2381 AB Zoeterwoude",
    ), status_url=f"{base}/melden/status/")
    case = Case.objects.get(receipt_hash=public_services.receipt_hash(receipt.code))

    # The AF finds the report by its address and asks a question.
    login_browser(page, base, "anouk")
    page.goto(f"{base}/werkvoorraad/?weergave=alle", timeout=60_000)
    page.get_by_label("Zoeken").fill("Kasweg 12")
    page.get_by_role("button", name="Zoeken en filteren").click()
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    expect(page.get_by_test_id("queue-summary")).to_contain_text("W szklarni")
    check_a11y(page, "work queue with a search")
    page.get_by_role("link", name=case.reference).click()
    page.get_by_label("Uw vraag aan de melder").fill("Hoeveel mensen zag u en op welke dagen?")
    page.get_by_role("button", name="Vraag stellen").click()
    expect(page.get_by_test_id("reporter-questions")).to_contain_text("Hoeveel mensen zag u")
    check_a11y(page, "case page with a question to the reporter")

    # The reporter, in Polish, reads the question with the receipt code and answers.
    reporter = browser.new_context(locale="pl-PL", bypass_csp=True)
    public = reporter.new_page()
    public.goto(f"{base}/melden/status/", timeout=60_000)
    public.get_by_label("Twój kod potwierdzenia").fill(receipt.code)
    public.get_by_role("button", name="Sprawdź").click()
    expect(public.get_by_role("heading", name="Pytania od gminy")).to_be_visible()
    expect(public.get_by_test_id("public-question")).to_contain_text("Hoeveel mensen zag u en op welke dagen?")
    check_a11y(public, "status page with a question (pl)")
    public.get_by_label("Twoja odpowiedź").fill("Około dwunastu osób, we wtorki i czwartki.")
    public.get_by_role("button", name="Wyślij odpowiedź").click()
    expect(public.get_by_role("heading", level=1)).to_have_text("Dziękujemy za odpowiedź")
    check_a11y(public, "answer received (pl)")
    reporter.close()

    # The AF is notified and reads the answer.
    page.goto(f"{base}/berichten/")
    link = page.get_by_role("link", name=f"De melder heeft uw vraag bij {case.reference} beantwoord")
    expect(link).to_be_visible()
    link.click()
    expect(page.get_by_test_id("reporter-answer")).to_contain_text("Około dwunastu osób, we wtorki i czwartki.")
