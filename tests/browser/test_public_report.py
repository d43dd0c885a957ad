"""A citizen reports in their own language, keeps the receipt code and follows the AF's work.

Every public page is checked with axe-core (WCAG 2.1 AA) in all seven languages.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ketenzicht.cases import services
from ketenzicht.cases.models import Case, ReporterAddition
from ketenzicht.intake.public_services import receipt_hash
from tests.app.test_meetings_support import decide_at_table
from tests.browser.conftest import check_a11y
from tests.support import Cast

pytestmark = pytest.mark.browser

# What a reporter reads in each language: labels, buttons and the public progress.
UI = {
    "nl": {
        "title": "Mensenhandel melden", "what": "Wat heeft u gezien of gehoord?", "municipality": "In welke gemeente was het?",
        "address": "Adres", "situation": "Iemand moet werken onder slechte omstandigheden of krijgt (bijna) niets betaald",
        "email": "E-mailadres", "phone": "Telefoonnummer", "send": "Melding versturen", "code": "Uw ontvangstcode",
        "view": "Bekijken", "received": "Uw melding is ontvangen. De gemeente gaat ermee aan de slag.",
        "busy": "De gemeente is met uw melding bezig.", "done": "De gemeente heeft uw melding afgerond.",
        "add": "Wat wilt u toevoegen?", "add_button": "Toevoegen aan mijn melding", "thanks_add": "Dank u voor uw aanvulling",
    },
    "pl": {
        "title": "Zgłoś handel ludźmi", "what": "Co było widać lub słychać?", "municipality": "W jakiej gminie to było?",
        "address": "Adres", "situation": "Ktoś musi pracować w złych warunkach albo nie dostaje (prawie) żadnej zapłaty",
        "email": "Adres e-mail", "phone": "Numer telefonu", "send": "Wyślij zgłoszenie", "code": "Twój kod potwierdzenia",
        "view": "Sprawdź", "received": "Twoje zgłoszenie zostało przyjęte. Gmina się nim zajmie.",
        "busy": "Gmina zajmuje się Twoim zgłoszeniem.", "done": "Gmina zakończyła rozpatrywanie Twojego zgłoszenia.",
        "add": "Co chcesz dodać?", "add_button": "Dodaj do mojego zgłoszenia", "thanks_add": "Dziękujemy za uzupełnienie",
    },
    "uk": {
        "title": "Повідомити про торгівлю людьми", "what": "Що ви бачили або чули?", "municipality": "У якому муніципалітеті це було?",
        "address": "Адреса", "situation": "Когось примушують до сексу або проституції",
        "email": "Електронна пошта", "phone": "Номер телефону", "send": "Надіслати повідомлення", "code": "Ваш код підтвердження",
        "view": "Переглянути", "received": "Ваше повідомлення отримано. Муніципалітет візьметься за нього.",
        "busy": "Муніципалітет працює з вашим повідомленням.", "done": "Муніципалітет завершив роботу з вашим повідомленням.",
        "add": "Що ви хочете додати?", "add_button": "Додати до мого повідомлення", "thanks_add": "Дякуємо за доповнення",
    },
}
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English", "pl": "Polski", "bg": "Български", "ro": "Română", "uk": "Українська", "ru": "Русский"}


def _switch_in_form(page: Page, language: str) -> None:
    page.locator("#kz-form-language").select_option(language)
    page.locator("button[name=actie][value=taal]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def _status(page: Page, base: str, code: str, ui: dict[str, str]) -> None:
    page.goto(f"{base}/melden/status/")
    page.get_by_label(ui["code"]).fill(code)
    page.get_by_role("button", name=ui["view"]).click()


@pytest.mark.parametrize(("language", "with_contact"), [("nl", False), ("pl", True), ("uk", False), ("uk", True)])
def test_citizen_reports_and_follows_the_af(page: Page, live_server: object, cast: Cast, language: str, with_contact: bool) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    ui = UI[language]
    # The first page of a fresh live server also builds the static-file index: allow it time.
    page.goto(f"{base}/melden/", timeout=60_000)
    # Typed in Dutch first, then the form is switched to the reporter's language: nothing is lost.
    description = "Bij de kas slapen twaalf mensen in één container."
    page.get_by_label("Wat heeft u gezien of gehoord?").fill(description)
    if language != "nl":
        _switch_in_form(page, language)
    expect(page.get_by_role("heading", level=1)).to_have_text(ui["title"])
    expect(page.get_by_label(ui["what"])).to_have_value(description)
    page.get_by_label(ui["municipality"]).fill("Zoeterwoude")
    page.get_by_label(ui["address"], exact=True).fill("Kasweg 12")
    page.get_by_label(ui["situation"]).check()
    if with_contact:
        page.get_by_label(ui["email"]).fill("melder@example.test")
        page.get_by_label(ui["phone"]).fill("06 12345678")
    page.get_by_role("button", name=ui["send"]).click()
    code = page.get_by_test_id("receipt-code").inner_text()
    assert len(code) == 19

    case = Case.objects.get(receipt_hash=receipt_hash(code))
    assert case.channel == "publiek" and case.municipality == cast.zoeterwoude and case.reporter_language == language
    assert case.description == description
    assert (case.reporter_contact_email == "melder@example.test") is with_contact

    _status(page, base, code, ui)
    expect(page.get_by_test_id("public-status")).to_have_text(ui["received"])

    # The reporter adds something; the AF takes the case on and answers.
    page.get_by_label(ui["add"]).fill("Er staat nu ook een witte bus.")
    page.get_by_role("button", name=ui["add_button"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ui["thanks_add"])
    assert ReporterAddition.objects.get(case=case).text == "Er staat nu ook een witte bus."

    case = services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    _status(page, base, code, ui)
    expect(page.get_by_test_id("public-status")).to_have_text(ui["busy"])

    case = services.case_transition(actor=cast.anouk, case=case, action="agenderen")
    case = decide_at_table(cast.anouk, case, "so_niet_bevestigd", "Intern: geen aanwijzingen bij Kasweg 12.")
    services.case_record_feedback(actor=cast.anouk, case=case, message="Dank u wel. Wij hebben uw melding onderzocht.")
    services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="Afgerond")
    _status(page, base, code, ui)
    expect(page.get_by_test_id("public-status")).to_have_text(ui["done"])
    expect(page.get_by_test_id("public-feedback")).to_contain_text("Wij hebben uw melding onderzocht.")
    assert "Kasweg" not in page.content() and "geen aanwijzingen" not in page.content()


@pytest.mark.parametrize("language", list(LANGUAGE_NAMES))
def test_every_public_page_passes_axe_in_every_language(page: Page, live_server: object, cast: Cast, language: str) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/melden/", timeout=60_000)
    expect(page.locator("html")).to_have_attribute("lang", language)
    check_a11y(page, f"meldformulier ({language})")

    page.locator("button[name=actie][value=versturen]").click()
    expect(page.locator(".utrecht-alert--error")).to_be_visible()
    check_a11y(page, f"meldformulier met fouten ({language})")

    page.locator("#id_description").fill("Test")
    page.locator("#id_municipality").fill("Lisse")
    page.locator("#id_location_description").fill("Bij het station")
    page.locator("#id_acute_danger").check()
    page.locator("button[name=actie][value=versturen]").click()
    code = page.get_by_test_id("receipt-code").inner_text()
    expect(page.locator(".kz-alert-112")).to_be_visible()
    check_a11y(page, f"bevestiging ({language})")

    page.goto(f"{base}/melden/status/")
    check_a11y(page, f"statusformulier ({language})")
    page.locator("#id_code").fill("AAAA-BBBB-CCCC-DDDD")
    page.locator("form.utrecht-form button[type=submit]").click()
    expect(page.locator(".utrecht-alert--error")).to_be_visible()
    check_a11y(page, f"statusformulier, onbekende code ({language})")
    page.locator("#id_code").fill(code)
    page.locator("form.utrecht-form button[type=submit]").click()
    expect(page.get_by_test_id("public-status")).to_be_visible()
    check_a11y(page, f"statusresultaat ({language})")

    page.locator("form.utrecht-form button[type=submit]").click()  # empty addition
    expect(page.locator(".utrecht-alert--error")).to_be_visible()
    check_a11y(page, f"aanvulling met fout ({language})")
    page.locator("#id_text").fill("Nog een detail.")
    page.locator("form.utrecht-form button[type=submit]").click()
    expect(page.locator(".utrecht-alert--ok")).to_be_visible()
    check_a11y(page, f"aanvulling ontvangen ({language})")


def test_beheerder_page_for_unrouted_reports_passes_axe(page: Page, live_server: object, cast: Cast) -> None:
    from ketenzicht.accounts.models import Municipality
    from tests.browser.conftest import login_browser
    from tests.support import report_signal

    base = live_server.url  # type: ignore[attr-defined]
    case = report_signal(cast.chantal, Municipality.objects.get(cbs_code="GM0534"))
    login_browser(page, base, "hanna")
    page.goto(f"{base}/beheer/niet-aangesloten/")
    expect(page.get_by_role("cell", name=case.reference, exact=True)).to_be_visible()
    check_a11y(page, "niet-aangesloten gemeenten")
    page.get_by_label("Naar gemeente").select_option(label="Lisse")
    page.get_by_role("button", name=f"Doorsturen {case.reference}").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("Lisse")
    case.refresh_from_db()
    assert case.municipality.name == "Lisse"
