"""Monitor pages, exports and report: small numbers never leave a municipality unprotected."""

from __future__ import annotations

import csv
import io
import random
import re
import subprocess
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image
from scipy.optimize import linprog

from ketenzicht.accounts.models import Municipality
from ketenzicht.monitor import services
from ketenzicht.monitor.models import Form, Source
from tests.app.monitor_support import AGG_HEADER, csv_bytes
from tests.support import Cast, login, report_signal

THRESHOLD = 5
FORMS = [str(f) for f in Form.values]


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


def _feasible_range(table: list[list[str]], target: tuple[int, int]) -> tuple[float, float]:
    """Min and max of one suppressed inner cell given every published cell and total.

    `table` is header + rows + total row, last column the row total. Unknowns: every
    suppressed figure (inner or total); constraints: rows and columns add up; all >= 0.
    """
    body = [r[1:] for r in table[1:]]
    n_rows, n_cols = len(body) - 1, len(body[0]) - 1
    index: dict[tuple[int, int], int] = {}
    for i, row in enumerate(body):
        for j, v in enumerate(row):
            if v == "x":
                index[(i, j)] = len(index)

    def term(i: int, j: int) -> tuple[dict[int, float], float]:
        return ({index[(i, j)]: 1.0}, 0.0) if (i, j) in index else ({}, float(body[i][j]))

    equations = []
    for i in range(n_rows + 1):  # each row (and the total row) adds up to its total
        equations.append(([(i, j) for j in range(n_cols)], (i, n_cols)))
    for j in range(n_cols + 1):  # each column adds up to the total row
        equations.append(([(i, j) for i in range(n_rows)], (n_rows, j)))
    a_eq, b_eq = [], []
    for parts, total in equations:
        coeffs = np.zeros(len(index))
        const = 0.0
        for cell in parts:
            c, k = term(*cell)
            for key, val in c.items():
                coeffs[key] += val
            const += k
        c, k = term(*total)
        for key, val in c.items():
            coeffs[key] -= val
        a_eq.append(coeffs)
        b_eq.append(k - const)
    objective = np.zeros(len(index))
    objective[index[target]] = 1.0
    low = linprog(objective, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None), method="highs")
    high = linprog(-objective, A_eq=np.array(a_eq), b_eq=b_eq, bounds=(0, None), method="highs")
    return low.fun, (float("inf") if high.status == 3 else -high.fun)


def test_regional_export_shows_no_small_cell_and_no_suppressed_cell_is_derivable(client: Client, cast: Cast) -> None:
    truth = _seed_police(cast)
    login(client, cast.fleur)
    query = {"bron": "politie", "jaar": "2025"}
    export = client.get(reverse("monitor:export", kwargs={"fmt": "csv"}), query)
    assert export.status_code == 200
    blocks = _blocks(export.content.decode())
    table = blocks["Naar gemeente en vorm van uitbuiting"]
    published = [v for row in table[1:] for v in row[1:]]
    assert "x" in published  # the seed has small cells
    assert not [v for v in published if v != "x" and 0 < int(v) < THRESHOLD]
    for title in ("Verloop", "Naar leeftijdsgroep", "Naar sector"):
        assert not [r for r in blocks[title][1:] if r[1] != "x" and 0 < int(r[1]) < THRESHOLD], title
    # Published cells are the true counts.
    forms = [str(label) for _code, label in Form.choices]
    for row in table[1:-1]:
        for j, value in enumerate(row[1:-1]):
            if value != "x":
                assert int(value) == truth.get((row[0], FORMS[j]), 0)
    # No suppressed cell can be pinned down from what is published; small ones can reach 5.
    assert table[0][1:-1] == forms
    for i, row in enumerate(table[1:-1]):
        for j, value in enumerate(row[1:-1]):
            if value == "x":
                low, high = _feasible_range(table, (i, j))
                assert high - low >= 1, (row[0], forms[j], low, high)
                if truth.get((row[0], FORMS[j]), 0) < THRESHOLD:
                    assert high >= THRESHOLD, (row[0], forms[j], high)


