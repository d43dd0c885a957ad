"""Reads for barriers: controls, interventions, Bibob register, address history and the dashboard.

Every read of a record that names a place, a company or a case is audited here. The district
dashboard counts government actions (controls, interventions, campaigns) per district; the one
KPI that counts cases (case proposals on sexual/criminal exploitation) lists the viewer's own
municipality's cases by reference (own data, live) and shows the district's number only as the
protected figure of the latest release (``monitor.protected``, Cell Key Method), never as a sum
of the own count and a protected part. Its status is judged on that published figure, so the
status tells nothing the figure does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

import yaml
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext

from ketenzicht.accounts.models import District, Municipality, OrganisationKind
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.barriers.models import (
    AwarenessCampaign,
    BarrierForm,
    BarrierModel,
    BibobScreening,
    ControlAddress,
    ControlStatus,
    IntegralControl,
    Intervention,
    WorkContactRequest,
)
from ketenzicht.barriers.services import DATA_DIR, barrier_model_for
from ketenzicht.cases.models import Case, CaseEvent
from ketenzicht.core import policy
from ketenzicht.domain import kpi
from ketenzicht.domain.case_states import Action


@lru_cache(maxsize=1)
def checklist() -> tuple[str, tuple[tuple[str, str], ...]]:
    """(source, ((code, question), ...)) of the factsheet arbeidsuitbuiting checklist."""
    spec = yaml.safe_load((DATA_DIR / "factsheet-arbeidsuitbuiting.yaml").read_text(encoding="utf-8"))
    return spec["bron"], tuple((q["code"], q["vraag"]) for q in spec["vragen"])


@lru_cache(maxsize=8)
def _targets_spec(region_slug: str) -> tuple[tuple[kpi.Target, str], ...]:
    path = DATA_DIR / f"targets-{region_slug}.yaml"
    if not path.exists():
        return ()
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["doelen"]
    targets = kpi.parse_targets(raw)
    return tuple((t, str(entry["bron"])) for t, entry in zip(targets, raw, strict=True))


def targets_for(region_slug: str) -> list[tuple[kpi.Target, str]]:
    """The region's KPI targets with the count each uses (``bron``)."""
    return list(_targets_spec(region_slug))


# --- single records ----------------------------------------------------------------------------
def control_for_work(user: Any, control_id: object) -> IntegralControl:
    control = get_object_or_404(IntegralControl.objects.select_related("case", "municipality"), pk=control_id)
    policy.require(user, "barriers.work", control)
    audit_record(actor=user, action=AuditAction.VIEW, object_type="integral_control", object_id=control.pk,
                 object_label=control.case.reference if control.case else "", fields=["integrale_controle", "bevindingen"])
    return control


def control_for_view(user: Any, control_id: object) -> IntegralControl:
    """A control for its page: the own municipality's, or a regional one the viewer takes part in."""
    control = get_object_or_404(IntegralControl.objects.select_related("case", "municipality__region"), pk=control_id)
    policy.require(user, "barriers.control_view", control)
    fields = ["integrale_controle", "bevindingen"] if policy.can(user, "barriers.work", control) else ["integrale_controle"]
    audit_record(actor=user, action=AuditAction.VIEW, object_type="integral_control", object_id=control.pk,
                 object_label=control.case.reference if control.case else "", fields=fields)
    return control


@dataclass
class AddressRow:
    """One address of a regional control as one viewer may see it."""

    row: ControlAddress
    municipality: str
    address: str  # "" when the viewer may not see it
    own: bool  # the viewer's municipality: may read and record its findings
    recorded_on: date | None
    answered: list[tuple[str, str]] = field(default_factory=list)  # (question, answer), own rows only
    form: Any = None  # the findings form, own rows only


def control_addresses_for(user: Any, control: IntegralControl) -> list[AddressRow]:
    """The addresses of a regional control: the AF sees the address and findings of the own
    municipality only, and of the others that they take part (and whether they recorded); the
    ketenregisseur who planned it sees every address, never the findings."""
    if not control.regional:
        return []
    planner = policy.can(user, "barriers.regional_plan", control.municipality.region)
    rows = []
    for row in control.addresses.select_related("municipality", "control"):
        own = policy.can(user, "barriers.address_findings", row)
        rows.append(AddressRow(row, row.municipality.name, row.location_address if own or planner else "", own,
                               row.executed_on if row.recorded_at else None))
    return rows


