"""Monitor imports: row-by-row validation, all-or-nothing, idempotent re-import, withdrawal."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from ketenzicht.audit.models import AuditEvent
from ketenzicht.monitor import services
from ketenzicht.monitor.models import (
    Import,
    ImportStatus,
    MonitorCount,
    Registration,
    RiskIndicator,
    Source,
)
from tests.app.monitor_support import AGG_HEADER, REG_HEADER, committed, csv_bytes
from tests.support import Cast, login

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
GOOD = ["R-1", "2025-03-04", "GM0638", "melding", "arbeid", "23+", "landbouw"]


def _source(slug: str = "politie") -> Source:
    return Source.objects.get(slug=slug)


def _counted(slug: str = "politie") -> int:
    return MonitorCount.objects.filter(source__slug=slug).aggregate(n=Sum("n"))["n"] or 0


def _import(cast: Cast, data: bytes, name: str = "levering.csv", slug: str = "politie") -> services.ImportResult:
    with committed():  # the counts follow on commit, through the task queue
        return services.import_file(actor=cast.fleur, source=_source(slug), file_name=name, data=data)


def _errors(result: services.ImportResult) -> list[tuple[int, str]]:
    return [(e["rij"], e["kolom"]) for e in result.record.errors]


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (["", "2025-03-04", "GM0638", "melding", "", "", ""], "registratie_id", "Verplicht veld is leeg"),
        (["Jan de Vries", "2025-03-04", "GM0638", "melding", "", "", ""], "registratie_id", "geen namen"),
        (["R-2", "", "GM0638", "melding", "", "", ""], "datum", "Verplicht veld is leeg"),
        (["R-2", "4 maart 2025", "GM0638", "melding", "", "", ""], "datum", "geen geldige datum"),
        (["R-2", "2025-02-30", "GM0638", "melding", "", "", ""], "datum", "geen geldige datum"),
        (["R-2", "2099-01-01", "GM0638", "melding", "", "", ""], "datum", "in de toekomst"),
        (["R-2", "1999-12-31", "GM0638", "melding", "", "", ""], "datum", "vóór 2000"),
        (["R-2", "2025-03-04", "", "melding", "", "", ""], "gemeente_code", "Verplicht veld is leeg"),
        (["R-2", "2025-03-04", "Leiden", "melding", "", "", ""], "gemeente_code", "geen CBS-gemeentecode"),
        (["R-2", "2025-03-04", "GM9999", "melding", "", "", ""], "gemeente_code", "bestaat niet"),
        (["R-2", "2025-03-04", "GM0638", "persoon", "", "", ""], "eenheid", "geen geldige waarde"),
        (["R-2", "2025-03-04", "GM0638", "melding", "mensensmokkel", "", ""], "vorm", "geen geldige waarde"),
        (["R-2", "2025-03-04", "GM0638", "melding", "", "17", ""], "leeftijdsgroep", "geen geldige waarde"),
        (["R-2", "2025-03-04", "GM0638", "melding", "", "", "visserij"], "sector", "geen geldige waarde"),
        (["R-1", "2025-03-04", "GM0638", "melding", "", "", ""], "registratie_id", "staat ook op rij 2"),
    ],
)
def test_each_kind_of_faulty_registration_row_rejects_the_whole_file(cast: Cast, row: list[str], column: str, fragment: str) -> None:
    data = csv_bytes(REG_HEADER, [GOOD, row, [*GOOD[:0], "R-3", *GOOD[1:]]])
    result = _import(cast, data)
    assert result.record.status == ImportStatus.AFGEWEZEN
    assert _errors(result) == [(3, column)]
    assert fragment in result.record.errors[0]["fout"]
    # Nothing half-imported: not the good rows either.
    assert Registration.objects.count() == 0
    assert _counted() == 0


@pytest.mark.parametrize(
    ("row", "column", "fragment"),
    [
        (["2025-03", "GM0638", "zorgtraject", "", "", "", "0"], "aantal", "1 of meer"),
        (["2025-03", "GM0638", "zorgtraject", "", "", "", "drie"], "aantal", "1 of meer"),
        (["2025-03-01", "GM0638", "zorgtraject", "", "", "", "3"], "periode", "JJJJ-MM"),
        (["2025-13", "GM0638", "zorgtraject", "", "", "", "3"], "periode", "geen geldige datum"),
    ],
)
def test_faulty_aggregate_rows(cast: Cast, row: list[str], column: str, fragment: str) -> None:
    good = ["2025-03", "GM0638", "zorgtraject", "arbeid", "23+", "landbouw", "4"]
    result = _import(cast, csv_bytes(AGG_HEADER, [good, row]), slug="zorgcoordinator-shop")
    assert result.record.status == ImportStatus.AFGEWEZEN
    assert _errors(result) == [(3, column)]
    assert fragment in result.record.errors[0]["fout"]
    assert Registration.objects.count() == 0


@pytest.mark.parametrize(
    ("row", "column"),
    [
        (["2025", "GM0638", "aantal_bordelen", "3"], "indicator"),
        (["2025", "GM0638", "vergunde_seksinrichtingen", "-1"], "waarde"),
        (["2025", "GM0638", "vergunde_seksinrichtingen", "veel"], "waarde"),
        (["20x5", "GM0638", "vergunde_seksinrichtingen", "3"], "jaar"),
    ],
)
def test_faulty_indicator_rows(cast: Cast, row: list[str], column: str) -> None:
    header = ["jaar", "gemeente_code", "indicator", "waarde"]
    result = _import(cast, csv_bytes(header, [["2025", "GM0638", "arbeidsmigranten_rni", "610"], row]), slug="overig")
    assert _errors(result) == [(3, column)]
    assert RiskIndicator.objects.count() == 0


def test_every_faulty_row_is_reported_not_just_the_first(cast: Cast) -> None:
    rows = [GOOD, ["R-2", "morgen", "GM0638", "melding", "", "", ""], ["R-3", "2025-01-01", "GM9999", "x", "", "", ""]]
    result = _import(cast, csv_bytes(REG_HEADER, rows))
    assert _errors(result) == [(3, "datum"), (4, "gemeente_code"), (4, "eenheid")]


@pytest.mark.parametrize(
    ("data", "name", "column", "fragment"),
    [
        (b"registratie_id,datum,gemeente_code\nR-1,2025-01-01,GM0638\n", "a.csv", "eenheid", "ontbreekt"),
        (csv_bytes([*REG_HEADER, "naam"], [[*GOOD, "Jan"]]), "a.csv", "naam", "Onbekende kolom"),
        (b"wie,wat\n1,2\n", "a.csv", "", "Onbekend formaat"),
        (b"", "a.csv", "", "leeg"),
        (csv_bytes(REG_HEADER, []), "a.csv", "", "geen gegevensregels"),
        ("registratie_id,datum,gemeente_code,eenheid\nR-1,2025-01-01,GM0638,melding\n".encode("utf-16"), "a.csv", "", "UTF-8"),
        (b"dit is geen excel", "a.xlsx", "", "geen geldig Excel"),
        (b"PK\x03\x04kapot", "a.xlsx", "", "kan niet worden gelezen"),
    ],
)
def test_unusable_files_are_rejected_with_a_reason(cast: Cast, data: bytes, name: str, column: str, fragment: str) -> None:
    result = _import(cast, data, name=name)
    assert result.record.status == ImportStatus.AFGEWEZEN
    assert result.record.errors[0]["kolom"] == column
    assert fragment in result.record.errors[0]["fout"]


def test_semicolon_csv_and_the_documented_examples_are_accepted(cast: Cast) -> None:
    semicolon = csv_bytes(REG_HEADER, [GOOD, ["R-2", "2025-03", "GM0553", "melding", "", "", ""]], delimiter=";")
    assert _import(cast, semicolon).accepted
    assert _import(cast, (EXAMPLES / "registraties.csv").read_bytes(), name="registraties.csv").accepted
    agg = _import(cast, (EXAMPLES / "aantallen.xlsx").read_bytes(), name="aantallen.xlsx", slug="zorgcoordinator-shop")
    assert agg.accepted, agg.record.errors
    assert _counted("zorgcoordinator-shop") == 27
    assert _import(cast, (EXAMPLES / "indicatoren.csv").read_bytes(), name="indicatoren.csv", slug="overig").accepted
    assert RiskIndicator.objects.count() == 12
    assert _counted() == 10


def test_reimport_of_the_same_file_is_recognised_and_not_double_counted(cast: Cast) -> None:
    data = (EXAMPLES / "registraties.csv").read_bytes()
    first = _import(cast, data)
    again = _import(cast, data, name="andere-naam.csv")
    assert again.already_imported and again.record.pk == first.record.pk
    assert Import.objects.filter(status=ImportStatus.GEACCEPTEERD).count() == 1
    assert _counted() == 8
    # The same rows in a re-saved file (other bytes) are refused by record id, not counted twice.
    resaved = _import(cast, data.replace(b"\n", b"\r\n"))
    assert resaved.record.status == ImportStatus.AFGEWEZEN
    assert "al geïmporteerd" in resaved.record.errors[0]["fout"]
    assert _counted() == 8
    # The same bytes for another source are another delivery.
    assert _import(cast, data, slug="overig").accepted


def test_withdrawal_stops_counting_and_allows_a_corrected_delivery(cast: Cast) -> None:
    data = (EXAMPLES / "registraties.csv").read_bytes()
    record = _import(cast, data).record
    assert _counted() == 8
    with pytest.raises(services.MonitorError, match="reden"):
        services.import_withdraw(actor=cast.fleur, record=record, reason=" ")
    with committed():
        services.import_withdraw(actor=cast.fleur, record=record, reason="Verkeerde periode geleverd.")
    record.refresh_from_db()
    assert record.withdrawn and record.status == ImportStatus.INGETROKKEN and record.withdrawn_by == cast.fleur
    assert _counted() == 0
    assert Registration.objects.filter(source_import=record).count() == 8  # kept on file
    with pytest.raises(services.MonitorError, match="geaccepteerde"):
        services.import_withdraw(actor=cast.fleur, record=record, reason="nog eens")
    # After withdrawal the same file may be delivered again and counts once.
    again = _import(cast, data)
    assert again.accepted and not again.already_imported
    assert _counted() == 8
    assert AuditEvent.objects.filter(object_type="monitor.import", object_id=str(record.pk)).count() == 2


def test_only_the_ketenregisseur_imports(cast: Cast) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_file(actor=cast.anouk, source=_source(), file_name="a.csv", data=csv_bytes(REG_HEADER, [GOOD]))
    with pytest.raises(services.MonitorError, match="Eigen signalen"):
        services.import_file(actor=cast.fleur, source=_source("eigen-signalen"), file_name="a.csv", data=csv_bytes(REG_HEADER, [GOOD]))


def test_upload_page_reports_faulty_rows_in_dutch_and_withdraws(client: Client, cast: Cast) -> None:
    login(client, cast.fleur)
    page = client.get(reverse("monitor:imports"))
    assert page.status_code == 200
    bad = SimpleUploadedFile("fout.csv", csv_bytes(REG_HEADER, [GOOD, ["R-2", "gisteren", "GM0638", "melding", "", "", ""]]))
    response = client.post(reverse("monitor:imports"), {"bron": "politie", "bestand": bad}, follow=True)
    text = response.content.decode()
    assert "Import afgewezen" in text and "gisteren" in text and "geen geldige datum" in text
    assert Registration.objects.count() == 0
    good = SimpleUploadedFile("goed.xlsx", (EXAMPLES / "aantallen.xlsx").read_bytes())
    with committed():
        response = client.post(reverse("monitor:imports"), {"bron": "zorgcoordinator-shop", "bestand": good}, follow=True)
    assert "Import geaccepteerd: 6 regels" in response.content.decode()
    record = Import.objects.get(status=ImportStatus.GEACCEPTEERD)
    # Without a reason the form says what to fix and nothing changes.
    response = client.post(reverse("monitor:import_withdraw", kwargs={"import_id": record.pk}), {"reden": ""})
    assert response.status_code == 400 and "Dit veld is vereist" in response.content.decode()
    assert _counted("zorgcoordinator-shop") == 27
    with committed():
        response = client.post(reverse("monitor:import_withdraw", kwargs={"import_id": record.pk}), {"reden": "Dubbel geleverd"}, follow=True)
    assert "ingetrokken" in response.content.decode()
    assert _counted("zorgcoordinator-shop") == 0
    # Missing file: the form keeps the chosen source and names the field.
    response = client.post(reverse("monitor:imports"), {"bron": "nla"})
    assert response.status_code == 400
    assert 'value="nla" selected' in response.content.decode()


def test_command_import_and_refresh(cast: Cast, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("monitor", "import", str(EXAMPLES / "registraties.csv"), "--bron", "politie")
    call_command("monitor", "import", str(EXAMPLES / "registraties.csv"), "--bron", "politie")
    out = capsys.readouterr().out
    assert "Import geaccepteerd: 8 regels" in out and "Al geïmporteerd" in out
    bad = tmp_path / "fout.csv"
    bad.write_bytes(csv_bytes(REG_HEADER, [["R-9", "2025-01-01", "GM9999", "melding", "", "", ""]]))
    with pytest.raises(CommandError, match="afgewezen"):
        call_command("monitor", "import", str(bad), "--bron", "politie")
    assert "rij 2, kolom gemeente_code" in capsys.readouterr().err
    with pytest.raises(CommandError, match="Onbekende bron"):
        call_command("monitor", "import", str(bad), "--bron", "marechaussee")
    call_command("monitor", "refresh")
    assert _counted() == 8
