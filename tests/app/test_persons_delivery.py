"""Issue 15 item 1: encoded registrations delivered on the command line, the import page and
the partner API; plain files keep working (unlinkable); names, mixed keys and schemes refused."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ketenzicht.domain.linkage.bloom import SCHEME
from ketenzicht.monitor import services
from ketenzicht.monitor.models import Import, ImportStatus, Registration, Source
from ketenzicht.persons.models import EncodedImport, Encoding, LinkageRun
from tests.app.monitor_support import REG_HEADER, csv_bytes
from tests.app.persons_support import HEADER, OTHER_KEY, encoded_file, named_file, second_region
from tests.support import Cast, login, make_user

ROWS = [
    ["P-1", "2025-03-04", "GM0638", "melding", "arbeid", "Marieke", "Dijkstra", "1985-06-01", "V", "NLD"],
    ["P-2", "2025-04-11", "GM0553", "slachtoffer", "seksueel", "Wojciech", "Zieliński", "03-02-1979", "M", "POL"],
    ["P-3", "2025-05-20", "GM0546", "melding", "", "Ioana", "Munteanu", "", "V", ""],
]


def _source(slug: str) -> Source:
    return Source.objects.get(slug=slug)


def _post(client: Client, data: bytes, *, key: str = "lev-1", bron: str = "nla", name: str = "levering.csv", token: str = "") -> object:
    headers = {"HTTP_IDEMPOTENCY_KEY": key}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Token {token}"
    return client.post(reverse("api-aanleveringen"), {"bron": bron, "bestand": SimpleUploadedFile(name, data, "text/csv")}, **headers)


def test_encoded_file_on_the_command_line_is_imported_with_its_encodings(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "politie.enc.csv"
    path.write_bytes(encoded_file(ROWS))
    out = io.StringIO()
    call_command("monitor", "import", str(path), "--bron", "politie", stdout=out)
    assert "Import geaccepteerd: 3 regels" in out.getvalue()
    record = Import.objects.get(status=ImportStatus.GEACCEPTEERD)
    regs = Registration.objects.filter(source_import=record)
    assert regs.count() == 3
    assert Encoding.objects.filter(registration__in=regs).count() == 3
    (encoded,) = EncodedImport.objects.filter(source_import=record)
    assert encoded.region.slug == "den-haag" and encoded.scheme == SCHEME
    # the form columns went through unchanged
    assert sorted(regs.values_list("form", flat=True)) == ["arbeid", "onbekend", "seksueel"]
    assert LinkageRun.objects.filter(region__slug="den-haag").exists()


def test_import_page_accepts_an_encoded_file(cast: Cast) -> None:
    client = login(Client(), cast.fleur)
    upload = SimpleUploadedFile("politie.enc.csv", encoded_file(ROWS), "text/csv")
    response = client.post(reverse("monitor:imports"), {"bron": "politie", "bestand": upload}, follow=True)
    assert response.status_code == 200
    assert "Import geaccepteerd: 3 regels" in response.content.decode()
    assert Encoding.objects.count() == 3


def test_plain_file_without_identities_keeps_working_and_is_not_linked(cast: Cast) -> None:
    data = csv_bytes(REG_HEADER, [["R-1", "2025-03-04", "GM0638", "melding", "arbeid", "23+", "landbouw"]])
    result = services.import_file(actor=cast.fleur, source=_source("politie"), file_name="plain.csv", data=data)
    assert result.accepted
    assert Registration.objects.count() == 1 and Encoding.objects.count() == 0
    assert not LinkageRun.objects.exists()


def test_identity_columns_left_in_a_plain_import_are_refused_naming_the_column(cast: Cast) -> None:
    result = services.import_file(actor=cast.fleur, source=_source("politie"), file_name="namen.csv", data=named_file(ROWS))
    assert result.record.status == ImportStatus.AFGEWEZEN
    columns = [(e["rij"], e["kolom"]) for e in result.record.errors]
    assert columns == [(1, "voornaam"), (1, "achternaam"), (1, "geboortedatum"), (1, "geslacht"), (1, "nationaliteit")]
    assert "Codeer het bestand eerst" in result.record.errors[0]["fout"]
    assert Registration.objects.count() == 0


def test_a_file_with_names_sent_to_the_api_is_refused_and_nothing_is_counted(cast: Cast) -> None:
    response = _post(Client(), named_file(ROWS), token=cast.pim_token)
    assert response.status_code == 422
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert body["code"] == "bestand-afgewezen"
    assert body["invalidParams"][0]["name"] == "bestand[rij=1][kolom=voornaam]"
    assert "Codeer het bestand eerst" in body["invalidParams"][0]["reason"]
    assert Registration.objects.count() == 0


def test_another_key_in_the_same_region_is_refused_naming_row_and_column(cast: Cast) -> None:
    assert services.import_file(actor=cast.fleur, source=_source("politie"), file_name="a.csv", data=encoded_file(ROWS)).accepted
    rows = [[f"N-{i}", *r[1:]] for i, r in enumerate(ROWS)]
    result = services.import_file(actor=cast.fleur, source=_source("nla"), file_name="b.csv", data=encoded_file(rows, OTHER_KEY))
    assert result.record.status == ImportStatus.AFGEWEZEN
    (error,) = result.record.errors
    assert (error["rij"], error["kolom"]) == (2, "sleutel_id")
    assert OTHER_KEY.fingerprint in error["fout"] and "dezelfde sleutel" in error["fout"]
    assert Registration.objects.filter(source__slug="nla").count() == 0
    # after withdrawing the old deliveries, the new key is accepted (key rotation)
    services.import_withdraw(actor=cast.fleur, record=Import.objects.get(file_name="a.csv"), reason="nieuwe sleutel")
    assert services.import_file(actor=cast.fleur, source=_source("nla"), file_name="b.csv", data=encoded_file(rows, OTHER_KEY)).accepted


def test_another_key_in_another_region_is_fine(cast: Cast) -> None:
    zwb = second_region()
    assert services.import_file(actor=cast.fleur, source=_source("politie"), file_name="a.csv", data=encoded_file(ROWS)).accepted
    rows = [["Z-1", "2025-03-04", "GM0718", "melding", "arbeid", "Jan", "Jansen", "1980-01-01", "M", "NLD"]]
    result = services.import_file(actor=zwb["kim"], source=_source("politie"), file_name="zwb.csv", data=encoded_file(rows, OTHER_KEY))
    assert result.accepted, result.record.errors


def test_an_old_scheme_and_mixed_keys_within_a_file_are_refused(cast: Cast) -> None:
    text = encoded_file(ROWS).decode()
    lines = text.splitlines()
    old = "\n".join([lines[0], lines[1].replace(SCHEME, "clk-rh-bal-v2"), *lines[2:]]) + "\n"
    result = services.import_file(actor=cast.fleur, source=_source("politie"), file_name="oud.csv", data=old.encode())
    assert [(e["rij"], e["kolom"]) for e in result.record.errors] == [(2, "schema")]
    other = encoded_file(ROWS, OTHER_KEY).decode().splitlines()
    mixed = "\n".join([lines[0], lines[1], other[2], lines[3]]) + "\n"
    result = services.import_file(actor=cast.fleur, source=_source("politie"), file_name="mix.csv", data=mixed.encode())
    assert [(e["rij"], e["kolom"]) for e in result.record.errors] == [(3, "sleutel_id")]
    assert Registration.objects.count() == 0


def test_api_delivery_is_idempotent_like_signal_intake(cast: Cast) -> None:
    client = Client()
    data = encoded_file(ROWS)
    first = _post(client, data, token=cast.pim_token)
    assert first.status_code == 201, first.content
    receipt = first.json()
    assert receipt["status"] == "geaccepteerd" and receipt["regels"] == 3 and receipt["gecodeerd"] is True
    again = _post(client, data, token=cast.pim_token)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.json() == receipt
    # the same file under a new key: recognised, counted once
    new_key = _post(client, data, key="lev-2", token=cast.pim_token)
    assert new_key.status_code == 200 and new_key.json()["id"] == receipt["id"]
    # the same key with another file: refused, nothing stored
    other = _post(client, encoded_file(ROWS[:1]), token=cast.pim_token)
    assert other.status_code == 422 and other.json()["code"] == "idempotency-key-hergebruikt"
    assert Registration.objects.count() == 3
    detail = client.get(first["Location"], HTTP_AUTHORIZATION=f"Token {cast.pim_token}")
    assert detail.status_code == 200 and detail.json()["id"] == receipt["id"]


def test_a_rejected_delivery_replays_the_same_refusal(cast: Cast) -> None:
    bad = encoded_file([["P-1", "2025-13-01", "GM0638", "melding", "", "Jan", "Jansen", "", "", ""]])
    first = _post(Client(), bad, key="fout-1", token=cast.pim_token)
    again = _post(Client(), bad, key="fout-1", token=cast.pim_token)
    assert first.status_code == again.status_code == 422
    assert again["Idempotent-Replayed"] == "true"
    assert first.json()["invalidParams"] == again.json()["invalidParams"]
    assert first.json()["invalidParams"][0]["name"] == "bestand[rij=2][kolom=datum]"
    assert Import.objects.filter(status=ImportStatus.AFGEWEZEN).count() == 1


def test_api_delivery_only_for_own_sources_own_region_and_with_a_key(cast: Cast) -> None:
    zwb = second_region()
    client = Client()
    # NLA's partner system does not deliver for the police
    assert _post(client, encoded_file(ROWS), bron="politie", token=cast.pim_token).status_code == 403
    # ZWB's police system delivers police figures, but not for municipalities of Den Haag
    response = _post(client, encoded_file(ROWS), bron="politie", token=zwb["mats_token"])
    assert response.status_code == 422
    assert {p["name"] for p in response.json()["invalidParams"]} == {f"bestand[rij={r}][kolom=gemeente_code]" for r in (2, 3, 4)}
    assert _post(client, encoded_file(ROWS), key="", token=cast.pim_token).status_code == 400
    assert _post(client, encoded_file(ROWS), bron="onbekend", token=cast.pim_token).status_code == 400
    # no token: 401; a colleague without the role: 403; the other account cannot read the receipt
    assert _post(client, encoded_file(ROWS)).status_code in (401, 403)
    first = _post(client, encoded_file(ROWS), key="x-1", token=cast.pim_token)
    assert first.status_code == 201
    assert client.get(first["Location"], HTTP_AUTHORIZATION=f"Token {zwb['mats_token']}").status_code == 404
    assert Registration.objects.filter(municipality__region=zwb["region"]).count() == 0


def test_data_steward_delivers_for_own_organisation_only(cast: Cast) -> None:
    veerle = make_user("veerle", "politie-den-haag-avim", "gegevensleverancier")
    result = services.import_file(actor=veerle, source=_source("politie"), file_name="p.csv", data=encoded_file(ROWS))
    assert result.accepted
    with pytest.raises(Exception, match="monitor.import"):
        services.import_file(actor=veerle, source=_source("nla"), file_name="n.csv", data=encoded_file(ROWS))


def test_command_refuses_an_unencoded_file_with_names(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "namen.csv"
    path.write_bytes(named_file(ROWS, HEADER))
    err = io.StringIO()
    with pytest.raises(CommandError, match="Import afgewezen"):
        call_command("monitor", "import", str(path), "--bron", "politie", stderr=err)
    assert "rij 1, kolom voornaam" in err.getvalue()
