"""The reporter's status page and additions: only what the code holder may see."""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases import services
from ketenzicht.cases.models import Case, CaseEvent, ReporterAddition
from ketenzicht.intake import public_services
from ketenzicht.intake.public_services import PublicReport, public_report_submit
from tests.app.test_meetings_support import decide_at_table
from tests.support import Cast, login

STATUS = "/melden/status/"
ADDITION = "/melden/status/aanvulling/"
SECRET_DETAIL = "Jan de Vries uit de Dorpsstraat"


def _report(cast: Cast, **overrides: Any) -> tuple[Case, str]:
    report = PublicReport(
        form_key=public_services.new_form_key(),
        municipality=overrides.pop("municipality", cast.zoeterwoude),
        description=f"{SECRET_DETAIL} laat mensen werken zonder loon.",
        location_address="Dorpsstraat 3",
        forms=["arbeid"],
        **overrides,
    )
    receipt = public_report_submit(report=report, status_url="http://testserver/melden/status/")
    return Case.objects.get(receipt_hash=public_services.receipt_hash(receipt.code)), receipt.code


def _shown_status(response: Any) -> str:
    match = re.search(r'data-testid="public-status">(.*?)</p>', response.content.decode(), re.S)
    assert match, "the result page shows a status"
    return match.group(1).strip()


def test_status_shows_progress_and_feedback_never_case_details(client: Client, cast: Cast) -> None:
    case, code = _report(cast)
    page = client.post(STATUS, {"code": code})
    assert _shown_status(page) == "Uw melding is ontvangen. De gemeente gaat ermee aan de slag."
    body = page.content.decode()
    assert SECRET_DETAIL not in body and case.reference not in body and "Dorpsstraat" not in body
    assert code not in page.request.get("QUERY_STRING", "")

    case = services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    assert _shown_status(client.post(STATUS, {"code": code})) == "De gemeente is met uw melding bezig."
    case = services.case_transition(actor=cast.anouk, case=case, action="agenderen")
    case = decide_at_table(cast.anouk, case, "so_niet_bevestigd", "Geen aanwijzingen bij controle van Jan de Vries.")
    services.case_record_feedback(actor=cast.anouk, case=case, message="Dank u. We hebben uw melding onderzocht.")
    services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="Afgerond")
    final = client.post(STATUS, {"code": code.lower().replace("-", " ")})  # case and separators do not matter
    assert _shown_status(final) == "De gemeente heeft uw melding afgerond."
    assert "We hebben uw melding onderzocht." in final.content.decode()
    assert "Jan de Vries" not in final.content.decode() and "niet bevestigd" not in final.content.decode().lower()


def test_malformed_and_unknown_codes_look_the_same(client: Client, cast: Cast) -> None:
    _report(cast)
    unknown = client.post(STATUS, {"code": public_services.random_receipt_code()})
    malformed = client.post(STATUS, {"code": "hallo-dit-is-geen-code"})
    assert unknown.status_code == malformed.status_code == 200

    def strip(response: Any) -> str:
        # Only the token and the echoed input may differ.
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return re.sub(r'name="code" value="[^"]*"', "", text)

    assert strip(unknown) == strip(malformed)
    assert "Met deze code vonden we geen melding" in strip(unknown)


def test_lookup_does_the_same_work_for_every_code(cast: Cast) -> None:
    _case, code = _report(cast)
    counts = []
    for candidate in (code, public_services.random_receipt_code(), "???", ""):
        with CaptureQueriesContext(connection) as queries:
            public_services._case_for_code(candidate)
        counts.append([q["sql"].split("WHERE")[0] for q in queries.captured_queries])
    assert counts[0] == counts[1] == counts[2] == counts[3] and len(counts[0]) == 1


def test_status_code_is_never_accepted_from_the_query_string(client: Client, cast: Cast) -> None:
    _case, code = _report(cast)
    page = client.get(STATUS, {"code": code})
    assert "data-testid=\"public-status\"" not in page.content.decode()


