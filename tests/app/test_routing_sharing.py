"""A partner never sees a field its profile withholds: the inbox and the PDF, for every kind.

Each field group of the test case carries a marker; for every recipient kind (with and without
a recorded exception) the partner inbox page and the text of the referral document must show
exactly the markers of the shared groups. The expectation is the hand-written matrix of
tests/domain/test_sharing.py.
"""

from __future__ import annotations

import io
import subprocess
from typing import Any

import pytest
from django.test import Client

from ketenzicht.accounts.models import Organisation
from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases import services as case_services
from ketenzicht.routing import services
from ketenzicht.routing.models import Referral
from tests.domain.test_sharing import EXPECTED
from tests.support import Cast, login, make_user, report_signal

pytestmark = pytest.mark.django_db

MARKERS = {
    "signaal": "Signaalmerk",
    "locatie": "Markeerstraat",
    "personen": "Persoonsmerk",
    "bedrijf": "Bedrijfsmerk",
    "verrijking": "Verrijkingsmerk",
    "melder": "melder-merk@example.test",
    "bijlagen": "image/png",
}


def _marked_case(cast: Cast) -> Any:
    case = report_signal(
        cast.chantal,
        cast.zoeterwoude,
        description="Signaalmerk: wisselende bewoners.",
        location_address="Markeerstraat 1, 2381 AB Zoeterwoude",
        company_name="Bedrijfsmerk B.V.",
        kvk_number="12345678",
        reporter_contact_email="melder-merk@example.test",
        subjects=[case_services.SubjectInput(role="slachtoffer", name="Piet Persoonsmerk", nationality="Pools")],
    )
    cast.chantal.email = "melder-merk@example.test"
    cast.chantal.save()
    case = case_services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    case_services.case_enrich(actor=cast.anouk, case=case, changes={"enrichment_notes": "Verrijkingsmerk"})
    case_services.attachment_add(actor=cast.anouk, case=case, attachment=case_services.AttachmentInput(name="foto.png", content_type="image/png", data=b"\x89PNG\r\n"))
    return case


def _org(kind: str, on_platform: bool) -> Organisation:
    return Organisation.objects.create(
        slug=f"test-{kind}-{'on' if on_platform else 'off'}",
        name=f"Testpartner {kind}",
        kind=kind,
        region=Organisation.objects.get(slug="gemeente-zoeterwoude").region,
        on_platform=on_platform,
    )


def _cases() -> list[tuple[str, str]]:
    # A municipality is no referral partner (routing offers none): its profile serves hit/no-hit between AFs (issue 14).
    return [
        (kind, override) for kind, (_base, extra) in sorted(EXPECTED.items()) if kind != "gemeente"
        for override in (["", "vitaal_belang"] if extra else [""])
    ]


def _expected(kind: str, override: str) -> set[str]:
    base, extra = EXPECTED[kind]
    return base | (extra if override else set())


def _check(text: str, shared: set[str]) -> None:
    for group, marker in MARKERS.items():
        assert (marker in text) is (group in shared), f"{group}: marker {'missing' if group in shared else 'leaked'}"


@pytest.mark.parametrize(("kind", "override"), _cases())
def test_partner_inbox_shows_exactly_the_shared_groups(cast: Cast, kind: str, override: str) -> None:
    case = _marked_case(cast)
    org = _org(kind, on_platform=True)
    partner = make_user(f"partner-{kind}", org.slug, "ketenpartner")
    referral = services.referral_create(actor=cast.anouk, case=case, organisation=org, question="Graag oppakken.", override=override, override_reason="Levensgevaar" if override else "")
    services.referral_send(actor=cast.anouk, referral=referral)
    # Edits after sending never reach the partner: the snapshot was taken at sending.
    case_services.case_enrich(actor=cast.anouk, case=case, changes={"earlier_sanctions": "Latermerk"})
    html = login(Client(), partner).get(f"/partner/{referral.pk}/").content.decode()
    _check(html, _expected(kind, override))
    assert "Latermerk" not in html


