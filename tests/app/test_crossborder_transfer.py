"""Transfer to another municipality (issue 14 item 1): a transition of the case machine.

The case moves to the receiving municipality with its history; the receiving AF finds it in the
queue as a transferred signal and is notified; the sending municipality keeps only the trace;
the reporter's receipt code keeps working. Refusals change nothing.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from ketenzicht.accounts.models import Municipality
from ketenzicht.audit.models import AuditAction, AuditEvent
from ketenzicht.cases import services
from ketenzicht.cases.models import Case, CaseEvent, CaseTransfer
from ketenzicht.core.errors import TransitionRefused
from ketenzicht.intake import public_services
from ketenzicht.intake.public_services import PublicReport, public_report_submit
from ketenzicht.notifications.models import Notification
from tests.app.test_meetings_support import ready_case
from tests.support import Cast, login, report_signal

SECRET = "Jan de Vries laat twaalf mensen slapen in de schuur."
REASON = "De woning ligt in Lisse; de melder noemde de verkeerde gemeente."


def _taken_in(cast: Cast) -> Case:
    case = report_signal(cast.chantal, cast.zoeterwoude, description=SECRET, location_address="Heereweg 10, 2161 BD Lisse")
    return services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")


def test_a_transfer_moves_the_case_with_its_history_and_leaves_only_a_trace(cast: Cast, django_capture_on_commit_callbacks) -> None:
    case = _taken_in(cast)
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.case_transfer(actor=cast.anouk, case=case, to=cast.lisse, reason=REASON)
    moved.refresh_from_db()
    assert (moved.municipality_id, moved.state, moved.assigned_to_id) == (cast.lisse.pk, "ontvangen", None)
    assert moved.reference == case.reference and moved.description == SECRET

    step = CaseEvent.objects.get(case=moved, action="overdragen")
    assert (step.from_state, step.to_state, step.actor_id) == ("in_behandeling", "ontvangen", cast.anouk.pk)
    assert step.reason == f"Overgedragen van Zoeterwoude aan Lisse: {REASON}"
    # The history up to the transfer travels with the case.
    assert list(moved.events.values_list("kind", flat=True)) == ["intake", "transition", "transition"]
    trace = CaseTransfer.objects.get(case=moved)
    assert (trace.reference, trace.from_municipality_id, trace.to_municipality_id, trace.reason, trace.by_id) == (
        case.reference, cast.zoeterwoude.pk, cast.lisse.pk, REASON, cast.anouk.pk,
    )
    audit = AuditEvent.objects.get(object_id=str(moved.pk), action=AuditAction.TRANSITION, reason__contains="overgedragen")
    assert "Lisse" in audit.reason and audit.actor_id == cast.anouk.pk

    # Lisse's AF is told, with the reference and the sender but nothing of the contents.
    note = Notification.objects.get(recipient=cast.bram)
    assert note.title == f"Signaal {case.reference} overgedragen door gemeente Zoeterwoude"
    assert not Notification.objects.filter(recipient=cast.anouk).exists()

    # The sender no longer reads it, nor works on it.
    with pytest.raises(PermissionDenied):
        services.case_transition(actor=cast.anouk, case=moved, action="in_behandeling_nemen")
    # The receiver does.
    services.case_transition(actor=cast.bram, case=moved, action="in_behandeling_nemen")


def test_the_receiving_queue_marks_it_and_the_sender_sees_only_the_trace(cast: Cast) -> None:
    case = _taken_in(cast)
    services.case_transfer(actor=cast.anouk, case=case, to=cast.lisse, reason=REASON)
    bram, anouk = login(Client(), cast.bram), login(Client(), cast.anouk)

    queue = bram.get(reverse("cases:queue")).content.decode()
    assert case.reference in queue and "overgedragen door Zoeterwoude" in queue
    detail = bram.get(reverse("cases:detail", kwargs={"case_id": case.pk})).content.decode()
    assert SECRET in detail and "Overgedragen door gemeente Zoeterwoude" in detail and REASON in detail

    assert case.reference not in anouk.get(reverse("cases:queue") + "?weergave=alle").content.decode()
    assert anouk.get(reverse("cases:detail", kwargs={"case_id": case.pk})).status_code == 403
    trace = anouk.get(reverse("cases:transfers"))
    body = trace.content.decode()
    assert trace.status_code == 200 and case.reference in body and "Lisse" in body and REASON in body
    assert SECRET not in body and "Heereweg" not in body
    # Lisse's own trace page is empty: it handed nothing on.
    assert case.reference not in bram.get(reverse("cases:transfers")).content.decode()


def test_the_transfer_through_the_case_page_and_its_refusals_keep_what_was_typed(cast: Cast) -> None:
    case = _taken_in(cast)
    anouk = login(Client(), cast.anouk)
    url = reverse("cases:transition", kwargs={"case_id": case.pk})
    page = anouk.get(reverse("cases:detail", kwargs={"case_id": case.pk})).content.decode()
    assert f'<option value="{cast.lisse.pk}">Lisse</option>' in page
    assert f'<option value="{cast.zoeterwoude.pk}"' not in page  # not to itself

    hillegom = Municipality.objects.get(cbs_code="GM0534")  # in the region, not on the platform
    refused = anouk.post(url, {"action": "overdragen", "transfer_to": hillegom.pk, "reason": "Typed reason"})
    body = refused.content.decode()
    assert refused.status_code == 400 and "Hillegom werkt niet met Ketenzicht" in body and "Typed reason" in body
    no_reason = anouk.post(url, {"action": "overdragen", "transfer_to": cast.lisse.pk, "reason": " "})
    assert no_reason.status_code == 400 and "Geef een toelichting" in no_reason.content.decode()
    no_choice = anouk.post(url, {"action": "overdragen", "transfer_to": "", "reason": REASON})
    assert "Kies de gemeente waaraan u het signaal overdraagt." in no_choice.content.decode()
    case.refresh_from_db()
    assert case.municipality_id == cast.zoeterwoude.pk and case.state == "in_behandeling"
    assert not CaseTransfer.objects.exists()

    done = anouk.post(url, {"action": "overdragen", "transfer_to": cast.lisse.pk, "reason": REASON})
    assert done.status_code == 302 and done["Location"] == reverse("cases:transfers")
    case.refresh_from_db()
    assert case.municipality_id == cast.lisse.pk


def test_refused_transfers_say_why_in_dutch_and_change_nothing(cast: Cast) -> None:
    case = _taken_in(cast)
    leiden = Municipality.objects.get(cbs_code="GM0546")  # on the platform, but without an AF
    on_table = ready_case(cast)
    refusals = [
        (case, cast.zoeterwoude, "hoort al bij uw gemeente"),
        (case, Municipality.objects.get(cbs_code="GM0534"), "Hillegom werkt niet met Ketenzicht"),
        (case, leiden, "Leiden werkt niet met Ketenzicht"),
        (on_table, cast.lisse, "status 'Geagendeerd voor signalenoverleg'"),
    ]
    for subject, to, message in refusals:
        with pytest.raises(TransitionRefused, match=message):
            services.case_transfer(actor=cast.anouk, case=subject, to=to, reason=REASON)
    with pytest.raises(TransitionRefused, match="Geef een toelichting"):
        services.case_transfer(actor=cast.anouk, case=case, to=cast.lisse, reason="")
    # Lisse's AF cannot take Zoeterwoude's case by "transferring" it to Lisse.
    with pytest.raises(PermissionDenied):
        services.case_transfer(actor=cast.bram, case=case, to=cast.lisse, reason=REASON)
    for subject, state in ((case, "in_behandeling"), (on_table, "geagendeerd")):
        subject.refresh_from_db()
        assert (subject.municipality_id, subject.state) == (cast.zoeterwoude.pk, state)
    assert not CaseTransfer.objects.exists()
    assert not CaseEvent.objects.filter(action="overdragen").exists()


def test_the_reporter_keeps_following_a_transferred_report(cast: Cast, client: Client) -> None:
    report = PublicReport(
        form_key=public_services.new_form_key(), municipality=cast.zoeterwoude,
        description=SECRET, location_address="Heereweg 10", forms=["arbeid"],
    )
    receipt = public_report_submit(report=report, status_url="http://testserver/melden/status/")
    case = Case.objects.get(receipt_hash=public_services.receipt_hash(receipt.code))
    case = services.case_transfer(actor=cast.anouk, case=case, to=cast.lisse, reason=REASON)
    status = client.post("/melden/status/", {"code": receipt.code}).content.decode()
    assert "Uw melding is ontvangen." in status and "Lisse" not in status and "Zoeterwoude" not in status

    case = services.case_transition(actor=cast.bram, case=case, action="in_behandeling_nemen")
    services.case_record_feedback(actor=cast.bram, case=case, message="Gemeente Lisse heeft uw melding opgepakt.")
    assert "Gemeente Lisse heeft uw melding opgepakt." in client.post("/melden/status/", {"code": receipt.code}).content.decode()
    addition = client.post("/melden/status/aanvulling/", {"code": receipt.code, "text": "Er kwam vannacht een busje."})
    assert addition.status_code in (200, 302)
    assert case.additions.get().text == "Er kwam vannacht een busje."


def test_a_transfer_to_another_region_reaches_only_that_municipality(cast: Cast, django_capture_on_commit_callbacks) -> None:
    """Zoeterwoude (eenheid Den Haag) → Vlissingen (Zeeland-West-Brabant): on the platform, so allowed."""
    case = _taken_in(cast)
    in_breda = report_signal(cast.daan, cast.breda, location_address="Grote Markt 1, 4811 XS Breda")
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.case_transfer(actor=cast.anouk, case=case, to=cast.vlissingen, reason="De betrokkenen wonen in Vlissingen.")
    assert moved.municipality_id == cast.vlissingen.pk
    assert Notification.objects.filter(recipient=cast.vera).count() == 1
    assert not Notification.objects.filter(recipient__in=[cast.daan, cast.bram]).exists()
    vera, daan, anouk = (login(Client(), u) for u in (cast.vera, cast.daan, cast.anouk))
    assert case.reference in vera.get(reverse("cases:queue")).content.decode()
    assert vera.get(reverse("cases:detail", kwargs={"case_id": case.pk})).status_code == 200
    # Breda's AF (same region as Vlissingen) and the sender see nothing of it; Breda's own case stays Breda's.
    assert daan.get(reverse("cases:detail", kwargs={"case_id": case.pk})).status_code == 403
    assert case.reference not in daan.get(reverse("cases:queue") + "?weergave=alle").content.decode()
    assert anouk.get(reverse("cases:detail", kwargs={"case_id": case.pk})).status_code == 403
    # Vlissingen cannot hand Breda's case on, nor Zoeterwoude Vlissingen's.
    with pytest.raises(PermissionDenied):
        services.case_transfer(actor=cast.vera, case=in_breda, to=cast.vlissingen, reason="x")
    with pytest.raises(PermissionDenied):
        services.case_transfer(actor=cast.anouk, case=moved, to=cast.zoeterwoude, reason="terug")
    assert case.reference not in vera.get(reverse("cases:transfers")).content.decode()
    assert case.reference in anouk.get(reverse("cases:transfers")).content.decode()