def control_address_for_findings(user: Any, control: IntegralControl, address_id: object) -> ControlAddress:
    address = get_object_or_404(ControlAddress.objects.select_related("control", "municipality"), pk=address_id, control=control)
    policy.require(user, "barriers.address_findings", address)
    return address


def regional_controls_for(user: Any) -> list[IntegralControl]:
    """The regional controls the viewer may see (the ketenregisseur: the region's; an AF: the own)."""
    rows = IntegralControl.objects.filter(regional=True).select_related("municipality").prefetch_related("addresses__municipality")
    return list(policy.controls_visible_to(user, rows)[:100])


def intervention_for_work(user: Any, intervention_id: object) -> Intervention:
    intervention = get_object_or_404(
        Intervention.objects.select_related("case", "control", "organisation", "municipality"), pk=intervention_id
    )
    policy.require(user, "barriers.work", intervention)
    audit_record(actor=user, action=AuditAction.VIEW, object_type="intervention", object_id=intervention.pk,
                 object_label=intervention.case.reference if intervention.case else "", fields=["interventie"])
    return intervention


def bibob_register(user: Any) -> QuerySet[BibobScreening]:
    org = user.organisation
    if not policy.can(user, "bibob.register") or org is None:
        return BibobScreening.objects.none()
    audit_record(actor=user, action=AuditAction.VIEW, object_type="bibob", object_id="register", fields=["bibob"])
    return BibobScreening.objects.filter(municipality_id=org.municipality_id)


def bibob_for_work(user: Any, screening_id: object) -> BibobScreening:
    screening = get_object_or_404(BibobScreening, pk=screening_id)
    policy.require(user, "bibob.register", screening)
    audit_record(actor=user, action=AuditAction.VIEW, object_type="bibob", object_id=screening.pk, fields=["bibob"])
    return screening


def case_panel(case: Case) -> dict[str, Any]:
    """Controls and interventions on a case page (the case view itself is audited by cases)."""
    return {
        "controls": list(case.integral_controls.prefetch_related("organisations").all()),
        "interventions": list(case.interventions.select_related("organisation").all()),
    }


@dataclass
class AddressHistory:
    address: str
    controls: list[IntegralControl]
    interventions: list[Intervention]
    cases: list[Case]


def address_history(user: Any, handle: str) -> AddressHistory:
    """Everything the user's municipality recorded at one address (controls, interventions, cases)."""
    org = user.organisation
    if not policy.can(user, "barriers.work") or org is None:
        raise Http404
    scope = Q(municipality_id=org.municipality_id, address_hash=handle)
    first = (IntegralControl.objects.filter(scope).first() or Intervention.objects.filter(scope).first()
             or ControlAddress.objects.filter(scope).first())
    if first is None or not first.address_key:
        raise Http404
    key = first.address_key
    same = Q(municipality_id=org.municipality_id, address_key=key)
    # A regional control counts here by its address in the own municipality (never the others').
    regional = Q(regional=True, addresses__municipality_id=org.municipality_id, addresses__address_key=key)
    history = AddressHistory(
        address=first.location_address,
        controls=list(IntegralControl.objects.filter(same | regional).distinct().select_related("case").prefetch_related("organisations")),
        interventions=list(Intervention.objects.filter(same).select_related("case", "organisation")),
        cases=list(Case.objects.filter(same).order_by("-created_at")),
    )
    audit_record(actor=user, action=AuditAction.VIEW, object_type="address", object_id=handle,
                 fields=["adresgeschiedenis"], reason=f"{len(history.cases)} signalen")
    return history


def own_open_work(user: Any) -> dict[str, Any]:
    org = user.organisation
    mine = Q(municipality_id=org.municipality_id) if org is not None else Q(pk__in=[])
    # The own municipality's controls and the regional ones it takes part in (policy filter).
    controls = policy.controls_visible_to(user, IntegralControl.objects.select_related("case"))
    return {
        "controls": list(controls.order_by("-planned_on", "-created_at")[:50]),
        "interventions": list(Intervention.objects.filter(mine).select_related("case", "organisation")[:50]),
    }


# --- district dashboard --------------------------------------------------------------------------
@dataclass
class KpiItem:
    label: str
    on: date | None
    municipality: str
    url: str = ""


