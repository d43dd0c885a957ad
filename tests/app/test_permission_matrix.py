"""Need-to-know, as a matrix over two regions: every role of each region × every URL and API
operation × objects of its own and of the other region and municipality.

The expectation below is written out by hand from the rules in the issues, not derived from the
policy module, so a change to the policy that widens access makes this test fail. It is written in
parts people play (`matrix_support.PARTS`: "af" is the AF of the object's municipality, "af2" the
other AF of that region, "kr" the region's ketenregisseur …); each region's side says who plays them
(eenheid Den Haag: anouk, bram, …; Zeeland-West-Brabant: vera, daan, …).

- A row with an object (`OBJ`) runs once per region, with the object in that region: only the parts
  of that region may reach it; everybody of the other region is refused.
- A row without an object (a list, a form, a public page) runs once; the parts of both regions may
  reach it, and no page shows a signal of the other region (each test has one in both regions).

A URL that is added to the project without a row here fails `test_every_url_is_in_the_matrix`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.app import matrix_support as m
from tests.support import Cast, login

ANON = "anon"
STAFF = set(m.PARTS)
EVERYONE = STAFF | {ANON}
ROUTEKAART_USERS = STAFF - {"system"}  # everyone with an organisation, but not an API account
AF = {"af"}
AFS = {"af", "af2"}
AFS_KR = {"af", "af2", "kr"}
# Partner systems of either region may deliver a signal for a municipality of a loaded region.
ANY_SYSTEM = "any-system"

Kw = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Row:
    method: str
    kwargs: Kw | None  # None: no URL arguments
    parts: set[str]
    per_region: bool  # True: the kwargs name an object of the side under test


def ROW(method: str, parts: set[str], kwargs: Kw | None = None) -> Row:  # noqa: N802 - reads as a table
    """A row without an object of one region (lists, forms, public pages)."""
    return Row(method, kwargs, parts, per_region=False)


def OBJ(method: str, kwargs: Kw, parts: set[str]) -> Row:  # noqa: N802 - reads as a table
    """A row whose URL names an object of the region under test."""
    return Row(method, kwargs, parts, per_region=True)


CASE: Kw = lambda ctx: {"case_id": ctx["case"].pk}  # noqa: E731
REFERRAL: Kw = lambda ctx: {"referral_id": m.sent_referral(ctx).pk}  # noqa: E731
SITTING: Kw = lambda ctx: {"sitting_id": m.sitting(ctx).pk}  # noqa: E731
MEETING: Kw = lambda ctx: {"meeting_id": m.sitting(ctx).meeting_id}  # noqa: E731
ITEM: Kw = lambda ctx: {"item_id": m.agenda_item(ctx).pk}  # noqa: E731
RSITTING: Kw = lambda ctx: {"sitting_id": m.regional_sitting(ctx).pk}  # noqa: E731
RMEETING: Kw = lambda ctx: {"meeting_id": m.regional_sitting(ctx).meeting_id}  # noqa: E731
RITEM: Kw = lambda ctx: {"item_id": m.regional_item(ctx).pk}  # noqa: E731
PROGRAMME: Kw = lambda ctx: {"programme_id": m.own_programme(ctx).pk}  # noqa: E731
ACTION: Kw = lambda ctx: {"action_id": m.programme_action(ctx).pk}  # noqa: E731
PLACE: Kw = lambda ctx: {"municipality_id": m.municipality(ctx).pk}  # noqa: E731
CONTROL: Kw = lambda ctx: {"control_id": m.control(ctx).pk}  # noqa: E731
INTERVENTION: Kw = lambda ctx: {"intervention_id": m.intervention(ctx).pk}  # noqa: E731
IMPORT: Kw = lambda ctx: {"import_id": m.monitor_import(ctx).pk}  # noqa: E731
MELDER: Kw = lambda ctx: {"user_id": m.person(ctx, "melder").pk}  # noqa: E731


def _contact_request(ctx: dict[str, Any]) -> dict[str, Any]:
    """The region's other AF asks the side's AF about a hit on the side's case (issue 14 item 2)."""
    from ketenzicht.cases.contact import contact_request_create
    from tests.support import report_signal

    af2 = m.person(ctx, "af2")
    mine = report_signal(m.person(ctx, "melder"), af2.organisation.municipality, location_address=ctx["side"].address)
    return {"request_id": contact_request_create(actor=af2, case=mine, other_case_id=ctx["case"].pk).pk}