def test_reporter_adds_information_and_the_af_sees_it(client: Client, cast: Cast) -> None:
    case, code = _report(cast)
    done = client.post(ADDITION, {"code": code, "text": "Er staat nu ook een witte bus voor de deur."})
    assert done.status_code == 200 and "Dank u voor uw aanvulling" in done.content.decode()
    addition = ReporterAddition.objects.get(case=case)
    assert addition.text == "Er staat nu ook een witte bus voor de deur."
    assert CaseEvent.objects.filter(case=case, kind="aanvulling").count() == 1
    assert AuditEvent.objects.filter(object_type="reporter_addition", object_id=str(addition.pk), action="create").exists()
    page = login(Client(), cast.anouk).get(f"/werkvoorraad/{case.pk}/").content.decode()
    assert "Aanvullingen van de melder" in page and "witte bus" in page


def test_empty_addition_is_refused_with_a_clear_message(client: Client, cast: Cast) -> None:
    case, code = _report(cast)
    response = client.post(ADDITION, {"code": code, "text": "  "})
    assert response.status_code == 400 and "Schrijf wat u wilt toevoegen." in response.content.decode()
    assert not ReporterAddition.objects.filter(case=case).exists()


def test_addition_with_a_wrong_code_stores_nothing(client: Client, cast: Cast) -> None:
    _report(cast)
    response = client.post(ADDITION, {"code": public_services.random_receipt_code(), "text": "Iets"})
    assert "Met deze code vonden we geen melding" in response.content.decode()
    assert ReporterAddition.objects.count() == 0


def test_no_additions_after_closure(client: Client, cast: Cast) -> None:
    case, code = _report(cast)
    case = services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    case = services.case_transition(actor=cast.anouk, case=case, action="agenderen")
    case = decide_at_table(cast.anouk, case, "so_niet_bevestigd", "Geen aanwijzingen")
    services.case_record_feedback(actor=cast.anouk, case=case, message="Dank u.")
    services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="Afgerond")
    page = client.post(STATUS, {"code": code}).content.decode()
    assert "aanvullen kan niet meer" in page and 'name="text"' not in page
    response = client.post(ADDITION, {"code": code, "text": "Nog iets"})
    assert "aanvullen kan niet meer" in response.content.decode()
    assert ReporterAddition.objects.count() == 0


def test_af_chooses_a_stock_feedback_text_in_the_reporters_language(cast: Cast) -> None:
    case, _code = _report(cast, language="pl")
    af = login(Client(), cast.anouk)
    page = af.get(f"/werkvoorraad/{case.pk}/", {"sjabloon": "niet_bevestigd"}).content.decode()
    assert "Dziękujemy za zgłoszenie." in page  # prefilled in Polish
    assert "Standaardtekst" in page and "Afgerond (algemeen)" in page
    dutch_case, _ = _report(cast)
    page = af.get(f"/werkvoorraad/{dutch_case.pk}/", {"sjabloon": "interventie"}).content.decode()
    assert "hebben de gemeente en haar partners actie ondernomen" in page
    # Recording goes through the usual feedback service.
    af.post(f"/werkvoorraad/{case.pk}/terugkoppeling/", {"message": "Dziękujemy za zgłoszenie.", "impossible_reason": ""})
    case.refresh_from_db()
    assert case.feedback_message == "Dziękujemy za zgłoszenie." and case.feedback_at is not None


def test_feedback_templates_have_all_seven_languages() -> None:
    from ketenzicht.intake.templatetags.public_feedback import feedback_templates

    templates = feedback_templates()
    assert {t.key for t in templates} >= {"niet_bevestigd", "doorverwezen", "interventie", "afgerond_algemeen"}
    for template in templates:
        assert set(template.texts) == {"nl", "en", "pl", "bg", "ro", "uk", "ru"}, template.key
        assert all(len(text) > 40 for text in template.texts.values())
        assert len(set(template.texts.values())) == 7  # really translated, not copied
