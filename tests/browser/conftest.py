"""Browser tests: real headless Chromium (Debian package) driven by Playwright, axe-core inside.

Playwright's sync API runs an event loop in the test thread, which makes Django refuse ORM
calls from it; the ORM use in these tests is setup data, so the guard is lifted here only.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support import PASSWORD, _fresh_rate_limits, cast, ensure_region, region  # noqa: F401 - shared fixtures

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise RuntimeError("Chromium not found: run `make test`, which installs the Debian package.")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=_chromium_path(),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser, transactional_db: Any) -> Iterator[Page]:
    ensure_region()
    # bypass_csp only lets the test inject axe-core; the app's own pages run under the CSP.
    context = browser.new_context(locale="nl-NL", bypass_csp=True, accept_downloads=True)
    context.set_default_timeout(45_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.console_errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def check_a11y(page: Page, context: str = "") -> None:
    """Fail on any WCAG 2.1 A/AA violation axe-core finds on the current page."""
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]
    assert violations == [], f"axe-core on {context or page.url}:\n" + "\n".join(violations)


def login_browser(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the real two-step form: password, then the current TOTP code."""
    page.goto(f"{base_url}/account/login/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Volgende").click()
    device = TOTPDevice.objects.get(user__username=username)
    # django-otp refuses a code used before (replay protection); a second login by the same
    # person within 30 seconds of a test would reuse it, so forget the last used time step.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    page.get_by_label("Code uit uw app").fill(f"{code:06d}")
    page.get_by_role("button", name="Volgende").click()
    page.wait_for_load_state()
