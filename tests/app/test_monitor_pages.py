"""Monitor pages, exports and report: figures that leave a municipality come from one release,
protected by the Cell Key Method; the AF sees their own municipality live and exact."""

from __future__ import annotations

import csv
import io
import random
import re
import subprocess
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from ketenzicht.accounts.models import Municipality
from ketenzicht.audit.models import AuditEvent
from ketenzicht.monitor import selectors, services
from ketenzicht.monitor.models import Form, Source
from tests.app.monitor_support import AGG_HEADER, committed, csv_bytes, release_through
from tests.support import Cast, login, report_signal

THRESHOLD, MAX_DEVIATION = 5, 8
FORMS = [str(f) for f in Form.values]
DEC_2025 = date(2025, 12, 1)


def _seed_police(cast: Cast, seed: int = 7) -> dict[tuple[str, str], int]:
    """Small counts for every municipality of the region in 2025; returns gemeente×vorm truth."""
    rng = random.Random(seed)
    truth: dict[tuple[str, str], int] = defaultdict(int)
    rows = []
    for m in Municipality.objects.filter(region__slug="den-haag").order_by("cbs_code"):
        for form in FORMS:
            n = rng.choice([0, 0, 1, 2, 3, 4, 6, 9, 15])
            if n:
                rows.append([f"2025-{rng.randint(1, 12):02d}", m.cbs_code, "melding", form, rng.choice(["23+", "18-22", "minderjarig"]), rng.choice(["landbouw", "horeca", ""]), n])
                truth[(m.name, form)] += n
    with committed():
        services.import_file(actor=cast.fleur, source=Source.objects.get(slug="politie"), file_name="p.csv", data=csv_bytes(AGG_HEADER, rows))
    return truth


def _blocks(text: str) -> dict[str, list[list[str]]]:
    blocks: dict[str, list[list[str]]] = {}
    current: list[list[str]] = []
    for row in csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"):
        if not row:
            continue
        if len(row) == 1:
            current = blocks.setdefault(row[0], [])
        else:
            current.append(row)
    return blocks


def _selection(cast: Cast, **kwargs: object) -> selectors.Selection:
    from ketenzicht.accounts.models import Region

    source = Source.objects.get(slug=str(kwargs.pop("bron", "politie")))
    return selectors.Selection(region=Region.objects.get(slug="den-haag"), source=source, unit=source.default_unit, **kwargs)  # type: ignore[arg-type]


def _pairs(protected: selectors.Figures, live: selectors.Figures) -> list[tuple[int, int]]:
    """(published, true) for every figure of a selection, position by position."""
    return list(zip(selectors.flat_values(protected), selectors.flat_values(live), strict=True))


def test_regional_figures_never_show_a_small_count_and_stay_within_the_maximum_deviation(client: Client, cast: Cast) -> None:
    truth = _seed_police(cast)
    release_through(DEC_2025)
    for kwargs in ({"year": 2025, "grain": "kwartaal"}, {"year": 2025, "part": "H2", "grain": "maand"}, {"district": cast.zoeterwoude.district, "year": 2025}):
        selection = _selection(cast, **kwargs)
        published = selectors.figures(selection, protect=True)
        live = selectors.figures(selection, protect=False)
        assert published.protected and not live.protected
        pairs = _pairs(published, live)
        assert any(0 < t < THRESHOLD for _p, t in pairs)  # the seed has small counts
        for shown, true in pairs:
            assert isinstance(shown, int) and abs(shown - true) <= MAX_DEVIATION
            assert not 0 < shown < THRESHOLD  # 1-4 are never published
            if 0 < true < THRESHOLD:
                assert shown in (0, THRESHOLD)
            if true == 0:
                assert shown == 0
    # The truth behind the table is what was imported.
    live = selectors.figures(_selection(cast, year=2025), protect=False)
    for row in live.municipality_form:
        assert row["cells"] == [truth.get((row["name"], f), 0) for f in FORMS]
    # The page and the export say it, and never with a single small number.
    login(client, cast.fleur)
    html = client.get(reverse("monitor:overview"), {"bron": "politie", "jaar": "2025", "indeling": "kwartaal"}).content.decode()
    numbers = [int(n) for n in re.findall(r'utrecht-table__cell--numeric">(\d+)</td>', html)]
    assert numbers and not [n for n in numbers if 0 < n < THRESHOLD]
    assert "celsleutelmethode" in html and "niet de som van de getoonde delen" in html
    assert html.count('role="img"') >= 3 and "<desc" in html  # charts and map, with text alternatives


