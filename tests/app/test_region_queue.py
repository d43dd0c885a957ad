"""Signals never fall between the cracks (issue 13 item 4).

- Leiden is aangesloten but has no AF: a public report for it is stored, waits in eenheid Den
  Haag's queue, and the region's ketenregisseur and beheerder get a notification and a link-only
  mail (real SMTP).
- A municipality outside every loaded region: the public form says where to report instead,
  before sending (htmx) and after, and stores nothing; the API answers 422 problem+json.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ketenzicht.accounts.models import Municipality
from ketenzicht.accounts.selectors import Coverage, coverage
from ketenzicht.cases.models import Case
from ketenzicht.intake.region_queue import after_intake, announce
from ketenzicht.meetings.reminders import reminders_send
from ketenzicht.notifications.models import Kind, Notification
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import Cast, login

pytestmark = pytest.mark.django_db

URL = "/melden/"
LIST = "/beheer/niet-aangesloten/"


def _public_form(client: Client, **overrides: str) -> dict[str, str]:
    page = client.get(URL).content.decode()
    key = page.split('name="form_key" value="')[1].split('"')[0]
    return {
        "description": "Vertrouwelijk: in de schuur slapen twaalf mensen.",
        "municipality": "Leiden",
        "location_description": "Achter de molen",
        "form_key": key,
        "actie": "versturen",
        **overrides,
    }


def test_coverage_of_the_demo_municipalities(cast: Cast) -> None:
    assert coverage(cast.zoeterwoude) is Coverage.AF and coverage(cast.vlissingen) is Coverage.AF
    assert coverage(Municipality.objects.get(cbs_code="GM0546")) is Coverage.REGIO  # Leiden: no AF
    assert coverage(Municipality.objects.get(cbs_code="GM0664")) is Coverage.REGIO  # Goes: no AF
    assert coverage(Municipality.objects.get(name="Amsterdam")) is Coverage.BUITEN
    # An AF who leaves takes the municipality with them: its signals go to the region's queue.
    cast.anouk.is_active = False
    cast.anouk.save()
    assert coverage(cast.zoeterwoude) is Coverage.REGIO


def test_a_report_for_a_municipality_without_an_af_lands_in_the_regions_queue_with_a_notice(
    cast: Cast, smtp_server: Any, django_capture_on_commit_callbacks: Any  # noqa: F811
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, _public_form(client))
    assert response.status_code == 200
    case = Case.objects.get(municipality__cbs_code="GM0546")

    # In the queue of eenheid Den Haag's ketenregisseur and beheerder; not in ZWB's; no AF's.
    for who in ("fleur", "hanna"):
        page = login(Client(), getattr(cast, who)).get(LIST).content.decode()
        assert case.reference in page and "Leiden" in page and "twaalf" not in page, who
    for who in ("koen", "tessa"):
        assert case.reference not in login(Client(), getattr(cast, who)).get(LIST).content.decode(), who
    assert case.reference not in login(Client(), cast.anouk).get("/werkvoorraad/").content.decode()

    # A notification for each of them (the reference and the municipality, never what was reported) ...
    notices = Notification.objects.filter(kind=Kind.NIET_AANGESLOTEN)
    assert sorted(n.recipient.username for n in notices) == ["fleur", "hanna"]
    for notice in notices:
        assert case.reference in notice.title and "Leiden" in notice.title and "twaalf" not in notice.title
    client = login(Client(), cast.fleur)
    assert case.reference in client.get(reverse("notifications:list")).content.decode()
    opened = client.get(reverse("notifications:open", args=[notices.get(recipient=cast.fleur).pk]))
    assert opened.status_code == 302 and opened["Location"] == LIST
    # ... and one link-only mail each, sent once: the reminder run does not send them again.
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([cast.fleur.email, cast.hanna.email])
    for mail in smtp_server.messages:
        body = mail.get_content()
        assert "/berichten/" in body and case.reference not in body and "twaalf" not in body and "molen" not in body
    reminders_send()
    assert len(smtp_server.messages) == 2
    # Told once per signal, however often it is announced.
    assert announce(case) == [] and notices.count() == 2


def test_a_notice_whose_mail_failed_is_sent_by_the_next_reminder_run(cast: Cast, smtp_server: Any) -> None:  # noqa: F811
    from tests.support import report_signal

    goes = Municipality.objects.get(cbs_code="GM0664")
    case = report_signal(cast.mila, goes, location_address="Kapelseweg 1, Goes")  # ZWB's queue
    after_intake(case, True)  # as the worker does after every intake; no on-commit run here: the mail did not go
    notices = Notification.objects.filter(kind=Kind.NIET_AANGESLOTEN, title__contains=case.reference)
    assert sorted(n.recipient.username for n in notices) == ["koen", "tessa"]
    assert smtp_server.messages == []
    assert reminders_send() >= 2
    assert sorted(m["To"] for m in smtp_server.messages) == sorted([cast.koen.email, cast.tessa.email])


def test_the_queue_forwards_to_a_municipality_of_the_region_with_an_af(cast: Cast) -> None:
    from tests.support import report_signal

    case = report_signal(cast.chantal, Municipality.objects.get(cbs_code="GM0546"), location_address="Breestraat 1, Leiden")
    client = login(Client(), cast.fleur)
    page = client.get(LIST).content.decode()
    assert ">Zoeterwoude<" in page and ">Lisse<" in page and ">Katwijk<" not in page  # Katwijk has no AF
    assert client.post(f"{LIST}{case.pk}/doorsturen/", {"municipality": cast.lisse.pk}).status_code == 302
    case.refresh_from_db()
    assert case.municipality == cast.lisse
    assert case.reference in login(Client(), cast.bram).get("/werkvoorraad/").content.decode()
    # ZWB's ketenregisseur cannot forward Den Haag's signal.
    other = report_signal(cast.chantal, Municipality.objects.get(cbs_code="GM0546"), location_address="Breestraat 2, Leiden")
    assert login(Client(), cast.koen).post(f"{LIST}{other.pk}/doorsturen/", {"municipality": cast.vlissingen.pk}).status_code == 403


def test_outside_every_loaded_region_the_reporter_is_told_where_to_report_and_nothing_is_stored(cast: Cast) -> None:
    client = Client()
    # Before sending: the form asks as soon as the municipality is chosen (htmx).
    notice = client.get("/melden/controle/gemeente/", {"municipality": "amsterdam"}, HTTP_HX_REQUEST="true")
    text = notice.content.decode()
    assert notice.status_code == 200 and "Amsterdam" in text
    assert "0900-8844" in text and "0800-7000" in text and "gemeente Amsterdam" in text
    assert client.get("/melden/controle/gemeente/", {"municipality": "Leiden"}).content.decode().strip() == ""
    form_page = client.get(URL).content.decode()
    assert 'hx-get="/melden/controle/gemeente/"' in form_page
    # A municipality's own link (/melden/<cbs-code>/) for one outside every region says so at once too.
    own_link = client.get("/melden/GM0363/").content.decode()
    assert "0900-8844" in own_link and "0800-7000" in own_link and "gemeente Amsterdam" in own_link
    assert "0900-8844" not in client.get("/melden/GM0546/").content.decode()  # Leiden: the region's queue takes it

    # Sending anyway (no script): the same notice, what was typed kept, nothing stored.
    before = Case.objects.count()
    response = client.post(URL, _public_form(client, municipality="Amsterdam", description="Mijn eigen woorden blijven staan."))
    page = response.content.decode()
    assert response.status_code == 400
    assert "0900-8844" in page and "0800-7000" in page and "Mijn eigen woorden blijven staan." in page
    assert Case.objects.count() == before


def test_the_api_refuses_a_municipality_outside_every_loaded_region_with_problem_json(cast: Cast) -> None:
    body = {
        "gemeenteCode": "GM0363",  # Amsterdam
        "omschrijving": "Twaalf mensen in een bedrijfsruimte.",
        "uitbuitingsvormen": ["arbeid"],
        "minderjarig": "nee",
        "acuutGevaar": False,
    }
    before = Case.objects.count()
    response = Client().post(
        "/api/v1/signalen", json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {cast.pim_token}", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "gemeente-niet-aangesloten" and "0900-8844" in problem["detail"]
    assert problem["invalidParams"][0]["name"] == "gemeenteCode"
    assert Case.objects.count() == before
    # A municipality of a loaded region without an AF is taken (it goes to the region's queue).
    response = Client().post(
        "/api/v1/signalen", json.dumps({**body, "gemeenteCode": "GM0664"}), content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {cast.wout_token}", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201
    assert Case.objects.filter(municipality__cbs_code="GM0664").count() == 1


def test_the_api_lists_which_municipalities_take_signals(cast: Cast) -> None:
    rows = {row["code"]: row for row in login(Client(), cast.anouk).get("/api/v1/gemeenten").json()}
    assert rows["GM0638"]["regio"] == "den-haag" and rows["GM0638"]["ontvangtSignalen"] is True
    assert rows["GM0664"]["regio"] == "zeeland-west-brabant" and rows["GM0664"]["ontvangtSignalen"] is True
    assert rows["GM0363"]["regio"] is None and rows["GM0363"]["ontvangtSignalen"] is False


def test_a_colleague_reports_internally_for_a_municipality_of_the_region_without_an_af(cast: Cast) -> None:
    client = login(Client(), cast.chantal)  # melder of Zoeterwoude
    page = client.get("/signalen/nieuw/").content.decode()
    assert ">Hillegom<" in page and ">Lisse<" in page and ">Vlissingen<" not in page  # own region only
    hillegom = Municipality.objects.get(cbs_code="GM0534")
    response = client.post("/signalen/nieuw/", {
        "description": "Bij de bollenschuur slapen mensen in containers.", "municipality": hillegom.pk,
        "location_address": "Leidsestraat 1, Hillegom", "exploitation_forms": ["arbeid"], "minor_involved": "onbekend",
    })
    assert response.status_code == 302
    case = Case.objects.get(municipality=hillegom)
    assert case.reference in login(Client(), cast.hanna).get(LIST).content.decode()
    # A municipality of another region is not a choice, also not when posted by hand.
    refused = client.post("/signalen/nieuw/", {
        "description": "Iets in Vlissingen.", "municipality": cast.vlissingen.pk,
        "location_address": "Walstraat 1, Vlissingen", "exploitation_forms": ["arbeid"], "minor_involved": "onbekend",
    })
    assert refused.status_code == 200 and not Case.objects.filter(municipality=cast.vlissingen).exists()
