"""Every list page answers with the same number of queries at 1 row as at 20 (issue 18, item 3).

A list page that asks the database once per row (an N+1) is slow at the size a region works at
and nobody notices with three test rows. Each list page below is opened by someone who may see
it, once with one row of its kind and once with twenty; the twenty must all be on the page and
the number of queries must not grow.

The list pages are derived here from the URL configuration, independently of the permission
matrix: every URL name is either a list measured here (a list page, or a list within one
object's page) or named in `NOT_A_LIST` with the reason. A new URL name fails
`test_every_url_is_known`, so a new list page gets its row here before it lands.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

import pytest
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.utils import timezone

from ketenzicht.accounts.models import Municipality, Organisation
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases.services import case_transition
from ketenzicht.monitor.models import Import, ImportKind, ImportStatus, Source
from ketenzicht.programme.models import BoardReport
from tests.app.barriers_support import ensure_models
from tests.app.programme_support import add_action
from tests.support import Cast, login, report_signal

_serial = itertools.count(1)


def _n() -> int:
    return next(_serial)


# --- builders: each adds `k` rows the viewer sees and returns what identifies them on the page ---
Builder = Callable[[Cast, int, dict[str, Any]], list[str]]
Kwargs = Callable[[Cast, dict[str, Any]], dict[str, Any]]


def _signals(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    return [report_signal(cast.chantal, cast.zoeterwoude).reference for _ in range(k)]


def _transfers(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    """Zoeterwoude signals handed to Lisse: each leaves a trace row on anouk's trace page."""
    from ketenzicht.cases.services import case_transfer

    return [case_transfer(actor=cast.anouk, case=report_signal(cast.chantal, cast.zoeterwoude), to=cast.lisse, reason=f"Hoort bij Lisse {_n()}").reference for _ in range(k)]


