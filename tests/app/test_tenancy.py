"""Need-to-know across regions (issue 13 item 3): the probes of the issue's "Why" as tests.

Every test involves eenheid Den Haag and Zeeland-West-Brabant and checks the other tenant's
objects. (The beheerder's self-granted roles are the accounts lane's tests.)
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketenzicht.accounts.models import Region
from ketenzicht.accounts.system import system_actor
from ketenzicht.audit.models import AuditAction, AuditEvent
from ketenzicht.audit.services import audit_record
from ketenzicht.cases.models import Case
from ketenzicht.core import policy
from ketenzicht.monitor import services as monitor
from ketenzicht.monitor.models import Import, ImportStatus, Source
from tests.app.monitor_support import REG_HEADER, csv_bytes
from tests.support import Cast, login, make_user, report_signal

pytestmark = pytest.mark.django_db


def _accepted_import(actor: object, code: str, name: str) -> Import:
    rows = [[f"{name}-1", "2025-03-01", code, "melding", "arbeid", "23+", "bouw"]]
    result = monitor.import_file(actor=actor, source=Source.objects.get(slug="politie"), file_name=f"{name}.csv", data=csv_bytes(REG_HEADER, rows))
    assert result.accepted, result.record.errors
    return result.record


# --- "a ketenregisseur of another region listed, opened and withdrew Den Haag's imports" ------------
def test_a_ketenregisseur_of_another_region_cannot_list_open_or_withdraw_an_import(cast: Cast) -> None:
    den_haag = _accepted_import(cast.fleur, "GM0638", "dh")
    zwb = _accepted_import(cast.koen, "GM0718", "zwb")
    assert den_haag.region.slug == "den-haag" and zwb.region.slug == "zeeland-west-brabant"

    koen = login(Client(), cast.koen)
    listing = koen.get("/monitor/imports/").content.decode()
    assert "zwb.csv" in listing and "dh.csv" not in listing
    assert koen.get(f"/monitor/imports/{den_haag.pk}/").status_code == 404
    response = koen.post(f"/monitor/imports/{den_haag.pk}/intrekken/", {"reden": "Niet van ons"})
    assert response.status_code == 404
    den_haag.refresh_from_db()
    assert den_haag.status == ImportStatus.GEACCEPTEERD
    with pytest.raises(PermissionDenied):
        monitor.import_withdraw(actor=cast.koen, record=den_haag, reason="Niet van ons")

    # The region's own ketenregisseur still can.
    fleur = login(Client(), cast.fleur)
    assert "dh.csv" in fleur.get("/monitor/imports/").content.decode() and "zwb.csv" not in fleur.get("/monitor/imports/").content.decode()
    assert fleur.post(f"/monitor/imports/{den_haag.pk}/intrekken/", {"reden": "Dubbel aangeleverd"}).status_code == 302
    den_haag.refresh_from_db()
    assert den_haag.status == ImportStatus.INGETROKKEN


def test_an_import_only_carries_figures_of_its_own_region(cast: Cast) -> None:
    rows = [["x-1", "2025-03-01", "GM0638", "melding", "arbeid", "23+", "bouw"], ["x-2", "2025-03-01", "GM0718", "melding", "arbeid", "23+", "bouw"]]
    result = monitor.import_file(actor=cast.koen, source=Source.objects.get(slug="politie"), file_name="mix.csv", data=csv_bytes(REG_HEADER, rows))
    assert not result.accepted
    assert [(e["rij"], e["kolom"]) for e in result.record.errors] == [(2, "gemeente_code")]
    assert "Zoeterwoude (GM0638) hoort niet bij Eenheid Zeeland-West-Brabant" in result.record.errors[0]["fout"]
    # The command line (system actor) imports for the one region the rows lie in, or refuses a mix.
    actor = system_actor("monitor-import")
    mixed = monitor.import_file(actor=actor, source=Source.objects.get(slug="politie"), file_name="mix.csv", data=csv_bytes(REG_HEADER, rows))
    assert not mixed.accepted and "meer dan één regio" in mixed.record.errors[-1]["fout"]
    single = monitor.import_file(actor=actor, source=Source.objects.get(slug="nla"), file_name="zwb.csv", data=csv_bytes(REG_HEADER, rows[1:]))
    assert single.accepted and single.record.region.slug == "zeeland-west-brabant"


# --- "a privacy officer of any region reads the whole audit trail" ----------------------------------
def test_a_privacy_officer_reads_the_audit_trail_of_their_own_scope_only(cast: Cast) -> None:
    zoeterwoude = report_signal(cast.chantal, cast.zoeterwoude)
    lisse = report_signal(cast.bram, cast.lisse, location_address="Heereweg 1, Lisse")
    vlissingen = report_signal(cast.mila, cast.vlissingen, location_address="Walstraat 1, Vlissingen")
    for actor, case in ((cast.anouk, zoeterwoude), (cast.bram, lisse), (cast.vera, vlissingen)):
        audit_record(actor=actor, action=AuditAction.VIEW, object_type="case", object_id=case.pk, object_label=case.reference, fields=["signaal"])

    gijs = login(Client(), cast.gijs).get("/audit/").content.decode()  # privacy officer of Zoeterwoude
    assert zoeterwoude.reference in gijs and ">anouk<" in gijs
    assert lisse.reference not in gijs and vlissingen.reference not in gijs and ">vera<" not in gijs

    ruben = login(Client(), cast.ruben).get("/audit/").content.decode()  # privacy officer of ZWB
    assert vlissingen.reference in ruben
    assert zoeterwoude.reference not in ruben and lisse.reference not in ruben and ">anouk<" not in ruben

    entry = AuditEvent.objects.filter(object_id=str(zoeterwoude.pk), actor=cast.anouk).first()
    assert policy.can(cast.gijs, "audit.view", entry) and not policy.can(cast.ruben, "audit.view", entry)


def test_public_reports_in_the_audit_trail_belong_to_the_scope_of_their_municipality(cast: Cast) -> None:
    from ketenzicht.intake.public_services import (
        PublicReport,
        new_form_key,
        public_report_submit,
        receipt_hash,
    )

    code = public_report_submit(report=PublicReport(form_key=new_form_key(), municipality=cast.zoeterwoude, description="Anoniem gemeld.", location_description="Bij de kas"), status_url="http://testserver/").code

    case = Case.objects.get(receipt_hash=receipt_hash(code))
    visible_to = {who for who in ("gijs", "ruben") if policy.audit_entries_visible_to(getattr(cast, who), AuditEvent.objects.filter(object_id=str(case.pk))).exists()}
    assert visible_to == {"gijs"}


# --- "an account without a confirmed TOTP device reads and moves cases through /api/v1/" --------------
def test_the_api_refuses_a_session_without_a_verified_second_factor(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    newcomer = make_user("nieuw", "gemeente-zoeterwoude", "aandachtsfunctionaris")
    TOTPDevice.objects.filter(user=newcomer).update(confirmed=False)  # never finished the TOTP setup
    password_only = Client()
    password_only.force_login(newcomer)
    for response in (
        password_only.get("/api/v1/signalen"),
        password_only.get(f"/api/v1/signalen/{case.pk}"),
        password_only.post(f"/api/v1/signalen/{case.pk}/transities", {"stap": "in_behandeling_nemen"}, content_type="application/json"),
    ):
        assert response.status_code in (401, 403)
        assert response["Content-Type"].startswith("application/problem+json")
        assert case.reference not in response.content.decode()
    case.refresh_from_db()
    assert case.state == "ontvangen"
    # Also a confirmed device that was not used in this session does not count.
    not_verified = Client()
    not_verified.force_login(cast.anouk)
    assert not_verified.get("/api/v1/signalen").status_code in (401, 403)
    # Verified sessions and partner tokens keep working.
    assert login(Client(), cast.anouk).get("/api/v1/signalen").status_code == 200
    assert Client().get("/api/v1/gemeenten", HTTP_AUTHORIZATION=f"Token {cast.wout_token}").status_code == 200


# --- denied attempts on personal data are audited ---------------------------------------------------
def test_a_refused_attempt_on_a_case_of_another_tenant_is_in_the_audit_trail(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    assert login(Client(), cast.vera).get(f"/werkvoorraad/{case.pk}/").status_code == 403
    assert login(Client(), cast.bram).get(f"/api/v1/signalen/{case.pk}").status_code in (403, 404)
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED, object_type="case", object_id=str(case.pk))
    assert {row.actor for row in denied} == {cast.vera, cast.bram}
    assert all(row.object_label == case.reference and row.reason.startswith("geweigerd: ") for row in denied)
    # The privacy officer of Zoeterwoude does not see ZWB's staff; ZWB's sees its own person's attempt.
    assert not policy.audit_entries_visible_to(cast.gijs, denied.filter(actor=cast.vera)).exists()
    assert policy.audit_entries_visible_to(cast.ruben, denied.filter(actor=cast.vera)).exists()
    # A refusal without an object (a menu, a list page) is not an attempt on personal data.
    before = AuditEvent.objects.count()
    assert login(Client(), cast.vera).get("/audit/").status_code == 403
    assert AuditEvent.objects.count() == before


# --- the system actor ------------------------------------------------------------------------------
def test_the_system_actor_may_only_what_is_registered_for_its_job(cast: Cast) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    region = Region.objects.get(slug="den-haag")
    assert policy.can(system_actor("monitor-import"), "monitor.import", region)
    assert not policy.can(system_actor("purge"), "monitor.import", region)  # not its job
    assert policy.can(system_actor("board-reports"), "report.generate", region)
    for job in ("monitor-import", "board-reports", "reminders"):
        actor = system_actor(job)
        # No rule of a person applies to the system: it reads no case and manages no user.
        for action in ("case.view", "case.transition", "audit.view", "users.manage", "monitor.view"):
            assert not policy.can(actor, action, case if action.startswith("case") else None), (job, action)
    # Nobody acts without an actor: None may only take the public actions.
    assert not policy.can(None, "monitor.import", region) and policy.can(None, "public.report")
    assert {"monitor.import", "report.generate", "retention.purge"} <= set(policy.system_rules())
    # Purging is the purge job's (retention/services.py); no person (not even a privacy officer) purges.
    assert policy.can(system_actor("purge"), "retention.purge")
    assert not policy.can(system_actor("reminders"), "retention.purge")
    for person in (cast.anouk, cast.gijs, cast.hanna):
        assert not policy.can(person, "retention.purge"), person.username


# --- scopes ----------------------------------------------------------------------------------------
def test_scopes_follow_the_organisation(cast: Cast) -> None:
    from ketenzicht.core.scopes import scope_of

    assert scope_of(cast.gijs).level == "gemeente" and scope_of(cast.gijs).covers(cast.zoeterwoude)
    assert not scope_of(cast.gijs).covers(cast.lisse)
    assert scope_of(cast.fleur).level == "district"  # districtelijke coördinatie Leiden-Bollenstreek
    assert scope_of(cast.fleur).covers(cast.lisse) and not scope_of(cast.fleur).covers(cast.vlissingen)
    assert scope_of(cast.ruben).level == "regio" and scope_of(cast.ruben).covers(cast.breda)
    assert not scope_of(cast.ruben).covers(cast.zoeterwoude)


def test_a_table_member_of_another_region_sees_no_table_of_this_one(cast: Cast) -> None:
    from tests.app.test_meetings_support import matrix_sitting

    sitting = matrix_sitting({"cast": cast})
    meeting = sitting.meeting
    # Even if a chair lists lars (police ZWB) and his organisation, the region boundary holds.
    meeting.members.add(cast.lars)
    meeting.organisations.add(cast.lars.organisation)
    assert not policy.can(cast.lars, "meeting.view", meeting)
    client = login(Client(), cast.lars)
    assert client.get(f"/overleggen/{meeting.pk}/").status_code in (403, 404)
    assert meeting.name not in client.get("/overleggen/").content.decode()
    assert policy.can(cast.esra, "meeting.view", meeting)


def test_the_register_of_hand_overs_shows_the_privacy_officers_own_scope_only(cast: Cast) -> None:
    from tests.app import matrix_support as m

    references = {}
    for side in m.SIDES:
        ctx = {"cast": cast, "side": side, "case": m.base_case(cast, side)}
        references[side.region] = m.sent_referral(ctx).case_reference
    gijs = login(Client(), cast.gijs).get("/privacy/doorgifteregister/").content.decode()
    ruben = login(Client(), cast.ruben).get("/privacy/doorgifteregister/").content.decode()
    assert references["den-haag"] in gijs and references["zeeland-west-brabant"] not in gijs
    assert references["zeeland-west-brabant"] in ruben and references["den-haag"] not in ruben
