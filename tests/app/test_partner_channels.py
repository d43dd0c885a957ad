"""Partners and tips as channels with feedback (issue 16 item 5).

A partner's professional (julia, SHOP) reports on screen to a municipality of her region and
follows status and feedback under "Mijn meldingen"; a partner system (pim, NLA) reads status
and feedback of its own signals through `GET /api/v1/signalen/{id}` and nothing of another
account's; the AF registers a tip of Meld Misdaad Anoniem or the police as its own channel.
"""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse

from ketenzicht.accounts.models import Municipality
from ketenzicht.cases import services
from ketenzicht.cases.models import Case
from tests.app.test_partner_api import BODY, post
from tests.support import Cast, login, report_signal


def _report_url() -> str:
    return reverse("intake:report")


def _form(municipality: Municipality, **extra: str) -> dict[str, str]:
    return {"description": "Jonge vrouw in de opvang vertelt over schulden bij haar 'vriend'.", "municipality": str(municipality.pk),
            "minor_involved": "onbekend", "intake_key": "sleutel-1", "location_address": "Stationsplein 1, Leiden", **extra}


def test_partner_professional_reports_on_screen_and_reads_the_feedback(cast: Cast) -> None:
    client = login(Client(), cast.julia)
    page = client.get(_report_url()).content.decode()
    assert "Zoeterwoude" in page and "Hoe kwam dit signaal binnen?" not in page  # no tip channel for a partner
    response = client.post(_report_url(), _form(cast.zoeterwoude), follow=True)
    case = Case.objects.get(reporter=cast.julia)
    assert case.channel == "partner" and case.reporter_organisation.slug == "shop" and case.municipality == cast.zoeterwoude
    assert case.reference in response.content.decode()
    client.post(_report_url(), _form(cast.zoeterwoude))  # a double submit makes no second signal
    assert Case.objects.filter(reporter=cast.julia).count() == 1
    # the AF's feedback is what the professional sees, as a colleague does
    case = services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    services.case_record_feedback(actor=cast.anouk, case=case, message="Wij hebben contact gelegd met de zorgcoördinator.")
    own = client.get(reverse("intake:own_reports")).content.decode()
    assert case.reference in own and "Jonge vrouw in de opvang" in own
    detail = client.get(reverse("intake:own_report", kwargs={"case_id": case.pk})).content.decode()
    assert "Wij hebben contact gelegd met de zorgcoördinator." in detail
    # another partner's professional sees nothing of it
    assert client.get(reverse("intake:own_report", kwargs={"case_id": report_signal(cast.chantal, cast.zoeterwoude).pk})).status_code in (403, 404)


def test_partner_professional_reports_only_within_their_region(cast: Cast) -> None:
    elsewhere = Municipality.objects.filter(on_platform=True).exclude(region=cast.zoeterwoude.region).first() or \
        Municipality.objects.exclude(region=cast.zoeterwoude.region).first()
    response = login(Client(), cast.julia).post(_report_url(), _form(elsewhere))
    assert response.status_code == 200 and not Case.objects.filter(reporter=cast.julia).exists()
    assert "Kies een gemeente uit de lijst." in response.content.decode()


def test_partner_system_reads_status_and_feedback_of_its_own_signal_only(cast: Cast) -> None:
    created = post(Client(), cast.pim_token, BODY)
    case_id = created.json()["id"]
    headers = {"HTTP_AUTHORIZATION": f"Token {cast.pim_token}"}
    first = Client().get(f"/api/v1/signalen/{case_id}", **headers).json()
    assert first["status"] == "ontvangen" and first["terugkoppeling"] is None
    assert "omschrijving" not in first and "betrokkenen" not in first  # progress only, not the case file
    case = services.case_transition(actor=cast.anouk, case=Case.objects.get(pk=case_id), action="in_behandeling_nemen")
    services.case_record_feedback(actor=cast.anouk, case=case, message="Dank voor uw signaal; wij nemen contact op met de werkgever.")
    later = Client().get(f"/api/v1/signalen/{case_id}", **headers).json()
    assert later["status"] == "in_behandeling"
    assert later["terugkoppeling"] == "Dank voor uw signaal; wij nemen contact op met de werkgever."
    # a signal pim did not submit: not found / forbidden, nothing leaks
    other = report_signal(cast.chantal, cast.zoeterwoude)
    response = Client().get(f"/api/v1/signalen/{other.pk}", **headers)
    assert response.status_code in (403, 404) and other.reference not in response.content.decode()
    # the AF still gets the full signal
    full = login(Client(), cast.anouk).get(f"/api/v1/signalen/{case_id}").json()
    assert full["omschrijving"].startswith("Twaalf arbeidsmigranten")


def test_af_registers_a_tip_as_its_own_channel(cast: Cast) -> None:
    client = login(Client(), cast.anouk)
    assert "Hoe kwam dit signaal binnen?" in client.get(_report_url()).content.decode()
    client.post(_report_url(), _form(cast.zoeterwoude, kanaal="mma", location_address="Dorpsstraat 1"))
    case = Case.objects.get(reporter=cast.anouk)
    assert case.channel == "mma"
    row = client.get("/werkvoorraad/", {"weergave": "alle"}).content.decode()
    assert re.search(r"Tip via Meld Misdaad Anoniem", row)
    # a melder cannot pick a channel: a forged value is ignored
    login(Client(), cast.chantal).post(_report_url(), _form(cast.zoeterwoude, kanaal="politie", intake_key="sleutel-2"))
    assert Case.objects.get(reporter=cast.chantal).channel == "intern"


def test_vulnerable_groups_are_recorded_characteristics_of_a_person(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    client = login(Client(), cast.anouk)
    client.post(f"/werkvoorraad/{case.pk}/betrokkenen/", {"role": "slachtoffer", "description": "Jonge vrouw",
                                                          "vulnerable_groups": ["lvb", "ongedocumenteerd"]})
    subject = case.subjects.get()
    assert subject.vulnerable_groups == ["lvb", "ongedocumenteerd"]
    cell = re.search(r'data-testid="subject-vulnerable">(.*?)</td>', client.get(f"/werkvoorraad/{case.pk}/").content.decode()).group(1)
    assert cell == "Licht verstandelijke beperking (LVB), Ongedocumenteerd"
    response = client.post(f"/werkvoorraad/{case.pk}/betrokkenen/", {"role": "bedrijf", "name": "Kas BV", "vulnerable_groups": ["sekswerker"]})
    assert response.status_code == 400 and "Een bedrijf hoort niet bij een kwetsbare groep" in response.content.decode()
    assert case.subjects.count() == 1


def test_partner_system_records_vulnerable_groups_of_a_person(cast: Cast) -> None:
    body = {**BODY, "betrokkenen": [{"rol": "slachtoffer", "omschrijving": "Jonge man", "kwetsbareGroepen": ["arbeidsmigrant", "ongedocumenteerd"]}]}
    created = post(Client(), cast.pim_token, body, key="melding-kwetsbaar")
    assert created.status_code == 201, created.content
    subject = Case.objects.get(pk=created.json()["id"]).subjects.get(role="slachtoffer")
    assert subject.vulnerable_groups == ["arbeidsmigrant", "ongedocumenteerd"]
    wrong = post(Client(), cast.pim_token, {**BODY, "betrokkenen": [{"rol": "slachtoffer", "kwetsbareGroepen": ["rijk"]}]}, key="melding-fout")
    assert wrong.status_code == 400 and "kwetsbareGroepen" in wrong.content.decode()