def _work_contact_request(ctx: dict[str, Any]) -> dict[str, Any]:
    """The region's other AF asks the side's AF about the side's open control on the same address."""
    from django.utils import timezone

    from ketenzicht.accounts.models import Organisation
    from ketenzicht.barriers import services as barriers
    from ketenzicht.barriers.contact import work_contact_request_create
    from tests.support import report_signal

    side, af2 = ctx["side"], m.person(ctx, "af2")
    control = barriers.control_plan(actor=m.person(ctx, "af"), data=barriers.ControlInput(
        municipality=m.municipality(ctx), trigger="risicoanalyse", trigger_note="Kwartaalanalyse", planned_on=timezone.localdate(), location_address=side.address,
        organisations=list(Organisation.objects.filter(slug__in=[side.municipality_org, side.police_org])),
    ))
    mine = report_signal(m.person(ctx, "melder"), af2.organisation.municipality, location_address=side.address)
    return {"request_id": work_contact_request_create(actor=af2, case=mine, target="controle", object_id=control.pk).pk}


def _role_request(ctx: dict[str, Any]) -> dict[str, Any]:
    """The side's beheerder asks the beheerder role for the side's melder: a waiting request of that region."""
    from ketenzicht.accounts.models import RoleRequest
    from ketenzicht.accounts.services import user_set_roles

    melder = m.person(ctx, "melder")
    user_set_roles(actor=m.person(ctx, "beheer"), user=melder, roles=["melder", "beheerder"])
    return {"request_id": RoleRequest.objects.get(user=melder).pk}


def _own_notification(ctx: dict[str, Any]) -> dict[str, Any]:
    """A notification for the side's AF: only that person may open it."""
    from ketenzicht.notifications.services import notify

    return {"notification_id": notify(recipients=[m.person(ctx, "af")], kind="nieuw_signaal", title="Nieuw signaal", link="/")[0].pk}


