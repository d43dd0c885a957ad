"""Tables above the municipality (issue 14 item 3): convened by the ketenregisseur or district
coordinator, cases brought by the AFs of their own municipality, themes, decisions that move a case
in its own municipality, and need-to-know per member. Two regions: the other region sees nothing.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from ketenzicht.accounts.models import Organisation
from ketenzicht.cases.models import Case, CaseEvent
from ketenzicht.cases.services import case_transition
from ketenzicht.core import policy
from ketenzicht.meetings import regional, selectors, services
from ketenzicht.meetings.models import AgendaItem, Meeting, MeetingKind, Sitting
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import Cast, login, report_signal

pytestmark = pytest.mark.django_db

DEN_HAAG_ORGS = ("gemeente-zoeterwoude", "gemeente-lisse", "politie-den-haag-avim")
ZWB_ORGS = ("gemeente-vlissingen", "gemeente-breda", "politie-zeeland-west-brabant-avim")


def regional_table(cast: Cast, *, zwb: bool = False) -> Meeting:
    """Den Haag: fleur's district table (Leiden-Bollenstreek) with anouk, bram and esra.
    ZWB: koen's regional table with vera, daan and lars."""
    services.meeting_kinds_sync("den-haag")
    services.meeting_kinds_sync("zeeland-west-brabant")
    chair, orgs, members = (cast.koen, ZWB_ORGS, [cast.vera, cast.daan, cast.lars]) if zwb else (cast.fleur, DEN_HAAG_ORGS, [cast.anouk, cast.bram, cast.esra])
    return regional.regional_meeting_create(actor=chair, data=regional.RegionalMeetingInput(
        kind=MeetingKind.objects.get(slug="regionale-tafel-mensenhandel"), name="Regionale tafel mensenhandel",
        interval_weeks=4, weekday=3, start_time=time(13, 30), first_date=date(2026, 1, 8),
        organisations=list(Organisation.objects.filter(slug__in=orgs)), members=members,
    ))


def case_in_progress(reporter: Any, af: Any, municipality: Any, **overrides: Any) -> Case:
    case = report_signal(reporter, municipality, **overrides)
    return case_transition(actor=af, case=case, action="in_behandeling_nemen")


