"""Accounts and looks in a real browser (issue 16 item 1, issue 13 item 5), axe-core on every page.

From an empty inbox: the beheerder invites a colleague; the colleague sets a password, enrols TOTP
(QR code and backup codes), logs in and reports a signal. And each organisation's look: the public
form of Zoeterwoude in its theme, a staff page of the other region in Vlissingen's theme.
"""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from ketenzicht.cases.models import Case
from tests.app.accounts_support import other_region
from tests.browser.conftest import check_a11y, login_browser
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import Cast

pytestmark = pytest.mark.browser
NEW_PASSWORD = "Tulpenveld-langs-de-Vliet-7"


def _code(secret: str) -> str:
    return f"{TOTP(base64.b32decode(secret)).token():06d}"


def test_an_invited_colleague_sets_up_the_account_and_reports_a_signal(page: Page, live_server: object, cast: Cast, smtp_server) -> None:  # noqa: F811
    base = live_server.url  # type: ignore[attr-defined]
    assert smtp_server.messages == []  # an empty inbox
    login_browser(page, base, "hanna")
    page.goto(f"{base}/beheer/gebruikers/")
    check_a11y(page, "gebruikers")
    page.get_by_label("Voornaam").fill("Lotte")
    page.get_by_label("Achternaam").fill("de Vries")
    page.get_by_label("E-mailadres").fill("lotte@example.test")
    page.get_by_label("Organisatie").select_option(label="Gemeente Zoeterwoude")
    page.get_by_label("Aandachtsfunctionaris").check()
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("Lotte de Vries is uitgenodigd")
    expect(page.get_by_role("cell", name="uitgenodigd")).to_be_visible()
    page.goto(f"{base}/account/uitloggen/")
    page.get_by_role("button", name="Uitloggen").click()

    invitations = [m for m in smtp_server.messages if m["To"] == "lotte@example.test"]
    assert len(invitations) == 1
    link = re.search(r"https?://\S+/account/welkom/\S+/", invitations[0].get_content()).group(0)
    # The mail links to the configured site address; the test server listens elsewhere.
    page.goto(base + "/account/" + link.split("/account/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom bij Ketenzicht")
    assert "/welkom/" not in page.url  # the token left the address bar
    check_a11y(page, "wachtwoord instellen")
    page.get_by_label("Nieuw wachtwoord").fill("lotte1234")
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill("lotte1234")
    page.get_by_role("button", name="Wachtwoord instellen").click()
    expect(page.get_by_role("alert")).to_contain_text("Dit wachtwoord is te kort")
    expect(page.get_by_label("Nieuw wachtwoord")).to_have_value("lotte1234")
    check_a11y(page, "wachtwoord te zwak")
    page.get_by_label("Nieuw wachtwoord").fill(NEW_PASSWORD)
    page.get_by_label("Herhaal het nieuwe wachtwoord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Wachtwoord instellen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie instellen")
    page.get_by_role("button", name="Volgende").click()
    qr = page.get_by_role("img", name="QR-code om Ketenzicht aan uw app toe te voegen")
    expect(qr).to_be_visible()
    check_a11y(page, "QR-code")
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code uit uw app").fill("123456" if _code(secret) != "123456" else "654321")
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("alert")).to_contain_text("Deze code klopt niet")
    check_a11y(page, "verkeerde code")
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.get_by_label("Code uit uw app").fill(_code(secret))
    page.get_by_role("button", name="Volgende").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweestapsverificatie ingesteld")
    check_a11y(page, "2FA ingesteld")
    page.get_by_role("button", name="Reservecodes maken").click()
    expect(page.get_by_test_id("backup-codes").locator("li")).to_have_count(10)
    check_a11y(page, "reservecodes")

    # Log out, and in again as any day: e-mail address, password, the app's code.
    page.goto(f"{base}/account/uitloggen/")
    page.get_by_role("button", name="Uitloggen").click()
    page.goto(f"{base}/account/login/")
    page.get_by_label("Gebruikersnaam").fill("lotte@example.test")
    page.get_by_label("Wachtwoord").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Volgende").click()
    TOTPDevice.objects.filter(user__email="lotte@example.test").update(last_t=-1)  # the setup code was used
    page.get_by_label("Code uit uw app").fill(_code(secret))
    page.get_by_role("button", name="Volgende").click()
    expect(page.locator(".kz-user")).to_contain_text("Lotte de Vries")

    page.get_by_role("link", name="Signaal melden").click()
    page.get_by_label("Wat heeft u gezien?").fill("Acht mannen slapen in een loods achter de kwekerij.")
    page.get_by_label("Adres").fill("Weipoortseweg 12, 2381 NK Zoeterwoude")
    page.get_by_label("Arbeidsuitbuiting").check()
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("Uw melding is ontvangen")
    case = Case.objects.get(description__startswith="Acht mannen")
    assert case.reporter.email == "lotte@example.test" and case.municipality.cbs_code == "GM0638"


def test_zoeterwoudes_public_form_wears_its_theme(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{base}/melden/GM0638/")
    expect(page.locator("html")).to_have_class(re.compile(r"\bkz-org-theme\b"))
    expect(page.locator(".kz-brand")).to_contain_text("Gemeente Zoeterwoude")
    expect(page.get_by_label("In welke gemeente was het?")).to_have_value("Zoeterwoude")
    band = page.locator(".kz-header__bar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert band == "rgb(0, 102, 61)"  # Zoeterwoude's primary colour (#00663d)
    check_a11y(page, "openbaar formulier Zoeterwoude")
    # On the general form, choosing the municipality puts on its look at once.
    page.goto(f"{base}/melden/")
    expect(page.locator("html")).not_to_have_class(re.compile(r"\bkz-org-theme\b"))
    municipality = page.get_by_label("In welke gemeente was het?")
    municipality.fill("Lisse")
    municipality.dispatch_event("change")
    expect(page.locator("html")).to_have_class(re.compile(r"\bkz-org-theme\b"))
    expect(page.locator(".kz-brand")).to_contain_text("Gemeente Lisse")
    time.sleep(0.2)  # the stylesheet loads
    check_a11y(page, "openbaar formulier na keuze Lisse")


def test_a_staff_page_of_the_other_region_wears_vlissingens_theme(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    other_region()
    login_browser(page, base, "vera")
    page.goto(f"{base}/werkvoorraad/")
    expect(page.locator(".kz-brand")).to_contain_text("Gemeente Vlissingen")
    band = page.locator(".kz-header__bar").evaluate("el => getComputedStyle(el).backgroundColor")
    assert band == "rgb(0, 61, 115)"  # Vlissingen's primary colour (#003d73)
    assert "gemeente-zoeterwoude" not in page.content()
    check_a11y(page, "werkvoorraad Vlissingen")
    page.goto(f"{base}/berichten/")
    check_a11y(page, "berichten Vlissingen")
    page.goto(f"{base}/berichten/voorkeuren/")
    check_a11y(page, "voorkeuren Vlissingen")
