"""The case file: intake, the only way to change state, enrichment, history, audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases import selectors, services
from ketenzicht.cases.models import Case, CaseEvent, Subject
from ketenzicht.core.errors import ServiceError
from tests.app.test_meetings_support import decide_at_table
from tests.support import Cast, login, report_signal


def test_intake_sets_reference_deadline_and_history(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    assert case.reference.startswith("KZ-") and case.state == "ontvangen"
    assert case.first_assessment_due is not None and case.first_assessment_due > case.created_at.date()
    assert list(case.events.values_list("kind", flat=True)) == ["intake"]
    assert AuditEvent.objects.filter(object_id=str(case.pk), action="create").count() == 1


@pytest.mark.parametrize("language", ["en", "uk", "nl"])
def test_the_intakes_history_line_is_dutch_whatever_language_the_sender_reads(cast: Cast, language: str) -> None:
    """The history is the AF's record: an English public form wrote "Ontvangen via Public report form"."""
    from django.utils import translation

    made = []
    with translation.override(language):
        for municipality, channel in ((cast.zoeterwoude, "publiek"), (cast.vlissingen, "partner")):
            data = services.SignalInput(municipality=municipality, channel=channel, description="Busjes om vijf uur.", location_address="Dorpsstraat 3")
            made.append(services.case_create(actor=None, data=data)[0])
    reasons = [CaseEvent.objects.get(case=case, kind="intake").reason for case in made]
    assert reasons == ["Ontvangen via Openbaar meldformulier", "Ontvangen via Ketenpartner"]
    assert Case.objects.get(pk=made[1].pk).municipality == cast.vlissingen


def test_references_are_unique_and_sequential(cast: Cast) -> None:
    first = report_signal(cast.chantal, cast.zoeterwoude)
    second = report_signal(cast.chantal, cast.zoeterwoude)
    assert int(second.reference[-6:]) == int(first.reference[-6:]) + 1


def test_same_intake_key_returns_first_case(cast: Cast) -> None:
    data = services.SignalInput(municipality=cast.zoeterwoude, description="x", intake_key="k1")
    first, created = services.case_create(actor=cast.chantal, data=data)
    again, created_again = services.case_create(actor=cast.chantal, data=data)
    assert created and not created_again and first.pk == again.pk
    assert Case.objects.count() == 1


def test_onbekend_next_to_known_form_is_dropped(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude, forms=["onbekend", "arbeid", "seksueel"])
    assert case.forms == ["arbeid", "seksueel"] and case.form_arbeid and not case.form_onbekend


def test_unknown_form_is_refused(cast: Cast) -> None:
    with pytest.raises(services.CaseError, match="Onbekende vorm"):
        report_signal(cast.chantal, cast.zoeterwoude, forms=["mensensmokkel"])
    assert Case.objects.count() == 0


def test_transition_writes_history_and_audit_and_assigns(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    case = services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    assert case.state == "in_behandeling" and case.assigned_to == cast.anouk
    event = case.events.get(kind="transition")
    assert (event.from_state, event.to_state, event.actor_label) == ("ontvangen", "in_behandeling", "anouk")
    assert event.organisation.slug == "gemeente-zoeterwoude"
    assert AuditEvent.objects.filter(object_id=str(case.pk), action="transition").exists()


def test_forbidden_transition_changes_nothing(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    with pytest.raises(ServiceError, match="kan niet: het signaal heeft de status 'Ontvangen'"):
        services.case_transition(actor=cast.anouk, case=case, action="loo_interventie", reason="x")
    with pytest.raises(ServiceError, match="kan niet: het signaal heeft de status 'Ontvangen'"):
        services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="x")
    case.refresh_from_db()
    assert case.state == "ontvangen" and not case.events.filter(kind="transition").exists()


def test_table_outcomes_cannot_be_taken_on_the_case_page_or_through_the_api(cast: Cast, client) -> None:  # noqa: ANN001
    """Issue 18 probe: posting `so_niet_bevestigd` to the case page closed the signal without a meeting."""
    case = report_signal(cast.chantal, cast.zoeterwoude)
    for action in ("in_behandeling_nemen", "agenderen"):
        case = services.case_transition(actor=cast.anouk, case=case, action=action)
    with pytest.raises(ServiceError, match="besluit van het signalenoverleg; leg het daar vast"):
        services.case_transition(actor=cast.anouk, case=case, action="so_niet_bevestigd", reason="geen aanwijzingen")
    login(client, cast.anouk)
    page = client.post(reverse("cases:transition", args=[case.pk]), {"action": "so_niet_bevestigd", "reason": "geen aanwijzingen"})
    assert "besluit van het signalenoverleg" in page.content.decode()
    api = client.post(f"/api/v1/signalen/{case.pk}/transities", {"stap": "so_niet_bevestigd", "toelichting": "x"}, content_type="application/json")
    assert api.status_code == 409 and api["Content-Type"].startswith("application/problem+json")
    assert "signalenoverleg" in api.json()["detail"]
    case.refresh_from_db()
    assert case.state == "geagendeerd" and not case.events.filter(action="so_niet_bevestigd").exists()
    # At the table itself the same outcome is taken, with the table's decision as its context.
    case = decide_at_table(cast.anouk, case, "so_niet_bevestigd", "Geen aanwijzingen")
    assert case.state == "niet_bevestigd"


def test_af_of_other_municipality_cannot_transition(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    with pytest.raises(PermissionDenied):
        services.case_transition(actor=cast.bram, case=case, action="in_behandeling_nemen")


def test_closing_requires_feedback_or_reason(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    for action in ("in_behandeling_nemen", "agenderen"):
        case = services.case_transition(actor=cast.anouk, case=case, action=action)
    case = decide_at_table(cast.anouk, case, "so_niet_bevestigd", "Geen aanwijzingen")
    with pytest.raises(ServiceError, match="terugkoppeling"):
        services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="klaar")
    services.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="Melder is anoniem")
    case = services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="klaar")
    assert case.state == "afgesloten" and case.closed_at is not None