@dataclass
class KpiRow:
    target: kpi.Target
    count: int  # the count the status is judged on (for case proposals: the published figure)
    shown: str  # what is published
    status: kpi.Status
    status_text: str
    period: tuple[date, date]
    items: list[KpiItem] = field(default_factory=list)
    note: str = ""  # where a protected figure comes from (release date), and the own live count


@dataclass
class StepCell:
    code: str
    name: str
    count: int
    level: str  # "wit" | "enkele" | "vaak"
    level_text: str
    barriers: list[Any]


@dataclass
class ModelHeat:
    form: str
    form_label: str
    model: BarrierModel
    steps: list[StepCell]

    @property
    def white_spots(self) -> list[str]:
        return [s.name for s in self.steps if s.level == "wit"]


def _own_municipality_id(user: Any) -> int | None:
    org = user.organisation
    return org.municipality_id if org is not None else None


def _case_proposals(district: District, start: date, end: date) -> QuerySet[CaseEvent]:
    return CaseEvent.objects.filter(
        kind="transition", action=Action.NAAR_LOO.value, at__date__gte=start, at__date__lte=end,
        case__municipality__district=district,
    ).filter(Q(case__form_seksueel=True) | Q(case__form_crimineel=True)).select_related("case__municipality")


def _nla_controls(district: District, start: date, end: date) -> QuerySet[IntegralControl]:
    """Executed controls with the NLA on labour exploitation in the district: a municipal control
    on a case of that form, or a regional one on that form with an address in the district. A
    regional control counts once in each district it has addresses in (never once per municipality)."""
    municipal = Q(regional=False, municipality__district=district, case__form_arbeid=True)
    regional = Q(regional=True, form=BarrierForm.ARBEID, addresses__municipality__district=district)
    return (
        IntegralControl.objects.filter(
            municipal | regional, status=ControlStatus.UITGEVOERD, executed_on__gte=start, executed_on__lte=end,
            organisations__kind=OrganisationKind.NLA,
        )
        .select_related("municipality", "case")
        .prefetch_related("addresses__municipality")
        .distinct()
    )


def _nla_item(control: IntegralControl, own: int | None, district: District) -> KpiItem:
    if control.regional:
        here = [a.municipality for a in control.addresses.all() if a.municipality.district_id == district.pk]
        names = ", ".join(dict.fromkeys(m.name for m in here))
        mine = any(m.pk == own for m in here) or control.municipality_id == own
        return KpiItem(gettext("Regionale integrale controle"), control.executed_on, names,
                       f"/verstoren/controles/{control.pk}/" if mine else "")
    mine = control.municipality_id == own
    return KpiItem(
        control.case.reference if mine and control.case else gettext("Integrale controle"),
        control.executed_on, control.municipality.name, f"/verstoren/controles/{control.pk}/" if mine else "",
    )


def _case_proposals_row(own: int | None, district: District, start: date, end: date) -> tuple[int, str, list[KpiItem], str]:
    """(count for the status, shown, own cases listed, note) of the case-proposal KPI.

    The district's number is the protected figure of the latest release; the viewer's own
    municipality's cases are listed by reference (live). The two are never added up.
    """
    from ketenzicht.monitor.selectors import case_proposals_published

    items: list[KpiItem] = []
    if own is not None:
        seen: dict[Any, CaseEvent] = {}
        for event in _case_proposals(district, start, end).filter(case__municipality_id=own).order_by("at"):
            seen.setdefault(event.case_id, event)
        items = [KpiItem(e.case.reference, timezone.localdate(e.at), e.case.municipality.name, f"/werkvoorraad/{e.case.pk}/") for e in seen.values()]
    figure = case_proposals_published(
        region=district.region, municipalities=list(Municipality.objects.filter(district=district)), first=start, last=end,
    )
    if figure.value is None:
        shown, count = gettext("nog niet vrijgegeven"), 0
        note = gettext("Het aantal van het district wordt na afloop van elke maand vrijgegeven; voor deze periode nog niet.")
    else:
        shown, count = str(figure.value), figure.value
        note = gettext("Aantal van het district: %(note)s Afgeschermd; geldt tot en met %(month)s.") % {
            "note": figure.note, "month": figure.last_month_label,
        }
    if own is not None:
        note += " " + gettext("Uw eigen gemeente (actueel, niet afgeschermd): %(n)s.") % {"n": len(items)}
    return count, shown, items, note


