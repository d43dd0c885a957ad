"""Hit/no-hit across the region (issue 14 item 2): the AF sees only that a signal exists elsewhere.

Address, company (KvK or name) and person (name rules of the linkage, with the birth date) are
matched in the other municipalities of the region; asking for contact notifies the other AF, who
shares within the profile for municipalities or declines; both sides are audited.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from ketenzicht.audit.models import AuditEvent
from ketenzicht.cases import contact, selectors, services
from ketenzicht.cases.models import Case, ContactRequest
from ketenzicht.cases.services import CaseError
from ketenzicht.notifications.models import Notification
from tests.support import Cast, login, report_signal

SECRET = "Mevrouw Jansen hoorde 's nachts geschreeuw; er staan twee busjes met Poolse kentekens."
ADDRESS = "Heereweg 10, 2161 BD Lisse"


def _closed_in_zoeterwoude(cast: Cast, **overrides: object) -> Case:
    case = report_signal(cast.chantal, cast.zoeterwoude, description=SECRET, **overrides)
    case = services.case_transition(actor=cast.anouk, case=case, action="in_behandeling_nemen")
    services.case_record_feedback(actor=cast.anouk, case=case, impossible_reason="Anoniem gemeld")
    return services.case_transition(actor=cast.anouk, case=case, action="afsluiten", reason="Geen aanwijzingen")


def _lisse_case(cast: Cast, **overrides: object) -> Case:
    overrides.setdefault("location_address", "heereweg 10 2161bd")
    return report_signal(cast.chantal, cast.lisse, description="Nieuwe melding in Lisse.", **overrides)


def test_an_address_hit_shows_only_municipality_year_and_state(cast: Cast) -> None:
    earlier = _closed_in_zoeterwoude(cast, location_address=ADDRESS, company_name="Bollenkwekerij De Tulp B.V.")
    mine = _lisse_case(cast)
    [hit] = selectors.region_hits(mine)
    assert (hit.municipality, hit.year, hit.open, hit.matched_on) == ("Zoeterwoude", earlier.created_at.year, False, ["adres"])

    page = login(Client(), cast.bram).get(reverse("cases:detail", kwargs={"case_id": mine.pk})).content.decode()
    page = page.replace('placeholder="KZ-2026-000001"', "")  # the merge form's example reference
    assert f"Er is een eerder signaal in gemeente Zoeterwoude ({earlier.created_at.year}, afgesloten)." in page
    # Nothing of the other case: no reference, no description, no company, no link to it.
    assert earlier.reference not in page and "Jansen" not in page and "Tulp" not in page
    assert reverse("cases:detail", kwargs={"case_id": earlier.pk}) not in page
    # No hit within the own municipality's list of another region's data, and none for an unrelated case.
    assert selectors.region_hits(_lisse_case(cast, location_address="Kanaalstraat 1, 2161 JA Lisse")) == []


def test_company_and_person_match_with_the_linkage_name_rules(cast: Cast) -> None:
    born = date(1988, 4, 12)
    _closed_in_zoeterwoude(
        cast, location_address="Elders 1, 2381 AA Zoeterwoude", company_name="Uitzendbureau De Bollen B.V.",
        subjects=[services.SubjectInput(role="dader", name="Pieter van der Berg", birth_date=born)],
    )
    by_name = _lisse_case(cast, location_address="", company_name="uitzendbureau de bollen")
    assert [h.matched_on for h in selectors.region_hits(by_name)] == [["bedrijf"]]
    person = _lisse_case(cast, location_address="", subjects=[services.SubjectInput(role="dader", name="Berg, v.d. Pieterr", birth_date=born)])
    assert [h.matched_on for h in selectors.region_hits(person)] == [["persoon"]]
    other_birthday = _lisse_case(cast, location_address="", subjects=[services.SubjectInput(role="dader", name="Pieter van der Berg", birth_date=date(1988, 4, 13))])
    assert selectors.region_hits(other_birthday) == []


def test_contact_request_notifies_the_other_af_who_shares_within_the_profile(cast: Cast, django_capture_on_commit_callbacks) -> None:
    earlier = _closed_in_zoeterwoude(cast, location_address=ADDRESS)
    mine = _lisse_case(cast)
    with django_capture_on_commit_callbacks(execute=True):
        request = contact.contact_request_create(actor=cast.bram, case=mine, other_case_id=earlier.pk, question="Kent u dit adres?")
    note = Notification.objects.get(recipient=cast.anouk)
    assert note.title == f"Gemeente Lisse vraagt contact over een treffer op signaal {earlier.reference}" and note.kind == "treffer"
    assert AuditEvent.objects.filter(object_id=str(mine.pk), reason__contains="contactverzoek aan Zoeterwoude").exists()
    assert AuditEvent.objects.filter(object_id=str(earlier.pk), actor=cast.bram, reason__contains="treffer vanuit Lisse").exists()
    with pytest.raises(CaseError, match="al om contact gevraagd"):
        contact.contact_request_create(actor=cast.bram, case=mine, other_case_id=earlier.pk)

    # Lisse's AF cannot answer its own request; personal data is not in the profile for municipalities.
    with pytest.raises(PermissionDenied):
        contact.contact_request_answer(actor=cast.bram, request=request, share=True, groups=["signaal"], summary="x")
    with pytest.raises(CaseError, match="deelprofiel"):
        contact.contact_request_answer(actor=cast.anouk, request=request, share=True, groups=["personen"], summary="Bekend adres.")
    with pytest.raises(CaseError, match="samenvatting"):
        contact.contact_request_answer(actor=cast.anouk, request=request, share=True, groups=["signaal"], summary=" ")
    request.refresh_from_db()
    assert request.outcome == "gevraagd" and request.shared_groups == []

    with django_capture_on_commit_callbacks(execute=True):
        contact.contact_request_answer(actor=cast.anouk, request=request, share=True, groups=["locatie"], summary="Bekend adres; in 2026 gecontroleerd.")
    assert Notification.objects.filter(recipient=cast.bram, title__contains="heeft gedeeld over de treffer").exists()
    assert AuditEvent.objects.filter(object_id=str(earlier.pk), action="share", actor=cast.anouk).exists()
    page = login(Client(), cast.bram).get(reverse("cases:contact_requests")).content.decode()
    assert "Bekend adres; in 2026 gecontroleerd." in page and "Heereweg 10" in page
    assert "Jansen" not in page  # the description was not chosen: it is not shared


def test_a_purged_or_merged_hit_cannot_be_asked_about_and_nothing_is_saved(cast: Cast) -> None:
    earlier = _closed_in_zoeterwoude(cast, location_address=ADDRESS)
    mine = _lisse_case(cast)
    purged_id = earlier.pk
    earlier.delete()  # as the purge does after the retention period
    with pytest.raises(CaseError, match="niet meer"):
        contact.contact_request_create(actor=cast.bram, case=mine, other_case_id=purged_id)
    unrelated = report_signal(cast.chantal, cast.zoeterwoude, location_address="Elders 1, 2381 AA Zoeterwoude")
    with pytest.raises(CaseError, match="geen treffer"):
        contact.contact_request_create(actor=cast.bram, case=mine, other_case_id=unrelated.pk)
    # Zoeterwoude's AF cannot ask on Lisse's case.
    with pytest.raises(PermissionDenied):
        contact.contact_request_create(actor=cast.anouk, case=mine, other_case_id=unrelated.pk)
    assert not ContactRequest.objects.exists()
    assert not mine.events.filter(kind="contactverzoek").exists()


def test_the_pages_decline_and_keep_typed_input(cast: Cast) -> None:
    earlier = _closed_in_zoeterwoude(cast, location_address=ADDRESS)
    mine = _lisse_case(cast)
    bram, anouk = login(Client(), cast.bram), login(Client(), cast.anouk)
    asked = bram.post(reverse("cases:request_contact", kwargs={"case_id": mine.pk}), {"hit": earlier.pk})
    assert asked.status_code == 302
    request = ContactRequest.objects.get()
    url = reverse("cases:contact_answer", kwargs={"request_id": request.pk})
    assert bram.get(url).status_code == 403
    form = anouk.get(url).content.decode()
    assert "Personen" not in form and "Locatie (adres en plaatsomschrijving)" in form
    missing = anouk.post(url, {"share": "nee", "decline_reason": ""})
    assert missing.status_code == 400 and "Leg vast waarom u niet deelt" in missing.content.decode()
    kept = anouk.post(url, {"share": "ja", "summary": "Mijn getypte samenvatting", "groups": ["personen"]})
    assert kept.status_code == 400 and "Mijn getypte samenvatting" in kept.content.decode()
    assert anouk.post(url, {"share": "nee", "decline_reason": "Lopend politieonderzoek"}).status_code == 302
    request.refresh_from_db()
    assert request.outcome == "geweigerd" and request.shared_groups == [] and request.summary == ""
    assert "Lopend politieonderzoek" in bram.get(reverse("cases:contact_requests")).content.decode()


def test_hits_stay_within_the_region_and_the_other_region_cannot_answer(cast: Cast) -> None:
    """Same address keys in another region give no hit; a ZWB AF reaches no request of Den Haag."""
    earlier = _closed_in_zoeterwoude(cast, location_address=ADDRESS)
    in_vlissingen = report_signal(cast.vera, cast.vlissingen, location_address="heereweg 10 2161bd")
    assert selectors.region_hits(in_vlissingen) == []
    mine = _lisse_case(cast)
    request = contact.contact_request_create(actor=cast.bram, case=mine, other_case_id=earlier.pk)
    with pytest.raises(CaseError, match="geen treffer"):
        contact.contact_request_create(actor=cast.vera, case=in_vlissingen, other_case_id=earlier.pk)
    for outsider in (cast.vera, cast.daan):
        with pytest.raises(PermissionDenied):
            contact.contact_request_answer(actor=outsider, request=request, share=False, decline_reason="x")
        page = login(Client(), outsider).get(reverse("cases:contact_requests")).content.decode()
        assert earlier.reference not in page and mine.reference not in page
    assert login(Client(), cast.vera).get(reverse("cases:contact_answer", kwargs={"request_id": request.pk})).status_code == 403


def test_an_open_control_elsewhere_in_the_region_shows_as_a_hit_without_its_findings(cast: Cast) -> None:
    from django.utils import timezone

    from ketenzicht.accounts.models import Organisation
    from ketenzicht.barriers import services as barriers

    barriers.control_plan(actor=cast.anouk, data=barriers.ControlInput(
        municipality=cast.zoeterwoude, trigger="risicoanalyse", planned_on=timezone.localdate(), trigger_note="Tip van de wijkagent",
        location_address=ADDRESS, kvk_number="87654321", organisations=list(Organisation.objects.filter(slug__in=["gemeente-zoeterwoude", "nla"])),
    ))
    mine = _lisse_case(cast, kvk_number="87654321")
    page = login(Client(), cast.bram).get(reverse("cases:detail", kwargs={"case_id": mine.pk})).content.decode()
    year = timezone.localdate().year
    assert f"Er loopt een integrale controle in gemeente Zoeterwoude ({year})." in page and "Overeenkomst: adres, bedrijf." in page
    assert "wijkagent" not in page
    # Vlissingen (another region) sees no hit on the same keys.
    theirs = report_signal(cast.vera, cast.vlissingen, location_address="heereweg 10 2161bd", kvk_number="87654321")
    assert "Er loopt een integrale controle" not in login(Client(), cast.vera).get(reverse("cases:detail", kwargs={"case_id": theirs.pk})).content.decode()
