"""Pages of the action programme, training and awareness, and the reports to the board.

Thin: each view names its policy action, reads through selectors and writes through services.
Forms that fail keep what was typed and answer 400 with what to fix.
"""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ketenzicht.accounts.models import Municipality, Role
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.core import policy
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain import programme as rules
from ketenzicht.programme import selectors, services
from ketenzicht.programme.forms import (
    ActionForm,
    CompleteForm,
    ImportForm,
    NeedForm,
    ProgrammeForm,
    ReportForm,
    StatusForm,
    TargetGroupForm,
    TrainingForm,
)
from ketenzicht.programme.models import Action, BoardReport, RagStatus


def _status(request: HttpRequest) -> int:
    return 400 if request.method == "POST" else 200


def _choices(areas: list[Any]) -> list[tuple[str, str]]:
    return [(selectors.area_key(a), selectors.area_label(a)) for a in areas]


# --- programmes ----------------------------------------------------------------------------------
@policy_view("programme.view")
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    programmes = selectors.programmes_own_first(request.user)
    overviews = selectors.overviews(programmes, today)
    return render(request, "programme/index.html", {
        "overviews": overviews,
        "overdue": sorted((d for o in overviews for d in o.overdue), key=lambda d: d.due),
        "due_soon": sorted((d for o in overviews for d in o.due_soon), key=lambda d: d.due),
        "can_create": bool(selectors.areas_for(request.user, "programme.manage")),
        "today": today,
    })


