"""The AF walks the routekaart for a labour-exploitation case, refers it to the NLA; the NLA
partner accepts and gives feedback; the AF's case page shows it. axe-core checks every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from ketenzicht.accounts.models import Organisation
from ketenzicht.cases.models import Case
from ketenzicht.cases.services import case_transition
from ketenzicht.routing.models import Referral, RouteAdvice
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast, make_user, report_signal

pytestmark = pytest.mark.browser


def _answer(page: Page, question: str, label: str) -> None:
    # Wait for htmx to have swapped in the question (its legend names it): the previous one
    # had the same ja/nee labels.
    fieldset = page.locator("fieldset", has=page.locator("legend", has_text=question))
    expect(fieldset).to_be_visible()
    fieldset.get_by_label(label, exact=True).check()
    page.get_by_role("button", name="Volgende vraag").click()


def test_af_refers_labour_case_to_nla_and_sees_the_partners_feedback(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    # The shared test machine runs several suites at once; the first static files can take
    # longer than the conftest's 15 s under that load (seen: the existing journey test too).
    page.set_default_navigation_timeout(90_000)
    page.set_default_timeout(45_000)
    case = report_signal(
        cast.chantal,
        cast.zoeterwoude,
        description="Arbeidsmigranten op een kwekerij werken 14 uur per dag; de werkgever houdt paspoorten in.",
        forms=["arbeid"],
        company_name="Kwekerij Voorbeeld B.V.",
    )
    case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    make_user("ivo", "nla", "ketenpartner")

    # The AF walks the routekaart from the case page. What the case records (the form of
    # exploitation, no acute danger) is already answered; htmx swaps one question at a time.
    login_browser(page, base, "anouk")
    page.goto(f"{base}/werkvoorraad/{case.pk}/")
    check_a11y(page, "dossier")
    page.get_by_role("link", name="Wat doe ik met dit signaal? (routekaart)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wat doe ik met dit signaal?")
    known = page.get_by_test_id("bekende-antwoorden")
    expect(page.get_by_test_id("antwoord-uitbuitingsvormen")).to_contain_text("Arbeidsuitbuiting")
    expect(page.get_by_test_id("antwoord-uitbuitingsvormen")).to_contain_text("uit het signaal")
    expect(known).to_contain_text("Acuut gevaar")
    check_a11y(page, "routekaart: vooraf ingevulde antwoorden")
    page.get_by_role("button", name="Volgende vraag").click()
    expect(page.get_by_role("alert")).to_contain_text("Kies of het om een slachtoffer of om een locatie gaat")
    check_a11y(page, "routekaart: vraag met fout")
    _answer(page, "Gaat het om", "Een (mogelijk) identificeerbaar slachtoffer")
    _answer(page, "politie", "Ja")  # wants to talk to the police / inspectorate
    expect(page.get_by_test_id("advies-nla")).to_contain_text("0800-5151")  # advice so far, before the end
    check_a11y(page, "routekaart: advies tot nu toe")
    _answer(page, "hulp", "Ja")  # wants help: the zorgcoördinator
    _answer(page, "meldcode", "Nee")
    _answer(page, "minderjarige", "Nee")
    expect(page).to_have_url(re.compile(r"/routekaart/\?vastgelegd=1#advies$"))
    advice = page.get_by_test_id("advies").first
    expect(advice).to_contain_text("Nederlandse Arbeidsinspectie (NLA)")
    shop = advice.get_by_test_id("advies-zorgcoordinator")
    expect(shop.get_by_test_id("telefoon")).to_have_text("070-3614747 / 06-14007438")
    expect(shop.get_by_test_id("email")).to_have_text("zoco@shop-denhaag.nl")
    expect(advice.get_by_test_id("advies-nla").get_by_test_id("telefoon")).to_have_text("0800-5151")
    check_a11y(page, "routekaart: vastgelegd advies")
    stored = RouteAdvice.objects.get(case=case)
    assert stored.advice["advies"][0]["soort"] == "nla"
    assert stored.answers["uitbuitingsvormen"] == ["arbeid"] and stored.answers["acuutGevaar"] is False

    # The advice leads straight to the referral form for the NLA, prefilled.
    advice.get_by_role("link", name="Doorverwijzen naar Nederlandse Arbeidsinspectie").click()
    expect(page.get_by_label("Ketenpartner")).to_have_value(str(Organisation.objects.get(slug="nla").pk))
    expect(page.get_by_label("Vraag aan de partner")).to_have_value(re.compile(r"^Op advies van de signalenroutekaart: .*Nederlandse Arbeidsinspectie"))
    check_a11y(page, "doorverwijzen, vooraf ingevuld")
    page.get_by_label("Vraag aan de partner").fill("Signaal van arbeidsuitbuiting op een kwekerij; graag beoordelen voor een controle.")
    page.get_by_role("button", name="Concept opslaan en controleren").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("Concept")
    expect(page.get_by_test_id("shared-groups")).to_contain_text("Bedrijf (naam, KvK)")
    expect(page.get_by_test_id("withheld-groups")).to_contain_text("Melder (wie meldde)")
    check_a11y(page, "concept doorverwijzing")
    page.get_by_role("button", name="Verzenden via Ketenzicht").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("Verzonden")
    check_a11y(page, "verzonden doorverwijzing")
    case.refresh_from_db()
    assert case.state == "in_behandeling"  # a referral runs beside the case (issue 18)

    # The NLA partner accepts it and gives feedback.
    page.context.clear_cookies()
    login_browser(page, base, "ivo")
    page.goto(f"{base}/partner/")
    check_a11y(page, "partnerinbox")
    page.get_by_role("link", name=case.reference).click()
    expect(page.locator("main")).to_contain_text("Kwekerij Voorbeeld B.V.")
    expect(page.locator("main")).not_to_contain_text("chantal")
    check_a11y(page, "doorverwijzing bij de partner")
    page.get_by_role("button", name="Ontvangst bevestigen").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("Ontvangen")
    page.get_by_role("button", name="Accepteren").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("Geaccepteerd")
    page.get_by_label("Terugkoppeling aan de gemeente").fill("Controle uitgevoerd op 12 november; boeterapport opgemaakt.")
    page.get_by_role("button", name="Afronden met terugkoppeling").click()
    expect(page.get_by_test_id("referral-state")).to_have_text("Afgerond")
    check_a11y(page, "afgeronde doorverwijzing bij de partner")

    # The AF sees the feedback on the case page.
    page.context.clear_cookies()
    login_browser(page, base, "anouk")
    page.goto(f"{base}/werkvoorraad/{case.pk}/")
    expect(page.get_by_test_id("referral-feedback")).to_have_text("Controle uitgevoerd op 12 november; boeterapport opgemaakt.")
    expect(page.get_by_test_id("referral-state")).to_have_text("Afgerond")
    check_a11y(page, "dossier met terugkoppeling van de partner")
    assert Referral.objects.get(case=case).state == "afgerond"
    assert Case.objects.get(pk=case.pk).state == "in_behandeling"
