"""Across municipal borders (issue 14): transfer and hit/no-hit, through the UI, axe-checked."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ketenzicht.cases.models import Case
from ketenzicht.intake import public_services
from ketenzicht.intake.public_services import PublicReport, public_report_submit
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast

pytestmark = pytest.mark.browser

SECRET = "Twaalf mensen slapen in de schuur achter de bollenschuur."


def test_zoeterwoude_transfers_a_signal_to_lisse(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_default_timeout(60_000)
    receipt = public_report_submit(
        report=PublicReport(
            form_key=public_services.new_form_key(), municipality=cast.zoeterwoude,
            description=SECRET, location_address="Heereweg 10, 2161 BD Lisse", forms=["arbeid"],
        ),
        status_url=f"{base}/melden/status/",
    )
    case = Case.objects.get()

    # Zoeterwoude's AF hands it to Lisse, with a reason.
    login_browser(page, base, "anouk")
    page.goto(f"{base}/werkvoorraad/{case.pk}/")
    page.get_by_text("Hoort dit signaal bij een andere gemeente? Overdragen").click()
    page.get_by_label("Aan gemeente").select_option(label="Lisse")
    check_a11y(page, "dossier met overdracht")
    page.get_by_role("button", name="Overdragen").click()
    expect(page.get_by_role("alert")).to_contain_text("Geef een toelichting")  # refused, nothing moved
    page.get_by_label("Waarom hoort het signaal daar?").fill("Het adres ligt in Lisse.")
    page.get_by_label("Aan gemeente").select_option(label="Lisse")
    page.get_by_role("button", name="Overdragen").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text(f"Signaal {case.reference} is overgedragen aan Lisse")
    # Only the trace is left: reference, date, to whom, why; none of the contents.
    traces = page.get_by_test_id("transfer-traces")
    expect(traces).to_contain_text(case.reference)
    expect(traces).to_contain_text("Lisse")
    expect(traces).to_contain_text("Het adres ligt in Lisse.")
    expect(page.locator("main")).not_to_contain_text(SECRET)
    check_a11y(page, "overgedragen signalen")
    assert page.goto(f"{base}/werkvoorraad/{case.pk}/").status == 403

    # Lisse's AF finds it among the new signals, marked as transferred, and takes it.
    page.context.clear_cookies()
    login_browser(page, base, "bram")
    page.goto(f"{base}/werkvoorraad/")
    expect(page.get_by_test_id("queue-transferred")).to_have_text("overgedragen door Zoeterwoude")
    check_a11y(page, "werkvoorraad met overgedragen signaal")
    page.get_by_role("link", name=case.reference).click()
    expect(page.get_by_test_id("case-transferred-from")).to_contain_text("Overgedragen door gemeente Zoeterwoude")
    expect(page.locator("main")).to_contain_text(SECRET)
    page.get_by_label("In behandeling nemen").check()
    page.get_by_role("button", name="Stap vastleggen").click()
    expect(page.get_by_test_id("case-state")).to_have_text("In behandeling (verrijken)")

    # The reporter's status page still works with the same code.
    page.context.clear_cookies()
    page.goto(f"{base}/melden/status/")
    page.get_by_label("Uw ontvangstcode").fill(receipt.code)
    page.get_by_role("button", name="Bekijken").click()
    expect(page.get_by_test_id("public-status")).to_have_text("De gemeente is met uw melding bezig.")


def test_lisse_sees_a_hit_in_zoeterwoude_asks_for_contact_and_gets_a_summary(page: Page, live_server: object, cast: Cast) -> None:
    from ketenzicht.cases import services
    from tests.support import report_signal

    base = live_server.url  # type: ignore[attr-defined]
    page.set_default_timeout(60_000)
    earlier = report_signal(cast.chantal, cast.zoeterwoude, description=SECRET, location_address="Heereweg 10, 2161 BD Lisse")
    earlier = services.case_transition(actor=cast.anouk, case=earlier, action="in_behandeling_nemen")
    services.case_record_feedback(actor=cast.anouk, case=earlier, impossible_reason="Anoniem gemeld")
    earlier = services.case_transition(actor=cast.anouk, case=earlier, action="afsluiten", reason="Geen aanwijzingen bij controle")
    mine = report_signal(cast.chantal, cast.lisse, description="Busjes 's nachts bij een woning.", location_address="")

    # Lisse's AF enters the address; the case page shows the hit and nothing else.
    login_browser(page, base, "bram")
    page.goto(f"{base}/werkvoorraad/{mine.pk}/")
    expect(page.get_by_test_id("region-hits")).to_contain_text("Geen treffers")
    page.locator("#id_location_address").fill("heereweg 10, 2161bd lisse")
    page.get_by_role("button", name="Verrijking opslaan").click()
    hit = page.get_by_test_id("region-hit")
    expect(hit).to_contain_text(f"Er is een eerder signaal in gemeente Zoeterwoude ({earlier.created_at.year}, afgesloten).")
    expect(page.locator("main")).not_to_contain_text(SECRET)
    expect(page.locator("main")).not_to_contain_text(earlier.reference)
    check_a11y(page, "dossier met treffer")
    page.get_by_role("button", name="Contact vragen aan Zoeterwoude").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("Uw contactverzoek is verstuurd aan de aandachtsfunctionaris van Zoeterwoude")
    expect(hit).to_contain_text("contact gevraagd")

    # Zoeterwoude's AF is notified and shares a summary (no personal data in the profile).
    page.context.clear_cookies()
    login_browser(page, base, "anouk")
    page.goto(f"{base}/berichten/")
    page.get_by_role("link", name=f"Gemeente Lisse vraagt contact over een treffer op signaal {earlier.reference}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Contactverzoek beantwoorden")
    expect(page.get_by_label("Personen")).to_have_count(0)
    check_a11y(page, "contactverzoek beantwoorden")
    page.get_by_label("Delen", exact=True).check()
    page.get_by_label("Locatie (adres en plaatsomschrijving)").check()
    page.get_by_label("Samenvatting voor de andere aandachtsfunctionaris").fill("Bekend adres; in maart gecontroleerd zonder aanwijzingen.")
    page.get_by_role("button", name="Antwoord vastleggen").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("Uw antwoord is vastgelegd")

    # Lisse's AF reads the summary and the chosen group only.
    page.context.clear_cookies()
    login_browser(page, base, "bram")
    page.goto(f"{base}/werkvoorraad/contactverzoeken/")
    sent = page.get_by_test_id("contact-sent")
    expect(sent).to_contain_text("Bekend adres; in maart gecontroleerd zonder aanwijzingen.")
    expect(sent).to_contain_text("Heereweg 10")
    expect(sent).not_to_contain_text(SECRET)
    check_a11y(page, "contactverzoeken Lisse")
