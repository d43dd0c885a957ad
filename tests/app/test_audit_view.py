"""The privacy officer's audit view (issue 16 item 8): "who looked at signal X in March?".

Two regions: eenheid Den Haag (the cast; gijs is its privacy officer) and Zeeland-West-Brabant
(built here: an AF of Vlissingen and the region's privacy officer). An officer of one region
never sees the other's rows, whatever the filters.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from ketenzicht.accounts.models import Municipality, Organisation, OrganisationKind, Region
from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases import selectors as case_selectors
from ketenzicht.cases import services
from tests.support import Cast, login, make_user, report_signal


@pytest.fixture
def zeeland(cast: Cast) -> dict[str, Any]:
    """A second region with its own AF and privacy officer, and a signal read there."""
    region, _ = Region.objects.get_or_create(slug="zeeland-west-brabant", defaults={"name": "Zeeland-West-Brabant"})
    vlissingen = Municipality.objects.get(cbs_code="GM0718")
    Municipality.objects.filter(pk=vlissingen.pk).update(region=region)
    org, _ = Organisation.objects.get_or_create(
        slug="gemeente-vlissingen",
        defaults={"name": "Gemeente Vlissingen", "kind": OrganisationKind.GEMEENTE, "municipality": vlissingen, "region": region},
    )
    Organisation.objects.filter(pk=org.pk).update(region=region)
    wessel = make_user("wessel", "gemeente-vlissingen", "aandachtsfunctionaris")
    rosa = make_user("rosa", "gemeente-vlissingen", "privacy_officer")
    case = report_signal(wessel, Municipality.objects.get(pk=vlissingen.pk), location_address="Boulevard 1, 4381 AA Vlissingen")
    case_selectors.case_for_work(wessel, case.pk)
    return {"wessel": wessel, "rosa": rosa, "case": case}


@pytest.fixture
def haaglanden(cast: Cast) -> dict[str, Any]:
    """Two signals of Zoeterwoude (one with a named person) and one of Lisse, each read by its AF."""
    jansen = report_signal(
        cast.chantal, cast.zoeterwoude,
        subjects=[services.SubjectInput(role="slachtoffer", name="Jan Jansen")],
    )
    other = report_signal(cast.chantal, cast.zoeterwoude, location_address="Kerkstraat 8, 2381 AC Zoeterwoude")
    lisse = report_signal(cast.chantal, cast.lisse, location_address="Heereweg 1, 2161 AA Lisse")
    case_selectors.case_for_work(cast.anouk, jansen.pk)
    case_selectors.case_for_work(cast.anouk, other.pk)
    case_selectors.case_for_work(cast.bram, lisse.pk)
    return {"jansen": jansen, "other": other, "lisse": lisse}


def _rows(response: Any) -> list[list[str]]:
    """The table's rows as text cells (the page as a reader sees it)."""
    import re

    html = response.content.decode()
    body = html.split('<tbody class="utrecht-table__body">', 1)[1].split("</tbody>", 1)[0] if "<tbody" in html else ""
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)] for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]