def test_district_table_cases_of_two_municipalities_profiles_and_a_decision_back_home(cast: Cast) -> None:
    meeting = regional_table(cast)
    assert (meeting.municipality, meeting.region.slug, meeting.district.slug) == (None, "den-haag", "leiden-bollenstreek")
    sitting = services.sitting_plan(actor=cast.fleur, meeting=meeting, today=date(2026, 3, 2))
    assert sitting.items.count() == 0  # nothing is proposed: AFs bring their cases
    zw = case_in_progress(cast.chantal, cast.anouk, cast.zoeterwoude, description="Uitzendbureau huisvest twintig mensen.")
    zw.subjects.create(role="slachtoffer", name="Jan de Vries")
    li = case_in_progress(cast.bram, cast.bram, cast.lisse, location_address="Heereweg 1, 2161 AA Lisse", description="Zelfde uitzendbureau in Lisse.")

    item_zw = regional.agenda_bring_case(actor=cast.anouk, sitting=sitting, case=zw, reason="Zelfde uitzendbureau in Lisse.")
    item_li = regional.agenda_bring_case(actor=cast.bram, sitting=sitting, case=li, reason="Werkgever ook in Zoeterwoude.")
    zw.refresh_from_db()
    assert zw.state == "geagendeerd_regio" and zw.municipality == cast.zoeterwoude
    assert CaseEvent.objects.filter(case=zw, action="agenderen_regionaal").count() == 1
    theme = regional.agenda_add_theme(actor=cast.fleur, sitting=sitting, theme="Witte vlek: huisvesting arbeidsmigranten", reference="Barrièremodel 2026")
    assert [i.pk for i in sitting.items.order_by("position")] == [item_zw.pk, item_li.pk, theme.pk]

    def groups(user: Any) -> dict[str, tuple[str, ...]]:
        views, hidden = selectors.agenda_for(user, sitting)
        assert hidden == 0
        return {v.reference or "thema": v.groups for v in views}

    # The police member sees its profile: never the reporter.
    police = groups(cast.esra)
    assert "melder" not in police[zw.reference] and "personen" in police[zw.reference]
    # Each AF sees their own case whole and the other's through the `gemeente` profile.
    bram_sees = groups(cast.bram)
    assert "melder" in bram_sees[li.reference]
    assert "personen" not in bram_sees[zw.reference] and "melder" not in bram_sees[zw.reference]
    views, _ = selectors.agenda_for(cast.bram, sitting)
    shown = {v.reference: v.fields for v in views}
    assert "personen" not in shown[zw.reference] and "Jan de Vries" not in str(shown[zw.reference])
    assert "melder" in groups(cast.anouk)[zw.reference]
    # The chair sees the signal, to chair it, not the file.
    assert groups(cast.fleur)[zw.reference] == ("signaal",)

    # Only the case's own outcomes are offered; the decision moves it in Zoeterwoude.
    options = dict(services.decision_options(item_zw, now=services.timezone.now()))
    assert set(options) == {"rt_terug_naar_gemeente", "rt_signalenoverleg", "rt_integrale_controle"}
    services.decision_record(actor=cast.fleur, item=item_zw, action="rt_signalenoverleg", rationale="Eerst het eigen signalenoverleg.")
    zw.refresh_from_db()
    assert zw.state == "geagendeerd" and zw.municipality == cast.zoeterwoude
    event = CaseEvent.objects.filter(case=zw, action="rt_signalenoverleg").get()
    assert event.actor == cast.fleur
    police_org = Organisation.objects.get(slug="politie-den-haag-avim")
    services.decision_record(
        actor=cast.fleur, item=theme, action=services.DISCUSSED, rationale="Inventarisatie per gemeente.",
        action_items=[services.ActionItemInput(description="Huisvesting in kaart brengen", owner_organisation=police_org, due_date=date(2030, 1, 1))],
    )
    # Zoeterwoude's own signalenoverleg now proposes it; the regional agenda does not grow by itself.
    from tests.app.test_meetings_support import make_meeting

    home = services.sitting_plan(actor=cast.anouk, meeting=make_meeting(cast), today=date(2026, 3, 2))
    assert list(home.items.values_list("case_id", flat=True)) == [zw.pk]
    assert services.agenda_refresh(actor=cast.fleur, sitting=sitting) == 0
    # Action items show on the deadlines of chair and owner; minutes are fixed as for any table.
    assert [d.label for d in selectors.action_items_for(cast.esra, date(2026, 3, 2))] == ["Huisvesting in kaart brengen"]
    assert [d.label for d in selectors.action_items_for(cast.fleur, date(2026, 3, 2))] == ["Huisvesting in kaart brengen"]
    services.minutes_finalise(actor=cast.fleur, sitting=sitting)

    # The other region sees nothing of the table, its agenda or its case; nor do non-members.
    for outsider in (cast.koen, cast.vera, cast.daan, cast.lars, cast.julia, cast.chantal):
        assert not policy.can(outsider, "meeting.view", meeting), outsider
        assert not policy.can(outsider, "meeting.chair", sitting), outsider
        assert not selectors.meetings_for(outsider).filter(pk=meeting.pk).exists(), outsider
        assert selectors.action_items_for(outsider, date(2026, 3, 2)) == [], outsider
    for member in (cast.fleur, cast.anouk, cast.bram, cast.esra):
        assert selectors.meetings_for(member).filter(pk=meeting.pk).exists(), member
    # The ZWB regional table is koen's, not fleur's.
    zwb = regional_table(cast, zwb=True)
    assert not policy.can(cast.fleur, "meeting.view", zwb) and not selectors.meetings_for(cast.fleur).filter(pk=zwb.pk).exists()
    assert policy.can(cast.koen, "meeting.chair", zwb) and not policy.can(cast.koen, "meeting.chair", meeting)