@pytest.mark.parametrize(("kind", "override"), _cases())
def test_referral_document_contains_exactly_the_shared_groups(cast: Cast, kind: str, override: str, tmp_path: Any) -> None:
    case = _marked_case(cast)
    org = _org(kind, on_platform=False)
    referral = services.referral_create(actor=cast.anouk, case=case, organisation=org, question="Graag oppakken.", override=override, override_reason="Levensgevaar" if override else "")
    response = login(Client(), cast.anouk).get(f"/doorverwijzingen/{referral.pk}/verwijsdocument.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert case.reference in response["Content-Disposition"]
    path = tmp_path / "doc.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    _check(text, _expected(kind, override))
    assert AuditEvent.objects.filter(action="download", object_id=str(referral.pk)).exists()


def test_the_document_downloaded_is_what_is_recorded_as_sent(cast: Cast) -> None:
    case = _marked_case(cast)
    org = Organisation.objects.get(slug="veilig-thuis-hollands-midden")
    referral = services.referral_create(actor=cast.anouk, case=case, organisation=org, question="Meldcode: melding.")
    client = login(Client(), cast.anouk)
    client.get(f"/doorverwijzingen/{referral.pk}/verwijsdocument.pdf")
    referral.refresh_from_db()
    downloaded = referral.snapshot
    assert downloaded["personen"][0]["naam"] == "Piet Persoonsmerk"
    response = client.post(f"/doorverwijzingen/{referral.pk}/verzenden/", {"method": "beveiligde_mail", "sent_on": "01-01-2026 10:00", "note": "aan intake"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == "verzonden" and referral.snapshot == downloaded
    assert referral.send_method == "beveiligde_mail" and referral.sent_at.year == 2026


def test_register_lists_hand_overs_with_the_exception_and_exports(cast: Cast) -> None:
    case = _marked_case(cast)
    shop = Organisation.objects.get(slug="shop")
    plain = services.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="nla"), question="Arbeid.")
    services.referral_send(actor=cast.anouk, referral=plain)
    vital = services.referral_create(actor=cast.anouk, case=case, organisation=shop, question="Opvang nodig.", override="vitaal_belang", override_reason="Slachtoffer in levensgevaar")
    services.referral_send(actor=cast.anouk, referral=vital)
    share = AuditEvent.objects.get(action="share", object_id=str(vital.pk))
    assert "uitzondering: vitaal_belang" in share.reason and "personen" in share.fields

    client = login(Client(), cast.gijs)
    html = client.get("/privacy/doorgifteregister/").content.decode()
    assert "vitaal_belang: Slachtoffer in levensgevaar" in html and "1 doorgifte met een uitzondering" in html
    csv_text = client.get("/privacy/doorgifteregister.csv").content.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("verzonden_op;kenmerk;gemeente") and len(lines) == 3
    assert any("vitaal_belang" in line and "SHOP" in line for line in lines[1:])
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(client.get("/privacy/doorgifteregister.xlsx").content))
    rows = list(workbook.active.values)
    assert rows[0][0] == "verzonden_op" and len(rows) == 3
    assert AuditEvent.objects.filter(action="export", object_type="doorgifteregister", actor=cast.gijs).count() == 2

    # A privacy officer of another municipality sees none of Zoeterwoude's hand-overs.
    other = make_user("po-lisse", "gemeente-lisse", "privacy_officer")
    assert case.reference not in login(Client(), other).get("/privacy/doorgifteregister/").content.decode()


def test_sharing_profiles_page_shows_basis_and_the_zorgcoordinator_exception(cast: Cast) -> None:
    html = login(Client(), cast.gijs).get("/privacy/deelprofielen/").content.decode()
    assert "Zorgcoördinator mensenhandel" in html and "uitzondering" in html
    assert "AVG art. 6 lid 1 sub d" in html and "Wet maatschappelijke ondersteuning 2015 art. 5.2.6" in html


def test_referral_form_shows_what_goes_before_sending(cast: Cast) -> None:
    case = _marked_case(cast)
    client = login(Client(), cast.anouk)
    response = client.post(f"/werkvoorraad/{case.pk}/doorverwijzen/", {"organisation": Organisation.objects.get(slug="shop").pk, "question": "Opvang?", "override": ""})
    referral = Referral.objects.get(case=case)
    assert response.status_code == 302 and referral.state == "concept"
    html = client.get(f"/doorverwijzingen/{referral.pk}/").content.decode()
    assert "Dit gaat naar de partner" in html and "Signaalmerk" in html
    assert "Persoonsmerk" not in html and "Markeerstraat" not in html
    assert "Personen (namen, geboortedata, nationaliteit)" in html.split('data-testid="withheld-groups"')[1].split("</dd>")[0]


def test_exception_without_justification_keeps_what_was_typed(cast: Cast) -> None:
    case = _marked_case(cast)
    client = login(Client(), cast.anouk)
    response = client.post(f"/werkvoorraad/{case.pk}/doorverwijzen/", {"organisation": Organisation.objects.get(slug="shop").pk, "question": "Opvang regelen", "override": "toestemming"})
    html = response.content.decode()
    assert response.status_code == 400 and "verantwoording verplicht" in html and "Opvang regelen" in html
    assert not Referral.objects.exists()