def test_the_same_cell_has_the_same_value_in_every_table_page_and_export(client: Client, cast: Cast) -> None:
    _seed_police(cast, seed=11)
    release_through(DEC_2025)
    login(client, cast.fleur)
    query = {"bron": "politie", "jaar": "2025"}
    region = selectors.figures(_selection(cast, year=2025), protect=True)
    # A municipality's total in the regional table, on the map and on its own (protected) page.
    for row in region.municipality_form:
        place = Municipality.objects.get(cbs_code=row["code"])
        own = selectors.figures(_selection(cast, year=2025, municipality=place), protect=True)
        assert own.total == row["total"] == region.by_municipality[row["code"]]
        assert own.by_form == [(label, v) for (_c, label), v in zip(region.forms, row["cells"], strict=True)]
    # The series' entry among all sources is its total (one cell, one value).
    assert ("Politie (AVIM)", "Melding", region.total) in region.by_source
    # Quarters by month and by quarter: each quarter is its own cell, the same in both views.
    by_quarter = dict(selectors.figures(_selection(cast, year=2025, grain="kwartaal"), protect=True).trend)
    for quarter, part in (("2025 K1", "K1"), ("2025 K3", "K3")):
        assert selectors.figures(_selection(cast, year=2025, part=part), protect=True).total == by_quarter[quarter]
    # CSV and XLSX carry exactly these figures.
    export = _blocks(client.get(reverse("monitor:export", kwargs={"fmt": "csv"}), query).content.decode())
    table = export["Naar gemeente en vorm van uitbuiting"]
    assert [r[1:] for r in table[1:-1]] == [[str(v) for v in (*row["cells"], row["total"])] for row in region.municipality_form]
    assert table[-1][-1] == str(region.total)
    xlsx = client.get(reverse("monitor:export", kwargs={"fmt": "xlsx"}), query)
    numbers_xlsx = [c for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for c in row if isinstance(c, int)]
    numbers_csv = [int(v) for title, rows in export.items() if title != "Selectie" for r in rows for v in r if v.isdigit()]
    assert numbers_xlsx == numbers_csv


def test_every_protected_output_names_its_release(client: Client, cast: Cast, tmp_path: Path) -> None:
    _seed_police(cast, seed=3)
    made = release_through(DEC_2025)
    note = "met gegevens tot en met december 2025"
    login(client, cast.fleur)
    page = client.get(reverse("monitor:overview"), {"bron": "politie", "jaar": "2025"}).content.decode()
    assert note in page and "Vrijgegeven cijfers van" in page
    assert note in client.get(reverse("monitor:export", kwargs={"fmt": "csv"}), {"jaar": "2025"}).content.decode()
    sheet = load_workbook(io.BytesIO(client.get(reverse("monitor:export", kwargs={"fmt": "xlsx"}), {"jaar": "2025"}).content)).active
    assert any(note in str(c) for row in sheet.iter_rows(values_only=True) for c in row)
    pdf = tmp_path / "rapport.pdf"
    call_command("monitor", "rapport", "--regio", "den-haag", "--periode", "2025H2", "--uit", str(pdf))
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    assert "december 2025" in " ".join(text.split()) and "celsleutelmethode" in text
    assert made.period == DEC_2025 and AuditEvent.objects.filter(object_type="monitor.release", object_id=str(made.pk)).exists()
    # A year that is partly released says how far it goes.
    partly = selectors.figures(_selection(cast, year=2025), protect=True)
    assert partly.through == ""
    release_through(date(2026, 1, 1))
    assert selectors.figures(_selection(cast, year=2026), protect=True).through == "januari 2026"


def test_af_sees_own_municipality_live_and_exact_and_other_municipalities_only_from_the_release(client: Client, cast: Cast) -> None:
    _seed_police(cast, seed=5)
    release_through(DEC_2025)
    with committed():  # three signals today, counted on commit
        for _ in range(3):
            report_signal(cast.chantal, cast.zoeterwoude)
    z = cast.zoeterwoude
    own = reverse("monitor:municipality", kwargs={"municipality_id": z.pk})
    query = {"bron": "eigen-signalen"}
    login(client, cast.anouk)
    html = client.get(own, query).content.decode()
    assert "zonder afscherming" in html and "<strong>3</strong>" in html and "Stand per" in html
    assert _blocks(client.get(reverse("monitor:export", kwargs={"fmt": "csv"}), {**query, "gemeente": z.pk}).content.decode())["Naar gemeente en vorm van uitbuiting"][-1][-1] == "3"
    # Her own 2025 police figures are the exact ones.
    exact = selectors.figures(_selection(cast, year=2025, municipality=z), protect=False)
    page = client.get(own, {"bron": "politie", "jaar": "2025"}).content.decode()
    assert f"Totaal in deze selectie: <strong>{exact.total}</strong>" in page
    # The regional page is the release: today's signals are not in it.
    regional = client.get(reverse("monitor:overview"), query).content.decode()
    assert "Vrijgegeven cijfers van" in regional and "<strong>3</strong>" not in regional
    # Everyone else sees Zoeterwoude only through the release: Lisse's AF and the ketenregisseur.
    protected = selectors.figures(_selection(cast, year=2025, municipality=z), protect=True)
    for other in (cast.bram, cast.fleur):
        client.logout()
        login(client, other)
        html = client.get(own, query).content.decode()
        assert "Vrijgegeven cijfers van" in html and "zonder afscherming" not in html and "<strong>3</strong>" not in html
        page = client.get(own, {"bron": "politie", "jaar": "2025"}).content.decode()
        assert f"Totaal in deze selectie: <strong>{protected.total}</strong>" in page
        export = client.get(reverse("monitor:export", kwargs={"fmt": "csv"}), {**query, "gemeente": z.pk}).content.decode()
        assert _blocks(export)["Naar gemeente en vorm van uitbuiting"][-1][-1] == "0"  # today's signals are not released
    # And Lisse's own page is Bram's live one, not Anouk's.
    lisse = reverse("monitor:municipality", kwargs={"municipality_id": cast.lisse.pk})
    assert "zonder afscherming" in client.get(lisse, query).content.decode() or other is cast.fleur
    client.logout()
    login(client, cast.bram)
    assert "zonder afscherming" in client.get(lisse, query).content.decode()