def test_bad_input_is_refused_with_nothing_saved(cast: Cast) -> None:
    services.meeting_kinds_sync("den-haag")
    kind = MeetingKind.objects.get(slug="regionale-tafel-mensenhandel")
    data = regional.RegionalMeetingInput(
        kind=kind, name="Districtstafel", interval_weeks=4, weekday=3, start_time=time(13, 30), first_date=date(2026, 1, 8),
        organisations=list(Organisation.objects.filter(slug__in=(*DEN_HAAG_ORGS, "politie-zeeland-west-brabant-avim"))),
        members=[cast.anouk, cast.lars],
    )
    # A member (and organisation) from outside the region: refused whole, nothing saved.
    with pytest.raises(services.MeetingError, match="werkt niet in deze regio"):
        regional.regional_meeting_create(actor=cast.fleur, data=data)
    data.organisations = list(Organisation.objects.filter(slug__in=DEN_HAAG_ORGS))
    with pytest.raises(services.MeetingError, match="Lars Test werkt niet in deze regio"):
        regional.regional_meeting_create(actor=cast.fleur, data=data)
    assert not Meeting.objects.filter(municipality__isnull=True).exists()
    # An AF cannot convene; a municipal form does not offer a regional kind.
    with pytest.raises(policy.PermissionDenied):
        regional.regional_meeting_create(actor=cast.anouk, data=data)

    meeting = regional_table(cast)
    sitting = services.sitting_plan(actor=cast.fleur, meeting=meeting, today=date(2026, 3, 2))
    lisse_case = case_in_progress(cast.bram, cast.bram, cast.lisse)
    new_case = report_signal(cast.chantal, cast.zoeterwoude)
    # A case of another municipality: refused, the case unchanged.
    with pytest.raises(services.MeetingError, match="eigen gemeente"):
        regional.agenda_bring_case(actor=cast.anouk, sitting=sitting, case=lisse_case, reason="Hoort erbij.")
    # A case not in behandeling: refused, unchanged.
    with pytest.raises(services.MeetingError, match="alleen een signaal dat in behandeling is"):
        regional.agenda_bring_case(actor=cast.anouk, sitting=sitting, case=new_case, reason="Snel bespreken.")
    # Without a reason: refused.
    with pytest.raises(services.MeetingError, match="Schrijf waarom"):
        regional.agenda_bring_case(actor=cast.bram, sitting=sitting, case=lisse_case, reason="  ")
    # A non-member AF (other region) may not bring anything.
    with pytest.raises(policy.PermissionDenied):
        regional.agenda_bring_case(actor=cast.vera, sitting=sitting, case=lisse_case, reason="Ook bij ons.")
    lisse_case.refresh_from_db()
    new_case.refresh_from_db()
    assert (lisse_case.state, new_case.state) == ("in_behandeling", "ontvangen")
    assert sitting.items.count() == 0

    # Repeated: the same item, one agenda item, one transition.
    first = regional.agenda_bring_case(actor=cast.bram, sitting=sitting, case=lisse_case, reason="Werkgever ook elders.")
    again = regional.agenda_bring_case(actor=cast.bram, sitting=sitting, case=lisse_case, reason="Werkgever ook elders.")
    assert first.pk == again.pk and sitting.items.count() == 1
    assert CaseEvent.objects.filter(case=lisse_case, action="agenderen_regionaal").count() == 1
    t1 = regional.agenda_add_theme(actor=cast.fleur, sitting=sitting, theme="KPI doorlooptijd in het rood")
    t2 = regional.agenda_add_theme(actor=cast.fleur, sitting=sitting, theme="KPI doorlooptijd in het rood")
    assert t1.pk == t2.pk and sitting.items.count() == 2
    # Themes are the chair's; a case outcome needs the case to wait on the table.
    with pytest.raises(policy.PermissionDenied):
        regional.agenda_add_theme(actor=cast.anouk, sitting=sitting, theme="Eigen thema")
    with pytest.raises(services.MeetingError, match="past niet"):
        services.decision_record(actor=cast.fleur, item=t1, action="rt_integrale_controle", rationale="Nee.")
    # The step itself is not the case page's or the API's: only the table's agenda takes it.
    from ketenzicht.core.errors import TransitionRefused

    other = case_in_progress(cast.chantal, cast.anouk, cast.zoeterwoude)
    with pytest.raises(TransitionRefused, match="via de agenda van die tafel"):
        case_transition(actor=cast.anouk, case=other, action="agenderen_regionaal", reason="Zonder tafel.")
    other.refresh_from_db()
    assert other.state == "in_behandeling"
    # The chair of a regional table cannot move a case outside the table.
    with pytest.raises(policy.PermissionDenied):
        case_transition(actor=cast.fleur, case=lisse_case, action="rt_terug_naar_gemeente", reason="Buiten de tafel om.")