def test_an_officer_sees_only_the_rows_of_their_own_region(cast: Cast, zeeland: dict[str, Any], haaglanden: dict[str, Any]) -> None:
    gijs = login(Client(), cast.gijs).get("/audit/")
    text = gijs.content.decode()
    assert gijs.status_code == 200
    assert haaglanden["jansen"].reference in text and "Anouk Test" in text
    assert zeeland["case"].reference not in text and "Wessel Test" not in text and "Gemeente Vlissingen" not in text

    rosa = login(Client(), zeeland["rosa"]).get("/audit/")
    text = rosa.content.decode()
    assert zeeland["case"].reference in text and "Wessel Test" in text
    assert haaglanden["jansen"].reference not in text and "Anouk Test" not in text

    # Asking by the other region's reference, user or organisation finds nothing and says so.
    other = login(Client(), cast.gijs).get("/audit/", {"signaal": zeeland["case"].reference})
    assert _rows(other) == [] and "Geen auditregels gevonden" in other.content.decode()
    unknown = login(Client(), cast.gijs).get("/audit/", {"gebruiker": "Wessel"})
    assert unknown.status_code == 400 and "geen gebruiker met deze naam in uw werkgebied" in unknown.content.decode()
    # The other region's organisation is no choice for this officer.
    org = Organisation.objects.get(slug="gemeente-vlissingen")
    assert f'value="{org.pk}"' not in login(Client(), cast.gijs).get("/audit/").content.decode()
    # The export follows the same scope.
    export = login(Client(), cast.gijs).get("/audit/export.csv").content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(export), delimiter=";"))[1:]
    assert haaglanden["jansen"].reference in {line[5] for line in lines}
    # Only gijs's own search for that reference names it (a reading of the trail), no row about it.
    assert {line[4] for line in lines if line[5] == zeeland["case"].reference} == {"Audittrail"}
    assert "Wessel Test" not in export and "Gemeente Vlissingen" not in export


def test_who_looked_at_signal_x_by_reference_user_organisation_action_and_period(cast: Cast, haaglanden: dict[str, Any]) -> None:
    client = login(Client(), cast.gijs)
    ref = haaglanden["jansen"].reference
    rows = _rows(client.get("/audit/", {"signaal": ref.lower(), "handeling": "view"}))
    assert rows and all(r[5] == ref and r[3] == "Bekeken" for r in rows)
    assert {r[1] for r in rows} == {"Anouk Test"} and {r[2] for r in rows} == {"Gemeente Zoeterwoude"}

    by_name = _rows(client.get("/audit/", {"gebruiker": "anouk test"}))
    assert by_name and {r[1] for r in by_name} == {"Anouk Test"}
    assert {haaglanden["jansen"].reference, haaglanden["other"].reference} <= {r[5] for r in by_name}

    zoeterwoude_org = Organisation.objects.get(slug="gemeente-zoeterwoude")
    by_org = _rows(client.get("/audit/", {"organisatie": str(zoeterwoude_org.pk)}))
    assert by_org and {r[2] for r in by_org} == {"Gemeente Zoeterwoude"}

    # gijs is the privacy officer of Zoeterwoude (tenancy's scopes): Lisse, in the same region, is
    # outside his scope. Its AF is not found by name, its organisation is no choice, no row of
    # Lisse's people shows (chantal of Zoeterwoude reporting for Lisse is a row of Zoeterwoude).
    lisse_org = Organisation.objects.get(slug="gemeente-lisse")
    refused = client.get("/audit/", {"gebruiker": "bram test"})
    assert refused.status_code == 400 and _rows(refused) == []
    assert client.get("/audit/", {"organisatie": str(lisse_org.pk)}).status_code == 400
    everything = _rows(client.get("/audit/"))
    assert everything and not [r for r in everything if r[1] == "Bram Test" or r[2] == "Gemeente Lisse"]

    today = timezone.localdate()
    # The report was made today (by chantal): inside a period that holds today, outside the others.
    created = {"signaal": ref, "handeling": "create"}
    in_period = _rows(client.get("/audit/", {**created, "van": str(today - timedelta(days=31)), "tot": str(today)}))
    assert [(r[1], r[5]) for r in in_period] == [("Chantal Test", ref)]
    assert _rows(client.get("/audit/", {**created, "tot": str(today - timedelta(days=1))})) == []
    assert _rows(client.get("/audit/", {**created, "van": str(today + timedelta(days=1))})) == []


def test_rows_about_a_person_by_name(cast: Cast, haaglanden: dict[str, Any]) -> None:
    rows = _rows(login(Client(), cast.gijs).get("/audit/", {"persoon": "jansen"}))
    references = {r[5] for r in rows}
    assert haaglanden["jansen"].reference in references
    assert haaglanden["other"].reference not in references and haaglanden["lisse"].reference not in references
    # A name nobody has gives no rows (never all rows).
    assert _rows(login(Client(), cast.gijs).get("/audit/", {"persoon": "Pietersen"})) == []


