"""The regional control team (issue 14 item 4): one integral control on addresses in several
municipalities. The ketenregisseur of eenheid Den Haag plans it on an address in Zoeterwoude and one
in Lisse; each AF sees it and records and reads the findings of the own address only; the
ketenregisseur sees whether they were recorded, not what. Zeeland-West-Brabant (Vlissingen, Breda,
its ketenregisseur) sees nothing of it. The district KPI counts it once per district.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ketenzicht.accounts.models import District, Municipality, Organisation, Region
from ketenzicht.audit.models import AuditEvent
from ketenzicht.barriers import contact, selectors
from ketenzicht.barriers import services as barriers
from ketenzicht.barriers.models import ControlAddress, IntegralControl
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain.kpi import Quarter
from ketenzicht.notifications.models import Notification
from tests.support import Cast, login, make_user, report_signal

TODAY = timezone.localdate()
ZW_ADDRESS = "Dorpsstraat 3, 2381 AB Zoeterwoude"
LISSE_ADDRESS = "Heereweg 10, 2161 BD Lisse"
ZW_NOTE = "Zolder met negen matrassen aangetroffen"
LISSE_NOTE = "Kantine zonder nooduitgang"


def _den_haag() -> Region:
    return Region.objects.get(slug="den-haag")


def _partners(*slugs: str) -> list[Organisation]:
    return list(Organisation.objects.filter(slug__in=slugs or ("nla", "politie-den-haag-avim")))


def _plan(cast: Cast, *addresses: tuple[Municipality | None, str], form: str = "arbeid", orgs: list[Organisation] | None = None,
          note: str = "RIEC-beeld uitzendbureau", actor=None) -> IntegralControl:  # noqa: ANN001
    return barriers.regional_control_plan(actor=actor or cast.fleur, data=barriers.RegionalControlInput(
        region=_den_haag(), planned_on=TODAY, trigger_note=note, form=form,
        addresses=list(addresses) or [(cast.zoeterwoude, ZW_ADDRESS), (cast.lisse, LISSE_ADDRESS)],
        organisations=_partners() if orgs is None else orgs,
    ))


def _findings_post(address: ControlAddress, note: str, executed_on=TODAY, answer: str = "ja") -> dict[str, str]:  # noqa: ANN001
    prefix = f"adres{address.pk}"
    _source, questions = selectors.checklist()
    data = {f"{prefix}-executed_on": executed_on.isoformat(), f"{prefix}-notes": note}
    data.update({f"{prefix}-q_{code}": answer for code, _q in questions})
    return data


def _url(control: IntegralControl) -> str:
    return reverse("barriers:control", kwargs={"control_id": control.pk})


def _findings_url(address: ControlAddress) -> str:
    return reverse("barriers:control_address_findings", kwargs={"control_id": address.control_id, "address_id": address.pk})


def test_the_ketenregisseur_plans_and_each_af_records_and_reads_only_the_own_address(cast: Cast) -> None:
    fleur = login(Client(), cast.fleur)
    assert "Regionale controles" in fleur.get(reverse("barriers:regional_controls")).content.decode()
    form = fleur.get(reverse("barriers:regional_control_new")).content.decode()
    assert "Gemeente van adres 1" in form and "Arbeidsinspectie" in form
    _source, questions = selectors.checklist()
    nla, police = _partners("nla"), _partners("politie-den-haag-avim")
    response = fleur.post(reverse("barriers:regional_control_new"), {
        "planned_on": TODAY.isoformat(), "trigger_note": "RIEC-beeld uitzendbureau", "form": "arbeid",
        "gemeente_1": cast.zoeterwoude.pk, "adres_1": ZW_ADDRESS, "gemeente_2": cast.lisse.pk, "adres_2": LISSE_ADDRESS,
        "organisations": [nla[0].pk, police[0].pk],
    }, follow=True)
    page = response.content.decode()
    assert "De regionale controle is gepland" in page and ZW_ADDRESS in page and LISSE_ADDRESS in page
    control = IntegralControl.objects.get()
    assert control.regional and control.municipality == cast.zoeterwoude and control.status == "gepland"
    assert {o.slug for o in control.organisations.all()} == {"nla", "politie-den-haag-avim", "gemeente-zoeterwoude", "gemeente-lisse"}
    assert AuditEvent.objects.filter(object_type="integral_control", object_id=str(control.pk), action="create", actor=cast.fleur).exists()
    zw, lisse = control.addresses.get(municipality=cast.zoeterwoude), control.addresses.get(municipality=cast.lisse)

    # Each AF finds it in the own overview; each sees the own address, not the other's.
    anouk, bram = login(Client(), cast.anouk), login(Client(), cast.bram)
    for client in (anouk, bram):
        assert "Regionale controle (meer gemeenten)" in client.get(reverse("barriers:index")).content.decode()
    page = anouk.get(_url(control)).content.decode()
    assert ZW_ADDRESS in page and LISSE_ADDRESS not in page and "Lisse" in page and "Vervolginterventie vastleggen" in page
    page = bram.get(_url(control)).content.decode()
    assert LISSE_ADDRESS in page and ZW_ADDRESS not in page and "Vervolginterventie vastleggen" not in page

    # Zoeterwoude records first (the control is executed), Lisse adds to it; each through the lifecycle.
    anouk.post(_findings_url(zw), _findings_post(zw, ZW_NOTE))
    control.refresh_from_db()
    assert control.status == "uitgevoerd" and control.executed_on == TODAY
    bram.post(_findings_url(lisse), _findings_post(lisse, LISSE_NOTE, executed_on=TODAY - timedelta(days=1), answer="nee"))
    control.refresh_from_db()
    assert control.executed_on == TODAY - timedelta(days=1)  # the earliest date any municipality recorded
    assert [(e.action, e.to_state) for e in control.events.all()] == [
        ("plannen", "gepland"), ("uitvoeren", "uitgevoerd"), ("bevindingen_aanvullen", "uitgevoerd")]
    assert AuditEvent.objects.filter(object_type="integral_control", object_id=str(control.pk), actor=cast.bram,
                                     reason__contains="adres in gemeente Lisse").exists()
    zw.refresh_from_db()
    assert zw.findings_notes == ZW_NOTE and zw.findings_yes == len(questions) and zw.recorded_by == cast.anouk

    page = anouk.get(_url(control)).content.decode()
    assert ZW_NOTE in page and LISSE_NOTE not in page
    assert "— Uitgevoerd" in page and "— uitgevoerd" not in page  # the history reads the state, not its code
    # The own address's history lists the regional control; the other municipality's is not reachable.
    history = anouk.get(reverse("barriers:address", kwargs={"handle": zw.address_hash})).content.decode()
    assert _url(control) in history and ZW_ADDRESS in history
    assert anouk.get(reverse("barriers:address", kwargs={"handle": lisse.address_hash})).status_code == 404
    page = bram.get(_url(control)).content.decode()
    assert LISSE_NOTE in page and ZW_NOTE not in page
    # The ketenregisseur sees both addresses and that findings were recorded, never the findings.
    page = fleur.get(_url(control)).content.decode()
    assert ZW_ADDRESS in page and LISSE_ADDRESS in page and ZW_NOTE not in page and LISSE_NOTE not in page
    assert page.count("vastgelegd (uitgevoerd op") == 2 and "Bevindingen opslaan" not in page

    # Nobody records on another municipality's address; only the lead AF cancels or plans follow-up.
    assert bram.post(_findings_url(zw), _findings_post(zw, "overschreven")).status_code == 403
    assert fleur.post(_findings_url(zw), _findings_post(zw, "overschreven")).status_code == 403
    zw.refresh_from_db()
    assert zw.findings_notes == ZW_NOTE
    cancel = reverse("barriers:control_findings", kwargs={"control_id": control.pk})
    assert bram.post(cancel, {"action": "annuleren", "reason": "gaat niet door"}).status_code == 403


def test_the_afs_of_the_addresses_are_told_and_nobody_else(cast: Cast, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    with django_capture_on_commit_callbacks(execute=True):
        control = _plan(cast)
    told = Notification.objects.filter(kind="regionale_controle")
    assert set(told.values_list("recipient__username", flat=True)) == {cast.anouk.username, cast.bram.username}
    note = told.get(recipient=cast.anouk)
    assert note.link == _url(control) and "Heereweg" not in note.title and "Dorpsstraat" not in note.title
    assert not Notification.objects.filter(recipient__in=[cast.vera, cast.fleur]).exists()
    # Each AF is told once per control, however often the notice is sent.
    barriers._notify_regional_control(control.pk)
    assert told.filter(recipient=cast.anouk).count() == 1


def test_the_other_region_and_other_roles_see_nothing_of_it(cast: Cast) -> None:
    control = _plan(cast)
    lisse = control.addresses.get(municipality=cast.lisse)
    for who in (cast.vera, cast.daan, cast.koen, cast.esra, cast.julia):
        client = login(Client(), who)
        assert client.get(_url(control)).status_code == 403, who
        assert client.post(_findings_url(lisse), _findings_post(lisse, "x")).status_code == 403, who
    assert AuditEvent.objects.filter(object_type="integral_control", object_id=str(control.pk), action="denied", actor=cast.vera).exists()
    # Lists: the other region's AF and ketenregisseur do not find it.
    assert "Regionale controle (meer gemeenten)" not in login(Client(), cast.vera).get(reverse("barriers:index")).content.decode()
    koen_list = login(Client(), cast.koen).get(reverse("barriers:regional_controls")).content.decode()
    assert _url(control) not in koen_list and "Nog geen regionale controles." in koen_list
    assert _url(control) in login(Client(), cast.fleur).get(reverse("barriers:regional_controls")).content.decode()
    # Another region's ketenregisseur cannot plan in eenheid Den Haag, nor an AF plan a regional control.
    with pytest.raises(PermissionDenied):
        _plan(cast, actor=cast.koen)
    with pytest.raises(PermissionDenied):
        _plan(cast, actor=cast.anouk)
    assert login(Client(), cast.anouk).get(reverse("barriers:regional_control_new")).status_code == 403
    assert ControlAddress.objects.count() == 2


def test_bad_input_gets_a_clear_message_keeps_what_was_typed_and_saves_nothing(cast: Cast) -> None:
    fleur = login(Client(), cast.fleur)
    nla, police = _partners("nla")[0], _partners("politie-den-haag-avim")[0]
    response = fleur.post(reverse("barriers:regional_control_new"), {
        "planned_on": TODAY.isoformat(), "trigger_note": "Alleen Zoeterwoude", "gemeente_1": cast.zoeterwoude.pk,
        "adres_1": ZW_ADDRESS, "organisations": [nla.pk, police.pk],
    })
    page = response.content.decode()
    assert response.status_code == 400 and "ten minste twee gemeenten" in page and ZW_ADDRESS in page and "Alleen Zoeterwoude" in page
    response = fleur.post(reverse("barriers:regional_control_new"), {
        "planned_on": TODAY.isoformat(), "trigger_note": "Buiten de regio", "gemeente_1": cast.zoeterwoude.pk, "adres_1": ZW_ADDRESS,
        "gemeente_2": cast.vlissingen.pk, "adres_2": "Walstraat 50, 4381 GK Vlissingen", "organisations": [nla.pk, police.pk],
    })
    assert response.status_code == 400 and "Kies een gemeente uit de lijst." in response.content.decode()

    hillegom = Municipality.objects.get(cbs_code="GM0534")  # in the region, not on the platform
    refusals = {
        "hoort niet bij uw regio; een regionale controle": dict(addresses=[(cast.zoeterwoude, ZW_ADDRESS), (cast.vlissingen, "Walstraat 50, 4381 GK Vlissingen")]),
        "werkt nog niet in Ketenzicht": dict(addresses=[(cast.zoeterwoude, ZW_ADDRESS), (hillegom, "Hoofdstraat 1, 2181 EA Hillegom")]),
        "staat twee keer": dict(addresses=[(cast.zoeterwoude, ZW_ADDRESS), (cast.lisse, LISSE_ADDRESS), (cast.zoeterwoude, "2381ab 3")]),
        "ook de gemeente op": dict(addresses=[(cast.zoeterwoude, ZW_ADDRESS), (None, LISSE_ADDRESS)]),
        "ten minste twee deelnemende organisaties": dict(orgs=[nla, *Organisation.objects.filter(kind="gemeente", region=_den_haag())]),
        "Nederlandse Arbeidsinspectie (Zeeland-West-Brabant) hoort niet bij uw regio": dict(orgs=[police, *_partners("nla-zeeland-west-brabant")]),
        "Noem de risicoanalyse": dict(note="  "),
    }
    for message, kwargs in refusals.items():
        addresses = kwargs.pop("addresses", [])
        with pytest.raises(ServiceError) as refused:
            _plan(cast, *addresses, **kwargs)
        assert message in str(refused.value), message
    assert not IntegralControl.objects.exists() and not ControlAddress.objects.exists()

    # Findings: a future date, or on a cancelled control, are refused and nothing is recorded.
    control = _plan(cast)
    zw = control.addresses.get(municipality=cast.zoeterwoude)
    anouk = login(Client(), cast.anouk)
    response = anouk.post(_findings_url(zw), _findings_post(zw, ZW_NOTE, executed_on=TODAY + timedelta(days=2)))
    assert response.status_code == 400 and "ligt niet in de toekomst" in response.content.decode() and ZW_NOTE in response.content.decode()
    with pytest.raises(ServiceError, match="per adres|eigen adressen"):
        barriers.control_record_findings(actor=cast.anouk, control=control, executed_on=TODAY, answers={})
    barriers.control_cancel(actor=cast.anouk, control=control, reason="Pand staat leeg")
    response = anouk.post(_findings_url(zw), _findings_post(zw, ZW_NOTE))
    assert response.status_code == 400
    zw.refresh_from_db()
    control.refresh_from_db()
    assert zw.recorded_at is None and zw.findings == {} and control.status == "geannuleerd"


def test_the_kpi_counts_a_regional_control_once_per_district(cast: Cast) -> None:
    gouda = Municipality.objects.get(cbs_code="GM0513")  # district Midden-Holland
    Organisation.objects.create(slug="gemeente-gouda", name="Gemeente Gouda", kind="gemeente", municipality=gouda,
                                region=_den_haag(), on_platform=True)
    gouda_af = make_user("gerda", "gemeente-gouda", "aandachtsfunctionaris")
    control = _plan(cast, (cast.zoeterwoude, ZW_ADDRESS), (cast.lisse, LISSE_ADDRESS), (gouda, "Markt 1, 2801 JG Gouda"))
    not_arbeid = _plan(cast, form="seksueel")
    quarter = Quarter.of(TODAY)
    leiden, midden = District.objects.get(slug="leiden-bollenstreek"), District.objects.get(slug="midden-holland")

    def count(district: District) -> int:
        rows = selectors.kpi_rows_published(district, quarter, TODAY)
        return next(r.count for r in rows if r.target.code == "controles_nla")

    assert (count(leiden), count(midden)) == (0, 0)  # planned, not executed
    zw = control.addresses.get(municipality=cast.zoeterwoude)
    barriers.control_address_findings(actor=cast.anouk, address=zw, executed_on=TODAY, answers={})
    for other in not_arbeid.addresses.all():
        af = cast.anouk if other.municipality == cast.zoeterwoude else cast.bram
        barriers.control_address_findings(actor=af, address=other, executed_on=TODAY, answers={})
    # Zoeterwoude and Lisse are both in Leiden-Bollenstreek: once there, once in Midden-Holland.
    assert (count(leiden), count(midden)) == (1, 1)
    board = selectors.dashboard(cast.bram, leiden, quarter, TODAY)
    item = next(r for r in board.rows if r.target.code == "controles_nla").items[0]
    assert item.label == "Regionale integrale controle" and item.municipality == "Lisse, Zoeterwoude" and item.url == _url(control)
    # Gouda's AF sees the control but records and reads only the Gouda address.
    page = login(Client(), gouda_af).get(_url(control)).content.decode()
    assert "Markt 1, 2801 JG Gouda" in page and ZW_ADDRESS not in page


def test_a_regional_address_is_a_hit_in_the_region_and_its_own_municipality_answers(cast: Cast) -> None:
    control = _plan(cast)
    mine = report_signal(cast.chantal, cast.lisse, description="Melding in Lisse.", location_address="2381AB 3")
    hits = selectors.region_work_hits(mine)
    assert [(h.municipality, h.kind, h.matched_on) for h in hits] == [("Zoeterwoude", "integrale controle", ("adres",))]
    page = login(Client(), cast.bram).get(reverse("cases:detail", kwargs={"case_id": mine.pk})).content.decode()
    assert "Contact vragen aan Zoeterwoude" in page and ZW_ADDRESS not in page
    request = contact.work_contact_request_create(actor=cast.bram, case=mine, target="controle", object_id=control.pk)
    assert request.municipality == cast.zoeterwoude
    answered = contact.work_contact_request_answer(actor=cast.anouk, request=request, share=True, groups=["locatie"], summary="Bel mij.")
    assert answered.shared_groups == {"locatie": {"Adres": ZW_ADDRESS}}
    # Breda's case on the same address is in another region: no hit.
    breda_case = report_signal(cast.mila, cast.breda, description="Melding in Breda.", location_address="2381AB 3")
    assert selectors.region_work_hits(breda_case) == []
