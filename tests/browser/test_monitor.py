"""The ketenregisseur opens the regional monitor, filters, downloads XLSX and PDF; axe on every page."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from playwright.sync_api import Page, expect

from ketenzicht.monitor import services
from ketenzicht.monitor.models import Import, Source
from ketenzicht.monitor.sources import ensure_default_sources
from tests.app.monitor_support import AGG_HEADER, REG_HEADER, csv_bytes, release_through
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast, report_signal

pytestmark = pytest.mark.browser

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def _seed(cast: Cast) -> Import:
    ensure_default_sources()  # the browser tests flush the database, migrations' rows included
    rows = []
    for i, code in enumerate(["GM0546", "GM0553", "GM0638", "GM0534", "GM0575", "GM0503", "GM0518"]):
        for form, n in (("arbeid", 3 + 4 * i), ("seksueel", 2 + i), ("crimineel", 1 + (i % 3))):
            rows.append([f"2025-{1 + i:02d}", code, "melding", form, "23+", "landbouw", n])
            rows.append([f"2024-{1 + i:02d}", code, "melding", form, "18-22", "horeca", n + 2])
    politie = Source.objects.get(slug="politie")
    services.import_file(actor=cast.fleur, source=politie, file_name="politie.csv", data=csv_bytes(AGG_HEADER, rows))
    services.import_file(actor=cast.fleur, source=Source.objects.get(slug="overig"), file_name="indicatoren.csv", data=(EXAMPLES / "indicatoren.csv").read_bytes())
    for _ in range(7):
        report_signal(cast.chantal, cast.zoeterwoude)
    services.counts_refresh()
    bad = csv_bytes(REG_HEADER, [["R-1", "2025-13-01", "GM0638", "melding", "", "", ""]])
    rejected = services.import_file(actor=cast.fleur, source=politie, file_name="fout.csv", data=bad).record
    release_through(date(2025, 12, 1))  # the monthly release the scheduled job would have made
    return rejected


def test_ketenregisseur_filters_and_downloads_xlsx_and_pdf(page: Page, live_server: object, cast: Cast, tmp_path: Path) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    rejected = _seed(cast)
    login_browser(page, base, "fleur")

    page.get_by_role("link", name="Monitor").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Regionale monitor mensenhandel")
    check_a11y(page, "regionale monitor")

    page.get_by_label("District").select_option(label="Leiden-Bollenstreek")
    page.get_by_label("Jaar", exact=True).select_option("2025")
    page.get_by_label("Bron", exact=True).select_option(label="Politie (AVIM)")
    page.get_by_role("button", name="Toon cijfers").click()
    page.wait_for_url("**jaar=2025**")
    expect(page.locator("#kz-series-heading")).to_contain_text("Leiden-Bollenstreek, 2025")
    expect(page.locator("#kz-series-heading")).to_contain_text("Politie (AVIM)")
    expect(page.get_by_test_id("monitor-stand")).to_contain_text("met gegevens tot en met december 2025")
    check_a11y(page, "monitor gefilterd op district en jaar")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download als Excel (XLSX)").click()
    xlsx = tmp_path / "monitor.xlsx"
    download_info.value.save_as(xlsx)
    sheet = load_workbook(io.BytesIO(xlsx.read_bytes())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert ["Gebied", "Eenheid Den Haag – Leiden-Bollenstreek"] in [r[:2] for r in rows]
    numbers = [c for r in rows for c in r if isinstance(c, int)]
    assert numbers and not [c for c in numbers if 0 < c < 5]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Rapportage als PDF").click()
    pdf = tmp_path / "rapport.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    # The cover page and the first series page (it starts on a page of its own, after however many
    # pages the explanation takes) must carry ink: text, the table, the chart.
    texts = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout.split("\f")
    series_page = next(i for i, text in enumerate(texts, start=1) if "Totaal:" in text)
    for number in (1, series_page):
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", str(number), "-l", str(number), str(pdf), str(tmp_path / f"p{number}")], check=True)
    pngs = sorted(tmp_path.glob("p*.png"))
    assert len(pngs) == 2
    for png in pngs:
        grey = Image.open(png).convert("L")
        dark = sum(grey.histogram()[:128])
        assert dark > 500, f"{png.name} looks blank"

    # Drill down to a municipality (suppressed for the ketenregisseur), then the import pages.
    page.get_by_role("link", name="Zoeterwoude").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("gemeente Zoeterwoude")
    check_a11y(page, "monitor gemeente")
    page.goto(f"{base}/monitor/imports/")
    check_a11y(page, "imports")
    page.get_by_label("Bron").select_option("nla")
    page.get_by_label("Bestand (CSV of XLSX)").set_input_files(files=[{"name": "foto.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}])
    page.get_by_role("button", name="Controleren en importeren").click()
    expect(page.get_by_role("alert")).to_contain_text("Kies een CSV- of XLSX-bestand")
    check_a11y(page, "imports met fout")
    page.goto(f"{base}/monitor/imports/{rejected.pk}/")
    expect(page.get_by_role("table")).to_contain_text("geen geldige datum")
    check_a11y(page, "foutenrapport import")
    accepted = Import.objects.filter(file_name="politie.csv").get()
    page.goto(f"{base}/monitor/imports/{accepted.pk}/")
    page.get_by_label("Reden van intrekken").fill("Proeflevering")
    page.get_by_role("button", name="Import intrekken").click()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("ingetrokken")
    check_a11y(page, "import ingetrokken")
    # The charts and map are inline SVG without style attributes: nothing the CSP refuses.
    assert [e for e in page.console_errors if "Content Security Policy" in e] == []  # type: ignore[attr-defined]


def test_af_sees_own_municipality_page_without_violations(page: Page, live_server: object, cast: Cast) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    ensure_default_sources()
    for _ in range(2):
        report_signal(cast.chantal, cast.zoeterwoude)  # each commit refreshes the counts (task queue)
    login_browser(page, base, "anouk")
    page.goto(f"{base}/monitor/gemeente/{cast.zoeterwoude.pk}/")
    expect(page.locator(".kz-monitor-total")).to_contain_text("2")
    expect(page.get_by_test_id("monitor-stand")).to_contain_text("Stand per")
    check_a11y(page, "eigen gemeente van de AF")
