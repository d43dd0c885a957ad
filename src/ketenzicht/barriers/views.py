"""Pages for barriers, interventions, integral controls, the Bibob register and the dashboard.

Thin: each view names its policy action, reads through selectors and writes through services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketenzicht.accounts.models import District, Organisation
from ketenzicht.barriers import contact, selectors, services
from ketenzicht.barriers.forms import (
    BarrierAddForm,
    BibobForm,
    CampaignForm,
    ControlForm,
    DecideForm,
    EffectForm,
    FindingsForm,
    InterventionForm,
    ReasonForm,
    RegionalControlForm,
    StartForm,
    WorkContactAnswerForm,
    WorkContactRequestForm,
)
from ketenzicht.barriers.models import BarrierForm, BarrierModel, Instrument
from ketenzicht.cases import selectors as case_selectors
from ketenzicht.cases.models import Case
from ketenzicht.core import policy
from ketenzicht.core.contact_pages import contact_answer_page
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain import kpi


def _municipality(request: HttpRequest) -> Any:
    org = request.user.organisation
    if org is None or org.municipality_id is None:
        raise PermissionDenied("barriers.work")
    return org.municipality


def _case_from_query(request: HttpRequest, key: str = "signaal") -> Case | None:
    case_id = request.GET.get(key) or request.POST.get(key)
    if not case_id:
        return None
    try:
        return case_selectors.case_for_work(request.user, case_id, purpose="verstoren")
    except ValidationError as exc:  # a malformed UUID is a missing page, not a server error
        raise Http404 from exc


# --- overview and barrier models ---------------------------------------------------------------
@policy_view("barriers.work")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "barriers/index.html", {**selectors.own_open_work(request.user), "today": timezone.localdate()})


@policy_view("barriers.models_view")
def models_list(request: HttpRequest) -> HttpResponse:
    region = request.user.organisation.region
    year = timezone.localdate().year
    rows = [(form, label, services.barrier_model_for(region, form, year)) for form, label in BarrierForm.choices]
    versions = BarrierModel.objects.filter(region__in=[region, None] if region else [None]).order_by("form", "-year")
    return render(request, "barriers/models.html", {"rows": rows, "year": year, "versions": versions, "region": region})


def _model_context(request: HttpRequest, form: str, year: int, **extra: Any) -> dict[str, Any]:
    if form not in BarrierForm.values:
        raise Http404
    region = request.user.organisation.region
    model = services.barrier_model_for(region, form, year)
    if model is None or not policy.can(request.user, "barriers.models_view", model):
        raise Http404
    steps = list(model.steps.prefetch_related("barriers"))
    return {
        "model": model, "steps": steps, "form_code": form, "form_label": BarrierForm(form).label, "year": year,
        "own_version": model.region_id is not None and model.year == year,
        "can_edit": policy.can(request.user, "barriers.model_edit", region),
        "add_form": extra.pop("add_form", None) or BarrierAddForm(steps=[(s.code, s.name) for s in steps]),
        **extra,
    }


@policy_view("barriers.models_view")
def model_detail(request: HttpRequest, form: str, year: int) -> HttpResponse:
    return render(request, "barriers/model.html", _model_context(request, form, year))


@require_POST
@policy_view("barriers.model_edit")
def model_edit(request: HttpRequest, form: str, year: int) -> HttpResponse:
    context = _model_context(request, form, year)
    region = request.user.organisation.region
    if "remove" in request.POST:
        try:
            services.barrier_remove(actor=request.user, region=region, form=form, year=year, barrier_id=int(request.POST["remove"]))
        except (services.BarrierError, ValueError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("De barrière is verwijderd uit de versie van uw regio."))
        return redirect("barriers:model", form=form, year=year)
    add_form = BarrierAddForm(request.POST, steps=[(s.code, s.name) for s in context["steps"]])
    if add_form.is_valid():
        try:
            services.barrier_add(actor=request.user, region=region, form=form, year=year, **add_form.cleaned_data)
        except ServiceError as exc:
            add_form.add_error(None, str(exc))
        else:
            messages.success(request, _("De barrière is toegevoegd aan de versie van uw regio."))
            return redirect("barriers:model", form=form, year=year)
    return render(request, "barriers/model.html", _model_context(request, form, year, add_form=add_form), status=400)


# --- integral controls -------------------------------------------------------------------------
@policy_view("barriers.work")
def control_new(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    case = _case_from_query(request)
    initial = {"trigger": "signaal" if case else "risicoanalyse", "planned_on": timezone.localdate()}
    form = ControlForm(request.POST or None, initial=initial, region_id=municipality.region_id)
    if request.method == "POST" and form.is_valid():
        own = Organisation.objects.filter(municipality=municipality, kind="gemeente").first()
        data = form.cleaned_data
        try:
            control = services.control_plan(actor=request.user, data=services.ControlInput(
                municipality=municipality, case=case, trigger=data["trigger"], planned_on=data["planned_on"],
                organisations=[*([own] if own else []), *data["organisations"]], trigger_note=data["trigger_note"],
                location_address=data["location_address"], company_name=data["company_name"], kvk_number=data["kvk_number"] or "",
            ))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De integrale controle is gepland."))
            return redirect("barriers:control", control_id=control.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "barriers/control_new.html", {"form": form, "case": case}, status=status)


def _control_context(request: HttpRequest, control: Any, **forms: Any) -> dict[str, Any]:
    source, questions = selectors.checklist()
    answers = dict(control.findings or {})
    addresses = selectors.control_addresses_for(request.user, control)
    failed = forms.get("address_form")
    for row in addresses:
        if row.own:
            row.answered = [(q, (row.row.findings or {}).get(code, "")) for code, q in questions]
            row.form = failed[1] if failed and failed[0] == row.row.pk else FindingsForm(
                questions=questions, prefix=f"adres{row.row.pk}", initial={"executed_on": row.row.executed_on or timezone.localdate(), "notes": row.row.findings_notes,
                                              **{f"q_{c}": a for c, a in (row.row.findings or {}).items()}},
            )
    return {
        "control": control,
        "can_work": policy.can(request.user, "barriers.work", control),
        "addresses": addresses,
        "cancel_form": forms.get("cancel_form") or ReasonForm(),
        "events": list(control.events.all()),
        "organisations": list(control.organisations.all()),
        "interventions": list(control.interventions.select_related("organisation")),
        "checklist_source": source,
        "answered": [(q, answers.get(code, "")) for code, q in questions],
        "findings_form": forms.get("findings_form") or FindingsForm(
            questions=questions, initial={"executed_on": control.executed_on or timezone.localdate(),
                                          "notes": control.findings_notes, **{f"q_{c}": a for c, a in answers.items()}},
        ),
    }


@policy_view("barriers.control_view")
def control_detail(request: HttpRequest, control_id: str) -> HttpResponse:
    control = selectors.control_for_view(request.user, control_id)
    return render(request, "barriers/control.html", _control_context(request, control))


@require_POST
@policy_view("barriers.work")
def control_findings(request: HttpRequest, control_id: str) -> HttpResponse:
    control = selectors.control_for_work(request.user, control_id)
    if request.POST.get("action") == "annuleren":
        return _control_cancel(request, control)
    _source, questions = selectors.checklist()
    form = FindingsForm(request.POST, questions=questions)
    if form.is_valid():
        try:
            services.control_record_findings(actor=request.user, control=control, executed_on=form.cleaned_data["executed_on"],
                                             answers=form.answers(), notes=form.cleaned_data["notes"], questions=[c for c, _q in questions])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De bevindingen zijn vastgelegd."))
            return redirect("barriers:control", control_id=control.pk)
    return render(request, "barriers/control.html", _control_context(request, control, findings_form=form), status=400)


# --- the regional control team (issue 14 item 4) -----------------------------------------------
@policy_view("barriers.control_view")
def regional_controls(request: HttpRequest) -> HttpResponse:
    return render(request, "barriers/regional_controls.html", {
        "controls": selectors.regional_controls_for(request.user),
        "can_plan": policy.can(request.user, "barriers.regional_plan"),
    })


@policy_view("barriers.regional_plan")
def regional_control_new(request: HttpRequest) -> HttpResponse:
    region = request.user.organisation.region
    form = RegionalControlForm(request.POST or None, region_id=region.pk, initial={"planned_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            control = services.regional_control_plan(actor=request.user, data=services.RegionalControlInput(
                region=region, planned_on=data["planned_on"], trigger_note=data["trigger_note"], form=data["form"],
                addresses=form.addresses(), organisations=list(data["organisations"]),
            ))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De regionale controle is gepland; de aandachtsfunctionarissen van de gemeenten zien hem in hun overzicht."))
            return redirect("barriers:control", control_id=control.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "barriers/regional_control_new.html", {"form": form, "rows": range(1, RegionalControlForm.ROWS + 1)}, status=status)


@require_POST
@policy_view("barriers.address_findings")
def control_address_findings(request: HttpRequest, control_id: str, address_id: int) -> HttpResponse:
    control = selectors.control_for_view(request.user, control_id)
    address = selectors.control_address_for_findings(request.user, control, address_id)
    _source, questions = selectors.checklist()
    form = FindingsForm(request.POST, questions=questions, prefix=f"adres{address.pk}")
    if form.is_valid():
        try:
            services.control_address_findings(actor=request.user, address=address, executed_on=form.cleaned_data["executed_on"],
                                              answers=form.answers(), notes=form.cleaned_data["notes"], questions=[c for c, _q in questions])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De bevindingen bij dit adres zijn vastgelegd."))
            return redirect("barriers:control", control_id=control.pk)
    control.refresh_from_db()
    return render(request, "barriers/control.html", _control_context(request, control, address_form=(address.pk, form)), status=400)


def _control_cancel(request: HttpRequest, control: Any) -> HttpResponse:
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.control_cancel(actor=request.user, control=control, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De controle is geannuleerd."))
            return redirect("barriers:control", control_id=control.pk)
    return render(request, "barriers/control.html", _control_context(request, control, cancel_form=form), status=400)


# --- interventions -------------------------------------------------------------------------------
def _step_choices(region: Any, year: int) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for form in BarrierForm.values:
        model = services.barrier_model_for(region, form, year)
        if model is not None:
            for step in model.steps.all():
                seen.setdefault(step.code, step.name)
    return list(seen.items())


@policy_view("barriers.work")
def intervention_new(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    control = None
    control_id = request.GET.get("controle") or request.POST.get("controle")
    if control_id:
        try:
            control = selectors.control_for_work(request.user, control_id)
        except ValidationError as exc:  # a malformed UUID is a missing page, not a server error
            raise Http404 from exc
    case = _case_from_query(request) or (control.case if control else None)
    default_form = next((f for f in (case.forms if case else []) if f in BarrierForm.values), BarrierForm.ARBEID)
    organisations = Organisation.objects.filter(region_id=municipality.region_id).order_by("name")
    form = InterventionForm(
        request.POST or None, steps=_step_choices(municipality.region, timezone.localdate().year), organisations=organisations,
        initial={"form": default_form, "instrument": Instrument.APV_SLUITING,
                 "organisation": Organisation.objects.filter(municipality=municipality, kind="gemeente").first()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            intervention = services.intervention_create(actor=request.user, data=services.InterventionInput(
                municipality=municipality, case=case, control=control, form=data["form"], step_code=data["step_code"],
                instrument=data["instrument"], organisation=data["organisation"], description=data["description"],
                location_address=data["location_address"], kvk_number=data["kvk_number"] or "", started_on=data["started_on"],
            ))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De interventie is vastgelegd."))
            return redirect("barriers:intervention", intervention_id=intervention.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "barriers/intervention_new.html", {"form": form, "case": case, "control": control}, status=status)


def _intervention_context(intervention: Any, **forms: Any) -> dict[str, Any]:
    return {
        "intervention": intervention,
        "effect_form": forms.get("effect_form") or EffectForm(),
        "start_form": forms.get("start_form") or StartForm(initial={"started_on": timezone.localdate()}),
        "decide_form": forms.get("decide_form") or DecideForm(),
        "drop_form": forms.get("drop_form") or ReasonForm(),
        # The LOO decides on an intervention on its agenda; the case moves with that decision only.
        "can_decide": intervention.status == "voorgesteld" and intervention.agenda_item_id is not None,
        "can_drop": intervention.status in ("voorgesteld", "besloten"),
        "today": timezone.localdate(),
    }


@policy_view("barriers.work")
def intervention_detail(request: HttpRequest, intervention_id: str) -> HttpResponse:
    intervention = selectors.intervention_for_work(request.user, intervention_id)
    return render(request, "barriers/intervention.html", _intervention_context(intervention))


@require_POST
@policy_view("barriers.work")
def intervention_effect(request: HttpRequest, intervention_id: str) -> HttpResponse:
    intervention = selectors.intervention_for_work(request.user, intervention_id)
    form = EffectForm(request.POST)
    if form.is_valid():
        try:
            services.intervention_record_effect(actor=request.user, intervention=intervention, category=form.cleaned_data["category"],
                                                text=form.cleaned_data["text"], ended_on=form.cleaned_data["ended_on"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Het effect is vastgelegd."))
            return redirect("barriers:intervention", intervention_id=intervention.pk)
    return render(request, "barriers/intervention.html", _intervention_context(intervention, effect_form=form), status=400)


@require_POST
@policy_view("barriers.work")
def intervention_start(request: HttpRequest, intervention_id: str) -> HttpResponse:
    intervention = selectors.intervention_for_work(request.user, intervention_id)
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            services.intervention_start(actor=request.user, intervention=intervention, started_on=form.cleaned_data["started_on"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De inzet is vastgelegd."))
            return redirect("barriers:intervention", intervention_id=intervention.pk)
    return render(request, "barriers/intervention.html", _intervention_context(intervention, start_form=form), status=400)


@require_POST
@policy_view("barriers.work")
def intervention_decide(request: HttpRequest, intervention_id: str) -> HttpResponse:
    intervention = selectors.intervention_for_work(request.user, intervention_id)
    if request.POST.get("action") == "afzien":
        drop = ReasonForm(request.POST)
        if drop.is_valid():
            try:
                services.intervention_drop(actor=request.user, intervention=intervention, reason=drop.cleaned_data["reason"])
            except ServiceError as exc:
                drop.add_error(None, str(exc))
            else:
                messages.success(request, _("Vastgelegd dat de interventie niet doorgaat."))
                return redirect("barriers:intervention", intervention_id=intervention.pk)
        return render(request, "barriers/intervention.html", _intervention_context(intervention, drop_form=drop), status=400)
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            services.intervention_decide(actor=request.user, intervention=intervention, rationale=form.cleaned_data["rationale"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Het LOO-besluit is vastgelegd."))
            return redirect("barriers:intervention", intervention_id=intervention.pk)
    return render(request, "barriers/intervention.html", _intervention_context(intervention, decide_form=form), status=400)


@policy_view("barriers.work")
def address(request: HttpRequest, handle: str) -> HttpResponse:
    history = selectors.address_history(request.user, handle)
    return render(request, "barriers/address.html", {"history": history})


# --- Bibob register ------------------------------------------------------------------------------
@policy_view("bibob.register")
def bibob_list(request: HttpRequest) -> HttpResponse:
    return render(request, "barriers/bibob_list.html", {"screenings": selectors.bibob_register(request.user)})


@policy_view("bibob.register")
def bibob_new(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    form = BibobForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            row = services.bibob_create(actor=request.user, municipality=municipality,
                                        values={**form.cleaned_data, "kvk_number": form.cleaned_data["kvk_number"] or ""})
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De Bibob-toets is vastgelegd."))
            return redirect("barriers:bibob_detail", screening_id=row.pk)
    return render(request, "barriers/bibob_form.html", {"form": form, "screening": None}, status=400 if request.method == "POST" else 200)


@policy_view("bibob.register")
def bibob_detail(request: HttpRequest, screening_id: str) -> HttpResponse:
    screening = selectors.bibob_for_work(request.user, screening_id)
    initial = {name: getattr(screening, name) for name in services.BIBOB_FIELDS}
    form = BibobForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.bibob_update(actor=request.user, screening=screening,
                                  values={**form.cleaned_data, "kvk_number": form.cleaned_data["kvk_number"] or ""})
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De Bibob-toets is bijgewerkt."))
            return redirect("barriers:bibob_detail", screening_id=screening.pk)
    return render(request, "barriers/bibob_form.html", {"form": form, "screening": screening}, status=400 if request.method == "POST" else 200)


# --- dashboard and campaigns ---------------------------------------------------------------------
def _district(request: HttpRequest) -> District:
    districts = selectors.districts_for(request.user)
    wanted = request.GET.get("district") or request.POST.get("district")
    if wanted:
        district = get_object_or_404(District, slug=wanted)
        if not policy.can(request.user, "barriers.dashboard", district):
            raise PermissionDenied("barriers.dashboard")
        return district
    if not districts:
        raise Http404
    return districts[0]


@policy_view("barriers.dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    district = _district(request)
    try:
        quarter = kpi.Quarter.parse(request.GET["kwartaal"]) if request.GET.get("kwartaal") else kpi.Quarter.of(today)
    except kpi.KpiError as exc:
        messages.error(request, str(exc))
        quarter = kpi.Quarter.of(today)
    board = selectors.dashboard(request.user, district, quarter, today)
    quarters = [quarter.previous(), quarter, quarter.next()]
    return render(request, "barriers/dashboard.html", {
        "board": board, "quarters": quarters, "districts": selectors.districts_for(request.user), "campaign_form": CampaignForm(),
    })


@policy_view("barriers.campaign")
def campaign_new(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    form = CampaignForm(request.POST or None, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_create(actor=request.user, district=district, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De campagne is vastgelegd."))
            return redirect(f"{_dashboard_url()}?district={district.slug}")
    return render(request, "barriers/campaign_form.html", {"form": form, "district": district}, status=400 if request.method == "POST" else 200)


def _dashboard_url() -> str:
    from django.urls import reverse

    return reverse("barriers:dashboard")


# --- hit/no-hit on the region's open controls and interventions (issue 14 item 2) -------------
@require_POST
@policy_view("case.contact_request")
def request_contact(request: HttpRequest, case_id: str) -> HttpResponse:
    case = case_selectors.case_for_work(request.user, case_id, purpose="contactverzoek treffer")
    form = WorkContactRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies de treffer waarover u contact vraagt."))
        return redirect("cases:detail", case_id=case.pk)
    data = form.cleaned_data
    try:
        done = contact.work_contact_request_create(actor=request.user, case=case, target=data["target"], object_id=data["hit"], question=data["question"])
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Uw contactverzoek is verstuurd aan de aandachtsfunctionaris van %(municipality)s.") % {"municipality": done.municipality.name})
    return redirect("cases:detail", case_id=case.pk)


@policy_view("barriers.contact_answer")
def contact_answer(request: HttpRequest, request_id: str) -> HttpResponse:
    contact_request = selectors.work_contact_request_to_answer(request.user, request_id)
    form = WorkContactAnswerForm(request.POST or None)
    return contact_answer_page(request, contact_request, form, contact.work_contact_request_answer, "barriers/contact_answer.html")