MATRIX: dict[str, Row] = {
    "home": ROW("GET", STAFF),
    "healthz": ROW("GET", EVERYONE),
    "set_language": ROW("POST", EVERYONE),
    "logout": ROW("GET", EVERYONE),
    "two_factor:login": ROW("GET", EVERYONE),
    "two_factor:setup": ROW("GET", STAFF),
    "two_factor:qr": ROW("GET", set()),  # only during setup: no QR without a pending secret
    "two_factor:setup_complete": ROW("GET", STAFF),
    "two_factor:backup_tokens": ROW("GET", STAFF),
    "two_factor:profile": ROW("GET", STAFF),
    "two_factor:disable": ROW("GET", STAFF),
    # notifications (accounts lane): everyone their own; a notification only its recipient.
    "notifications:list": ROW("GET", STAFF),
    "notifications:preferences": ROW("GET", STAFF),
    "notifications:read_all": ROW("POST", STAFF),
    "notifications:open": OBJ("GET", _own_notification, AF),
    # Links from e-mails: anyone may open one; without a valid token they only explain (400).
    "account:link": ROW("GET", EVERYONE, lambda ctx: {"token": "onbekend"}),
    "account:set_password": ROW("GET", EVERYONE),
    "account:forgot_password": ROW("GET", EVERYONE),
    "account:sso_code": ROW("GET", STAFF),  # the code form after SSO; anonymous → login
    # SSO is off unless configured: both endpoints answer 404 (tests/app/test_sso.py turns it on).
    "oidc_authentication_init": ROW("GET", set()),
    "oidc_authentication_callback": ROW("GET", set()),
    # An organisation's look holds no personal data: public, like the NL Design System CSS.
    "themes:css": ROW("GET", EVERYONE, lambda ctx: {"slug": "gemeente-zoeterwoude"}),
    "themes:logo": ROW("GET", EVERYONE, lambda ctx: {"slug": "gemeente-zoeterwoude"}),
    "public:report_for": ROW("GET", EVERYONE, lambda ctx: {"cbs_code": "GM0638"}),
    # intake: melders and AFs report within their own region; the reporter sees their own report.
    # A partner's professional (julia, SHOP; sanne, Sterk Huis) reports on screen too and follows
    # their reports (issue 16 item 5).
    "intake:report": ROW("GET", {"af", "af2", "melder", "partner"}),
    "intake:own_reports": ROW("GET", {"af", "af2", "melder", "partner"}),
    "intake:own_report": OBJ("GET", CASE, {"melder"}),
    # the case file: the AF of the case's municipality, nobody else (not the other AF of the region).
    "cases:queue": ROW("GET", AFS),
    # Across municipal borders (issue 14): every AF reads the trace of what their municipality
    # transferred and the contact requests it received or sent; asking for contact on a hit is the
    # case's own AF's; only the AF of the municipality holding the earlier signal answers.
    "cases:transfers": ROW("GET", AFS),
    "cases:contact_requests": ROW("GET", AFS),
    "cases:request_contact": OBJ("POST", CASE, AF),
    "cases:contact_answer": OBJ("GET", _contact_request, AF),
    # The same on the region's open integral controls and interventions: the owning municipality's AF answers.
    "barriers:request_contact": OBJ("POST", CASE, AF),
    "barriers:contact_answer": OBJ("GET", _work_contact_request, AF),
    "cases:detail": OBJ("GET", CASE, AF),
    "cases:transition": OBJ("POST", CASE, AF),
    "cases:enrich": OBJ("POST", CASE, AF),
    "cases:feedback": OBJ("POST", CASE, AF),
    "cases:add_subject": OBJ("POST", CASE, AF),
    "cases:add_attachment": OBJ("POST", CASE, AF),
    "cases:download_attachment": OBJ("GET", lambda ctx: {"case_id": ctx["case"].pk, "attachment_id": m.attachment(ctx).pk}, AF),
    "cases:assign_to_me": OBJ("POST", CASE, AF),
    # Issue 16 items 3 and 4: the queue's bulk assignment and saved filters (each AF in their own
    # municipality), assigning to a colleague, reclassifying, a question to the reporter.
    "cases:bulk_assign": ROW("POST", AFS),
    "cases:saved_filter": ROW("POST", AFS),
    "cases:assign": OBJ("POST", CASE, AF),
    "cases:reclassify": OBJ("POST", CASE, AF),
    "cases:ask_reporter": OBJ("POST", CASE, AF),
    # Enrichment from registries (issue 14 item 5): the AF of the case's municipality only.
    "cases:registry_address": OBJ("POST", CASE, AF),
    "cases:registry_company": OBJ("POST", CASE, AF),
    "cases:registry_take_over": OBJ("POST", CASE, AF),
    # oversight: each privacy officer reads their own scope's trail; each beheerder their region's users.
    "audit:log": ROW("GET", {"po"}),
    "audit:export_csv": ROW("GET", {"po"}),
    "audit:export_xlsx": ROW("GET", {"po"}),
    "accounts:users": ROW("GET", {"beheer"}),
    "accounts:user_edit": OBJ("GET", MELDER, {"beheer"}),
    "accounts:user_account": OBJ("POST", MELDER, {"beheer"}),
    "accounts:role_request": OBJ("POST", _role_request, {"beheer"}),
    # API: the AF's own signals; partner systems deliver (POST) for any municipality of a loaded region.
    "openapi": ROW("GET", EVERYONE),
    "api-signalen": ROW("GET", AFS),
    "api-signalen#POST": OBJ("POST_JSON", lambda ctx: {}, {"af", "af2", "melder", ANY_SYSTEM}),
    "api-signaal": OBJ("GET", CASE, AF),
    "api-signaal-transitie": OBJ("POST", CASE, AF),
    "api-gemeenten": ROW("GET", STAFF),
    # Regional monitor (issue 6): ketenregisseur and AFs of the region; imports by the ketenregisseur
    # of the import's own region (issue 13: another region's ketenregisseur withdrew Den Haag's).
    "monitor:overview": ROW("GET", AFS_KR),
    "monitor:municipality": OBJ("GET", PLACE, AFS_KR),
    "monitor:export": ROW("GET", AFS_KR, lambda ctx: {"fmt": "xlsx"}),
    "monitor:report": ROW("GET", AFS_KR),
    "monitor:throughput": ROW("GET", AFS_KR),
    "monitor:imports": ROW("GET", {"kr"}),
    "monitor:import_detail": OBJ("GET", IMPORT, {"kr"}),
    "monitor:import_withdraw": OBJ("POST", IMPORT, {"kr"}),
    # Persons and the estimate (issue 15): the region's ketenregisseur; deliveries by partner
    # systems and data stewards (none in this cast); a delivery's receipt only for the account
    # that delivered it.
    "persons:persons": ROW("GET", {"kr"}),
    "persons:deliver": ROW("GET", set()),
    "persons:linkage_status": ROW("GET", {"kr"}),
    "api-aanleveringen": ROW("POST", {"system"}),
    "api-aanlevering": OBJ("GET", IMPORT, set()),
    "api-personen": ROW("GET", {"kr"}),
    "public:report": ROW("GET", EVERYONE),
    "public:status": ROW("GET", EVERYONE),
    "public:addition": ROW("POST", EVERYONE),
    "public:answer": ROW("POST", EVERYONE),
    "public:municipality_check": ROW("GET", EVERYONE),
    # The region's queue (issues 3 and 13): signals for a municipality without an AF.
    "unrouted:list": ROW("GET", {"kr", "beheer"}),
    "unrouted:forward": OBJ("POST", lambda ctx: {"case_id": m.unrouted_case(ctx).pk}, {"kr", "beheer"}),
    # issue 4: routekaart, meldcode, referrals, partner inbox, sharing profiles and register
    "routing:guide": ROW("GET", ROUTEKAART_USERS),
    "routing:map_review": ROW("GET", {"po", "beheer"}),
    "routing:case_guide": OBJ("GET", CASE, AF),
    "routing:meldcode": OBJ("GET", CASE, AF),
    "routing:referral_new": OBJ("GET", CASE, AF),
    "routing:referral_detail": OBJ("GET", REFERRAL, AF),
    "routing:referral_send": OBJ("POST", REFERRAL, AF),
    "routing:referral_record": OBJ("POST", REFERRAL, AF),
    "routing:referral_pdf": OBJ("GET", REFERRAL, AF),
    "routing:partner_inbox": ROW("GET", {"partner"}),
    "routing:partner_referral": OBJ("GET", REFERRAL, {"partner"}),
    "routing:partner_respond": OBJ("POST", REFERRAL, {"partner"}),
    "routing:sharing_profiles": ROW("GET", {"po"}),
    "routing:sharing_register": ROW("GET", {"po"}),
    "routing:sharing_register_csv": ROW("GET", {"po"}),
    "routing:sharing_register_xlsx": ROW("GET", {"po"}),
    "api-routekaart-advies": ROW("POST", STAFF),
    # signalenoverleg and LOO (issue 5): the AF chairs the municipality's table, the police take part.
    # The ketenregisseur (Den Haag: fleur, district coordinator) convenes and chairs the tables
    # above the municipality (issue 14 item 3); its members are both AFs of the region and the
    # police; the AFs bring cases of their own municipality, the chair brings themes.
    "meetings:list": ROW("GET", {"af", "af2", "police", "kr"}),
    "meetings:regional_create": ROW("GET", {"kr"}),
    "meetings:detail#regional": OBJ("GET", RMEETING, {"kr", "af", "af2", "police"}),
    "meetings:edit#regional": OBJ("GET", RMEETING, {"kr"}),
    "meetings:plan_sitting#regional": OBJ("POST", RMEETING, {"kr"}),
    "meetings:sitting#regional": OBJ("GET", RSITTING, {"kr", "af", "af2", "police"}),
    "meetings:minutes#regional": OBJ("GET", RSITTING, {"kr", "af", "af2", "police"}),
    "meetings:bring_case": OBJ("GET", RSITTING, AFS),
    "meetings:add_theme": OBJ("GET", RSITTING, {"kr"}),
    "meetings:decide#regional": OBJ("GET", RITEM, {"kr"}),
    "meetings:agenda_move#regional": OBJ("POST", RITEM, {"kr"}),
    "meetings:agenda_refresh#regional": OBJ("POST", RSITTING, {"kr"}),
    "meetings:minutes_finalise#regional": OBJ("POST", RSITTING, {"kr"}),
    "meetings:minutes_correct#regional": OBJ("POST", RSITTING, {"kr"}),
    "meetings:action_done#regional": OBJ("POST", lambda ctx: {"action_item_id": m.regional_action_item(ctx).pk}, {"kr", "police"}),
    "meetings:create": ROW("GET", AFS),
    "meetings:deadlines": ROW("GET", {"af", "af2", "police", "kr"}),
    "meetings:throughput": ROW("GET", AFS_KR),
    "meetings:detail": OBJ("GET", MEETING, {"af", "police"}),
    "meetings:edit": OBJ("GET", MEETING, AF),
    "meetings:plan_sitting": OBJ("POST", MEETING, AF),
    "meetings:sitting": OBJ("GET", SITTING, {"af", "police"}),
    "meetings:agenda_refresh": OBJ("POST", SITTING, AF),
    "meetings:agenda_pdf": OBJ("GET", SITTING, {"af", "police"}),
    "meetings:minutes": OBJ("GET", SITTING, {"af", "police"}),
    "meetings:minutes_pdf": OBJ("GET", SITTING, {"af", "police"}),
    "meetings:minutes_finalise": OBJ("POST", SITTING, AF),
    "meetings:minutes_correct": OBJ("POST", SITTING, AF),
    "meetings:agenda_move": OBJ("POST", ITEM, AF),
    "meetings:decide": OBJ("GET", ITEM, AF),
    "meetings:action_done": OBJ("POST", lambda ctx: {"action_item_id": m.action_item(ctx).pk}, {"af", "police"}),
    # Action programme, training and board reports (issue 9). The programme is the municipality's
    # own: its AF keeps it, the ketenregisseur of the region reads it; the other AF does not see it.
    "programme:index": ROW("GET", AFS_KR),
    "programme:new": ROW("GET", AFS_KR),
    "programme:detail": OBJ("GET", PROGRAMME, {"af", "kr"}),
    "programme:edit": OBJ("GET", PROGRAMME, AF),
    "programme:action_new": OBJ("GET", PROGRAMME, AF),
    "programme:import": OBJ("GET", PROGRAMME, AF),
    "programme:export": OBJ("GET", PROGRAMME, {"af", "kr"}),
    "programme:action": OBJ("GET", ACTION, {"af", "kr"}),
    "programme:action_status": OBJ("POST", ACTION, AF),
    "programme:action_edit": OBJ("GET", ACTION, AF),
    "programme:action_complete": OBJ("POST", ACTION, AF),
    "programme:occurrence_done": OBJ("POST", lambda ctx: {"occurrence_id": m.occurrence(ctx)}, AF),
    "programme:training_index": ROW("GET", AFS_KR),
    "programme:training_new": ROW("GET", AFS_KR),
    "programme:training": OBJ("GET", PLACE, {"af", "kr"}),
    "programme:target_group": OBJ("GET", PLACE, {"af", "kr"}),
    "programme:need_new": OBJ("GET", PLACE, {"af", "kr"}),
    "programme:reports": ROW("GET", AFS_KR),
    "programme:report_download": OBJ("GET", lambda ctx: {"report_id": m.board_report(ctx).pk}, {"af", "kr"}),
    # barriers, interventions, integral controls, Bibob (issue 8): the AF of the municipality works on
    # them; barrier models (each region sees the shipped model and its own copy) are read by AFs and
    # the ketenregisseur, edited by the ketenregisseur only.
    "barriers:index": ROW("GET", AFS),
    "barriers:models": ROW("GET", AFS_KR),
    "barriers:model": ROW("GET", AFS_KR, m.model),
    "barriers:model_edit": ROW("POST", {"kr"}, m.model),
    "barriers:control_new": ROW("GET", AFS),
    "barriers:control": OBJ("GET", CONTROL, AF),
    # The regional control team (issue 14 item 4): the ketenregisseur of the region plans; the AFs
    # of the municipalities with an address and that ketenregisseur see the control; each AF records
    # the findings of the own municipality's address only.
    "barriers:control#regionaal": OBJ("GET", lambda ctx: {"control_id": m.regional_control(ctx).pk}, AFS_KR),
    "barriers:regional_controls": ROW("GET", AFS_KR),
    "barriers:regional_control_new": ROW("GET", {"kr"}),
    "barriers:control_address_findings": OBJ("POST", m.regional_address, AF),
    "barriers:control_findings": OBJ("POST", CONTROL, AF),
    "barriers:intervention_new": ROW("GET", AFS),
    "barriers:intervention": OBJ("GET", INTERVENTION, AF),
    "barriers:intervention_start": OBJ("POST", INTERVENTION, AF),
    "barriers:intervention_effect": OBJ("POST", INTERVENTION, AF),
    "barriers:intervention_decide": OBJ("POST", INTERVENTION, AF),
    "barriers:address": OBJ("GET", lambda ctx: {"handle": m.control(ctx).address_hash}, AF),
    "barriers:bibob_list": ROW("GET", AFS),
    "barriers:bibob_new": ROW("GET", AFS),
    "barriers:bibob_detail": OBJ("GET", lambda ctx: {"screening_id": m.bibob(ctx).pk}, AF),
    "barriers:dashboard": ROW("GET", AFS_KR),
    "barriers:campaign_new": ROW("GET", AFS_KR),
}

