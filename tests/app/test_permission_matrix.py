"""Need-to-know, as a matrix: every role × every URL and API operation → allowed or denied.

The expectation below is written out by hand from the rules in the issue, not derived from the
policy module, so a change to the policy that widens access makes this test fail. A URL that
is added to the project without a row here fails `test_every_url_is_in_the_matrix`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ketenzicht.accounts.models import Municipality
from tests.app.barriers_support import (
    matrix_bibob,
    matrix_control,
    matrix_intervention,
    matrix_model,
)
from tests.app.monitor_support import monitor_import
from tests.app.programme_support import (
    matrix_action,
    matrix_occurrence,
    matrix_programme,
    matrix_report,
)
from tests.app.test_meetings_support import matrix_action_item, matrix_item, matrix_sitting
from tests.support import Cast, login, report_signal

ANON = "anon"
EVERYONE = {"anon", "anouk", "bram", "chantal", "esra", "julia", "fleur", "gijs", "hanna", "otto", "pim"}
STAFF = EVERYONE - {ANON}
AF_Z = {"anouk"}  # the AF of Zoeterwoude, where the test case lives


def _walk(patterns: list[Any], prefix: str = "") -> list[str]:
    names = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names += _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{prefix}{entry.name}")
    return names


# name → (method, kwargs-builder, roles allowed). The case lives in Zoeterwoude, reported by chantal.
Kw = Callable[[dict[str, Any]], dict[str, Any]]
NONE: Kw = lambda ctx: {}  # noqa: E731
CASE: Kw = lambda ctx: {"case_id": ctx["case"].pk}  # noqa: E731
# A report for Hillegom, a municipality of the region that is not on the platform (issue 3).
UNROUTED_CASE: Kw = lambda ctx: {"case_id": report_signal(ctx["cast"].chantal, Municipality.objects.get(cbs_code="GM0534")).pk}  # noqa: E731


def _sent_referral(ctx: dict[str, Any]) -> dict[str, Any]:
    """A referral of the Zoeterwoude case to SHOP (julia's organisation), sent by anouk (issue 4)."""
    from ketenzicht.accounts.models import Organisation
    from ketenzicht.cases.services import case_transition
    from ketenzicht.routing import services as routing

    cast = ctx["cast"]
    case = case_transition(actor=cast.anouk, case=ctx["case"], action="in_behandeling_nemen")
    referral = routing.referral_create(actor=cast.anouk, case=case, organisation=Organisation.objects.get(slug="shop"), question="Kunt u contact opnemen?")
    return {"referral_id": routing.referral_send(actor=cast.anouk, referral=referral).pk}


REFERRAL: Kw = _sent_referral


def _role_request(ctx: dict[str, Any]) -> dict[str, Any]:
    """hanna asks the beheerder role for otto: a waiting request of the Den Haag region."""
    from ketenzicht.accounts.models import RoleRequest
    from ketenzicht.accounts.services import user_set_roles

    cast = ctx["cast"]
    user_set_roles(actor=cast.hanna, user=cast.otto, roles=["beheerder"])
    return {"request_id": RoleRequest.objects.get(user=cast.otto).pk}


def _own_notification(ctx: dict[str, Any]) -> dict[str, Any]:
    """A notification for anouk: only she may open it."""
    from ketenzicht.notifications.services import notify

    return {"notification_id": notify(recipients=[ctx["cast"].anouk], kind="nieuw_signaal", title="Nieuw signaal", link="/")[0].pk}


ROUTEKAART_USERS = STAFF - {"pim"}  # everyone with an organisation, but not an API account
MATRIX: dict[str, tuple[str, Kw, set[str]]] = {
    "home": ("GET", NONE, STAFF),
    "notifications:list": ("GET", NONE, STAFF),
    "notifications:preferences": ("GET", NONE, STAFF),
    "notifications:read_all": ("POST", NONE, STAFF),
    "notifications:open": ("GET", _own_notification, {"anouk"}),
    "healthz": ("GET", NONE, EVERYONE),
    "set_language": ("POST", NONE, EVERYONE),
    "logout": ("GET", NONE, EVERYONE),
    "two_factor:login": ("GET", NONE, EVERYONE),
    "two_factor:setup": ("GET", NONE, STAFF),
    "two_factor:qr": ("GET", NONE, set()),  # only during setup: no QR without a pending secret
    "two_factor:setup_complete": ("GET", NONE, STAFF),
    "two_factor:backup_tokens": ("GET", NONE, STAFF),
    "two_factor:profile": ("GET", NONE, STAFF),
    "two_factor:disable": ("GET", NONE, STAFF),
    "intake:report": ("GET", NONE, {"anouk", "bram", "chantal"}),
    "intake:own_reports": ("GET", NONE, {"anouk", "bram", "chantal"}),
    "intake:own_report": ("GET", CASE, {"chantal"}),
    "cases:queue": ("GET", NONE, {"anouk", "bram"}),
    "cases:detail": ("GET", CASE, AF_Z),
    "cases:transition": ("POST", CASE, AF_Z),
    "cases:enrich": ("POST", CASE, AF_Z),
    "cases:feedback": ("POST", CASE, AF_Z),
    "cases:add_subject": ("POST", CASE, AF_Z),
    "cases:add_attachment": ("POST", CASE, AF_Z),
    "cases:download_attachment": ("GET", lambda ctx: {"case_id": ctx["case"].pk, "attachment_id": ctx["attachment"].pk}, AF_Z),
    "cases:assign_to_me": ("POST", CASE, AF_Z),
    # Enrichment from registries (issue 14 item 5): the AF of the case's municipality only.
    "cases:registry_address": ("POST", CASE, AF_Z),
    "cases:registry_company": ("POST", CASE, AF_Z),
    "cases:registry_take_over": ("POST", CASE, AF_Z),
    "audit:log": ("GET", NONE, {"gijs"}),
    "accounts:users": ("GET", NONE, {"hanna"}),
    "accounts:user_edit": ("GET", lambda ctx: {"user_id": ctx["cast"].otto.pk}, {"hanna"}),
    "accounts:user_account": ("POST", lambda ctx: {"user_id": ctx["cast"].otto.pk}, {"hanna"}),
    "accounts:role_request": ("POST", _role_request, {"hanna"}),
    # Links from e-mails: anyone may open one; without a valid token they only explain (400).
    "account:link": ("GET", lambda ctx: {"token": "onbekend"}, EVERYONE),
    "account:set_password": ("GET", NONE, EVERYONE),
    "account:forgot_password": ("GET", NONE, EVERYONE),
    "account:sso_code": ("GET", NONE, STAFF),  # the code form after SSO; anonymous → login
    # SSO is off unless configured: both endpoints answer 404 (tests/app/test_sso.py turns it on).
    "oidc_authentication_init": ("GET", NONE, set()),
    "oidc_authentication_callback": ("GET", NONE, set()),
    # An organisation's look holds no personal data: public, like the NL Design System CSS.
    "themes:css": ("GET", lambda ctx: {"slug": "gemeente-zoeterwoude"}, EVERYONE),
    "themes:logo": ("GET", lambda ctx: {"slug": "gemeente-zoeterwoude"}, EVERYONE),
    "public:report_for": ("GET", lambda ctx: {"cbs_code": "GM0638"}, EVERYONE),
    "openapi": ("GET", NONE, EVERYONE),
    "api-signalen": ("GET", NONE, {"anouk", "bram"}),
    "api-signaal": ("GET", CASE, AF_Z),
    "api-signaal-transitie": ("POST", CASE, AF_Z),
    "api-gemeenten": ("GET", NONE, STAFF),
    # Regional monitor (issue 6): ketenregisseur and AFs of the region; imports by the ketenregisseur.
    "monitor:overview": ("GET", NONE, {"anouk", "bram", "fleur"}),
    "monitor:municipality": ("GET", lambda ctx: {"municipality_id": ctx["cast"].zoeterwoude.pk}, {"anouk", "bram", "fleur"}),
    "monitor:export": ("GET", lambda ctx: {"fmt": "xlsx"}, {"anouk", "bram", "fleur"}),
    "monitor:report": ("GET", NONE, {"anouk", "bram", "fleur"}),
    "monitor:throughput": ("GET", NONE, {"anouk", "bram", "fleur"}),
    "monitor:imports": ("GET", NONE, {"fleur"}),
    "monitor:import_detail": ("GET", lambda ctx: {"import_id": monitor_import().pk}, {"fleur"}),
    "monitor:import_withdraw": ("POST", lambda ctx: {"import_id": monitor_import().pk}, {"fleur"}),
    # Persons and the estimate (issue 15): the region's ketenregisseur; deliveries by partner
    # systems (pim delivers for NLA) and data stewards (none in this cast); a receipt only for
    # the account that delivered it.
    "persons:persons": ("GET", NONE, {"fleur"}),
    "persons:deliver": ("GET", NONE, set()),
    "persons:linkage_status": ("GET", NONE, {"fleur"}),
    "api-aanleveringen": ("POST", NONE, {"pim"}),
    "api-aanlevering": ("GET", lambda ctx: {"import_id": monitor_import().pk}, set()),
    "api-personen": ("GET", NONE, {"fleur"}),
    "public:report": ("GET", NONE, EVERYONE),
    "public:status": ("GET", NONE, EVERYONE),
    "public:addition": ("POST", NONE, EVERYONE),
    "unrouted:list": ("GET", NONE, {"hanna"}),
    "unrouted:forward": ("POST", UNROUTED_CASE, {"hanna"}),
    # issue 4: routekaart, meldcode, referrals, partner inbox, sharing profiles and register
    "routing:guide": ("GET", NONE, ROUTEKAART_USERS),
    "routing:map_review": ("GET", NONE, {"gijs", "hanna"}),
    "routing:case_guide": ("GET", CASE, AF_Z),
    "routing:meldcode": ("GET", CASE, AF_Z),
    "routing:referral_new": ("GET", CASE, AF_Z),
    "routing:referral_detail": ("GET", REFERRAL, AF_Z),
    "routing:referral_send": ("POST", REFERRAL, AF_Z),
    "routing:referral_record": ("POST", REFERRAL, AF_Z),
    "routing:referral_pdf": ("GET", REFERRAL, AF_Z),
    "routing:partner_inbox": ("GET", NONE, {"julia"}),
    "routing:partner_referral": ("GET", REFERRAL, {"julia"}),
    "routing:partner_respond": ("POST", REFERRAL, {"julia"}),
    "routing:sharing_profiles": ("GET", NONE, {"gijs"}),
    "routing:sharing_register": ("GET", NONE, {"gijs"}),
    "routing:sharing_register_csv": ("GET", NONE, {"gijs"}),
    "routing:sharing_register_xlsx": ("GET", NONE, {"gijs"}),
    "api-routekaart-advies": ("POST", NONE, STAFF),
    # signalenoverleg and LOO (issue 5): anouk chairs the Zoeterwoude table, esra (police) takes part.
    "meetings:list": ("GET", NONE, {"anouk", "bram", "esra"}),
    "meetings:create": ("GET", NONE, {"anouk", "bram"}),
    "meetings:deadlines": ("GET", NONE, {"anouk", "bram", "esra"}),
    "meetings:throughput": ("GET", NONE, {"anouk", "bram", "fleur"}),
    "meetings:detail": ("GET", lambda ctx: {"meeting_id": matrix_sitting(ctx).meeting_id}, {"anouk", "esra"}),
    "meetings:edit": ("GET", lambda ctx: {"meeting_id": matrix_sitting(ctx).meeting_id}, AF_Z),
    "meetings:plan_sitting": ("POST", lambda ctx: {"meeting_id": matrix_sitting(ctx).meeting_id}, AF_Z),
    "meetings:sitting": ("GET", lambda ctx: {"sitting_id": matrix_sitting(ctx).pk}, {"anouk", "esra"}),
    "meetings:agenda_refresh": ("POST", lambda ctx: {"sitting_id": matrix_sitting(ctx).pk}, AF_Z),
    "meetings:agenda_pdf": ("GET", lambda ctx: {"sitting_id": matrix_sitting(ctx).pk}, {"anouk", "esra"}),
    "meetings:minutes": ("GET", lambda ctx: {"sitting_id": matrix_sitting(ctx).pk}, {"anouk", "esra"}),
    "meetings:minutes_pdf": ("GET", lambda ctx: {"sitting_id": matrix_sitting(ctx).pk}, {"anouk", "esra"}),
    "meetings:minutes_finalise": ("POST", lambda ctx: {"sitting_id": matrix_sitting(ctx).pk}, AF_Z),
    "meetings:minutes_correct": ("POST", lambda ctx: {"sitting_id": matrix_sitting(ctx).pk}, AF_Z),
    "meetings:agenda_move": ("POST", lambda ctx: {"item_id": matrix_item(ctx).pk}, AF_Z),
    "meetings:decide": ("GET", lambda ctx: {"item_id": matrix_item(ctx).pk}, AF_Z),
    "meetings:action_done": ("POST", lambda ctx: {"action_item_id": matrix_action_item(ctx).pk}, {"anouk", "esra"}),
    # barriers, interventions, integral controls, Bibob (issue 8): the AF of the municipality works on
    # Action programme, training and board reports (issue 9). The programme is Zoeterwoude's own:
    # its AF keeps it, the ketenregisseur of the region reads it; Lisse's AF does not see it.
    "programme:index": ("GET", NONE, {"anouk", "bram", "fleur"}),
    "programme:new": ("GET", NONE, {"anouk", "bram", "fleur"}),
    "programme:detail": ("GET", lambda ctx: {"programme_id": matrix_programme(ctx).pk}, {"anouk", "fleur"}),
    "programme:edit": ("GET", lambda ctx: {"programme_id": matrix_programme(ctx).pk}, AF_Z),
    "programme:action_new": ("GET", lambda ctx: {"programme_id": matrix_programme(ctx).pk}, AF_Z),
    "programme:import": ("GET", lambda ctx: {"programme_id": matrix_programme(ctx).pk}, AF_Z),
    "programme:export": ("GET", lambda ctx: {"programme_id": matrix_programme(ctx).pk}, {"anouk", "fleur"}),
    "programme:action": ("GET", lambda ctx: {"action_id": matrix_action(ctx).pk}, {"anouk", "fleur"}),
    "programme:action_status": ("POST", lambda ctx: {"action_id": matrix_action(ctx).pk}, AF_Z),
    "programme:action_edit": ("GET", lambda ctx: {"action_id": matrix_action(ctx).pk}, AF_Z),
    "programme:action_complete": ("POST", lambda ctx: {"action_id": matrix_action(ctx).pk}, AF_Z),
    "programme:occurrence_done": ("POST", lambda ctx: {"occurrence_id": matrix_occurrence(ctx)}, AF_Z),
    "programme:training_index": ("GET", NONE, {"anouk", "bram", "fleur"}),
    "programme:training_new": ("GET", NONE, {"anouk", "bram", "fleur"}),
    "programme:training": ("GET", lambda ctx: {"municipality_id": ctx["cast"].zoeterwoude.pk}, {"anouk", "fleur"}),
    "programme:target_group": ("GET", lambda ctx: {"municipality_id": ctx["cast"].zoeterwoude.pk}, {"anouk", "fleur"}),
    "programme:need_new": ("GET", lambda ctx: {"municipality_id": ctx["cast"].zoeterwoude.pk}, {"anouk", "fleur"}),
    "programme:reports": ("GET", NONE, {"anouk", "bram", "fleur"}),
    "programme:report_download": ("GET", lambda ctx: {"report_id": matrix_report(ctx).pk}, {"anouk", "fleur"}),
    # them; barrier models are read by AFs and the ketenregisseur, edited by the ketenregisseur only.
    "barriers:index": ("GET", NONE, {"anouk", "bram"}),
    "barriers:models": ("GET", NONE, {"anouk", "bram", "fleur"}),
    "barriers:model": ("GET", matrix_model, {"anouk", "bram", "fleur"}),
    "barriers:model_edit": ("POST", matrix_model, {"fleur"}),
    "barriers:control_new": ("GET", NONE, {"anouk", "bram"}),
    "barriers:control": ("GET", lambda ctx: {"control_id": matrix_control(ctx).pk}, AF_Z),
    "barriers:control_findings": ("POST", lambda ctx: {"control_id": matrix_control(ctx).pk}, AF_Z),
    "barriers:intervention_new": ("GET", NONE, {"anouk", "bram"}),
    "barriers:intervention": ("GET", lambda ctx: {"intervention_id": matrix_intervention(ctx).pk}, AF_Z),
    "barriers:intervention_start": ("POST", lambda ctx: {"intervention_id": matrix_intervention(ctx).pk}, AF_Z),
    "barriers:intervention_effect": ("POST", lambda ctx: {"intervention_id": matrix_intervention(ctx).pk}, AF_Z),
    "barriers:intervention_decide": ("POST", lambda ctx: {"intervention_id": matrix_intervention(ctx).pk}, AF_Z),
    "barriers:address": ("GET", lambda ctx: {"handle": matrix_control(ctx).address_hash}, AF_Z),
    "barriers:bibob_list": ("GET", NONE, {"anouk", "bram"}),
    "barriers:bibob_new": ("GET", NONE, {"anouk", "bram"}),
    "barriers:bibob_detail": ("GET", lambda ctx: {"screening_id": matrix_bibob(ctx).pk}, AF_Z),
    "barriers:dashboard": ("GET", NONE, {"anouk", "bram", "fleur"}),
    "barriers:campaign_new": ("GET", NONE, {"anouk", "bram", "fleur"}),
}

DENIED_STATUSES = {401, 403, 404}
# Form data for POSTs whose answer depends on it (set_language redirects to `next`).
POST_DATA = {
    "set_language": {"language": "en", "next": "/healthz"},
    # The one who asked may withdraw a waiting role request (deciding is a second beheerder's).
    "accounts:role_request": {"actie": "intrekken"},
    "accounts:user_account": {"actie": "uitnodigen"},
}


def test_every_url_is_in_the_matrix() -> None:
    names = set(_walk(get_resolver().url_patterns))
    missing = sorted(names - set(MATRIX))
    stale = sorted(set(MATRIX) - names)
    assert missing == [], f"URLs without a row in the permission matrix: {missing}"
    assert stale == [], f"matrix rows for URLs that no longer exist: {stale}"


def _outcome(client: Client, method: str, url: str, who: str, token: str, data: dict[str, str]) -> tuple[bool, int]:
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if who == "pim" and url.startswith("/api/") else {}
    send = client.post if method == "POST" else client.get
    response = send(url, data, follow=True, **headers)
    status = response.status_code
    if status in DENIED_STATUSES:
        return False, status
    # Following redirects: ending on the login page means "log in first", i.e. denied.
    if response.redirect_chain and response.request["PATH_INFO"] == reverse("two_factor:login"):
        return False, response.redirect_chain[0][1]
    assert status < 500, f"{who} {method} {url} → {status}"
    return True, status


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_role_matrix(name: str, cast: Cast) -> None:
    from ketenzicht.cases import services

    case = report_signal(cast.chantal, cast.zoeterwoude)
    attachment = services.attachment_add(
        actor=cast.anouk,
        case=case,
        attachment=services.AttachmentInput(name="foto.pdf", content_type="application/pdf", data=b"%PDF-1.4\n%test\n"),
    )
    method, kwargs, allowed = MATRIX[name]
    url = reverse(name, kwargs=kwargs({"case": case, "attachment": attachment, "cast": cast}))
    members = cast.members()
    wrong = []
    for who in sorted(EVERYONE):
        client = Client()
        if who != ANON and not (who == "pim" and url.startswith("/api/")):
            login(client, members[who])
        ok, status = _outcome(client, method, url, who, cast.pim_token, POST_DATA.get(name, {}))
        if ok != (who in allowed):
            wrong.append(f"{who}: {'allowed' if ok else 'denied'} ({status}), expected {'allowed' if who in allowed else 'denied'}")
    assert wrong == [], f"{method} {url}\n" + "\n".join(wrong)
