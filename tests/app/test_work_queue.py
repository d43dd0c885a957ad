"""The AF's work queue tells what each signal is (issue 16 item 3).

Per row: a summary line, the form, flags (acute, minor, transferred, partner answered), age and
deadline; search over reference, address, company and person (audited as a read of personal
data; one character is refused); sorting; paging without a cap; saved filters per user; bulk
assignment to a colleague AF of the same municipality. Lisse's AF (bram) never sees Zoeterwoude's.
"""

from __future__ import annotations

import re

from django.test import Client

from ketenzicht.accounts.models import Municipality
from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases import services
from ketenzicht.cases.models import Case, SavedQueueFilter
from tests.support import Cast, login, make_user, report_signal

QUEUE = "/werkvoorraad/"


def _rows(response) -> list[str]:
    return re.findall(r'data-testid="queue-row">(.*?)</tr>', response.content.decode(), re.S)


def test_each_row_tells_summary_form_flags_age_and_deadline(cast: Cast) -> None:
    report_signal(cast.chantal, cast.zoeterwoude, description="Meisje van 15 werkt 's nachts in de nagelstudio.\nTweede regel.",
                  forms=["seksueel"], minor_involved="ja", acute_danger=True, location_address="Dorpsstraat 9, 2381 AB Zoeterwoude")
    page = login(Client(), cast.anouk).get(QUEUE, {"weergave": "alle"})
    [row] = _rows(page)
    assert "Meisje van 15 werkt" in row
    assert "Dorpsstraat 9" in row
    assert "Seksuele uitbuiting" in row
    assert "acuut gevaar" in row and "minderjarige" in row
    assert "vandaag" in row  # age
    assert re.search(r"\d{1,2} \w+ 20\d\d", row)  # the first-assessment deadline, a Dutch date


def test_transferred_and_partner_answered_are_flagged(cast: Cast) -> None:
    from ketenzicht.accounts.models import Organisation
    from ketenzicht.routing import services as routing

    hillegom = Municipality.objects.get(cbs_code="GM0534")
    forwarded = report_signal(cast.chantal, hillegom, description="Doorgestuurd signaal")
    services.case_forward_unrouted(actor=cast.hanna, case=forwarded, municipality=cast.zoeterwoude, reason="Hoort bij Zoeterwoude")
    answered = services.case_transition(actor=cast.anouk, case=report_signal(cast.chantal, cast.zoeterwoude, description="Beantwoord signaal"), action="in_behandeling_nemen")
    referral = routing.referral_create(actor=cast.anouk, case=answered, organisation=Organisation.objects.get(slug="shop"), question="Kunt u contact opnemen?")
    referral = routing.referral_send(actor=cast.anouk, referral=referral)
    routing.referral_accept(actor=cast.julia, referral=routing.referral_receive(actor=cast.julia, referral=referral))
    report_signal(cast.chantal, cast.zoeterwoude, description="Gewoon signaal")
    rows = {re.search(r"(Doorgestuurd|Beantwoord|Gewoon) signaal", r).group(1): r for r in _rows(login(Client(), cast.anouk).get(QUEUE, {"weergave": "alle"}))}
    assert "overgedragen" in rows["Doorgestuurd"] and "partner heeft geantwoord" not in rows["Doorgestuurd"]
    assert "partner heeft geantwoord" in rows["Beantwoord"] and "overgedragen" not in rows["Beantwoord"]
    assert "overgedragen" not in rows["Gewoon"] and "partner heeft geantwoord" not in rows["Gewoon"]


def test_search_by_address_company_person_and_reference_is_audited(cast: Cast) -> None:
    by_address = report_signal(cast.chantal, cast.zoeterwoude, description="Adres", location_address="Kerkstraat 12, 2381 AC Zoeterwoude")
    by_company = report_signal(cast.chantal, cast.zoeterwoude, description="Bedrijf", company_name="Schoonmaak Snel BV")
    by_person = report_signal(cast.chantal, cast.zoeterwoude, description="Persoon",
                              subjects=[services.SubjectInput(role="dader", name="Piet Uitbuiter")])
    other = report_signal(cast.bram, cast.lisse, description="Lisse", location_address="Kerkstraat 12, 2161 AB Lisse")
    client = login(Client(), cast.anouk)
    for term, expected in [("kerkstraat", by_address), ("2381ac 12", by_address), ("snel", by_company), ("uitbuiter", by_person),
                           (by_person.reference, by_person)]:
        text = client.get(QUEUE, {"weergave": "alle", "zoek": term}).content.decode()
        assert expected.reference in text, term
        assert other.reference not in text  # Lisse's signal on a Kerkstraat 12 is not Zoeterwoude's
        found = {c.reference for c in (by_address, by_company, by_person) if c.reference in text}
        assert found == {expected.reference}, term
    audited = AuditEvent.objects.filter(actor=cast.anouk, object_type="case", reason="zoeken in de werkvoorraad")
    assert set(audited.values_list("object_label", flat=True)) == {by_address.reference, by_company.reference, by_person.reference}
    assert not AuditEvent.objects.filter(object_label=other.reference, actor=cast.anouk).exists()
    # bram (Lisse) finds his own signal, never Zoeterwoude's
    text = login(Client(), cast.bram).get(QUEUE, {"weergave": "alle", "zoek": "kerkstraat"}).content.decode()
    assert other.reference in text and by_address.reference not in text


