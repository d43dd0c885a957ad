"""Issue 16 item 7: each dashboard and overview opens on the user's own district.

Two regions: in Den Haag the district coordinator (fleur, Leiden-Bollenstreek) and the AF of
Zoeterwoude (in Leiden-Bollenstreek); in Zeeland-West-Brabant a district coordinator of De Baronie,
the AF of Vlissingen (district Zeeland) and the regional ketenregisseur (koen), who keeps the whole
region. Nobody lands on another district, let alone another region's.
"""

from __future__ import annotations

import re

from django.test import Client

from ketenzicht.accounts.models import District, User
from tests.support import Cast, login, make_user


def _selected(page: str, name: str) -> str:
    """The label of the selected option of select `name` ('' when none is marked selected)."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    chosen = re.search(r"<option[^>]*\bselected\b[^>]*>([^<]*)</option>", select.group(1))
    return chosen.group(1).strip() if chosen else ""


def _first_option(page: str, name: str) -> str:
    """What the browser preselects in a select without a selected option: the first."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    return re.search(r"<option[^>]*>([^<]*)</option>", select.group(1)).group(1).strip()


def _get(user: User, url: str) -> str:
    response = login(Client(), user).get(url)
    assert response.status_code == 200, (user.username, url, response.status_code)
    return response.content.decode()


def _baronie_coordinator() -> User:
    return make_user("dirk", "districtscoordinatie-de-baronie", "ketenregisseur")


def test_the_user_model_knows_the_own_district(cast: Cast) -> None:
    dirk = _baronie_coordinator()
    assert cast.fleur.district.slug == "leiden-bollenstreek"
    assert cast.anouk.district.slug == "leiden-bollenstreek"
    assert cast.vera.district.slug == "zeeland"
    assert cast.daan.district.slug == "de-baronie"
    assert dirk.district.slug == "de-baronie"
    assert cast.koen.district is None  # a regional organisation: the whole region
    assert cast.julia.district is None


def test_the_monitor_overview_opens_on_the_own_district(cast: Cast) -> None:
    dirk = _baronie_coordinator()
    expected = {cast.fleur: "Leiden-Bollenstreek", cast.anouk: "Leiden-Bollenstreek", cast.vera: "Zeeland", dirk: "De Baronie"}
    for user, district in expected.items():
        page = _get(user, "/monitor/")
        assert _selected(page, "district") == District.objects.get(name=district).name, user.username
        # Every choice on the page is of the user's own region.
        own_region = {d.name for d in District.objects.filter(region=user.organisation.region)}
        options = re.findall(r"<option[^>]*>([^<]*)</option>", re.search(r'<select[^>]*name="district"[^>]*>(.*?)</select>', page, re.S).group(1))
        assert set(options) - {"Hele regio"} == own_region
        # The export and PDF links carry the district shown.
        pk = District.objects.get(name=district).pk
        assert f"export.csv?district={pk}" in page
    # The regional ketenregisseur keeps the whole region; "Hele regio" stays a choice for the others.
    assert _selected(_get(cast.koen, "/monitor/"), "district") == "Hele regio"
    assert _selected(_get(cast.fleur, "/monitor/?district="), "district") == "Hele regio"
    assert _selected(_get(cast.fleur, "/monitor/?district=" + str(District.objects.get(slug="haaglanden").pk)), "district") == "Haaglanden"


def test_the_persons_page_opens_on_the_own_district(cast: Cast) -> None:
    from ketenzicht.persons.models import LinkageRun, PersonsFigure, RunStatus

    dirk = _baronie_coordinator()
    for region in (cast.fleur.organisation.region, cast.koen.organisation.region):  # a finished linkage of 2025
        run = LinkageRun.objects.create(region=region, status=RunStatus.KLAAR)
        PersonsFigure.objects.create(run=run, year=2025, district=None, data={})
    for user, district in ((cast.fleur, "Leiden-Bollenstreek"), (dirk, "De Baronie")):
        page = _get(user, "/monitor/personen/")
        assert _selected(page, "district") == district
        assert re.search(rf'id="kz-persons-heading">{district}, 2025<', page), user.username
    assert _selected(_get(cast.koen, "/monitor/personen/"), "district") == "Hele regio"
    assert _selected(_get(cast.fleur, "/monitor/personen/?district="), "district") == "Hele regio"


def test_the_district_dashboard_opens_on_the_own_district(cast: Cast) -> None:
    dirk = _baronie_coordinator()
    expected = {cast.fleur: "Leiden-Bollenstreek", cast.anouk: "Leiden-Bollenstreek", cast.vera: "Zeeland", cast.daan: "De Baronie", dirk: "De Baronie"}
    for user, district in expected.items():
        page = _get(user, "/verstoren/dashboard/")
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
        assert f"Districtsdashboard {district}," in heading, user.username
    # The AF cannot open another region's district.
    other = District.objects.get(slug="de-baronie")
    assert login(Client(), cast.anouk).get(f"/verstoren/dashboard/?district={other.slug}").status_code in (403, 404)


def test_programme_and_report_choices_open_on_the_own_district(cast: Cast) -> None:
    dirk = _baronie_coordinator()
    assert _first_option(_get(cast.fleur, "/programma/nieuw/"), "area") == "District Leiden-Bollenstreek"
    assert _first_option(_get(dirk, "/programma/nieuw/"), "area") == "District De Baronie"
    assert _first_option(_get(cast.koen, "/programma/nieuw/"), "area") == "Regio Eenheid Zeeland-West-Brabant"
    assert _first_option(_get(cast.fleur, "/programma/rapportages/"), "area") == "District Leiden-Bollenstreek"
    assert _first_option(_get(dirk, "/programma/rapportages/"), "area") == "District De Baronie"
    # The AF's own municipality comes first, before the district.
    assert _first_option(_get(cast.anouk, "/programma/nieuw/"), "area") == "Gemeente Zoeterwoude"