def test_database_refuses_closed_case_without_feedback(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(state="afgesloten")


def test_feedback_needs_exactly_one_of_message_or_reason(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    with pytest.raises(services.CaseError):
        services.case_record_feedback(actor=cast.anouk, case=case)
    with pytest.raises(services.CaseError):
        services.case_record_feedback(actor=cast.anouk, case=case, message="a", impossible_reason="b")


def test_history_is_append_only(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    event = CaseEvent.objects.get(case=case)
    event.reason = "herschreven"
    with pytest.raises(ValueError):
        event.save()


def test_audit_rows_cannot_be_changed_or_deleted(cast: Cast) -> None:
    report_signal(cast.chantal, cast.zoeterwoude)
    row = AuditEvent.objects.first()
    with pytest.raises(Exception, match="nooit"):
        row.delete()
    row.reason = "x"
    with pytest.raises(Exception, match="nooit"):
        row.save()


def test_enrichment_records_which_fields_changed(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    case = services.case_enrich(actor=cast.anouk, case=case, changes={"kvk_number": "1234 5678", "earlier_sanctions": "Dwangsom 2025"})
    assert case.kvk_number == "12345678"
    audit = AuditEvent.objects.filter(object_id=str(case.pk), action="update").get()
    assert set(audit.fields) == {"kvk_number", "earlier_sanctions"}
    assert "Dwangsom" not in str(audit.fields) + audit.reason  # field names only, never values


def test_related_signals_found_by_address_company_and_person(cast: Cast) -> None:
    first = report_signal(cast.chantal, cast.zoeterwoude, location_address="Dorpsstraat 3, 2381 AB Zoeterwoude")
    services.subject_add(actor=cast.anouk, case=first, subject=services.SubjectInput(role="slachtoffer", name="Anna Nowak", birth_date=date(1999, 4, 2)))
    by_company = report_signal(cast.chantal, cast.zoeterwoude, location_address="", kvk_number="11112222")
    second = report_signal(cast.chantal, cast.zoeterwoude, location_address="2381ab  3", kvk_number="11112222")
    services.subject_add(actor=cast.anouk, case=second, subject=services.SubjectInput(role="slachtoffer", name="Nowak Anna", birth_date=date(1999, 4, 2)))
    elsewhere = report_signal(cast.chantal, cast.lisse, location_address="Dorpsstraat 3, 2381 AB Zoeterwoude")
    related = dict(selectors.related_cases(second))
    assert set(related) == {first, by_company}
    assert "zelfde adres" in related[first] and "zelfde persoon (naam en geboortedatum)" in related[first]
    assert related[by_company] == ["zelfde bedrijf (KvK)"]
    assert elsewhere not in related  # another municipality's case is never shown


def test_viewing_a_case_is_audited(client, cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    login(client, cast.anouk)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    view = AuditEvent.objects.get(object_id=str(case.pk), action="view")
    assert view.actor == cast.anouk and view.organisation.slug == "gemeente-zoeterwoude"


def test_queue_filters_and_overdue(client, cast: Cast) -> None:
    late = report_signal(cast.chantal, cast.zoeterwoude, forms=["seksueel"])
    Case.objects.filter(pk=late.pk).update(first_assessment_due=date.today() - timedelta(days=2))
    fresh = report_signal(cast.chantal, cast.zoeterwoude, forms=["arbeid"])
    other = report_signal(cast.chantal, cast.lisse)
    login(client, cast.anouk)
    page = client.get(reverse("cases:queue")).content.decode()
    assert late.reference in page and fresh.reference in page and other.reference not in page
    assert "te laat" in page
    overdue = client.get(reverse("cases:queue"), {"weergave": "te_laat"}).content.decode()
    assert late.reference in overdue and fresh.reference not in overdue
    by_form = client.get(reverse("cases:queue"), {"weergave": "alle", "form": "arbeid"}).content.decode()
    assert fresh.reference in by_form and late.reference not in by_form


def test_queue_queries_do_not_grow_with_cases(client, cast: Cast, django_assert_max_num_queries) -> None:
    for _ in range(15):
        report_signal(cast.chantal, cast.zoeterwoude)
    login(client, cast.anouk)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("cases:queue"), {"weergave": "alle"}).status_code == 200


def test_subject_form_requires_something_to_identify(client, cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    login(client, cast.anouk)
    response = client.post(reverse("cases:add_subject", args=[case.pk]), {"role": "slachtoffer", "nationality": "Pools"})
    assert response.status_code == 400
    assert "Vul een naam, omschrijving of KvK-nummer in" in response.content.decode()
    assert 'value="Pools"' in response.content.decode()  # what was typed is kept
    assert not Subject.objects.filter(case=case).exists()