def test_one_character_search_is_refused_and_kept(cast: Cast) -> None:
    report_signal(cast.chantal, cast.zoeterwoude)
    response = login(Client(), cast.anouk).get(QUEUE, {"weergave": "alle", "zoek": "k"})
    text = response.content.decode()
    assert "Zoek op ten minste 2 tekens." in text
    assert 'value="k"' in text  # what was typed stays in the box
    assert not AuditEvent.objects.filter(reason__startswith="zoeken in de werkvoorraad").exists()


def test_paging_has_no_cap_and_sorting_orders(cast: Cast) -> None:
    cases = [report_signal(cast.chantal, cast.zoeterwoude, description=f"Signaal nummer {i}") for i in range(27)]
    client = login(Client(), cast.anouk)
    first = client.get(QUEUE, {"weergave": "alle", "sorteer": "kenmerk"}).content.decode()
    second = client.get(QUEUE, {"weergave": "alle", "sorteer": "kenmerk", "pagina": "2"}).content.decode()
    assert "27 signalen" in first and "pagina 1 van 2" in first
    assert cases[0].reference in first and cases[26].reference not in first
    assert cases[26].reference in second and cases[0].reference not in second
    assert "sorteer=kenmerk" in first  # the next page keeps the order and filters
    newest = client.get(QUEUE, {"weergave": "alle", "sorteer": "nieuwste"}).content.decode()
    assert cases[26].reference in newest and cases[0].reference not in newest


def test_saved_filters_are_per_user_without_search_terms(cast: Cast) -> None:
    client = login(Client(), cast.anouk)
    client.post("/werkvoorraad/filters/", {"name": "Arbeid met minderjarige", "terug": "weergave=alle&form=arbeid&minor=ja&zoek=Piet"})
    saved = SavedQueueFilter.objects.get(user=cast.anouk)
    assert saved.query == {"weergave": "alle", "form": "arbeid", "minor": "ja"}  # no search term kept
    page = client.get(QUEUE).content.decode()
    assert "Arbeid met minderjarige" in page and "form=arbeid" in page
    assert "Arbeid met minderjarige" not in login(Client(), cast.bram).get(QUEUE).content.decode()
    client.post("/werkvoorraad/filters/", {"verwijderen": str(saved.pk)})
    assert not SavedQueueFilter.objects.exists()
    # bram cannot remove anouk's filter
    client.post("/werkvoorraad/filters/", {"name": "Mijn filter", "terug": "weergave=mijn"})
    login(Client(), cast.bram).post("/werkvoorraad/filters/", {"verwijderen": str(SavedQueueFilter.objects.get().pk)})
    assert SavedQueueFilter.objects.filter(user=cast.anouk).count() == 1


def test_bulk_assign_to_a_colleague_of_the_same_municipality(cast: Cast) -> None:
    colleague = make_user("dirk", "gemeente-zoeterwoude", "aandachtsfunctionaris")
    a, b, c = (report_signal(cast.chantal, cast.zoeterwoude) for _ in range(3))
    lisse_case = report_signal(cast.bram, cast.lisse)
    client = login(Client(), cast.anouk)
    response = client.post("/werkvoorraad/toewijzen/", {"behandelaar": colleague.pk, "signalen": [str(a.pk), str(b.pk), str(lisse_case.pk)]}, follow=True)
    assert "2 signalen zijn toegewezen." in response.content.decode()
    assert {x.assigned_to_id for x in Case.objects.filter(pk__in=[a.pk, b.pk])} == {colleague.pk}
    assert Case.objects.get(pk=c.pk).assigned_to_id is None
    assert Case.objects.get(pk=lisse_case.pk).assigned_to_id is None  # another municipality's case is not touched
    assert a.events.filter(kind="toegewezen", reason="Toegewezen aan Dirk Test").exists()
    # bram (Lisse) cannot be chosen: he is not a colleague of Zoeterwoude
    response = client.post("/werkvoorraad/toewijzen/", {"behandelaar": cast.bram.pk, "signalen": [str(c.pk)]}, follow=True)
    assert "Kies een collega" in response.content.decode()
    assert Case.objects.get(pk=c.pk).assigned_to_id is None
    # nothing ticked: a clear message, nothing changes
    response = client.post("/werkvoorraad/toewijzen/", {"behandelaar": colleague.pk}, follow=True)
    assert "Kies ten minste één signaal." in response.content.decode()


def _closed(cast: Cast) -> Case:
    case = services.case_transition(actor=cast.anouk, case=report_signal(cast.chantal, cast.zoeterwoude), action="in_behandeling_nemen")
    services.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="Anonieme melding zonder contactgegevens")
    return services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="Geen aanwijzingen gevonden")


