"""From an acute public report to closure in at most 20 clicks (issue 16, acceptance).

The AF is notified of an acute public report, finds it by searching the address, reclassifies
it, follows the prefilled routekaart into a referral and takes the signal from intake to
closure. Every click and every navigation of the AF is counted; the partner's part (the NLA
accepting and answering the referral) is theirs, not the AF's, and happens through services.
axe-core checks the pages this lane added or changed.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from ketenzicht.cases.models import Case
from ketenzicht.intake import public_services
from ketenzicht.intake.public_services import PublicReport, public_report_submit
from ketenzicht.routing import services as routing
from ketenzicht.routing.models import Referral
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast, make_user

pytestmark = pytest.mark.browser
MAX_CLICKS = 20


class Clicks:
    def __init__(self) -> None:
        self.n = 0

    def __call__(self, target: Locator, *, check: bool | None = None) -> None:
        self.n += 1
        if check is True:
            target.check()
        elif check is False:
            target.uncheck()
        else:
            target.click()


def test_acute_public_report_to_closure_in_at_most_20_clicks(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    page.set_default_navigation_timeout(90_000)
    ivo = make_user("ivo", "nla", "ketenpartner")
    public_report_submit(report=PublicReport(
        form_key=public_services.new_form_key(), municipality=cast.zoeterwoude, acute_danger=True, forms=["onbekend"],
        description="Achter de kwekerij slapen mannen in containers; een van hen is gewond en mag niet weg.",
        location_address="Kasweg 7, 2381 AB Zoeterwoude",
    ), status_url=f"{base}/melden/status/")
    case = Case.objects.get(location_address="Kasweg 7, 2381 AB Zoeterwoude")
    click = Clicks()

    login_browser(page, base, "anouk")
    # Notified: the header counts the unread message; the message names the acute danger.
    click(page.get_by_role("link", name=re.compile(r"^Berichten")))
    expect(page.locator("main")).to_contain_text(f"Nieuw signaal {case.reference} (acuut gevaar)")
    # Found by searching the address.
    click(page.get_by_role("link", name="Werkvoorraad"))
    page.get_by_label("Zoeken").fill("Kasweg 7")
    click(page.get_by_role("button", name="Zoeken en filteren"))
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    expect(page.get_by_test_id("queue-flags")).to_contain_text("acuut gevaar")
    click(page.get_by_role("link", name=case.reference))
    check_a11y(page, "dossier van een acute openbare melding")
    # Reclassified: it is labour exploitation.
    reclassify = page.locator("#herclassificeren")
    click(reclassify.locator("summary"))
    click(reclassify.get_by_label("Arbeidsuitbuiting"), check=True)
    click(reclassify.get_by_label("Onbekend"), check=False)
    reclassify.get_by_label("Reden van de wijziging").fill("Navraag bij de politie: arbeid op de kwekerij.")
    check_a11y(page, "herclassificeren")
    click(reclassify.get_by_role("button", name="Wijziging vastleggen"))
    expect(page.locator("main")).to_contain_text("vorm: Onbekend → Arbeidsuitbuiting")
    # Taken in.
    click(page.get_by_label("In behandeling nemen"), check=True)
    click(page.get_by_role("button", name="Stap vastleggen"))
    expect(page.get_by_test_id("case-state")).to_have_text(re.compile(r"^In behandeling"))
    # The prefilled routekaart: acute danger and the form are known; 112 comes first.
    click(page.get_by_role("link", name="Wat doe ik met dit signaal? (routekaart)"))
    expect(page.get_by_test_id("antwoord-uitbuitingsvormen")).to_contain_text("Arbeidsuitbuiting")
    click(page.get_by_label("Een locatie waar mensenhandel wordt vermoed"), check=True)
    click(page.get_by_role("button", name="Volgende vraag"))
    advice = page.get_by_test_id("advies").first
    expect(advice.locator("li").first).to_contain_text("112")
    click(advice.get_by_role("link", name="Doorverwijzen naar Nederlandse Arbeidsinspectie"))
    expect(page.get_by_label("Vraag aan de partner")).to_have_value(re.compile(r"^Op advies van de signalenroutekaart"))
    click(page.get_by_role("button", name="Concept opslaan en controleren"))
    click(page.get_by_role("button", name="Verzenden via Ketenzicht"))
    expect(page.get_by_test_id("referral-state")).to_have_text("Verzonden")

    # The NLA does its part (not the AF's clicks).
    referral = Referral.objects.get(case=case)
    referral = routing.referral_receive(actor=ivo, referral=referral)
    referral = routing.referral_accept(actor=ivo, referral=referral)
    routing.referral_complete(actor=ivo, referral=referral, feedback="Controle gedaan; de mannen zijn opgevangen.")

    # Feedback to the reporter, then closure.
    click(page.get_by_role("link", name=re.compile(r"^Terug naar het signaal")))
    page.get_by_role("textbox", name="Terugkoppeling aan de melder").fill("Dank u. Wij hebben uw melding doorgegeven en er is actie ondernomen.")
    click(page.get_by_role("button", name="Terugkoppeling vastleggen"))
    click(page.get_by_label("Afsluiten"), check=True)
    page.get_by_label("Toelichting", exact=True).fill("Partner heeft opgetreden; slachtoffers in zorg.")
    click(page.get_by_role("button", name="Stap vastleggen"))
    expect(page.get_by_test_id("case-state")).to_have_text("Afgesloten")
    check_a11y(page, "afgesloten dossier")
    assert Case.objects.get(pk=case.pk).state == "afgesloten"
    assert click.n <= MAX_CLICKS, f"{click.n} clicks from notification to closure"