def _contact_requests(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    """Lisse asks Zoeterwoude about a hit on a shared address, on a case and on an open control:
    each a row anouk received in both lists."""
    from django.utils import timezone

    from ketenzicht.accounts.models import Organisation
    from ketenzicht.barriers import services as barriers
    from ketenzicht.barriers.contact import work_contact_request_create
    from ketenzicht.cases.contact import contact_request_create

    references = []
    partners = list(Organisation.objects.filter(slug__in=["gemeente-zoeterwoude", "nla"]))
    for _ in range(k):
        address = f"Heereweg {_n()}, 2161 BD Lisse"
        earlier = report_signal(cast.chantal, cast.zoeterwoude, location_address=address)
        mine = report_signal(cast.chantal, cast.lisse, location_address=address)
        contact_request_create(actor=cast.bram, case=mine, other_case_id=earlier.pk)
        control = barriers.control_plan(actor=cast.anouk, data=barriers.ControlInput(
            municipality=cast.zoeterwoude, trigger="risicoanalyse", trigger_note="Analyse", planned_on=timezone.localdate(),
            location_address=address, organisations=partners,
        ))
        work_contact_request_create(actor=cast.bram, case=mine, target="controle", object_id=control.pk)
        references.append(earlier.reference)
    return references


def _unrouted(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    hillegom = Municipality.objects.get(cbs_code="GM0534")  # in the region, not on the platform
    return [report_signal(cast.chantal, hillegom).reference for _ in range(k)]


def _audit_rows(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    labels = []
    for _ in range(k):
        label = f"dossier-{_n()}"
        audit_record(actor=cast.anouk, action=AuditAction.VIEW, object_type="case", object_id=label, object_label=label)
        labels.append(label)
    return labels


def _users(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    """Colleagues invited as AF and beheerder: each is a row of the people and one of the grants waiting."""
    from ketenzicht.accounts import services

    markers = []
    for _ in range(k):
        name = f"medewerker{_n()}"
        services.user_create(actor=cast.hanna, username=name, email=f"{name}@example.test", first_name="Mede", last_name=name,
                             organisation=Organisation.objects.get(slug="gemeente-zoeterwoude"), roles=["aandachtsfunctionaris", "beheerder"])
        markers += [f">Mede {name}</a>", f"voor Mede {name} ("]
    return markers


def _notifications(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    from ketenzicht.notifications.models import Kind
    from ketenzicht.notifications.services import notify

    titles = []
    for i in range(k):
        title = f"Nieuw signaal Z-{_n()}"
        notify(recipients=[cast.anouk], kind=Kind.NIEUW_SIGNAAL, title=title, link="/werkvoorraad/", urgent=i % 2 == 0, key=title)
        titles.append(title)
    return titles


def _imports(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    names = []
    for _ in range(k):
        n = _n()
        Import.objects.create(
            source=Source.objects.get(slug="politie"), kind=ImportKind.REGISTRATIES, status=ImportStatus.AFGEWEZEN,
            file_name=f"levering-{n}.csv", sha256=f"{n:064d}", uploaded_by_label="Fleur Test",
            region=cast.zoeterwoude.region,  # imports are listed per region: the viewer's own
            errors=[{"rij": 2, "kolom": "datum", "fout": "geen datum"}],
        )
        names.append(f"levering-{n}.csv")
    return names


def _referrals(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    from ketenzicht.routing import services

    shop = Organisation.objects.get(slug="shop")
    refs = []
    for _ in range(k):
        case = case_transition(actor=cast.anouk, case=report_signal(cast.chantal, cast.zoeterwoude), action="in_behandeling_nemen")
        referral = services.referral_create(actor=cast.anouk, case=case, organisation=shop, question="Kunt u contact opnemen?")
        services.referral_send(actor=cast.anouk, referral=referral)
        refs.append(case.reference)
    return refs


def _meetings(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    from ketenzicht.meetings import services
    from ketenzicht.meetings.models import MeetingKind

    services.meeting_kinds_sync("den-haag")
    names = []
    for _ in range(k):
        name = f"Signalenoverleg Zoeterwoude {_n()}"
        meeting = services.meeting_create(actor=cast.anouk, data=services.MeetingInput(
            kind=MeetingKind.objects.get(slug="signalenoverleg"), municipality=cast.zoeterwoude, name=name,
            interval_weeks=2, weekday=1, start_time=time(10, 0), first_date=date(2026, 1, 6),
            organisations=list(Organisation.objects.filter(slug__in=["gemeente-zoeterwoude", "politie-den-haag-avim"])),
            members=[cast.esra],
        ))
        services.sitting_plan(actor=cast.anouk, meeting=meeting, today=timezone.localdate())
        names.append(name)
    return names


def _sitting(cast: Cast, ctx: dict[str, Any]) -> Any:
    """The Zoeterwoude signalenoverleg's planned sitting, made once per test."""
    from ketenzicht.meetings import services
    from tests.app.test_meetings_support import make_meeting

    if "sitting" not in ctx:
        ctx["sitting"] = services.sitting_plan(actor=cast.anouk, meeting=make_meeting(cast), today=timezone.localdate())
    return ctx["sitting"]


def _agenda_items(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    """Cases ready for the table, put on the sitting's agenda."""
    from ketenzicht.meetings import services
    from tests.app.test_meetings_support import ready_case

    cases = [ready_case(cast) for _ in range(k)]
    services.agenda_refresh(actor=cast.anouk, sitting=_sitting(cast, ctx))
    return [c.reference for c in cases]


def _deadlines(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    """Decided cases with an action item for the police and feedback to the reporter still due."""
    from ketenzicht.meetings import services

    references = _agenda_items(cast, k, ctx)
    police = Organisation.objects.get(slug="politie-den-haag-avim")
    labels = []
    for item in ctx["sitting"].items.filter(case__reference__in=references):
        label = f"Controle plannen {_n()}"
        services.decision_record(actor=cast.anouk, item=item, action="so_integrale_controle", rationale="Controle nodig.",
                                 action_items=[services.ActionItemInput(description=label, owner_organisation=police)])
        labels.append(label)
    return references + labels


def _subjects(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    """People on one case (the case page lists them, with their history)."""
    from ketenzicht.cases import services

    if "case" not in ctx:
        ctx["case"] = report_signal(cast.chantal, cast.zoeterwoude)
    names = []
    for _ in range(k):
        name = f"Persoon {_n()}"
        services.subject_add(actor=cast.anouk, case=ctx["case"], subject=services.SubjectInput(role="slachtoffer", name=name, nationality="Pools"))
        names.append(name)
    return names


def _actions(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    """Actions of one programme, one-off and recurring, under two pillars."""
    from tests.app.programme_support import zoeterwoude_programme

    if "programme" not in ctx:
        ctx["programme"] = zoeterwoude_programme(cast.anouk)
    names = []
    for i in range(k):
        what = f"Actie {_n()}"
        add_action(cast.anouk, ctx["programme"], what, "Jaarlijks, Q2" if i % 2 else "Q1 2026", pillar=("Signaleren", "Verstoren")[i % 2])
        names.append(what)
    return names


def _trainings(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    from ketenzicht.programme import services

    titles = []
    for _ in range(k):
        title = f"Training signalen herkennen {_n()}"
        services.training_create(actor=cast.anouk, municipality=cast.zoeterwoude, kind="e_learning", title=title,
                                 held_on=timezone.localdate(), attendance={"boa": 3, "jeugd_gezin": 2})
        titles.append(title)
    return titles


def _programmes(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    from ketenzicht.programme import services

    names = []
    for _ in range(k):
        name = f"Plan van aanpak {_n()}"
        programme = services.programme_create(actor=cast.anouk, area=cast.zoeterwoude, name=name, first_year=2025, last_year=2027)
        add_action(cast.anouk, programme, "DPIA opstellen", "Q1 2026", pillar="Signaleren")
        add_action(cast.anouk, programme, "Training Boa's", "Jaarlijks, Q2", pillar="Verstoren")
        names.append(name)
    return names


def _board_reports(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    periods = []
    for _ in range(k):
        period = f"{1900 + _n()}H1"
        BoardReport.objects.create(level="gemeente", municipality=cast.zoeterwoude, region_id=cast.zoeterwoude.region_id,
                                   period=period, kind="halfjaar", pdf=b"%PDF-1.4\n%placeholder\n", pages=1)
        periods.append(period)
    return periods


def _controls_and_interventions(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    from ketenzicht.barriers import services

    ensure_models()
    orgs = list(Organisation.objects.filter(slug__in=["gemeente-zoeterwoude", "nla"]))
    municipality_org = Organisation.objects.get(slug="gemeente-zoeterwoude")
    addresses = []
    for _ in range(k):
        address = f"Dorpsstraat {_n()}, 2381 AB Zoeterwoude"
        control = services.control_plan(actor=cast.anouk, data=services.ControlInput(
            municipality=cast.zoeterwoude, trigger="risicoanalyse", trigger_note="Risicoanalyse huisvesting 2026",
            planned_on=timezone.localdate(), organisations=orgs, location_address=address,
        ))
        services.intervention_create(actor=cast.anouk, data=services.InterventionInput(
            municipality=cast.zoeterwoude, control=control, form="arbeid", step_code="arbeid", instrument="apv_sluiting",
            organisation=municipality_org,
        ))
        addresses.append(address)
    return addresses


def _bibob(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    from ketenzicht.barriers import services

    applicants = []
    for _ in range(k):
        applicant = f"Logies {_n()} BV"
        services.bibob_create(actor=cast.anouk, municipality=cast.zoeterwoude, values={
            "application_kind": "huisvesting_arbeidsmigranten", "applicant": applicant, "received_on": date(2026, 1, 5),
        })
        applicants.append(applicant)
    return applicants


def _regional_controls(cast: Cast, k: int, ctx: dict[str, Any]) -> list[str]:
    """Regional controls of eenheid Den Haag on a Zoeterwoude and a Lisse address (the page links each)."""
    from ketenzicht.accounts.models import Region
    from ketenzicht.barriers import services

    partners = list(Organisation.objects.filter(slug__in=["nla", "politie-den-haag-avim"]))
    links = []
    for _ in range(k):
        n = _n()
        control = services.regional_control_plan(actor=cast.fleur, data=services.RegionalControlInput(
            region=Region.objects.get(slug="den-haag"), planned_on=timezone.localdate(), trigger_note="Regionaal beeld",
            addresses=[(cast.zoeterwoude, f"Dorpsstraat {n}, 2381 AB Zoeterwoude"), (cast.lisse, f"Heereweg {n}, 2161 BD Lisse")],
            organisations=partners,
        ))
        links.append(reverse("barriers:control", kwargs={"control_id": control.pk}))
    return links


def _text(response: Any) -> str:
    return response.content.decode()


def _xlsx_text(response: Any) -> str:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    return "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)


def _csv_text(response: Any) -> str:
    return "\n".join(";".join(row) for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


@dataclass(frozen=True)
class ListPage:
    viewer: str  # a member of the cast who may open the page
    add: Builder  # adds rows of the page's kind
    kwargs: Kwargs | None = None  # the page's path parameters, for a list within one object
    query: dict[str, str] = field(default_factory=dict)
    read: Callable[[Any], str] = _text


LIST_PAGES: dict[str, ListPage] = {
    "intake:own_reports": ListPage("chantal", _signals),
    "cases:queue": ListPage("anouk", _signals, query={"weergave": "alle"}),
    "cases:transfers": ListPage("anouk", _transfers),
    "cases:contact_requests": ListPage("anouk", _contact_requests),
    "api-signalen": ListPage("anouk", _signals),
    "audit:log": ListPage("gijs", _audit_rows),
    "audit:export_csv": ListPage("gijs", _audit_rows, read=_csv_text),
    "audit:export_xlsx": ListPage("gijs", _audit_rows, read=_xlsx_text),
    "accounts:users": ListPage("hanna", _users),
    "notifications:list": ListPage("anouk", _notifications),
    "monitor:imports": ListPage("fleur", _imports),
    "unrouted:list": ListPage("hanna", _unrouted),
    "routing:partner_inbox": ListPage("julia", _referrals),
    "routing:sharing_register": ListPage("gijs", _referrals),
    "routing:sharing_register_csv": ListPage("gijs", _referrals, read=_csv_text),
    "routing:sharing_register_xlsx": ListPage("gijs", _referrals, read=_xlsx_text),
    "meetings:list": ListPage("anouk", _meetings),
    "meetings:deadlines": ListPage("anouk", _deadlines),
    "programme:index": ListPage("anouk", _programmes),
    "programme:reports": ListPage("anouk", _board_reports),
    "barriers:index": ListPage("anouk", _controls_and_interventions),
    "barriers:bibob_list": ListPage("anouk", _bibob),
    "barriers:regional_controls": ListPage("fleur", _regional_controls),
    # Lists within one object: the rows people add to it.
    "cases:detail": ListPage("anouk", _subjects, lambda cast, ctx: {"case_id": ctx["case"].pk}),
    "meetings:sitting": ListPage("anouk", _agenda_items, lambda cast, ctx: {"sitting_id": ctx["sitting"].pk}),
    "programme:detail": ListPage("anouk", _actions, lambda cast, ctx: {"programme_id": ctx["programme"].pk}),
    "programme:training": ListPage("anouk", _trainings, lambda cast, ctx: {"municipality_id": cast.zoeterwoude.pk}),
}

# Every other URL, each with why it is not a list of rows people add. A new URL name fails
# `test_every_url_is_known` until it is added to one of the two.
FORM = "a form to fill in"
POST = "a POST that changes something and redirects"
OBJECT = "one object's page (its lists are short and fixed, or measured above)"
FILE = "a file of one object"
FIXED = "a fixed set of rows from the region or shipped data, not rows people add"
AGGREGATE = "counts and figures, not a list of rows"
_POSTS = """set_language public:addition cases:transition cases:enrich cases:feedback cases:add_subject
    cases:add_attachment cases:assign_to_me cases:request_contact barriers:request_contact cases:registry_address cases:registry_company cases:registry_take_over
    api-signaal-transitie api-routekaart-advies monitor:import_withdraw unrouted:forward routing:referral_send
    routing:referral_record routing:partner_respond meetings:plan_sitting meetings:agenda_refresh
    meetings:minutes_finalise meetings:minutes_correct meetings:agenda_move meetings:action_done
    programme:action_status programme:action_complete programme:occurrence_done barriers:model_edit
    barriers:control_findings barriers:control_address_findings barriers:intervention_start barriers:intervention_effect barriers:intervention_decide
    accounts:user_account accounts:role_request notifications:read_all cases:bulk_assign cases:saved_filter cases:assign
    cases:reclassify cases:ask_reporter public:answer"""
_FORMS = """two_factor:login two_factor:setup two_factor:disable intake:report public:report public:status
    meetings:create meetings:edit meetings:decide programme:new programme:edit programme:action_new programme:import
    programme:action_edit programme:training_new programme:target_group programme:need_new accounts:user_edit
    cases:contact_answer barriers:contact_answer barriers:control_new barriers:intervention_new barriers:bibob_new barriers:campaign_new barriers:regional_control_new routing:referral_new
    public:report_for account:link account:set_password account:forgot_password account:sso_code"""
_OBJECTS = """intake:own_report api-signaal monitor:import_detail meetings:detail meetings:minutes routing:referral_detail
    routing:partner_referral routing:case_guide routing:meldcode programme:action barriers:model barriers:control
    barriers:intervention barriers:address barriers:bibob_detail"""
_FILES = """cases:download_attachment routing:referral_pdf meetings:agenda_pdf meetings:minutes_pdf programme:export
    programme:report_download themes:css themes:logo"""
NOT_A_LIST: dict[str, str] = {
    **dict.fromkeys(_POSTS.split(), POST),
    **dict.fromkeys(_FORMS.split(), FORM),
    **dict.fromkeys(_OBJECTS.split(), OBJECT),
    **dict.fromkeys(_FILES.split(), FILE),
    "home": "the start page: links per role",
    "healthz": "a health check",
    "public:municipality_check": "the notice for the one municipality chosen in the public form",
    "logout": "logs out",
    "openapi": "the OpenAPI document",
    "two_factor:qr": "an image",
    "two_factor:setup_complete": "a confirmation",
    "two_factor:backup_tokens": "the user's own ten backup codes",
    "two_factor:profile": "the user's own settings",
    "notifications:open": "marks one notification read and redirects to where it points",
    "notifications:preferences": FORM + ": one choice per kind of notification (a fixed set)",
    "oidc_authentication_init": "redirects to the organisation's identity provider (SSO)",
    "oidc_authentication_callback": "the identity provider's answer; logs in and redirects",
    "routing:guide": "the routekaart questions",
    "routing:map_review": "the routekaart itself, from the region data",
    "routing:sharing_profiles": FIXED,
    "api-gemeenten": FIXED,
    "barriers:models": FIXED + ": one row per form of exploitation",
    "programme:training_index": FIXED + ": one row per municipality of the region",
    "monitor:overview": AGGREGATE,
    "monitor:municipality": AGGREGATE,
    "monitor:export": AGGREGATE,
    "monitor:report": AGGREGATE,
    "monitor:throughput": AGGREGATE,
    "meetings:throughput": AGGREGATE,
    "barriers:dashboard": AGGREGATE,
    "persons:persons": AGGREGATE,
    "api-personen": AGGREGATE,
    "persons:linkage_status": "the linkage state of one region (a fragment, no rows)",
    "persons:deliver": FORM + ": the encoding page, with the data steward's own latest 50 deliveries (source joined)",
    "api-aanleveringen": POST,
    "api-aanlevering": OBJECT,
}


def _names(patterns: list[Any], prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in patterns:
        if isinstance(entry, URLResolver):
            names |= _names(entry.url_patterns, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(f"{prefix}{entry.name}")
    return names


def test_every_url_is_known() -> None:
    names = _names(get_resolver().url_patterns)
    unknown = sorted(names - set(LIST_PAGES) - set(NOT_A_LIST))
    stale = sorted((set(LIST_PAGES) | set(NOT_A_LIST)) - names)
    assert unknown == [], f"URLs this test does not know (a list page? add it to LIST_PAGES, else to NOT_A_LIST): {unknown}"
    assert stale == [], f"names here that are no longer URLs: {stale}"
    assert not set(LIST_PAGES) & set(NOT_A_LIST)


def _get(client: Client, url: str, page: ListPage) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, page.query)
    assert response.status_code == 200, f"{url} → {response.status_code}"
    return len(queries), page.read(response)


def _measure(client: Client, name: str, page: ListPage, cast: Cast) -> tuple[int, int, list[str]]:
    """Queries at 1 row and at 20, and the rows missing from the page at 20."""
    ctx: dict[str, Any] = {}
    first = page.add(cast, 1, ctx)
    url = reverse(name, kwargs=page.kwargs(cast, ctx) if page.kwargs else None)
    _get(client, url, page)  # warm caches (session, content types) so both counts are alike
    at_one, text = _get(client, url, page)
    assert all(marker in text for marker in first), f"{name}: the one row is not on the page"
    more = page.add(cast, 19, ctx)
    at_twenty, text = _get(client, url, page)
    return at_one, at_twenty, [m for m in first + more if m not in text]


@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_list_page_queries_do_not_grow_with_rows(name: str, cast: Cast) -> None:
    page = LIST_PAGES[name]
    client = login(Client(), cast.members()[page.viewer])
    at_one, at_twenty, missing = _measure(client, name, page, cast)
    assert missing == [], f"{name}: rows not on the page: {missing}"
    assert at_twenty <= at_one, f"{name}: {at_one} queries at 1 row, {at_twenty} at 20"


def _planted_list(request: HttpRequest) -> HttpResponse:
    from ketenzicht.cases.models import Case

    # An N+1 on purpose: each case's municipality read on its own.
    return HttpResponse(" ".join(f"{c.reference} {c.municipality.name}" for c in Case.objects.all()))


urlpatterns = [path("geplant/", _planted_list, name="planted")]


@override_settings(ROOT_URLCONF=__name__)
def test_the_guard_sees_a_query_per_row(cast: Cast) -> None:
    """The measurement can fail: a page that reads each row's municipality on its own grows."""
    at_one, at_twenty, missing = _measure(Client(), "planted", ListPage("anouk", _signals), cast)
    assert missing == []
    assert at_twenty == at_one + 19