def test_regional_page_never_shows_a_small_number(client: Client, cast: Cast) -> None:
    _seed_police(cast, seed=11)
    login(client, cast.fleur)
    page = client.get(reverse("monitor:overview"), {"bron": "politie", "jaar": "2025", "indeling": "kwartaal"})
    assert page.status_code == 200
    html = page.content.decode()
    numbers = [int(n) for n in re.findall(r'utrecht-table__cell--numeric">(\d+)</td>', html)]
    assert numbers and not [n for n in numbers if 0 < n < THRESHOLD]
    assert ">x</td>" in html
    # The map and charts are there with text alternatives; suppressed municipalities hatched.
    assert html.count('role="img"') >= 3 and "<desc" in html and "-hatch)" in html
    # The XLSX export has the same published figures.
    xlsx = client.get(reverse("monitor:export", kwargs={"fmt": "xlsx"}), {"bron": "politie", "jaar": "2025"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, int)]
    assert cells and not [c for c in cells if 0 < c < THRESHOLD]
    assert any(c == "x" for row in sheet.iter_rows(values_only=True) for c in row)


def test_af_sees_own_municipality_unsuppressed_and_everything_else_protected(client: Client, cast: Cast) -> None:
    for _ in range(3):
        report_signal(cast.chantal, cast.zoeterwoude)
    services.counts_refresh()
    z = cast.zoeterwoude
    own = reverse("monitor:municipality", kwargs={"municipality_id": z.pk})

    login(client, cast.anouk)
    html = client.get(own).content.decode()
    assert "zonder afscherming" in html and "<strong>3</strong>" in html
    regional = client.get(reverse("monitor:overview")).content.decode()
    assert "<strong>3</strong>" not in regional and "<strong>x</strong>" in regional
    export = client.get(reverse("monitor:export", kwargs={"fmt": "csv"}), {"gemeente": z.pk}).content.decode()
    assert _blocks(export)["Naar gemeente en vorm van uitbuiting"][-1][-1] == "3"

    for other in (cast.fleur, cast.bram):
        client.logout()
        login(client, other)
        html = client.get(own).content.decode()
        assert "<strong>x</strong>" in html and "<strong>3</strong>" not in html
        export = client.get(reverse("monitor:export", kwargs={"fmt": "csv"}), {"gemeente": z.pk}).content.decode()
        assert _blocks(export)["Naar gemeente en vorm van uitbuiting"][-1][-1] == "x"


def test_own_signals_by_channel_and_outcome_and_drilldown_by_district(client: Client, cast: Cast) -> None:
    for _ in range(6):
        report_signal(cast.chantal, cast.zoeterwoude)
    services.counts_refresh()
    login(client, cast.fleur)
    district = cast.zoeterwoude.district
    html = client.get(reverse("monitor:overview"), {"district": district.pk}).content.decode()
    assert "Eigen signalen naar uitkomst en kanaal" in html
    assert "<strong>6</strong>" in html  # 6 signals in the district: publishable
    assert "Leiden-Bollenstreek" in html
    # A municipality outside the district is not in the table; Zoeterwoude links to its drill-down.
    assert reverse("monitor:municipality", kwargs={"municipality_id": cast.zoeterwoude.pk}) in html
    assert "Zoetermeer" not in html
    # htmx asks for the figures only.
    partial = client.get(reverse("monitor:overview"), {"district": district.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "kz-series-heading" in partial


def test_municipality_outside_the_region_is_not_found(client: Client, cast: Cast) -> None:
    login(client, cast.fleur)
    groningen = Municipality.objects.get(cbs_code="GM0014")
    assert client.get(reverse("monitor:municipality", kwargs={"municipality_id": groningen.pk})).status_code == 404


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
    out = tmp_path / "rapport.pdf"
    call_command("monitor", "rapport", "--regio", "den-haag", "--periode", "2025H1", "--uit", str(out))
    assert out.read_bytes().startswith(b"%PDF")
    _png_is_not_blank(out, tmp_path)
    login(client, cast.fleur)
    response = client.get(reverse("monitor:report"), {"jaar": "2025", "deel": "H1"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_report_command_refuses_unknown_period_and_region(cast: Cast, tmp_path: Path) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Periode"):
        call_command("monitor", "rapport", "--regio", "den-haag", "--periode", "voorjaar", "--uit", str(tmp_path / "a.pdf"))
    with pytest.raises(CommandError, match="Onbekende regio"):
        call_command("monitor", "rapport", "--regio", "atlantis", "--periode", "2025H1", "--uit", str(tmp_path / "a.pdf"))
