"""The ketenregisseur keeps the district's action programme: two actions to orange and green with
notes, a training registered, and the half-yearly report for the board produced as PDF, rendered
to PNG and checked for its sections. axe-core checks every page."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect

from ketenzicht.accounts.models import District
from ketenzicht.domain.programme import HalfYear
from ketenzicht.programme import services
from tests.browser.conftest import check_a11y, login_browser
from tests.support import Cast

pytestmark = pytest.mark.browser


def test_ketenregisseur_updates_actions_registers_training_and_produces_the_report(
    page: Page, live_server: object, cast: Cast, tmp_path: Path
) -> None:
    base = live_server.url  # type: ignore[attr-defined]
    today = timezone.localdate()
    district = District.objects.get(slug="leiden-bollenstreek")
    programme = services.programme_create(
        actor=cast.fleur, area=district, name="Actieprogramma Leiden-Bollenstreek", first_year=today.year, last_year=today.year + 1
    )
    table = (
        "nr,pijler,actie,wie,wanneer\n"
        "1.1,Signaleren,DPIA voor de gegevensverwerking,Districtelijke coördinatie mensenhandel Leiden-Bollenstreek,Doorlopend\n"
        '2.1,Aanpakken,Integrale controles met de Arbeidsinspectie,Nederlandse Arbeidsinspectie,"Jaarlijks, Q2 en Q4"\n'
    ).encode()
    assert services.import_action_table(actor=cast.fleur, programme=programme, file_name="acties.csv", data=table).ok

    login_browser(page, base, "fleur")
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Actieprogramma").click()
    check_a11y(page, "actieprogramma")
    page.get_by_role("link", name="Actieprogramma Leiden-Bollenstreek").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actieprogramma Leiden-Bollenstreek")
    check_a11y(page, "programma")

    # Action 1.1 to orange: first without a note (refused, what to fix), then with one.
    page.get_by_test_id("actions").get_by_role("link", name="1.1 DPIA voor de gegevensverwerking").click()
    check_a11y(page, "actie")
    page.get_by_label("Oranje: aandacht nodig").check()
    page.get_by_role("button", name="Stand opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Licht oranje of rood toe")
    check_a11y(page, "actie met fout")
    page.get_by_label("Voortgang").fill("Wacht op advies van de privacy officers.")
    page.get_by_label("Oranje: aandacht nodig").check()
    page.get_by_role("button", name="Stand opslaan").click()
    expect(page.get_by_test_id("current-status")).to_contain_text("Oranje: aandacht nodig")
    expect(page.get_by_test_id("history")).to_contain_text("Wacht op advies van de privacy officers.")
    check_a11y(page, "actie oranje")

    # Action 2.1 to green.
    page.get_by_role("link", name="Terug naar Actieprogramma Leiden-Bollenstreek").click()
    page.get_by_test_id("actions").get_by_role("link", name="2.1 Integrale controles met de Arbeidsinspectie").click()
    page.get_by_label("Groen: op koers").check()
    page.get_by_label("Voortgang").fill("Vier controles in het kwartaal uitgevoerd.")
    page.get_by_role("button", name="Stand opslaan").click()
    expect(page.get_by_test_id("current-status")).to_contain_text("Groen: op koers")
    expect(page.get_by_test_id("occurrences")).to_be_visible()
    check_a11y(page, "actie groen")
    page.get_by_role("link", name="Terug naar Actieprogramma Leiden-Bollenstreek").click()
    counts = page.get_by_test_id("rag-counts")
    expect(counts).to_contain_text(re.compile(r"Groen: op koers\s*: 1"))
    expect(counts).to_contain_text(re.compile(r"Oranje: aandacht nodig\s*: 1"))

    # A training for Zoeterwoude.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Training").click()
    check_a11y(page, "training regio")
    page.get_by_role("link", name="Training registreren").click()
    page.get_by_role("combobox", name=re.compile("^Gemeente")).select_option(label="Zoeterwoude")
    page.get_by_label("Titel").fill("Signalen van mensenhandel herkennen")
    page.get_by_label("Datum").fill(today.isoformat())
    page.get_by_label("Boa's").fill("4")
    page.get_by_label("Toezicht en handhaving").fill("3")
    check_a11y(page, "training registreren")
    page.get_by_role("button", name="Registreren").click()
    expect(page.get_by_test_id("trainings")).to_contain_text("Signalen van mensenhandel herkennen")
    expect(page.get_by_test_id("trainings")).to_contain_text("Boa's: 4")
    check_a11y(page, "training gemeente")

    # The half-yearly report of the current half-year, for the district.
    half = HalfYear.of(today)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Rapportages").click()
    check_a11y(page, "rapportages")
    page.get_by_label("Voor").select_option(label="District Leiden-Bollenstreek")
    page.get_by_label("Periode").fill(f"{half.year}H{half.number}")
    page.get_by_role("button", name="Rapportage maken (PDF)").click()
    expect(page.get_by_test_id("reports")).to_contain_text("Leiden-Bollenstreek")
    check_a11y(page, "rapportages met rapport")
    with page.expect_download() as download_info:
        page.get_by_test_id("reports").get_by_role("link", name="PDF downloaden").first.click()
    pdf = tmp_path / "rapportage.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "p")], check=True)
    pngs = sorted(tmp_path.glob("p*.png"))
    assert pngs
    for png in pngs:
        grey = Image.open(png).convert("L")
        assert sum(grey.histogram()[:128]) > 500, f"{png.name} looks blank"
    raw = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    text = " ".join(raw.split())  # table cells wrap: compare words, not lines
    for section in ("1. Stand van het actieprogramma", "2. Training en bewustwording", "3. Cijfers uit de regionale monitor", "4. Verstoren: kernprestaties"):
        assert section in text
    assert "Oranje: aandacht nodig" in text and "Groen: op koers" in text
    assert "Wacht op advies" not in text  # progress notes stay inside Ketenzicht
    assert "Zoeterwoude" in text  # its coverage row
