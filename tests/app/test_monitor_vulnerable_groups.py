"""Vulnerable groups in the monitor (issue 16 item 5): persons in own signals by group, per
municipality and period, released with the other figure kinds and protected by the Cell Key
Method wherever they leave the municipality; the AF sees her own municipality exact."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

from ketenzicht.accounts.models import Municipality, Organisation, Region
from ketenzicht.cases.models import Case
from ketenzicht.cases.services import SubjectInput, subject_add
from ketenzicht.monitor import kinds, selectors
from ketenzicht.monitor.models import ReleaseCount, Source
from tests.app.monitor_support import release_through
from tests.support import Cast, login, report_signal

THRESHOLD = 5
DEC_2025 = date(2025, 12, 1)
JUNE_2025 = datetime(2025, 6, 10, 12, tzinfo=ZoneInfo("Europe/Amsterdam"))
OWN = {"bron": "eigen-signalen", "jaar": "2025"}
GROUPS = ["Minderjarig", "Licht verstandelijke beperking (LVB)", "Ongedocumenteerd", "Sekswerker", "Arbeidsmigrant"]


def _signal(cast: Cast, place: Municipality, *persons: list[str]) -> Case:
    """A June 2025 signal in ``place`` with one person per list of vulnerable groups."""
    case = report_signal(cast.chantal, cast.zoeterwoude)
    Case.objects.filter(pk=case.pk).update(municipality=place, created_at=JUNE_2025)
    case.refresh_from_db()
    af = cast.anouk if place == cast.zoeterwoude else cast.bram
    for groups in persons:
        subject_add(actor=af, case=case, subject=SubjectInput(role="slachtoffer", description="Persoon", vulnerable_groups=groups))
    return case


def _seed(cast: Cast) -> Region:
    """Zoeterwoude: LVB 1, labour migrant 2; Lisse: minor 1; a second region: LVB 1."""
    _signal(cast, cast.zoeterwoude, ["lvb", "arbeidsmigrant"], ["arbeidsmigrant"])
    _signal(cast, cast.lisse, ["minderjarig"], [])
    west = Region.objects.create(slug="west-test", name="Regio West (test)")
    elsewhere = Municipality.objects.filter(region__isnull=True).order_by("cbs_code").first()
    Municipality.objects.filter(pk=elsewhere.pk).update(region=west)
    Organisation.objects.create(slug="regie-west-test", name="Ketenregie West", kind="overig", region=west)
    case = report_signal(cast.chantal, cast.zoeterwoude)
    Case.objects.filter(pk=case.pk).update(municipality=elsewhere, created_at=JUNE_2025)
    subject_add(actor=cast.anouk, case=case, subject=SubjectInput(role="slachtoffer", vulnerable_groups=["lvb"]))
    release_through(DEC_2025)
    return west


def _page_groups(html: str) -> dict[str, str]:
    """The vulnerable-groups table of a monitor page: label → shown value."""
    start = html.index('id="kz-groups-heading"')
    section = html[start : html.index("</section>", start)]
    rows = re.findall(r'scope="row">([^<]+)</th><td class="utrecht-table__cell utrecht-table__cell--numeric">([^<]+)</td>', section)
    return {label.replace("&#x27;", "'"): value for label, value in rows}


def _export_groups(client: Client, place: Municipality | None) -> dict[str, str]:
    query = {**OWN, **({"gemeente": place.pk} if place else {})}
    text = client.get(reverse("monitor:export", kwargs={"fmt": "csv"}), query).content.decode().lstrip("\ufeff")
    rows, inside = {}, False
    for row in csv.reader(io.StringIO(text), delimiter=";"):
        if len(row) == 1:
            inside = row[0].startswith("Personen in eigen signalen naar kwetsbare groep")
        elif inside and len(row) == 2 and row[0] != "Kwetsbare groep":
            rows[row[0]] = row[1]
    return rows


def _selection(cast: Cast, place: Municipality | None = None) -> selectors.Selection:
    source = Source.objects.get(slug="eigen-signalen")
    return selectors.Selection(
        region=Region.objects.get(slug="den-haag"), source=source, unit=source.default_unit, year=2025, municipality=place,
    )


def test_small_group_counts_do_not_leave_the_municipality_exactly(client: Client, cast: Cast) -> None:
    west = _seed(cast)
    # The release holds the true counts per municipality (with keys); each region only its own.
    released = {
        (r.region_id, r.municipality_id, r.category): r.n
        for r in ReleaseCount.objects.filter(kind=kinds.VULNERABLE_GROUPS)
    }
    den_haag = Region.objects.get(slug="den-haag")
    assert released[(den_haag.pk, cast.zoeterwoude.pk, "arbeidsmigrant")] == 2
    assert released[(den_haag.pk, cast.lisse.pk, "minderjarig")] == 1
    assert sum(n for (region, _m, _c), n in released.items() if region == west.pk) == 1

    # Published: every group in the region and per municipality is 0 or the threshold, never 1 or 2.
    region_fig = selectors.figures(_selection(cast), protect=True)
    assert [label for label, _v in region_fig.by_group] == GROUPS
    assert all(value in (0, THRESHOLD) for _label, value in region_fig.by_group)

    # The ketenregisseur and Lisse's AF see Zoeterwoude's groups only protected: on the page and in the export.
    zoeterwoude = reverse("monitor:municipality", kwargs={"municipality_id": cast.zoeterwoude.pk})
    for other in (cast.fleur, cast.bram):
        login(client, other)
        html = client.get(zoeterwoude, OWN).content.decode()
        assert "Vrijgegeven cijfers van" in html and "zonder afscherming" not in html
        shown = _page_groups(html)
        assert list(shown) == GROUPS
        assert shown["Licht verstandelijke beperking (LVB)"] in ("0", str(THRESHOLD))
        assert shown["Arbeidsmigrant"] in ("0", str(THRESHOLD))
        assert _export_groups(client, cast.zoeterwoude) == shown
        regional = _page_groups(client.get(reverse("monitor:overview"), OWN).content.decode())
        assert all(value in ("0", str(THRESHOLD)) for value in regional.values())
        assert _export_groups(client, None) == regional
        client.logout()


def test_the_af_sees_her_own_groups_exact_and_the_other_municipality_protected(client: Client, cast: Cast) -> None:
    _seed(cast)
    login(client, cast.anouk)
    own = client.get(reverse("monitor:municipality", kwargs={"municipality_id": cast.zoeterwoude.pk}), OWN).content.decode()
    assert "Stand per" in own
    exact = {"Minderjarig": "0", "Licht verstandelijke beperking (LVB)": "1", "Ongedocumenteerd": "0", "Sekswerker": "0", "Arbeidsmigrant": "2"}
    assert _page_groups(own) == exact
    assert _export_groups(client, cast.zoeterwoude) == exact
    # A person added today is in her own live figures at once (not in any release yet) …
    case = Case.objects.filter(municipality=cast.zoeterwoude).first()
    subject_add(actor=cast.anouk, case=case, subject=SubjectInput(role="slachtoffer", vulnerable_groups=["sekswerker"]))
    assert _page_groups(client.get(reverse("monitor:municipality", kwargs={"municipality_id": cast.zoeterwoude.pk}), OWN).content.decode())["Sekswerker"] == "1"
    # … while Lisse's single minor reaches her only protected.
    lisse = _page_groups(client.get(reverse("monitor:municipality", kwargs={"municipality_id": cast.lisse.pk}), OWN).content.decode())
    assert lisse["Minderjarig"] in ("0", str(THRESHOLD))
    client.logout()
    # Bram, in turn, sees Lisse's minor exactly and Zoeterwoude's groups protected.
    login(client, cast.bram)
    assert _export_groups(client, cast.lisse)["Minderjarig"] == "1"
    assert _export_groups(client, cast.zoeterwoude)["Arbeidsmigrant"] in ("0", str(THRESHOLD))
