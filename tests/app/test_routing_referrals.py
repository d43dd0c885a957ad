"""Referral lifecycle, the case state machine behind it, the partner inbox, and the meldcode."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from ketenzicht.accounts.models import Organisation
from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases import services as case_services
from ketenzicht.cases.models import Case, CaseEvent
from ketenzicht.cases.services import case_transition
from ketenzicht.core.errors import ServiceError
from ketenzicht.routing import services
from ketenzicht.routing.models import MeldcodeChecklist, Referral, ReferralEvent
from tests.app.test_meetings_support import decide_at_table
from tests.support import Cast, login, make_user, report_signal

pytestmark = pytest.mark.django_db


def _case(cast: Cast) -> Case:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    return case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")


def _shop_referral(cast: Cast, case: Case) -> Referral:
    referral = services.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="shop"), question="Kunt u het slachtoffer opvangen?")
    return services.referral_send(actor=cast.anouk, referral=referral)


def test_full_lifecycle_runs_beside_the_case_and_shows_the_feedback(cast: Cast, django_capture_on_commit_callbacks: object) -> None:
    case = _case(cast)
    referral = services.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="shop"), question="Opvang?")
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        referral = services.referral_send(actor=cast.anouk, referral=referral)
    case.refresh_from_db()
    # Issue 18: a referral is a parallel track; the case keeps its state and its history says so.
    assert case.state == "in_behandeling" and referral.state == "verzonden"
    assert CaseEvent.objects.filter(case=case, kind="doorverwijzing", reason__contains="SHOP").exists()
    # The partner hears there is something in the inbox, and nothing of the case itself.
    assert [m.to for m in mail.outbox] == [[cast.julia.email]]
    assert case.reference not in mail.outbox[0].body

    client = login(Client(), cast.julia)
    assert case.reference in client.get("/partner/").content.decode()
    for action, text in (("ontvangen", ""), ("accepteren", ""), ("afronden", "Intake gedaan; zorgtraject gestart.")):
        response = client.post(f"/partner/{referral.pk}/reactie/", {"action": action, "text": text})
        assert response.status_code == 302, response.content.decode()
    referral.refresh_from_db()
    assert referral.state == "afgerond" and referral.feedback == "Intake gedaan; zorgtraject gestart."
    assert list(ReferralEvent.objects.filter(referral=referral).values_list("to_state", flat=True)) == ["concept", "verzonden", "ontvangen", "geaccepteerd", "afgerond"]
    assert AuditEvent.objects.filter(object_type="doorverwijzing", object_id=str(referral.pk), action="update").count() == 3

    page = login(Client(), cast.anouk).get(f"/werkvoorraad/{case.pk}/").content.decode()
    assert "Intake gedaan; zorgtraject gestart." in page and "Afgerond" in page


def test_rejection_reaches_the_af_with_the_reason_and_the_case_stays_where_it_was(cast: Cast) -> None:
    case = _case(cast)
    referral = _shop_referral(cast, case)
    services.referral_receive(actor=cast.julia, referral=referral)
    client = login(Client(), cast.julia)
    response = client.post(f"/partner/{referral.pk}/reactie/", {"action": "afwijzen", "text": ""})
    assert response.status_code == 400 and "Geef de reden" in response.content.decode()
    client.post(f"/partner/{referral.pk}/reactie/", {"action": "afwijzen", "text": "Geen slachtoffer in onze doelgroep."})
    case.refresh_from_db()
    assert case.state == "in_behandeling"
    assert not CaseEvent.objects.filter(case=case, kind="transition").exclude(action="in_behandeling_nemen").exists()
    rejected = CaseEvent.objects.filter(case=case, kind="doorverwijzing", reason__contains="afwijzen").get()
    assert rejected.actor == cast.julia and "Geen slachtoffer in onze doelgroep." in rejected.reason
    assert "Afgewezen: Geen slachtoffer in onze doelgroep." in login(Client(), cast.anouk).get(f"/werkvoorraad/{case.pk}/").content.decode()


def test_an_open_referral_blocks_closing_until_it_is_withdrawn_and_the_partner_is_told(cast: Cast, django_capture_on_commit_callbacks: object) -> None:
    """Issue 18 probe: the case was closed while a referral was open; the partner accepted a closed case."""
    case = _case(cast)
    first = _shop_referral(cast, case)
    nla = services.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="nla"), question="Arbeid.")
    services.referral_send(actor=cast.anouk, referral=nla)
    services.referral_receive(actor=cast.julia, referral=first)
    services.referral_reject(actor=cast.julia, referral=first, reason="Niet voor ons.")
    # The case goes on the agenda with the referral still open: no need to send it "back" first.
    case = case_transition(actor=cast.anouk, case=case, action="agenderen")
    assert case.state == "geagendeerd"
    case_services.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="Melder anoniem")
    case = decide_at_table(cast.anouk, case, "so_andere_afdeling", "Hoort bij zorg")
    with pytest.raises(ServiceError, match=r"Er loopt nog een doorverwijzing \(Nederlandse Arbeidsinspectie\)"):
        case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="Klaar")
    case.refresh_from_db()
    assert case.state == "overgedragen"
    # Withdrawing needs a reason; the partner's users get a mail without case details.
    ivo = make_user("ivo", "nla", "ketenpartner")
    with pytest.raises(ServiceError, match="waarom"):
        services.referral_withdraw(actor=cast.anouk, referral=nla, reason=" ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        nla = services.referral_withdraw(actor=cast.anouk, referral=nla, reason="Signaal overgedragen aan zorg.")
    assert nla.state == "ingetrokken"
    assert [m.to for m in mail.outbox] == [[ivo.email]] and "ingetrokken" in mail.outbox[0].subject
    assert case.reference not in mail.outbox[0].body
    assert "Signaal overgedragen aan zorg." in ReferralEvent.objects.get(referral=nla, to_state="ingetrokken").note
    closed = case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="Klaar")
    assert closed.state == "afgesloten"
    # A withdrawn referral is finished: the partner can no longer act on it.
    with pytest.raises(ServiceError, match="status 'Ingetrokken'"):
        services.referral_receive(actor=ivo, referral=nla)


def test_withdrawing_from_a_partner_outside_ketenzicht_records_how_they_were_told(cast: Cast) -> None:
    case = _case(cast)
    org = Organisation.objects.get(slug="zvh-hollands-midden")
    referral = services.referral_create(actor=cast.anouk, case=case, organisation=org, question="Casusoverleg?")
    referral = services.referral_send(actor=cast.anouk, referral=referral, method="post", sent_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(ServiceError, match="hoe u de partner over het intrekken heeft ingelicht"):
        services.referral_withdraw(actor=cast.anouk, referral=referral, reason="Niet meer nodig.")
    referral.refresh_from_db()
    assert referral.state == "verzonden"
    referral = services.referral_withdraw(actor=cast.anouk, referral=referral, reason="Niet meer nodig.", partner_told_how="Gebeld op 3 maart")
    assert referral.state == "ingetrokken"
    assert "Gebeld op 3 maart" in ReferralEvent.objects.get(referral=referral, to_state="ingetrokken").note
    assert AuditEvent.objects.filter(object_type="doorverwijzing", object_id=str(referral.pk), reason__contains="ingetrokken").exists()


def test_interim_feedback_keeps_the_referral_accepted_and_reaches_the_af(cast: Cast) -> None:
    case = _case(cast)
    referral = _shop_referral(cast, case)
    with pytest.raises(ServiceError, match="status 'Verzonden'"):
        services.referral_interim_feedback(actor=cast.julia, referral=referral, text="Te vroeg")
    services.referral_receive(actor=cast.julia, referral=referral)
    referral = services.referral_accept(actor=cast.julia, referral=referral)
    with pytest.raises(ServiceError, match="tussentijdse terugkoppeling"):
        services.referral_interim_feedback(actor=cast.julia, referral=referral, text="  ")
    for text in ("Eerste gesprek gevoerd.", "Opvangplek gevonden."):
        referral = services.referral_interim_feedback(actor=cast.julia, referral=referral, text=text)
    referral.refresh_from_db()
    assert referral.state == "geaccepteerd"
    notes = list(ReferralEvent.objects.filter(referral=referral, from_state="geaccepteerd").values_list("to_state", "note"))
    assert notes == [("geaccepteerd", "Eerste gesprek gevoerd."), ("geaccepteerd", "Opvangplek gevonden.")]
    page = login(Client(), cast.anouk).get(f"/werkvoorraad/{case.pk}/").content.decode()
    assert "Opvangplek gevonden." in page
    # The AF cannot give the partner's interim feedback for a partner on the platform.
    with pytest.raises(Exception, match="referral.respond|reageert zelf"):
        services.referral_interim_feedback(actor=cast.anouk, referral=referral, text="Namens SHOP")


def test_sending_is_refused_with_a_clear_error_when_the_case_state_does_not_allow_it(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)  # still 'ontvangen'
    referral = services.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="nla"), question="Arbeid.")
    response = login(Client(), cast.anouk).post(f"/doorverwijzingen/{referral.pk}/verzenden/")
    assert response.status_code == 400
    assert "Neem het signaal eerst in behandeling" in response.content.decode()
    referral.refresh_from_db()
    case.refresh_from_db()
    assert referral.state == "concept" and referral.snapshot is None and case.state == "ontvangen"


def test_steps_out_of_order_are_refused(cast: Cast) -> None:
    referral = _shop_referral(cast, _case(cast))
    with pytest.raises(ServiceError, match="status 'Verzonden'"):
        services.referral_accept(actor=cast.julia, referral=referral)
    with pytest.raises(ServiceError, match="status 'Verzonden'"):
        services.referral_send(actor=cast.anouk, referral=referral)


def test_a_partner_sees_only_referrals_to_its_own_organisation(cast: Cast) -> None:
    case = _case(cast)
    referral = _shop_referral(cast, case)
    concept = services.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="shop"), question="Nog niet verzonden.")
    nla_user = make_user("ivo", "nla", "ketenpartner")
    client = login(Client(), nla_user)
    assert case.reference not in client.get("/partner/").content.decode()
    assert client.get(f"/partner/{referral.pk}/").status_code == 403
    with pytest.raises(Exception, match="referral.respond"):
        services.referral_receive(actor=nla_user, referral=referral)
    # Concepts never reach the partner, not even its own.
    julia = login(Client(), cast.julia)
    assert julia.get(f"/partner/{concept.pk}/").status_code == 404
    assert julia.get("/partner/").content.decode().count(case.reference) == 1


def test_off_platform_partner_af_records_sending_and_answers(cast: Cast) -> None:
    case = _case(cast)
    org = Organisation.objects.get(slug="zvh-hollands-midden")
    assert not org.on_platform
    referral = services.referral_create(actor=cast.anouk, case=case, organisation=org, question="Casusoverleg?")
    client = login(Client(), cast.anouk)
    response = client.post(f"/doorverwijzingen/{referral.pk}/verzenden/", {"method": "", "sent_on": "morgen"})
    html = response.content.decode()
    assert response.status_code == 400 and "Kies hoe het verwijsdocument is verstuurd" in html and "Vul een datum in" in html
    response = client.post(f"/doorverwijzingen/{referral.pk}/verzenden/", {"method": "post", "sent_on": "02-01-2026 09:00"})
    assert response.status_code == 302
    for action, text in (("ontvangen", ""), ("accepteren", ""), ("afronden", "Besproken in het casusoverleg.")):
        assert client.post(f"/doorverwijzingen/{referral.pk}/reactie-partner/", {"action": action, "text": text}).status_code == 302
    referral.refresh_from_db()
    assert referral.state == "afgerond" and referral.send_method == "post"
    assert ReferralEvent.objects.filter(referral=referral, to_state="afgerond").get().actor == cast.anouk


def test_af_cannot_answer_for_a_partner_on_the_platform(cast: Cast) -> None:
    referral = _shop_referral(cast, _case(cast))
    response = login(Client(), cast.anouk).post(f"/doorverwijzingen/{referral.pk}/reactie-partner/", {"action": "ontvangen"})
    assert response.status_code == 400 and "reageert zelf" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == "verzonden"


def test_recipients_are_the_region_organisations_with_a_profile(cast: Cast) -> None:
    case = _case(cast)
    html = login(Client(), cast.anouk).get(f"/werkvoorraad/{case.pk}/doorverwijzen/").content.decode()
    assert "Nederlandse Arbeidsinspectie" in html and "SHOP" in html
    assert "Gemeente Lisse" not in html  # municipalities have no sharing profile
    other_region = Organisation.objects.create(slug="nla-elders", name="Andere regio partner", kind="nla")
    with pytest.raises(services.RoutingError, match="eigen regio"):
        services.referral_create(actor=cast.anouk, case=case, organisation=other_region, question="x")


# --- meldcode -----------------------------------------------------------------------------------


def test_meldcode_decision_only_after_steps_one_to_four(cast: Cast) -> None:
    case = _case(cast)
    client = login(Client(), cast.anouk)
    url = f"/werkvoorraad/{case.pk}/meldcode/"
    response = client.post(url, {"stap_1": "on", "notitie_1": "Signalen genoteerd", "melden": "ja", "hulp_organiseren": "nee", "decision_reason": "Acuut"})
    html = response.content.decode()
    assert response.status_code == 400 and "nog open: stap 2, 3, 4" in html and "Signalen genoteerd" in html
    assert client.post(url, {"stap_1": "on", "stap_2": "on", "notitie_2": "Veilig Thuis geraadpleegd"}).status_code == 302
    checklist = MeldcodeChecklist.objects.get(case=case)
    assert checklist.steps["2"] == {"gedaan": True, "notitie": "Veilig Thuis geraadpleegd"} and checklist.decided_at is None
    data = {f"stap_{n}": "on" for n in (1, 2, 3, 4)} | {"melden": "ja", "hulp_organiseren": "ja", "decision_reason": "Zorgen over veiligheid kind."}
    assert client.post(url, data).status_code == 302
    checklist.refresh_from_db()
    assert checklist.melden is True and checklist.hulp_organiseren is True and checklist.decided_by == cast.anouk
    assert CaseEvent.objects.filter(case=case, kind="meldcode", reason__contains="melden bij Veilig Thuis").exists()
    assert "Besluit: melden bij Veilig Thuis" in client.get(f"/werkvoorraad/{case.pk}/").content.decode()
    with pytest.raises(services.RoutingError, match="niet meer gewijzigd"):
        services.meldcode_save(actor=cast.anouk, case=case, data=services.MeldcodeInput(done={1}, notes={}))


def test_meldcode_needs_both_decision_questions(cast: Cast) -> None:
    case = _case(cast)
    data = {f"stap_{n}": "on" for n in (1, 2, 3, 4)} | {"melden": "nee", "decision_reason": "x"}
    response = login(Client(), cast.anouk).post(f"/werkvoorraad/{case.pk}/meldcode/", data)
    assert response.status_code == 400 and "beide vragen" in response.content.decode()
