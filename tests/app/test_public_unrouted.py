"""Signals for a municipality without an AF wait in the region's queue; the queue forwards them."""

from __future__ import annotations

from django.test import Client

from ketenzicht.accounts.models import Municipality
from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases.models import CaseEvent
from ketenzicht.intake import public_services
from ketenzicht.intake.public_services import PublicReport, public_report_submit
from tests.support import Cast, login

LIST = "/beheer/niet-aangesloten/"


def _unrouted_case(municipality: Municipality) -> object:
    report = PublicReport(
        form_key=public_services.new_form_key(),
        municipality=municipality,
        description="Vertrouwelijke inhoud: Klaas werkt 80 uur.",
        location_description="Bij de bollenschuur",
    )
    code = public_report_submit(report=report, status_url="http://testserver/melden/status/").code
    from ketenzicht.cases.models import Case

    return Case.objects.get(receipt_hash=public_services.receipt_hash(code))


def test_report_for_municipality_off_the_platform_is_kept_and_shown_to_the_regions_beheerder(cast: Cast) -> None:
    hillegom = Municipality.objects.get(cbs_code="GM0534")
    goes = Municipality.objects.get(cbs_code="GM0664")  # ZWB, aangesloten but without an AF
    assert not hillegom.on_platform and hillegom.region_id == cast.hanna.organisation.region_id
    case = _unrouted_case(hillegom)
    other = _unrouted_case(goes)  # another region: not hanna's, but tessa's
    page = login(Client(), cast.hanna).get(LIST)
    body = page.content.decode()
    assert page.status_code == 200
    assert case.reference in body and "Hillegom" in body
    assert other.reference not in body
    assert "Klaas" not in body and "bollenschuur" not in body  # no contents for the beheerder
    # No AF sees it in a queue; the region's ketenregisseur sees it too; nobody else reaches the list.
    assert case.reference not in login(Client(), cast.anouk).get("/werkvoorraad/?weergave=alle").content.decode()
    assert login(Client(), cast.anouk).get(LIST).status_code == 403
    assert case.reference in login(Client(), cast.fleur).get(LIST).content.decode()
    zwb = login(Client(), cast.tessa).get(LIST).content.decode()
    assert other.reference in zwb and case.reference not in zwb


def test_beheerder_forwards_to_an_on_platform_municipality_of_the_region(cast: Cast) -> None:
    case = _unrouted_case(Municipality.objects.get(cbs_code="GM0534"))
    client = login(Client(), cast.hanna)
    response = client.post(f"{LIST}{case.pk}/doorsturen/", {"municipality": cast.lisse.pk, "reason": "Dichtstbijzijnde aangesloten gemeente"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.municipality == cast.lisse and case.state == "ontvangen"
    event = CaseEvent.objects.get(case=case, kind="doorgestuurd")
    assert "Hillegom" in event.reason and "Lisse" in event.reason and event.actor == cast.hanna
    assert AuditEvent.objects.filter(object_id=str(case.pk), actor=cast.hanna, fields=["gemeente"]).exists()
    assert case.reference in login(Client(), cast.bram).get("/werkvoorraad/").content.decode()
    assert f'<td class="utrecht-table__cell">{case.reference}</td>' not in client.get(LIST).content.decode()


def test_forwarding_outside_the_region_or_off_the_platform_is_refused(cast: Cast) -> None:
    case = _unrouted_case(Municipality.objects.get(cbs_code="GM0534"))
    client = login(Client(), cast.hanna)
    # Breda: another region; Katwijk: this region, but without an AF.
    for target in (cast.breda, Municipality.objects.get(cbs_code="GM0537")):
        client.post(f"{LIST}{case.pk}/doorsturen/", {"municipality": target.pk})
        case.refresh_from_db()
        assert case.municipality.cbs_code == "GM0534"
    # A case of an on-platform municipality is not the beheerder's to move.
    own = _unrouted_case(cast.zoeterwoude)
    assert client.post(f"{LIST}{own.pk}/doorsturen/", {"municipality": cast.lisse.pk}).status_code == 403