DENIED_STATUSES = {401, 403, 404}
# Form data for POSTs whose answer depends on it (set_language redirects to `next`).
POST_DATA = {
    "set_language": {"language": "en", "next": "/healthz"},
    # The one who asked may withdraw a waiting role request (deciding is a second beheerder's).
    "accounts:role_request": {"actie": "intrekken"},
    "accounts:user_account": {"actie": "uitnodigen"},
}
SYSTEMS = {side.people["system"] for side in m.SIDES}


def _walk(patterns: list[Any], prefix: str = "") -> list[str]:
    names = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names += _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{prefix}{entry.name}")
    return names


def test_every_url_is_in_the_matrix() -> None:
    names = set(_walk(get_resolver().url_patterns))
    rows = {name.split("#")[0] for name in MATRIX}
    assert sorted(names - rows) == [], "URLs without a row in the permission matrix"
    assert sorted(rows - names) == [], "matrix rows for URLs that no longer exist"


def _expected(row: Row, sides: tuple[m.Side, ...]) -> set[str]:
    names = {ANON} if ANON in row.parts else set()
    for side in sides:
        names |= side.names(row.parts)
    if ANY_SYSTEM in row.parts:
        names |= SYSTEMS
    return names


def _signal_body(side: m.Side) -> str:
    return json.dumps({"gemeenteCode": side.municipality, "omschrijving": "Matrix: twaalf mensen in een loods.", "uitbuitingsvormen": ["arbeid"]})


