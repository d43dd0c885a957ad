"""Hit/no-hit on the region's open integral controls and interventions (issue 14 item 2): the case
page says that one runs in gemeente X; the AF asks for contact; the owning municipality's AF is
notified and shares within the profile for municipalities, or declines; both sides are audited.

Two regions: Zoeterwoude's control, Lisse's case (Holland Rijnland); Vlissingen and Breda
(Zeeland-West-Brabant) neither see, ask about nor answer it.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ketenzicht.accounts.models import Organisation
from ketenzicht.audit.models import AuditEvent
from ketenzicht.barriers import contact
from ketenzicht.barriers import services as barriers
from ketenzicht.barriers.models import IntegralControl, WorkContactRequest
from ketenzicht.cases.models import Case
from ketenzicht.core.errors import ServiceError
from ketenzicht.notifications.models import Notification
from tests.support import Cast, login, report_signal

ADDRESS = "Heereweg 10, 2161 BD Lisse"
NOTE = "Tip van de wijkagent over nachtelijk busvervoer"


def _control_in_zoeterwoude(cast: Cast) -> IntegralControl:
    return barriers.control_plan(actor=cast.anouk, data=barriers.ControlInput(
        municipality=cast.zoeterwoude, trigger="risicoanalyse", planned_on=timezone.localdate(), trigger_note=NOTE,
        location_address=ADDRESS, kvk_number="87654321",
        organisations=list(Organisation.objects.filter(slug__in=["gemeente-zoeterwoude", "nla"])),
    ))


def _lisse_case(cast: Cast) -> Case:
    return report_signal(cast.chantal, cast.lisse, description="Nieuwe melding in Lisse.", location_address="heereweg 10 2161bd", kvk_number="87654321")


def _ask(cast: Cast, case: Case, control: IntegralControl) -> tuple[Client, object]:
    client = login(Client(), cast.bram)
    response = client.post(
        reverse("barriers:request_contact", kwargs={"case_id": case.pk}),
        {"target": "controle", "hit": str(control.pk), "question": "Mogen wij aansluiten?"}, follow=True,
    )
    return client, response


def test_lisse_asks_about_zoeterwoudes_control_and_zoeterwoude_shares_within_the_profile(cast: Cast, django_capture_on_commit_callbacks) -> None:
    control = _control_in_zoeterwoude(cast)
    mine = _lisse_case(cast)
    page = login(Client(), cast.bram).get(reverse("cases:detail", kwargs={"case_id": mine.pk})).content.decode()
    assert "Contact vragen aan Zoeterwoude" in page and reverse("barriers:request_contact", kwargs={"case_id": mine.pk}) in page
    assert NOTE not in page and reverse("barriers:control", kwargs={"control_id": control.pk}) not in page

    with django_capture_on_commit_callbacks(execute=True):
        client, response = _ask(cast, mine, control)
    assert "Uw contactverzoek is verstuurd aan de aandachtsfunctionaris van Zoeterwoude." in response.content.decode()
    assert "contact gevraagd" in response.content.decode()
    note = Notification.objects.get(recipient=cast.anouk)
    assert note.title == "Gemeente Lisse vraagt contact over een treffer op uw integrale controle" and note.kind == "treffer"
    assert not Notification.objects.filter(recipient__in=[cast.vera, cast.daan, cast.bram]).exists()
    assert AuditEvent.objects.filter(object_type="case", object_id=str(mine.pk), reason__contains="contactverzoek aan Zoeterwoude").exists()
    assert AuditEvent.objects.filter(object_type="integral_control", object_id=str(control.pk), actor=cast.bram, reason__contains="treffer vanuit Lisse").exists()
    # Asked once: a second request is refused and nothing is added.
    _client, again = _ask(cast, mine, control)
    assert "al om contact gevraagd" in again.content.decode() and WorkContactRequest.objects.count() == 1

    request = WorkContactRequest.objects.get()
    zoeterwoude = login(Client(), cast.anouk)
    answer_url = reverse("barriers:contact_answer", kwargs={"request_id": request.pk})
    assert "Mogen wij aansluiten?" in zoeterwoude.get(answer_url).content.decode()
    # Nothing outside the profile for municipalities; a summary is required; the typed summary stays.
    refused = zoeterwoude.post(answer_url, {"share": "ja", "groups": ["personen"]})
    assert refused.status_code == 400 and "Selecteer een geldige keuze" in refused.content.decode()
    no_summary = zoeterwoude.post(answer_url, {"share": "ja", "groups": ["locatie"]})
    assert no_summary.status_code == 400 and "Schrijf een korte samenvatting" in no_summary.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = zoeterwoude.post(answer_url, {"share": "ja", "groups": ["signaal", "locatie"], "summary": "Controle met de NLA, sluit gerust aan."})
    assert done.status_code == 302
    assert Notification.objects.get(recipient=cast.bram).title == f"Gemeente Zoeterwoude heeft gedeeld over de integrale controle bij {mine.reference}"
    assert AuditEvent.objects.filter(object_type="integral_control", object_id=str(control.pk), actor=cast.anouk, action="share").exists()
    assert AuditEvent.objects.filter(object_type="case", object_id=str(mine.pk), actor=cast.anouk, reason__contains="antwoord van Zoeterwoude").exists()

    answers = client.get(reverse("cases:contact_requests")).content.decode()
    assert "Controle met de NLA, sluit gerust aan." in answers and ADDRESS in answers and "Integrale controle" in answers
    assert "87654321" not in answers and NOTE not in answers  # company not chosen, trigger note never offered
    twice = zoeterwoude.post(answer_url, {"share": "nee", "decline_reason": "x"})
    assert twice.status_code == 400 and "Op dit contactverzoek is al geantwoord." in twice.content.decode()
    assert WorkContactRequest.objects.get().outcome == "gedeeld"


def test_the_other_region_neither_sees_nor_answers_and_a_closed_control_lapses(cast: Cast) -> None:
    control = _control_in_zoeterwoude(cast)
    mine = _lisse_case(cast)
    request = contact.work_contact_request_create(actor=cast.bram, case=mine, target="controle", object_id=control.pk)
    answer_url = reverse("barriers:contact_answer", kwargs={"request_id": request.pk})
    for outsider in (cast.vera, cast.daan):  # AFs of Vlissingen and Breda (Zeeland-West-Brabant)
        with pytest.raises(PermissionDenied):
            contact.work_contact_request_answer(actor=outsider, request=request, share=False, decline_reason="x")
        client = login(Client(), outsider)
        assert client.get(answer_url).status_code == 404
        page = client.get(reverse("cases:contact_requests")).content.decode()
        assert mine.reference not in page and "Geen verzoeken over controles of interventies." in page
        # Their own case on the same keys sees no hit and cannot ask about Zoeterwoude's control.
        theirs = report_signal(outsider, outsider.organisation.municipality, location_address="heereweg 10 2161bd", kvk_number="87654321")
        with pytest.raises(ServiceError, match="loopt niet meer"):
            contact.work_contact_request_create(actor=outsider, case=theirs, target="controle", object_id=control.pk)
    # Lisse's AF may not answer for Zoeterwoude, nor ask on a case of Zoeterwoude.
    with pytest.raises(PermissionDenied):
        contact.work_contact_request_answer(actor=cast.bram, request=request, share=False, decline_reason="x")
    assert login(Client(), cast.bram).get(answer_url).status_code == 403  # the asker knows it exists, may not answer

    # Zoeterwoude declines with a reason: Lisse reads why.
    contact.work_contact_request_answer(actor=cast.anouk, request=request, share=False, decline_reason="Lopend onderzoek")
    assert "Lopend onderzoek" in login(Client(), cast.bram).get(reverse("cases:contact_requests")).content.decode()

    # The control is cancelled: no hit any more, and asking again is refused with nothing saved.
    barriers.control_cancel(actor=cast.anouk, control=control, reason="Niet nodig")
    with pytest.raises(ServiceError, match="loopt niet meer"):
        contact.work_contact_request_create(actor=cast.bram, case=mine, target="controle", object_id=control.pk)
    assert WorkContactRequest.objects.count() == 1
    assert "Er loopt een integrale controle" not in login(Client(), cast.bram).get(reverse("cases:detail", kwargs={"case_id": mine.pk})).content.decode()
