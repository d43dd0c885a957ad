"""The tables as a chair and a participant use them: agenda, decisions, minutes, need-to-know."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from ketenzicht.accounts.models import Organisation
from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases.models import CaseEvent
from ketenzicht.core import policy
from ketenzicht.meetings import services
from ketenzicht.meetings.models import Decision, MinutesCorrection
from tests.app.test_meetings_support import make_meeting, ready_case
from tests.support import Cast, login

MONDAY = date(2026, 3, 2)


@pytest.fixture
def sitting(cast: Cast):  # noqa: ANN201 - fixture
    meeting = make_meeting(cast)
    for description in ("Eerste signaal", "Tweede signaal", "Derde signaal"):
        ready_case(cast, description=description)
    return services.sitting_plan(actor=cast.anouk, meeting=meeting, today=MONDAY)


def test_planning_proposes_ready_cases_on_the_scheduled_day(sitting, cast: Cast) -> None:
    assert sitting.date == date(2026, 3, 3)  # weekly on Tuesday
    assert [i.case.description for i in sitting.items.order_by("position")] == ["Eerste signaal", "Tweede signaal", "Derde signaal"]
    # A second sitting does not take cases that wait on the first one's agenda.
    second = services.sitting_plan(actor=cast.anouk, meeting=sitting.meeting, today=MONDAY)
    assert second.date == date(2026, 3, 10) and second.items.count() == 0


def test_chair_orders_agenda_without_js_and_with_htmx(sitting, cast: Cast) -> None:
    client = login(Client(), cast.anouk)
    third = sitting.items.order_by("position").last()
    response = client.post(reverse("meetings:agenda_move", args=[third.pk]), {"richting": "up"})
    assert response.status_code == 302
    response = client.post(reverse("meetings:agenda_move", args=[third.pk]), {"richting": "up"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b'id="kz-agenda"' in response.content and b"<html" not in response.content
    assert [i.case.description for i in sitting.items.order_by("position")] == ["Derde signaal", "Eerste signaal", "Tweede signaal"]


def test_decision_moves_case_through_state_machine_with_audit(sitting, cast: Cast) -> None:
    item = sitting.items.order_by("position").first()
    police = Organisation.objects.get(slug="politie-den-haag-avim")
    decision = services.decision_record(
        actor=cast.anouk, item=item, action="so_integrale_controle", rationale="Sterke aanwijzingen.",
        action_items=[services.ActionItemInput(description="Controle plannen", owner_organisation=police, owner=cast.esra)],
    )
    item.case.refresh_from_db()
    assert item.case.state == "integrale_controle"
    event = CaseEvent.objects.filter(case=item.case, kind="transition").last()
    assert event.action == "so_integrale_controle" and "Sterke aanwijzingen." in event.reason
    assert decision.feedback_due is not None and decision.action_items.get().due_date > date.today()
    assert AuditEvent.objects.filter(object_type="decision", object_id=str(decision.pk)).exists()
    with pytest.raises(services.MeetingError, match="al besloten"):
        services.decision_record(actor=cast.anouk, item=item, action="so_niet_bevestigd", rationale="x")


def test_a_refused_transition_leaves_no_decision(sitting, cast: Cast) -> None:
    item = sitting.items.first()
    with pytest.raises(services.MeetingError, match="past niet"):
        services.decision_record(actor=cast.anouk, item=item, action="loo_interventie", rationale="Verkeerde tafel.")
    with pytest.raises(services.MeetingError, match="welke informatie"):
        services.decision_record(actor=cast.anouk, item=item, action="so_meer_informatie", rationale="Nog onduidelijk.")
    assert not Decision.objects.exists()
    item.case.refresh_from_db()
    assert item.case.state == "geagendeerd"


def test_participant_cannot_decide(sitting, cast: Cast) -> None:
    client = login(Client(), cast.esra)
    item = sitting.items.first()
    response = client.post(reverse("meetings:decide", args=[item.pk]), {"outcome": "so_niet_bevestigd", "rationale": "nee"})
    assert response.status_code == 403
    item.case.refresh_from_db()
    assert item.case.state == "geagendeerd"


def test_decide_form_keeps_input_and_says_what_to_fix(sitting, cast: Cast) -> None:
    client = login(Client(), cast.anouk)
    item = sitting.items.first()
    response = client.post(reverse("meetings:decide", args=[item.pk]), {"outcome": "so_meer_informatie", "rationale": "Meer weten"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Geef aan welke informatie nodig is." in text and "Meer weten" in text


def test_police_participant_does_not_see_the_reporter(sitting, cast: Cast) -> None:
    assert "melder" not in policy.meeting_field_groups(cast.esra, sitting)
    chair = login(Client(), cast.anouk).get(reverse("meetings:sitting", args=[sitting.pk])).content.decode()
    police = login(Client(), cast.esra).get(reverse("meetings:sitting", args=[sitting.pk])).content.decode()
    assert 'data-testid="group-melder"' in chair and "Gemeente Zoeterwoude" in chair
    assert 'data-testid="group-melder"' not in police and "Chantal" not in police
    assert "Eerste signaal" in police  # the signal itself is shared with the police
    assert "Melder" in police  # ... and they are told what is withheld
    # Every read at the table is audited with the groups shown.
    audit = AuditEvent.objects.filter(actor=cast.esra, object_type="case").first()
    assert "melder" not in audit.fields and "signaal" in audit.fields


def test_organisation_without_profile_sees_no_items(cast: Cast) -> None:
    meeting = make_meeting(cast, orgs=("gemeente-zoeterwoude", "politie-den-haag-avim", "districtscoordinatie-leiden-bollenstreek"))
    ready_case(cast)
    sitting = services.sitting_plan(actor=cast.anouk, meeting=meeting, today=MONDAY)
    from ketenzicht.accounts.models import UserRole

    UserRole.objects.create(user=cast.fleur, role="overlegdeelnemer")
    meeting.members.add(cast.fleur)
    fleur = type(cast.fleur).objects.get(pk=cast.fleur.pk)
    page = login(Client(), fleur).get(reverse("meetings:sitting", args=[sitting.pk])).content.decode()
    assert "1 agendapunt is niet zichtbaar" in page and "Signaal KZ-" not in page


def test_agenda_pdf_for_police_omits_reporter(sitting, cast: Cast) -> None:
    response = login(Client(), cast.esra).get(reverse("meetings:agenda_pdf", args=[sitting.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert "agenda-signalenoverleg-20260303.pdf" in response["Content-Disposition"]
    from django.template.loader import render_to_string

    from ketenzicht.meetings import selectors

    items, hidden = selectors.agenda_for(cast.esra, sitting)
    html = render_to_string("meetings/print.html", {"sitting": sitting, "meeting": sitting.meeting, "items": items, "hidden": hidden, "user": cast.esra})
    assert "Gemeld door" not in html and "Eerste signaal" in html and "Niet opgenomen voor uw organisatie" in html


def test_minutes_are_immutable_after_finalising_and_corrections_append(sitting, cast: Cast) -> None:
    items = list(sitting.items.order_by("position"))
    services.decision_record(actor=cast.anouk, item=items[0], action="so_niet_bevestigd", rationale="Geen aanwijzingen.")
    client = login(Client(), cast.anouk)
    page = client.get(reverse("meetings:minutes", args=[sitting.pk])).content.decode()
    assert "Geen aanwijzingen." in page and "Concept" in page
    client.post(reverse("meetings:minutes_finalise", args=[sitting.pk]))
    sitting.refresh_from_db()
    assert sitting.finalised
    with pytest.raises(services.MeetingError, match="vastgesteld"):
        services.decision_record(actor=cast.anouk, item=items[1], action="so_niet_bevestigd", rationale="Te laat.")
    decision = Decision.objects.get()
    decision.rationale = "Anders"
    with pytest.raises(ValueError):
        decision.save()
    response = client.post(reverse("meetings:minutes_correct", args=[sitting.pk]), {"text": ""})
    assert response.status_code == 400 and "Schrijf de correctie." in response.content.decode()
    client.post(reverse("meetings:minutes_correct", args=[sitting.pk]), {"text": "Punt 1: ook de wijkagent was aanwezig."})
    assert MinutesCorrection.objects.get().text.startswith("Punt 1")
    pdf = client.get(reverse("meetings:minutes_pdf", args=[sitting.pk]))
    assert pdf.content.startswith(b"%PDF")


def test_meeting_form_refuses_member_of_non_participating_org(cast: Cast) -> None:
    services.meeting_kinds_sync("den-haag")
    client = login(Client(), cast.anouk)
    gemeente = Organisation.objects.get(slug="gemeente-zoeterwoude")
    from ketenzicht.meetings.models import MeetingKind

    data = {
        "kind": MeetingKind.objects.get(slug="signalenoverleg").pk, "name": "Signalenoverleg Zoeterwoude",
        "interval_weeks": 2, "weekday": 1, "start_time": "10:00", "first_date": "2026-03-03",
        "organisations": [gemeente.pk], "members": [cast.esra.pk],
    }
    response = client.post(reverse("meetings:create"), data)
    assert response.status_code == 400
    assert "niet aan dit overleg deelneemt" in response.content.decode() and "Signalenoverleg Zoeterwoude" in response.content.decode()
    data["organisations"].append(Organisation.objects.get(slug="politie-den-haag-avim").pk)
    response = client.post(reverse("meetings:create"), data)
    assert response.status_code == 302


def test_throughput_exact_for_the_af_and_the_release_for_the_ketenregisseur(sitting, cast: Cast) -> None:
    items = list(sitting.items.order_by("position"))
    services.decision_record(actor=cast.anouk, item=items[0], action="so_niet_bevestigd", rationale="Geen aanwijzingen.")
    services.decision_record(actor=cast.anouk, item=items[1], action="naar_loo", rationale="Sterk signaal.")
    af = login(Client(), cast.anouk).get(reverse("meetings:throughput")).content.decode()
    assert "3 signalen ontvangen" in af
    assert "Signalenoverleg: niet bevestigd</th><td class=\"utrecht-table__cell\">1<" in af
    # The ketenregisseur has no own municipality: the regional figures are the monitor's release
    # (tests/app/test_monitor_throughput.py), never this live page.
    regional = login(Client(), cast.fleur).get(reverse("meetings:throughput"))
    assert regional.status_code == 302 and regional["Location"] == reverse("monitor:throughput")
    text = login(Client(), cast.fleur).get(regional["Location"]).content.decode()
    assert "Er zijn nog geen cijfers vrijgegeven" in text and "3 signalen ontvangen" not in text


def test_throughput_period_must_be_valid(cast: Cast) -> None:
    response = login(Client(), cast.anouk).get(reverse("meetings:throughput"), {"van": "2026-05-01", "tot": "2026-01-01"})
    assert response.status_code == 400 and "Kies een einddatum na de begindatum." in response.content.decode()