def _outcome(client: Client, row: Row, url: str, who: str, cast: Cast, name: str, side: m.Side | None) -> tuple[bool, int, bytes]:
    token_auth = who in SYSTEMS and url.startswith("/api/")
    headers = {"HTTP_AUTHORIZATION": f"Token {getattr(cast, who + '_token')}"} if token_auth else {}
    if row.method == "POST_JSON":
        assert side is not None
        response = client.post(url, _signal_body(side), content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()), **headers)
    else:
        send = client.post if row.method == "POST" else client.get
        response = send(url, POST_DATA.get(name, {}), follow=True, **headers)
    status = response.status_code
    if status in DENIED_STATUSES:
        return False, status, b""
    # Following redirects: ending on the login page means "log in first", i.e. denied.
    if getattr(response, "redirect_chain", None) and response.request["PATH_INFO"] == reverse("two_factor:login"):
        return False, response.redirect_chain[0][1], b""
    assert status < 500, f"{who} {row.method} {url} → {status}"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return True, status, body


def _cases() -> list[tuple[str, str]]:
    """(URL name, region of the object) per test; "" for a row without an object."""
    return [(name, side.region if side else "") for name, row in sorted(MATRIX.items()) for side in (m.SIDES if row.per_region else (None,))]


@pytest.mark.parametrize(("name", "where"), _cases(), ids=lambda value: value or "beide-regio's")
def test_role_matrix(name: str, where: str, cast: Cast) -> None:
    row = MATRIX[name]
    base = {side.region: m.base_case(cast, side) for side in m.SIDES}
    side = next((s for s in m.SIDES if s.region == where), None)
    ctx: dict[str, Any] = {"cast": cast, "side": side, "case": base[where] if where else None}
    kwargs = row.kwargs(ctx) if row.kwargs is not None else {}
    url = reverse(name.split("#")[0], kwargs=kwargs)
    expected = _expected(row, (side,) if side is not None else m.SIDES)
    members = cast.members()
    home = {who: s for s in m.SIDES for who in s.people.values()}
    wrong = []
    for who in [ANON, *sorted(members)]:
        client = Client()
        if who != ANON and not (who in SYSTEMS and url.startswith("/api/")):
            login(client, members[who])
        ok, status, body = _outcome(client, row, url, who, cast, name, side)
        if ok != (who in expected):
            wrong.append(f"{who}: {'allowed' if ok else 'denied'} ({status}), expected {'allowed' if who in expected else 'denied'}")
        # Whatever a page shows, it never shows a signal of another region (nor any to the public).
        foreign = [case.reference for r, case in base.items() if who == ANON or home[who].region != r]
        leaked = [reference for reference in foreign if reference.encode() in body]
        if leaked:
            wrong.append(f"{who}: sees {leaked} of another region")
    assert wrong == [], f"{row.method} {url} ({where or 'both regions'})\n" + "\n".join(wrong)
