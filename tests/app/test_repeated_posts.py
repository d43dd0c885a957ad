"""Repeated POSTs store nothing twice (issue 16 item 7): a refreshed "dank u voor uw aanvulling"
page, a decision sent twice from the table."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from ketenzicht.cases.models import CaseEvent, ReporterAddition
from ketenzicht.meetings.models import Decision
from tests.app.test_meetings_support import matrix_item
from tests.app.test_public_status import ADDITION, _report
from tests.support import Cast, login


def test_refreshing_the_thank_you_page_stores_the_addition_once(cast: Cast) -> None:
    case, code = _report(cast)
    client = Client()
    text = "Er staat nu ook een witte bus voor de deur."
    first = client.post(ADDITION, {"code": code, "text": text})
    again = client.post(ADDITION, {"code": code, "text": text})  # the browser's "resend the form?"
    assert first.status_code == again.status_code == 200
    assert "Dank u voor uw aanvulling" in again.content.decode()
    assert ReporterAddition.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="aanvulling").count() == 1
    # Something new is a new addition.
    client.post(ADDITION, {"code": code, "text": "De bus heeft een Pools kenteken."})
    assert ReporterAddition.objects.filter(case=case).count() == 2


def test_a_decision_posted_twice_is_recorded_once(cast: Cast) -> None:
    item = matrix_item({"cast": cast})
    client = login(Client(), cast.anouk)
    url = reverse("meetings:decide", kwargs={"item_id": item.pk})
    data = {"outcome": "so_niet_bevestigd", "rationale": "Geen aanwijzingen gevonden."}
    first = client.post(url, data)
    second = client.post(url, data, follow=True)
    assert first.status_code == 302
    assert Decision.objects.filter(item=item).count() == 1
    assert "Over dit agendapunt is al besloten." in second.content.decode()
