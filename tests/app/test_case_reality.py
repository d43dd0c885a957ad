"""The case file follows reality (issue 16 item 4).

Reclassify form, minor and acute danger with a reason (history row; the monitor recounts own
signals at once); assign to a colleague AF of the same municipality; a question to an anonymous
public reporter who reads and answers it with their receipt code, the AF being notified; a
closed case reopened with a reason. Lisse's AF (bram) changes nothing of Zoeterwoude's.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.test import Client

from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases import services
from ketenzicht.cases.models import Case, ReporterQuestion
from ketenzicht.intake import public_services
from ketenzicht.intake.public_services import PublicReport, public_report_submit
from ketenzicht.monitor.models import OWN_SIGNALS, MonitorCount
from ketenzicht.notifications.models import Notification
from tests.support import Cast, login, make_user, report_signal


def _page(case: Case) -> str:
    return f"/werkvoorraad/{case.pk}/"


def _public(cast: Cast, language: str = "nl") -> tuple[Case, str]:
    report = PublicReport(form_key=public_services.new_form_key(), municipality=cast.zoeterwoude, description="Mensen slapen in de loods.",
                          location_address="Industrieweg 4", forms=["onbekend"], language=language)
    receipt = public_report_submit(report=report, status_url="http://testserver/melden/status/")
    return Case.objects.get(receipt_hash=public_services.receipt_hash(receipt.code)), receipt.code


def _own_counts(form: str) -> int:
    return MonitorCount.objects.filter(source__slug=OWN_SIGNALS, form=form).aggregate(n=Sum("n"))["n"] or 0


@pytest.mark.django_db(transaction=True)
def test_reclassify_with_reason_writes_history_and_the_monitor_recounts(cast: Cast) -> None:
    from ketenzicht.monitor.sources import ensure_default_sources

    ensure_default_sources()
    case = report_signal(cast.chantal, cast.zoeterwoude, forms=["onbekend"])
    from ketenzicht.monitor.services import counts_refresh

    counts_refresh()  # the nightly refresh counted the signal as 'onbekend'
    onbekend_before = _own_counts("onbekend")
    assert onbekend_before >= 1
    client = login(Client(), cast.anouk)
    response = client.post(_page(case) + "herclassificeren/", {"vormen": ["arbeid"], "minor_involved": "ja", "acute_danger": "on",
                                                               "reason": "Gesprek met de melder: het gaat om een 16-jarige in de kas."})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.forms == ["arbeid"] and case.form_arbeid and not case.form_onbekend
    assert case.minor_involved == "ja" and case.acute_danger
    event = case.events.get(kind="geherclassificeerd")
    assert event.reason == ("vorm: Onbekend → Arbeidsuitbuiting; minderjarige betrokken: Weet ik niet → Ja; acuut gevaar: nee → ja. "
                            "Reden: Gesprek met de melder: het gaat om een 16-jarige in de kas.")
    assert event.actor == cast.anouk
    audit = AuditEvent.objects.filter(object_id=str(case.pk), action="update", actor=cast.anouk).latest("pk")
    assert set(audit.fields) == {"vorm", "minderjarige", "acuut gevaar"}
    # the monitor counted the signal as 'onbekend' before, as 'arbeid' and minor now
    assert _own_counts("onbekend") == onbekend_before - 1
    assert MonitorCount.objects.filter(source__slug=OWN_SIGNALS, form="arbeid", age_group="minderjarig", municipality=cast.zoeterwoude).exists()
    # the queue follows: the row shows the new form and flags
    row = client.get("/werkvoorraad/", {"weergave": "alle"}).content.decode()
    assert "Arbeidsuitbuiting" in row and "acuut gevaar" in row


def test_reclassify_without_reason_is_refused_and_keeps_the_input(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude, forms=["onbekend"])
    response = login(Client(), cast.anouk).post(_page(case) + "herclassificeren/", {"vormen": ["crimineel"], "minor_involved": "nee", "reason": ""})
    text = response.content.decode()
    assert response.status_code == 400
    assert "Geef een reden voor de wijziging." in text
    assert 'value="crimineel" id="herclassificeren_vormen_2" checked' in text
    case.refresh_from_db()
    assert case.forms == ["onbekend"] and not case.events.filter(kind="geherclassificeerd").exists()


def test_another_municipality_cannot_reclassify_assign_or_ask(cast: Cast) -> None:
    case, _ = _public(cast)
    client = login(Client(), cast.bram)
    for path, data in [("herclassificeren/", {"vormen": ["arbeid"], "minor_involved": "nee", "reason": "x"}),
                       ("behandelaar/", {"behandelaar": cast.bram.pk}), ("vraag-aan-melder/", {"question": "Wanneer?"})]:
        assert client.post(_page(case) + path, data).status_code in (403, 404)
    with pytest.raises(PermissionDenied):
        services.case_reclassify(actor=cast.bram, case=case, forms=["arbeid"], minor_involved="nee", acute_danger=False, reason="x")
    case.refresh_from_db()
    assert case.forms == ["onbekend"] and case.assigned_to_id is None and not ReporterQuestion.objects.exists()


def test_assign_to_a_colleague_of_the_same_municipality_only(cast: Cast) -> None:
    colleague = make_user("dirk", "gemeente-zoeterwoude", "aandachtsfunctionaris")
    case = report_signal(cast.chantal, cast.zoeterwoude)
    client = login(Client(), cast.anouk)
    page = client.get(_page(case)).content.decode()
    assert "Dirk Test" in page and "Bram Test" not in page
    response = client.post(_page(case) + "behandelaar/", {"behandelaar": colleague.pk}, follow=True)
    assert "Het signaal is toegewezen aan Dirk Test." in response.content.decode()
    assert Case.objects.get(pk=case.pk).assigned_to == colleague
    assert case.events.filter(kind="toegewezen", reason="Toegewezen aan Dirk Test").count() == 1
    client.post(_page(case) + "behandelaar/", {"behandelaar": colleague.pk})  # a repeat changes nothing
    assert case.events.filter(kind="toegewezen").count() == 1
    response = client.post(_page(case) + "behandelaar/", {"behandelaar": cast.bram.pk})
    assert response.status_code == 400 and "Kies een collega uit de lijst." in response.content.decode()
    assert Case.objects.get(pk=case.pk).assigned_to == colleague


def test_closed_case_reopened_with_a_reason(cast: Cast) -> None:
    case = services.case_transition(actor=cast.anouk, case=report_signal(cast.chantal, cast.zoeterwoude), action="in_behandeling_nemen")
    services.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="Anonieme melding")
    case = services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="Geen aanwijzingen")
    client = login(Client(), cast.anouk)
    assert "Heropenen" in client.get(_page(case)).content.decode()
    response = client.post(_page(case) + "status/", {"action": "heropenen", "reason": ""})
    assert response.status_code == 400 and Case.objects.get(pk=case.pk).state == "afgesloten"
    client.post(_page(case) + "status/", {"action": "heropenen", "reason": "Nieuwe melding over hetzelfde adres"})
    case.refresh_from_db()
    assert case.state == "in_behandeling" and case.closed_at is None
    assert case.events.filter(kind="transition", action="heropenen", reason="Nieuwe melding over hetzelfde adres").exists()


@pytest.mark.django_db(transaction=True)
def test_question_to_the_anonymous_reporter_answered_with_the_code_notifies_the_af(cast: Cast) -> None:
    case, code = _public(cast, language="pl")
    client = login(Client(), cast.anouk)
    client.post(_page(case) + "vraag-aan-melder/", {"question": "Hoeveel mensen zag u?"})
    client.post(_page(case) + "vraag-aan-melder/", {"question": "Hoeveel mensen zag u?"})  # a repeated POST asks once
    question = ReporterQuestion.objects.get(case=case)
    public = Client()
    status = public.post("/melden/status/", {"code": code}, HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Hoeveel mensen zag u?" in status
    public.post("/melden/status/antwoord/", {"code": code, "question": question.pk, "answer": "Około dziesięciu osób."})
    public.post("/melden/status/antwoord/", {"code": code, "question": question.pk, "answer": "Dwadzieścia."})  # the first answer stays
    question.refresh_from_db()
    assert question.answer == "Około dziesięciu osób." and question.answered_at is not None
    [note] = Notification.objects.filter(recipient=cast.anouk, kind="melder_antwoord")
    assert case.reference in note.title and "dziesięciu" not in note.title
    page = client.get(note.link).content.decode()
    assert "Około dziesięciu osób." in page
    # a wrong code answers nothing
    response = public.post("/melden/status/antwoord/", {"code": "AAAA-BBBB-CCCC-DDDD", "question": question.pk, "answer": "x"})
    assert response.status_code in (200, 400) and ReporterQuestion.objects.get(pk=question.pk).answer == "Około dziesięciu osób."


def test_question_needs_a_receipt_code_and_text(cast: Cast) -> None:
    internal = report_signal(cast.chantal, cast.zoeterwoude)
    client = login(Client(), cast.anouk)
    response = client.post(_page(internal) + "vraag-aan-melder/", {"question": "Wanneer was dit?"})
    text = response.content.decode()
    assert response.status_code == 400 and "geen ontvangstcode" in text
    assert not ReporterQuestion.objects.exists()
    public_case, _ = _public(cast)
    response = client.post(_page(public_case) + "vraag-aan-melder/", {"question": "  "})
    assert response.status_code == 400 and "Schrijf uw vraag aan de melder." in response.content.decode()


def test_a_repeated_reclassification_records_once(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude, forms=["onbekend"])
    client = login(Client(), cast.anouk)
    data = {"vormen": ["seksueel"], "minor_involved": "nee", "reason": "Politie bevestigt prostitutie."}
    client.post(_page(case) + "herclassificeren/", data)
    response = client.post(_page(case) + "herclassificeren/", data, follow=True)  # refreshed or sent twice
    assert "Er is niets gewijzigd" in response.content.decode()
    assert case.events.filter(kind="geherclassificeerd").count() == 1
    assert Case.objects.get(pk=case.pk).forms == ["seksueel"]
