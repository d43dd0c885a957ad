"""axe-core (WCAG 2.1 AA) on every page of issue 16, as the people of two regions see them.

One browser, one context per person; every page is checked and the test fails once, at the
end, with the list of violations per page (so one run shows all that is wrong).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page

from ketenzicht.accounts.links import _link_create
from ketenzicht.accounts.models import AccountLinkPurpose, Municipality
from ketenzicht.cases.models import Case
from ketenzicht.cases.services import reporter_question_ask
from tests.app import matrix_support as m
from tests.app.accounts_support import other_region
from tests.browser.conftest import AXE_JS, WCAG_TAGS, login_browser
from tests.support import Cast, report_signal

pytestmark = pytest.mark.browser


def _violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:4]}" for v in result["violations"]]


class Visits:
    """Opens pages as one person and keeps what axe-core found on each."""

    def __init__(self, browser: Browser, base: str, found: dict[str, list[str]]) -> None:
        self.browser, self.base, self.found = browser, base, found

    def as_person(self, who: str, username: str | None, steps: Callable[[Page, str], None]) -> None:
        context = self.browser.new_context(locale="nl-NL", bypass_csp=True)
        context.set_default_timeout(20_000)
        page = context.new_page()
        try:
            if username:
                login_browser(page, self.base, username)
            steps(page, who)
        finally:
            context.close()

    def check(self, page: Page, who: str, path: str | None = None, status: int = 200) -> None:
        if path is not None:
            response = page.goto(f"{self.base}{path}")
            assert response is not None and response.status == status, f"{who}: {path} → {response and response.status}"
        label = f"{who}: {page.url.removeprefix(self.base)}"
        if label in self.found:
            label += f" ({page.title()})"
        self.found[label] = _violations(page)


def test_every_page_of_issue_16_passes_axe(browser: Browser, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    zwb = other_region()
    case = report_signal(cast.chantal, cast.zoeterwoude)
    vera_case = report_signal(zwb.vera, Municipality.objects.get(cbs_code="GM0718"))
    referral_id = m.sent_referral({"cast": cast, "side": m.DEN_HAAG, "case": case}).pk
    token, _link = _link_create(cast.otto, AccountLinkPurpose.UITNODIGING, cast.hanna, timezone.now())
    found: dict[str, list[str]] = {}
    visits = Visits(browser, base, found)
    check = visits.check

    def anonymous(page: Page, who: str) -> None:
        check(page, who, "/melden/")
        page.locator("#id_description").fill("Mensen slapen in een loods achter de kwekerij.")
        page.locator("#id_municipality").fill("Zoeterwoude")
        page.locator("#id_location_address").fill("Dorpsstraat 3, Zoeterwoude")
        page.locator("#id_location_address").press("Enter")
        code = page.get_by_test_id("receipt-code").inner_text().strip()
        check(page, who)  # the receipt
        public_case = Case.objects.filter(channel="publiek").latest("created_at")
        reporter_question_ask(actor=cast.anouk, case=public_case, question="Op welk adres precies?")
        check(page, who, "/melden/status/")
        page.locator("#id_code").fill(code)
        page.locator("#id_code").press("Enter")
        page.wait_for_load_state()
        check(page, who)  # status, the AF's question with its answer form, and the addition form
        check(page, who, reverse("account:forgot_password"))
        check(page, who, reverse("account:link", kwargs={"token": "verlopen-of-onbekend"}), status=400)
        page.goto(f"{base}{reverse('account:link', kwargs={'token': token})}")
        check(page, who)  # setting a password after the invitation
        check(page, who, reverse("two_factor:login"))

    def pages(*paths: str | tuple[str, int]) -> Callable[[Page, str], None]:
        def visit(page: Page, who: str) -> None:
            for path in paths:
                check(page, who, *((path,) if isinstance(path, str) else path))
        return visit

    def url(name: str, **kwargs: object) -> str:
        return reverse(name, kwargs=kwargs or None)

    # The other region (Zeeland-West-Brabant, Vlissingen's theme) sees each kind of page once more.
    visits.as_person("anoniem", None, anonymous)
    visits.as_person("beheerder DH", "hanna", pages(
        url("accounts:users"), url("accounts:user_edit", user_id=cast.otto.pk), url("two_factor:profile"),
        url("two_factor:backup_tokens"), url("notifications:list"), url("notifications:preferences"),
    ))
    visits.as_person("beheerder ZWB", "zoe", pages(url("accounts:users"), url("accounts:user_edit", user_id=zwb.vera.pk), url("two_factor:backup_tokens")))
    def af_dh(page: Page, who: str) -> None:
        pages(url("cases:queue"), url("cases:queue") + "?zoek=a", url("cases:detail", case_id=case.pk))(page, who)
        reclassify = page.locator("#herclassificeren")  # a correction without a reason: refused, shown again
        reclassify.locator("summary").click()
        reclassify.get_by_role("button", name="Wijziging vastleggen").click()
        page.wait_for_load_state()
        assert page.locator("#herclassificeren[open]").count() == 1, "the refused correction is not shown again"
        check(page, who)
        pages(
            url("routing:case_guide", case_id=case.pk), url("routing:referral_new", case_id=case.pk),
            url("routing:referral_detail", referral_id=referral_id), url("intake:report"), url("intake:own_reports"), url("notifications:list"),
        )(page, who)

    visits.as_person("AF DH", "anouk", af_dh)
    visits.as_person("AF ZWB", "vera", pages(
        url("cases:queue"), url("cases:detail", case_id=vera_case.pk), url("routing:case_guide", case_id=vera_case.pk), url("notifications:list"),
    ))
    visits.as_person("privacy officer DH", "gijs", pages(url("audit:log"), (url("audit:log") + "?van=2026-03-31&tot=2026-03-01", 400)))
    visits.as_person("privacy officer ZWB", "piet", pages(url("audit:log")))
    visits.as_person("partner", "julia", pages(
        url("routing:partner_inbox"), url("routing:partner_referral", referral_id=referral_id), url("intake:report"), url("intake:own_reports"),
    ))
    visits.as_person("ketenregisseur", "fleur", pages(url("routing:guide")))

    assert len(found) >= 33, sorted(found)
    problems = [f"{page}\n  " + "\n  ".join(v) for page, v in found.items() if v]
    assert problems == [], "axe-core (WCAG 2.1 AA) found:\n" + "\n".join(problems)