def test_bulk_assign_is_all_or_nothing(cast: Cast) -> None:
    colleague = make_user("dirk", "gemeente-zoeterwoude", "aandachtsfunctionaris")
    open_case = report_signal(cast.chantal, cast.zoeterwoude)
    closed = _closed(cast)
    client = login(Client(), cast.anouk)
    response = client.post("/werkvoorraad/toewijzen/", {"behandelaar": colleague.pk, "signalen": [str(open_case.pk), str(closed.pk)]}, follow=True)
    text = response.content.decode()
    assert "Er is niets toegewezen." in text and closed.reference in text
    assert Case.objects.get(pk=open_case.pk).assigned_to_id is None


def _send_to_shop(cast: Cast, case: Case) -> None:
    from ketenzicht.accounts.models import Organisation
    from ketenzicht.routing import services as routing

    case = services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    referral = routing.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="shop"),
                                       question="Wilt u contact opnemen met de jonge vrouw?\nZe spreekt Pools.")
    routing.referral_send(actor=cast.anouk, referral=referral)


def test_partner_inbox_tells_municipality_contact_and_question(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    _send_to_shop(cast, case)
    cast.anouk.email = "anouk@zoeterwoude.example"
    cast.anouk.save()
    client = login(Client(), cast.julia)
    text = client.get(_inbox_url()).content.decode()
    [row] = re.findall(r'data-testid="inbox-row">(.*?)</tr>', text, re.S)
    assert case.reference in row and "Zoeterwoude" in row
    assert "Anouk Test" in row and "anouk@zoeterwoude.example" in row
    assert "Wilt u contact opnemen" in row
    assert "Veel wisselende arbeidsmigranten" not in text  # the case's own text is not the partner's to see
    assert case.reference in client.get(_inbox_url(), {"zoek": "zoeterw"}).content.decode()
    assert case.reference not in client.get(_inbox_url(), {"zoek": "lisse"}).content.decode()
    refused = client.get(_inbox_url(), {"zoek": "z"}).content.decode()
    assert "Zoek op ten minste 2 tekens." in refused and case.reference in refused


def _inbox_url() -> str:
    from django.urls import reverse

    return reverse("routing:partner_inbox")


def test_own_reports_show_the_first_line_and_search(cast: Cast) -> None:
    first = report_signal(cast.chantal, cast.zoeterwoude, description="\nBusje met arbeiders om vijf uur 's ochtends.\nDetails volgen.")
    second = report_signal(cast.chantal, cast.zoeterwoude, description="Jongen verkoopt drugs voor een oudere man.")
    not_hers = report_signal(cast.anouk, cast.zoeterwoude, description="Busje van een ander")
    client = login(Client(), cast.chantal)
    text = client.get(_own_url()).content.decode()
    lines = re.findall(r'data-testid="own-report-first-line">(.*?)</td>', text, re.S)
    assert "Busje met arbeiders om vijf uur &#x27;s ochtends." in lines
    assert not any("Details volgen" in line for line in lines)
    found = client.get(_own_url(), {"zoek": "busje"}).content.decode()
    assert first.reference in found and second.reference not in found and not_hers.reference not in found
    assert "Zoek op ten minste 2 tekens." in client.get(_own_url(), {"zoek": "b"}).content.decode()


def _own_url() -> str:
    from django.urls import reverse

    return reverse("intake:own_reports")


def test_the_waiting_tab_holds_cases_waiting_for_a_partner_or_a_table_of_the_own_municipality(cast: Cast) -> None:
    from datetime import date

    from ketenzicht.accounts.models import Organisation
    from ketenzicht.cases.selectors import queue_counts
    from ketenzicht.routing import services as routing

    with_partner = report_signal(cast.chantal, cast.zoeterwoude, description="Bij de partner")
    _send_to_shop(cast, with_partner)
    concept = services.case_transition(actor=cast.anouk, case=report_signal(cast.chantal, cast.zoeterwoude, description="Nog een concept"), action="in_behandeling_nemen")
    routing.referral_create(actor=cast.anouk, case=concept, organisation=Organisation.objects.get(slug="shop"), question="Nog niet verstuurd")
    on_agenda = report_signal(cast.chantal, cast.zoeterwoude, description="Op de agenda")
    report_signal(cast.chantal, cast.zoeterwoude, description="Nog niet bekeken")
    elsewhere = report_signal(cast.mila, cast.vlissingen, description="In Vlissingen op de agenda")
    # Put on a table's agenda (the meetings' own path is tested there); the queue only reads the state.
    Case.objects.filter(pk__in=[on_agenda.pk, elsewhere.pk]).update(state="geagendeerd")

    rows = _rows(login(Client(), cast.anouk).get(QUEUE, {"weergave": "wachtend"}))
    assert sorted(re.search(r"(Bij de partner|Nog een concept|Op de agenda|Nog niet bekeken|In Vlissingen)", r).group(1) for r in rows) == [
        "Bij de partner", "Op de agenda"]
    assert queue_counts(cast.anouk, date.today())["wachtend"] == 2
    assert queue_counts(cast.vera, date.today())["wachtend"] == 1
    assert len(_rows(login(Client(), cast.vera).get(QUEUE, {"weergave": "wachtend"}))) == 1