def _kpi_row(own: int | None, target: kpi.Target, source: str, district: District, quarter: kpi.Quarter, today: date) -> KpiRow:
    """One KPI of a district; `own`: the municipality whose cases may be listed (None: none)."""
    start, end = kpi.period_span(target, quarter)
    items: list[KpiItem] = []
    note = ""
    if source == "casusvoorstellen":
        count, shown, items, note = _case_proposals_row(own, district, start, end)
    elif source == "controles_nla":
        controls = list(_nla_controls(district, start, end))
        count = len(controls)
        shown = str(count)
        items = [_nla_item(control, own, district) for control in controls]
    elif source == "campagnes":
        campaigns = list(AwarenessCampaign.objects.filter(district=district, held_on__gte=start, held_on__lte=end).select_related("municipality"))
        count = len(campaigns)
        shown = str(count)
        items = [KpiItem(c.title, c.held_on, c.municipality.name if c.municipality else district.name) for c in campaigns]
    else:
        raise ValueError(f"unknown KPI source {source!r}")
    status = kpi.evaluate(target, count, quarter, today)
    return KpiRow(target, count, shown, status, kpi.STATUS_TEXT[status], (start, end), items, note)


def _heat(region: Any, district: District, form: str, quarter: kpi.Quarter) -> ModelHeat | None:
    model = barrier_model_for(region, form, quarter.year)
    if model is None:
        return None
    counts = dict(
        Intervention.objects.filter(
            municipality__district=district, form=form, started_on__gte=quarter.start, started_on__lte=quarter.end
        ).values_list("step_code").annotate(n=Count("id")).values_list("step_code", "n")
    )
    steps = []
    for step in model.steps.prefetch_related("barriers"):
        n = counts.get(step.code, 0)
        level = "wit" if n == 0 else ("enkele" if n < 3 else "vaak")
        text = {"wit": "Witte vlek: niet verstoord", "enkele": "Enkele keren verstoord", "vaak": "Vaak verstoord"}[level]
        steps.append(StepCell(step.code, step.name, n, level, text, list(step.barriers.all())))
    return ModelHeat(form, str(BarrierForm(form).label), model, steps)


@dataclass
class Dashboard:
    district: District
    quarter: kpi.Quarter
    rows: list[KpiRow]
    heat: list[ModelHeat]


def kpi_rows_published(district: District, quarter: kpi.Quarter, today: date) -> list[KpiRow]:
    """The district's KPIs for a report to the board: counts only, other municipalities' protected.

    No case is listed (no municipality is 'own' here); callers print count, shown and status.
    """
    return [_kpi_row(None, target, source, district, quarter, today) for target, source in targets_for(district.region.slug)]


def districts_for(user: Any) -> list[District]:
    org = user.organisation
    if org is None:
        return []
    if org.municipality_id is not None and policy.can(user, "barriers.dashboard", org.municipality.district):
        return [org.municipality.district] if org.municipality.district_id else []
    if org.region_id is not None:
        # The dashboard opens on the first: a district-level organisation's own district (issue 16
        # item 7; `Organisation.district` comes with the tenancy lane), then the region's others.
        own = org.district_id
        return sorted(District.objects.filter(region_id=org.region_id), key=lambda d: d.pk != own)
    return []


def dashboard(user: Any, district: District, quarter: kpi.Quarter, today: date) -> Dashboard:
    policy.require(user, "barriers.dashboard", district)
    region = district.region
    own = _own_municipality_id(user)
    rows = [_kpi_row(own, target, source, district, quarter, today) for target, source in targets_for(region.slug)]
    heat = [h for form in BarrierForm.values if (h := _heat(region, district, form, quarter)) is not None]
    audit_record(actor=user, action=AuditAction.VIEW, object_type="barrier_dashboard", object_id=district.pk,
                 object_label=str(quarter), fields=["kpi"])
    return Dashboard(district, quarter, rows, heat)