def test_the_page_shows_names_and_dutch_words_not_usernames_or_codes(cast: Cast, haaglanden: dict[str, Any]) -> None:
    response = login(Client(), cast.gijs).get("/audit/", {"signaal": haaglanden["jansen"].reference})
    rows = _rows(response)
    assert rows
    cells = {cell for r in rows for cell in r}
    assert "Signaal" in cells and "case" not in cells and "anouk" not in cells
    assert not any("_" in cell for cell in cells)
    # One Dutch date format: "6 december 2026 14:05".
    month = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"][timezone.localdate().month - 1]
    assert all(month in r[0] for r in rows)


def test_bad_input_is_explained_in_dutch_and_kept(cast: Cast, haaglanden: dict[str, Any]) -> None:
    client = login(Client(), cast.gijs)
    response = client.get("/audit/", {"signaal": "KZ-2026-1", "van": "2026-03-31", "tot": "2026-03-01"})
    text = response.content.decode()
    assert response.status_code == 400
    assert "De einddatum ligt vóór de begindatum" in text
    assert 'value="2026-03-31"' in text and 'value="2026-03-01"' in text and 'value="KZ-2026-1"' in text
    assert _rows(response) == []

    unknown = client.get("/audit/", {"gebruiker": "Zzyzx Onbekend"})
    assert unknown.status_code == 400 and 'value="Zzyzx Onbekend"' in unknown.content.decode()
    short = client.get("/audit/", {"persoon": "j"})
    assert short.status_code == 400 and "ten minste twee letters" in short.content.decode()
    # A refused filter is no reading of the trail: nothing was shown, nothing recorded.
    assert not AuditEvent.objects.filter(object_type="audittrail").exists()
    # An export with bad input exports nothing.
    assert client.get("/audit/export.csv", {"van": "2026-03-31", "tot": "2026-03-01"}).status_code == 400


def test_every_reading_and_export_is_audited_without_the_values_typed(cast: Cast, haaglanden: dict[str, Any]) -> None:
    client = login(Client(), cast.gijs)
    ref = haaglanden["jansen"].reference
    client.get("/audit/", {"signaal": ref, "persoon": "Jansen", "gebruiker": "Anouk"})
    csv_response = client.get("/audit/export.csv", {"signaal": ref})
    xlsx_response = client.get("/audit/export.xlsx", {"gebruiker": "Anouk"})

    reads = list(AuditEvent.objects.filter(object_type="audittrail", actor=cast.gijs).order_by("id"))
    assert [r.action for r in reads] == ["view", "export", "export"]
    assert reads[0].fields == ["gebruiker", "persoon", "signaal"] and reads[0].object_label == ref
    assert "csv" in reads[1].reason and "xlsx" in reads[2].reason
    for r in reads:
        assert "Jansen" not in f"{r.reason}{r.object_label}{r.fields}" and "Anouk" not in f"{r.reason}{r.object_label}{r.fields}"

    lines = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:3] == ["Datum en tijd", "Gebruiker", "Organisatie"]
    assert len(lines) > 1 and all(line[5] == ref for line in lines[1:])
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][1] == "Gebruiker" and len(values) > 1 and {v[1] for v in values[1:]} == {"Anouk Test"}
    # The reading itself is in the trail the officer reads next.
    assert "Audittrail" in {r[4] for r in _rows(client.get("/audit/", {"gebruiker": "Gijs"}))}


def test_nobody_but_a_privacy_officer_reads_or_exports(cast: Cast) -> None:
    for who in (cast.anouk, cast.hanna, cast.fleur):
        for url in ("/audit/", "/audit/export.csv", "/audit/export.xlsx"):
            assert login(Client(), who).get(url).status_code == 403