def test_own_signals_by_channel_and_outcome_and_drilldown_by_district(client: Client, cast: Cast) -> None:
    with committed():
        for _ in range(6):
            report_signal(cast.chantal, cast.zoeterwoude)
    services.counts_refresh()
    login(client, cast.anouk)
    own = client.get(reverse("monitor:municipality", kwargs={"municipality_id": cast.zoeterwoude.pk})).content.decode()
    assert "Eigen signalen naar uitkomst en kanaal" in own and "<strong>6</strong>" in own
    login(client, cast.fleur)
    district = cast.zoeterwoude.district
    html = client.get(reverse("monitor:overview"), {"district": district.pk}).content.decode()
    assert "Leiden-Bollenstreek" in html and "Zoetermeer" not in html
    assert "nog geen cijfers vrijgegeven" in html  # nothing released yet
    # htmx asks for the figures only.
    partial = client.get(reverse("monitor:overview"), {"district": district.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "kz-series-heading" in partial


def test_municipality_outside_the_region_is_not_found(client: Client, cast: Cast) -> None:
    login(client, cast.fleur)
    groningen = Municipality.objects.get(cbs_code="GM0014")
    assert client.get(reverse("monitor:municipality", kwargs={"municipality_id": groningen.pk})).status_code == 404


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"tabel": "leeftijd_x_sector"}, "niet gepubliceerd"),
        ({"indeling": "week"}, "hoort niet bij de gepubliceerde tabellen"),
        ({"jaar": "1999"}, "hoort niet bij de gepubliceerde tabellen"),
        ({"gemeente": "Zoeterwoude"}, "Kies een gemeente"),
        ({"bron": "eigen-signalen", "jaar": str(date.today().year)}, "nog geen cijfers vrijgegeven"),
    ],
)
def test_an_export_outside_the_protected_set_is_refused_with_a_reason(client: Client, cast: Cast, query: dict[str, str], fragment: str) -> None:
    _seed_police(cast, seed=2)
    with committed():
        report_signal(cast.chantal, cast.zoeterwoude)  # this year has data, not yet released
    release_through(DEC_2025)
    login(client, cast.fleur)
    before = AuditEvent.objects.filter(object_type="monitor.export").count()
    response = client.get(reverse("monitor:export", kwargs={"fmt": "csv"}), query)
    assert response.status_code == 400 and fragment in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert AuditEvent.objects.filter(object_type="monitor.export").count() == before


def _png_is_not_blank(pdf: Path, tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages
    for png in pages:
        image = Image.open(png).convert("L")
        low, high = image.getextrema()
        assert low < 128 < high or low < 200, png  # ink on the page, not a blank sheet


def test_report_command_and_download_render_a_pdf(client: Client, cast: Cast, tmp_path: Path) -> None:
    _seed_police(cast, seed=3)
    release_through(DEC_2025)
    out = tmp_path / "rapport.pdf"
    call_command("monitor", "rapport", "--regio", "den-haag", "--periode", "2025H1", "--uit", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    _png_is_not_blank(out, tmp_path)
    login(client, cast.fleur)
    response = client.get(reverse("monitor:report"), {"jaar": "2025", "deel": "H1"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_report_command_refuses_unknown_period_and_region(cast: Cast, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Periode"):
        call_command("monitor", "rapport", "--regio", "den-haag", "--periode", "voorjaar", "--uit", str(tmp_path / "a.pdf"))
    with pytest.raises(CommandError, match="Onbekende regio"):
        call_command("monitor", "rapport", "--regio", "atlantis", "--periode", "2025H1", "--uit", str(tmp_path / "a.pdf"))