@policy_view("programme.manage")
def programme_new(request: HttpRequest) -> HttpResponse:
    areas = selectors.areas_for(request.user, "programme.manage")
    year = timezone.localdate().year
    form = ProgrammeForm(request.POST or None, areas=_choices(areas), initial={"first_year": year, "last_year": year + 3})
    if request.method == "POST" and form.is_valid():
        area = selectors.area_from_key(request.user, form.cleaned_data["area"], "programme.manage")
        if area is None:
            raise PermissionDenied("programme.manage")
        try:
            programme = services.programme_create(
                actor=request.user, area=area, name=form.cleaned_data["name"], first_year=form.cleaned_data["first_year"],
                last_year=form.cleaned_data["last_year"], description=form.cleaned_data["description"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Het programma is aangemaakt. Voeg acties toe of importeer een actietabel."))
            return redirect("programme:detail", programme_id=programme.pk)
    return render(request, "programme/programme_form.html", {"form": form}, status=_status(request))


@policy_view("programme.manage")
def programme_edit(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = selectors.programme_for_view(request.user, programme_id)
    policy.require(request.user, "programme.manage", programme)
    key = selectors.area_key(programme.area)
    initial = {"name": programme.name, "area": key, "first_year": programme.first_year, "last_year": programme.last_year, "description": programme.description}
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None:
        data["area"] = key  # the area of a programme does not change
    form = ProgrammeForm(data, initial=initial, areas=[(key, selectors.area_label(programme.area))])
    form.fields["area"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_edit(
                actor=request.user, programme=programme, name=form.cleaned_data["name"], first_year=form.cleaned_data["first_year"],
                last_year=form.cleaned_data["last_year"], description=form.cleaned_data["description"],
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Het programma is gewijzigd."))
            return redirect("programme:detail", programme_id=programme.pk)
    return render(request, "programme/programme_form.html", {"form": form, "programme": programme}, status=_status(request))


@policy_view("programme.view")
def detail(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = selectors.programme_for_view(request.user, programme_id)
    today = timezone.localdate()
    overview = selectors.overview(programme, today)
    status_filter = request.GET.get("status", "")
    pillar_filter = request.GET.get("pijler", "")
    only_late = request.GET.get("te_laat") == "1"
    pillars = []
    for block in overview.pillars:
        if pillar_filter and block.name != pillar_filter:
            continue
        lines = [
            line for line in block.actions
            if (not status_filter or (line.action.status or "geen") == status_filter) and (not only_late or line.open_late)
        ]
        if lines:
            pillars.append({"name": block.name, "actions": lines})
    context = {
        "programme": programme, "overview": overview, "pillars": pillars, "today": today,
        "status_filter": status_filter, "pillar_filter": pillar_filter, "only_late": only_late,
        "statuses": [*RagStatus.choices, ("geen", _("Geen status"))],
        "pillar_names": [b.name for b in overview.pillars],
        "can_manage": policy.can(request.user, "programme.manage", programme),
        "imports": programme.imports.all()[:5],
    }
    template = "programme/_actions.html" if request.htmx and request.htmx.target == "kz-actions" else "programme/detail.html"
    return render(request, template, context)


def _action_form_initial(action: Action) -> dict[str, Any]:
    return {
        "number": action.number, "pillar": action.pillar.name if action.pillar else "", "goal": action.goal.text if action.goal else "",
        "goal_kind": action.goal.kind if action.goal else "operationeel",
        "what": action.what, "owner_organisation": action.owner_organisation, "owner_text": action.owner_text,
        "owner_user": action.owner_user, "when_text": action.when_text,
    }


def _action_input(form: ActionForm) -> services.ActionInput:
    d = form.cleaned_data
    return services.ActionInput(
        what=d["what"], when_text=d["when_text"], pillar=d["pillar"], goal=d["goal"], number=d["number"],
        owner_organisation=d["owner_organisation"], owner_text=d["owner_text"], owner_user=d["owner_user"],
        goal_kind=d.get("goal_kind") or "operationeel",
    )


@policy_view("programme.manage")
def action_new(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = selectors.programme_for_view(request.user, programme_id)
    policy.require(request.user, "programme.manage", programme)
    form = ActionForm(request.POST or None, region_id=programme.region_id)
    if request.method == "POST" and form.is_valid():
        try:
            action = services.action_create(actor=request.user, programme=programme, data=_action_input(form))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De actie is toegevoegd."))
            return redirect("programme:action", action_id=action.pk)
    return render(request, "programme/action_form.html", {"form": form, "programme": programme}, status=_status(request))


@policy_view("programme.view")
def action_detail(request: HttpRequest, action_id: Any) -> HttpResponse:
    action = selectors.action_for_view(request.user, action_id)
    return render(request, "programme/action.html", _action_context(request, action))


def _action_context(request: HttpRequest, action: Action, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    today = timezone.localdate(now)
    occurrences = list(action.occurrences.all())
    return {
        "action": action, "programme": action.programme, "today": today,
        "updates": action.updates.select_related("author"),
        "occurrences": [
            (o, rules.DEADLINE_TEXT[rules.deadline_state(o.due_date, o.done_on, today)]) for o in occurrences
        ],
        "deadline_text": rules.DEADLINE_TEXT[rules.deadline_state(action.due_date, action.done_on, today)] if action.due_date else "",
        "can_update": policy.can(request.user, "programme.action_update", action),
        "can_manage": policy.can(request.user, "programme.manage", action.programme),
        "status_form": extra.pop("status_form", None) or StatusForm(),
        "complete_form": extra.pop("complete_form", None) or CompleteForm(initial={"done_on": today}, now=now),
        **extra,
    }


@require_POST
@policy_view("programme.action_update")
def action_status(request: HttpRequest, action_id: Any) -> HttpResponse:
    action = selectors.action_for_update(request.user, action_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.action_update_status(actor=request.user, action=action, status=form.cleaned_data["status"], note=form.cleaned_data["note"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if request.htmx:
                action.refresh_from_db()
                return render(request, "programme/_status_panel.html", _action_context(request, action, saved=True))
            messages.success(request, _("De status is bijgewerkt."))
            return redirect("programme:action", action_id=action.pk)
    template = "programme/_status_panel.html" if request.htmx else "programme/action.html"
    return render(request, template, _action_context(request, action, status_form=form), status=400)


@policy_view("programme.manage")
def action_edit(request: HttpRequest, action_id: Any) -> HttpResponse:
    action = selectors.action_for_view(request.user, action_id)
    policy.require(request.user, "programme.manage", action.programme)
    form = ActionForm(request.POST or None, initial=_action_form_initial(action), region_id=action.programme.region_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_edit(actor=request.user, action=action, data=_action_input(form))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De actie is gewijzigd."))
            return redirect("programme:action", action_id=action.pk)
    return render(request, "programme/action_form.html", {"form": form, "programme": action.programme, "action": action}, status=_status(request))


@require_POST
@policy_view("programme.action_update")
def action_complete(request: HttpRequest, action_id: Any) -> HttpResponse:
    action = selectors.action_for_update(request.user, action_id)
    now = timezone.now()
    form = CompleteForm(request.POST, now=now)
    if form.is_valid():
        try:
            services.action_complete(actor=request.user, action=action, done_on=form.cleaned_data["done_on"], note=form.cleaned_data["note"], now=now)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De actie is afgerond."))
            return redirect("programme:action", action_id=action.pk)
    return render(request, "programme/action.html", _action_context(request, action, complete_form=form), status=400)


@require_POST
@policy_view("programme.action_update")
def occurrence_done(request: HttpRequest, occurrence_id: int) -> HttpResponse:
    occurrence = selectors.occurrence_for_update(request.user, occurrence_id)
    now = timezone.now()
    form = CompleteForm(request.POST, now=now)
    if form.is_valid():
        try:
            services.occurrence_complete(
                actor=request.user, occurrence=occurrence, done_on=form.cleaned_data["done_on"], note=form.cleaned_data["note"], now=now,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Uitgevoerd voor %(due)s.") % {"due": date_format(occurrence.due_date, "DATE_FORMAT")})
            return redirect("programme:action", action_id=occurrence.action_id)
    return render(request, "programme/action.html", _action_context(request, occurrence.action, complete_form=form), status=400)


@policy_view("programme.manage")
def action_import(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = selectors.programme_for_view(request.user, programme_id)
    policy.require(request.user, "programme.manage", programme)
    form = ImportForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        outcome = services.import_action_table(actor=request.user, programme=programme, file_name=upload.name, data=upload.read())
        if outcome.ok:
            messages.success(request, _("Actietabel ingelezen: %(new)d nieuw, %(upd)d bijgewerkt, %(same)d ongewijzigd.") % {
                "new": outcome.created, "upd": outcome.updated, "same": outcome.unchanged})
            return redirect("programme:detail", programme_id=programme.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "programme/import.html", {"form": form, "programme": programme, "outcome": outcome}, status=status)


@policy_view("programme.view")
def action_export(request: HttpRequest, programme_id: int) -> HttpResponse:
    """The action table as XLSX, in the import format: edit in a spreadsheet, import again."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    programme = selectors.programme_for_view(request.user, programme_id)
    book = Workbook()
    sheet = book.active
    sheet.title = "Acties"
    for row in selectors.action_table(programme):
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="programme", object_id=programme.pk,
                 object_label=programme.name[:100], reason="actietabel (xlsx)")
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="actietabel-{programme.pk}.xlsx"'
    return response


# --- training and awareness ----------------------------------------------------------------------
def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("jaar", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@policy_view("training.view")
def training_index(request: HttpRequest) -> HttpResponse:
    org = request.user.organisation
    year = _year(request)
    if not request.user.has_role(Role.KETENREGISSEUR):  # the AF: straight to their own municipality
        return redirect(f"{reverse('programme:training', kwargs={'municipality_id': org.municipality_id})}?jaar={year}")
    rows = selectors.region_coverage(org.region, year)
    return render(request, "programme/training_region.html", {
        "rows": rows, "year": year, "region": org.region,
        "can_record": bool(selectors.areas_for(request.user, "training.manage")),
    })


@policy_view("training.view")
def training_municipality(request: HttpRequest, municipality_id: int) -> HttpResponse:
    municipality = get_object_or_404(Municipality, pk=municipality_id)
    year = _year(request)
    context = selectors.training_page(request.user, municipality, year)
    context["group_rows"] = [
        {"label": selectors.function_label(g.function), "cov": g, "group": context["groups"].get(g.function)}
        for g in context["coverage"].groups
    ]
    context["untargeted"] = [(selectors.function_label(f), n) for f, n in context["coverage"].untargeted.items()]
    context["can_manage"] = policy.can(request.user, "training.manage", municipality)
    context["district"] = municipality.district
    context["can_campaign"] = municipality.district_id and policy.can(request.user, "barriers.campaign", municipality.district)
    if municipality.district_id:
        from ketenzicht.barriers.models import AwarenessCampaign

        context["campaigns"] = AwarenessCampaign.objects.filter(district=municipality.district, held_on__year=year)
    return render(request, "programme/training.html", context)


@policy_view("training.manage")
def training_new(request: HttpRequest) -> HttpResponse:
    areas = selectors.areas_for(request.user, "training.manage")
    choices = [(str(a.pk), a.name) for a in areas]
    own = request.user.organisation.municipality_id
    now = timezone.now()
    form = TrainingForm(request.POST or None, municipalities=choices, initial={"municipality": str(own or ""), "held_on": timezone.localdate(now)}, now=now)
    if request.method == "POST" and form.is_valid():
        municipality = next((a for a in areas if str(a.pk) == form.cleaned_data["municipality"]), None)
        if municipality is None:
            raise PermissionDenied("training.manage")
        try:
            training = services.training_create(
                actor=request.user, municipality=municipality, kind=form.cleaned_data["kind"], title=form.cleaned_data["title"],
                provider=form.cleaned_data["provider"], held_on=form.cleaned_data["held_on"], attendance=form.attendance(), now=now,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De training is geregistreerd."))
            url = reverse("programme:training", kwargs={"municipality_id": municipality.pk})
            return redirect(f"{url}?jaar={training.held_on.year}")
    return render(request, "programme/training_form.html", {"form": form}, status=_status(request))


def _municipality_for_manage(request: HttpRequest, municipality_id: int) -> Municipality:
    municipality = get_object_or_404(Municipality, pk=municipality_id)
    policy.require(request.user, "training.manage", municipality)
    return municipality


@policy_view("training.manage")
def target_group_new(request: HttpRequest, municipality_id: int) -> HttpResponse:
    municipality = _municipality_for_manage(request, municipality_id)
    form = TargetGroupForm(request.POST or None, initial={"function": request.GET.get("functie", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.target_group_save(actor=request.user, municipality=municipality, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De doelgroep is opgeslagen."))
            return redirect("programme:training", municipality_id=municipality.pk)
    return render(request, "programme/simple_form.html", {
        "form": form, "title": _("Doelgroep voor training"), "municipality": municipality,
        "back": reverse("programme:training", kwargs={"municipality_id": municipality.pk}),
    }, status=_status(request))


@policy_view("training.manage")
def need_new(request: HttpRequest, municipality_id: int) -> HttpResponse:
    municipality = _municipality_for_manage(request, municipality_id)
    year = _year(request)
    form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_need_create(actor=request.user, municipality=municipality, year=year, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De trainingsbehoefte is vastgelegd."))
            return redirect(f"{reverse('programme:training', kwargs={'municipality_id': municipality.pk})}?jaar={year}")
    return render(request, "programme/simple_form.html", {
        "form": form, "title": _("Trainingsbehoefte van een afdeling (%(year)s)") % {"year": year}, "municipality": municipality,
        "back": reverse("programme:training", kwargs={"municipality_id": municipality.pk}),
    }, status=_status(request))


# --- reports to the board ------------------------------------------------------------------------
@policy_view("report.view")
def reports(request: HttpRequest) -> HttpResponse:
    areas = selectors.areas_for(request.user, "report.generate")
    now = timezone.now()
    last = rules.ReportPeriod.last_completed_half(timezone.localdate(now))
    form = ReportForm(request.POST or None, areas=_choices(areas), initial={"period": last.code}, now=now)
    if request.method == "POST":
        if not areas:
            raise PermissionDenied("report.generate")
        if form.is_valid():
            area = selectors.area_from_key(request.user, form.cleaned_data["area"], "report.generate")
            if area is None:
                raise PermissionDenied("report.generate")
            report = services.board_report_generate(actor=request.user, area=area, period=form.cleaned_data["period"])
            messages.success(request, ngettext(
                "De rapportage is gemaakt (%(pages)d pagina).", "De rapportage is gemaakt (%(pages)d pagina's).", report.pages
            ) % {"pages": report.pages})
            if report.redactions:
                messages.warning(request, ngettext(
                    "%(n)d keer is een naam uit de rapportage verwijderd. Haal namen weg uit de acties van het programma.",
                    "%(n)d keer is een naam uit de rapportage verwijderd. Haal namen weg uit de acties van het programma.",
                    report.redactions,
                ) % {"n": report.redactions})
            return redirect("programme:reports")
    return render(request, "programme/reports.html", {
        "form": form, "can_generate": bool(areas), "reports": selectors.reports_for(request.user),
    }, status=400 if request.method == "POST" else 200)


@policy_view("report.view")
def report_download(request: HttpRequest, report_id: Any) -> HttpResponse:
    report = BoardReport.objects.filter(pk=report_id).select_related("municipality", "district", "region").first()
    if report is None:
        raise Http404
    policy.require(request.user, "report.view", report)
    audit_record(actor=request.user, action=AuditAction.DOWNLOAD, object_type="board_report", object_id=report.pk,
                 object_label=f"{report.area_name} {report.period}")
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}"'
    return response