# --- hit/no-hit across the region (issue 14 item 2) -------------------------------------------
@dataclass(frozen=True)
class WorkHit:
    """That another municipality of the region has an open control or intervention on this place."""

    kind: str  # "integrale controle" | "interventie"
    municipality: str
    year: int
    matched_on: tuple[str, ...]
    target: str = "controle"  # "controle" | "interventie": what the contact request names
    object_id: Any = None  # posted back by the contact form only; never shown
    request: Any = None  # this case's latest contact request about it, if any
    municipality_id: Any = None  # whose AF answers: the address's municipality for a regional control


def _work_reasons(case: Case, address: str, kvk: str, company: str) -> tuple[str, ...]:
    from ketenzicht.domain.matching import company_name_key

    reasons = []
    if case.address_key and address == case.address_key:
        reasons.append("adres")
    own_company = company_name_key(case.company_name) if case.company_name else ""
    if (case.kvk_number and kvk == case.kvk_number) or (own_company and company and company_name_key(company) == own_company):
        reasons.append("bedrijf")
    return tuple(reasons)


def region_work_hits(case: Case) -> list[WorkHit]:
    """Open integral controls and interventions of the region's other municipalities on the case's
    address or company: their existence only (the AF asks that municipality's AF for more)."""
    from ketenzicht.domain.lifecycles import control as control_lifecycle
    from ketenzicht.domain.lifecycles import intervention as intervention_lifecycle

    region_id = case.municipality.region_id
    block = Q(pk__in=[])
    if case.address_key:
        block |= Q(address_key=case.address_key)
    if case.kvk_number:
        block |= Q(kvk_number=case.kvk_number)
    if case.company_name.strip():
        block |= Q(company_name__icontains=case.company_name.split()[0])
    if region_id is None or block == Q(pk__in=[]):
        return []
    hits = []
    asked = {
        (r.control_id or r.intervention_id): r
        for r in reversed(list(WorkContactRequest.objects.filter(from_case_id=case.pk).select_related("decided_by")))
    }
    for label, target, model, machine, groups, date_field in (
        ("integrale controle", "controle", IntegralControl, control_lifecycle.MACHINE, control_lifecycle.GROUPS, "planned_on"),
        ("interventie", "interventie", Intervention, intervention_lifecycle.MACHINE, intervention_lifecycle.GROUPS, "proposed_at"),
    ):
        rows = (
            model.objects.filter(block, municipality__region_id=region_id, status__in=machine.values(groups.open))
            .exclude(municipality_id=case.municipality_id)
            .select_related("municipality")[:20]
        )
        for row in rows:
            reasons = _work_reasons(case, row.address_key, row.kvk_number, row.company_name)
            if reasons:
                hits.append(WorkHit(label, row.municipality.name, getattr(row, date_field).year, reasons, target, row.pk,
                                    asked.get(row.pk), row.municipality_id))
    hits.extend(_regional_address_hits(case, region_id, asked))
    return hits


def _regional_address_hits(case: Case, region_id: int, asked: dict[Any, Any]) -> list[WorkHit]:
    """Addresses of the region's open regional controls in other municipalities (issue 14 item 4):
    the hit names the address's municipality, whose AF answers a contact request."""
    from ketenzicht.domain.lifecycles import control as control_lifecycle

    if not case.address_key:
        return []
    rows = (
        ControlAddress.objects.filter(
            address_key=case.address_key, municipality__region_id=region_id,
            control__status__in=control_lifecycle.MACHINE.values(control_lifecycle.GROUPS.open),
        )
        .exclude(municipality_id=case.municipality_id)
        .select_related("municipality", "control")[:20]
    )
    return [
        WorkHit("integrale controle", row.municipality.name, row.control.planned_on.year, ("adres",), "controle",
                row.control_id, asked.get(row.control_id), row.municipality_id)
        for row in rows
    ]


def work_contact_requests_for(user: Any) -> QuerySet[WorkContactRequest]:
    """Requests about controls and interventions the user's municipality received or sent."""
    rows = WorkContactRequest.objects.select_related("from_case__municipality", "municipality", "control", "intervention", "requested_by", "decided_by")
    return policy.work_contact_requests_visible_to(user, rows)


def work_contact_request_to_answer(user: Any, request_id: object) -> WorkContactRequest:
    """A request addressed to the user's municipality (404 for anything else they may not see)."""
    found = get_object_or_404(work_contact_requests_for(user), pk=request_id)
    policy.require(user, "barriers.contact_answer", found)
    return found