def test_pages_refuse_outside_members_and_repeated_posts_change_nothing(cast: Cast, client: Any) -> None:
    services.meeting_kinds_sync("den-haag")
    kind = MeetingKind.objects.get(slug="regionale-tafel-mensenhandel")
    orgs = list(Organisation.objects.filter(slug__in=DEN_HAAG_ORGS).values_list("pk", flat=True))
    login(client, cast.fleur)
    page = client.get("/overleggen/")
    assert page.status_code == 200 and "Regionale tafel bijeenroepen" in page.content.decode()
    form = {
        "kind": kind.pk, "name": "Districtstafel Leiden-Bollenstreek", "interval_weeks": 4, "weekday": 3,
        "start_time": "13:30", "first_date": "2026-01-08", "organisations": orgs, "members": [cast.anouk.pk, cast.lars.pk],
    }
    refused = client.post("/overleggen/regionale-tafel/nieuw/", form)
    body = refused.content.decode()
    assert refused.status_code == 400 and "hoort niet bij uw regio of district" in body
    assert 'value="Districtstafel Leiden-Bollenstreek"' in body  # what was typed stays
    assert not Meeting.objects.filter(municipality__isnull=True).exists()
    form["members"] = [cast.anouk.pk, cast.bram.pk, cast.esra.pk]
    created = client.post("/overleggen/regionale-tafel/nieuw/", form)
    meeting = Meeting.objects.get(municipality__isnull=True)
    assert created.status_code == 302
    client.post(f"/overleggen/{meeting.pk}/vergadering-plannen/")
    sitting = Sitting.objects.get(meeting=meeting)

    case = case_in_progress(cast.chantal, cast.anouk, cast.zoeterwoude)
    login(client, cast.anouk)
    form_page = client.get(f"/overleggen/vergaderingen/{sitting.pk}/signaal-agenderen/")
    assert form_page.status_code == 200 and case.reference in form_page.content.decode()
    missing = client.post(f"/overleggen/vergaderingen/{sitting.pk}/signaal-agenderen/", {"case": str(case.pk), "reason": ""})
    assert missing.status_code == 400 and "Schrijf waarom dit signaal op deze tafel hoort" in missing.content.decode()
    post = {"case": str(case.pk), "reason": "Zelfde werkgever in Lisse."}
    first = client.post(f"/overleggen/vergaderingen/{sitting.pk}/signaal-agenderen/", post, follow=True)
    assert f"Signaal {case.reference} staat op de agenda" in first.content.decode()
    again = client.post(f"/overleggen/vergaderingen/{sitting.pk}/signaal-agenderen/", post, follow=True)
    assert f"Signaal {case.reference} staat al op de agenda" in again.content.decode()
    assert AgendaItem.objects.filter(sitting=sitting).count() == 1
    assert CaseEvent.objects.filter(case=case, action="agenderen_regionaal").count() == 1
    # Another municipality's case id posted by hand: not offered, refused, unchanged.
    lisse_case = case_in_progress(cast.bram, cast.bram, cast.lisse)
    other = client.post(f"/overleggen/vergaderingen/{sitting.pk}/signaal-agenderen/", {"case": str(lisse_case.pk), "reason": "Hoort erbij."})
    assert other.status_code == 400 and "Kies een signaal van uw gemeente dat in behandeling is" in other.content.decode()
    lisse_case.refresh_from_db()
    assert lisse_case.state == "in_behandeling"
    # The case page does not offer the step: it goes through a table's agenda.
    login(client, cast.bram)
    case_page = client.get(f"/werkvoorraad/{lisse_case.pk}/")
    assert case_page.status_code == 200 and "Agenderen voor signalenoverleg" in case_page.content.decode()
    assert "Agenderen op een regionale tafel" not in case_page.content.decode()
    # The other region: nothing.
    login(client, cast.koen)
    assert client.get(f"/overleggen/{meeting.pk}/").status_code in (403, 404)
    assert client.get(f"/overleggen/vergaderingen/{sitting.pk}/").status_code in (403, 404)
    login(client, cast.vera)
    assert client.get(f"/overleggen/vergaderingen/{sitting.pk}/signaal-agenderen/").status_code in (403, 404)


def test_action_items_of_a_regional_table_are_reminded_once_without_the_theme_text(cast: Cast, smtp_server: Any) -> None:  # noqa: F811
    from datetime import timedelta

    from ketenzicht.meetings.reminders import reminders_send

    meeting = regional_table(cast, zwb=True)
    sitting = services.sitting_plan(actor=cast.koen, meeting=meeting, today=date(2026, 3, 2))
    theme = regional.agenda_add_theme(actor=cast.koen, sitting=sitting, theme="KPI doorlooptijd Breda in het rood")
    police = Organisation.objects.get(slug="politie-zeeland-west-brabant-avim")
    decision = services.decision_record(
        actor=cast.koen, item=theme, action=services.DISCUSSED, rationale="Afspraken gemaakt.",
        action_items=[services.ActionItemInput(description="Analyse aanleveren", owner_organisation=police, owner=cast.lars)],
    )
    item = decision.action_items.get()
    day_after = item.due_date + timedelta(days=3)
    reminders_send(day_after)
    reminders_send(day_after)
    sent = [m for m in smtp_server.messages if "actiepunt" in m["Subject"]]
    assert len(sent) == 1 and sent[0]["To"] == "lars@example.test" and "is verlopen" in sent[0]["Subject"]
    assert "een thema van de tafel" in sent[0]["Subject"] and "Breda" not in sent[0].get_content()
    # Completing it is the owner's or the chair's; the other region's chair cannot.
    assert not policy.can(cast.fleur, "actionitem.complete", item)
    services.action_item_complete(actor=cast.lars, item=item)
