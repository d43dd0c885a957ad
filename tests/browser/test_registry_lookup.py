"""The AF looks up the case's address in the BAG and its company in the KvK (htmx), takes the
address over into the enrichment, and gets a clear message when a registry is too slow.
The registries are a local HTTP server; axe-core checks every state of the panel."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ketenzicht.cases.models import Case
from tests.app.registry_server import fake_registries
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast, report_signal

pytestmark = pytest.mark.browser


def test_af_looks_up_and_takes_over_the_address(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_default_navigation_timeout(90_000)
    case = report_signal(cast.chantal, cast.zoeterwoude, location_address="Dorpsstraat 3, 2381 AB Zoeterwoude", kvk_number="68750110")
    with fake_registries() as registries, registries.settings():
        login_browser(page, base, "anouk")
        page.goto(f"{base}/werkvoorraad/{case.pk}/")
        panel = page.get_by_test_id("registers")
        expect(panel.get_by_label("Postcode")).to_have_value("2381 AB")  # read from the case's address
        expect(panel.get_by_label("Huisnummer")).to_have_value("3")
        panel.get_by_role("button", name="Adres opzoeken").click()
        result = page.get_by_test_id("register-resultaat")
        expect(result).to_contain_text("0638010000012345")
        expect(result).to_contain_text("woonfunctie")
        expect(result.get_by_test_id("bewoners")).to_contain_text("9")
        check_a11y(page, "dossier: gevonden in de BAG")
        assert Case.objects.get(pk=case.pk).address_details == ""  # looking up writes nothing
        result.get_by_role("button", name="Overnemen in de verrijking").click()
        expect(page).to_have_url(re.compile(rf"/werkvoorraad/{case.pk}/\?overgenomen=1#h-verrijken$"))
        expect(page.locator(".kz-messages")).to_contain_text("overgenomen in de verrijking")
        expect(page.get_by_label("Adresgegevens (BAG/BRP)")).to_have_value(re.compile(r"^BAG, opgezocht .*gebruiksdoel woonfunctie"))
        check_a11y(page, "dossier na overnemen")

        # The KvK is too slow: a clear message, the typed number kept, nothing changed.
        registries.answer("kvk", {}, delay=3)
        page.get_by_test_id("registers").get_by_role("button", name="Bedrijf opzoeken").click()
        expect(page.get_by_test_id("register-fout")).to_contain_text("gaf geen antwoord binnen 2 seconden. Er is niets gewijzigd")
        expect(page.get_by_test_id("registers").get_by_label("KvK-nummer")).to_have_value("68750110")
        check_a11y(page, "dossier: register te traag")
    case.refresh_from_db()
    assert case.company_name == "" and case.location_address == "Dorpsstraat 3, 2381AB Zoeterwoude"
