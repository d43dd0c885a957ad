"""Pages of the tables: meetings, agenda, decisions, minutes, deadlines and throughput. Thin."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.core import policy
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.errors import ServiceError
from ketenzicht.meetings import selectors, services
from ketenzicht.meetings.forms import CorrectionForm, DecisionForm, MeetingForm, PeriodForm
from ketenzicht.meetings.models import ActionItem


def _own_municipality(request: HttpRequest) -> Any:
    municipality = request.user.municipality
    if municipality is None:
        raise Http404
    return municipality


@policy_view("meeting.list")
def meeting_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    meetings = list(selectors.meetings_for(request.user).prefetch_related("sittings"))
    for meeting in meetings:
        meeting.upcoming = [s for s in meeting.sittings.all() if s.date >= today][:3]
        meeting.recent = [s for s in meeting.sittings.all() if s.date < today][-3:]
    context = {
        "meetings": meetings,
        # "Nieuw overleg" and throughput are the AF's (own municipality); convening a table above
        # the municipality is the ketenregisseur's.
        "can_manage": request.user.municipality is not None and policy.can(request.user, "meeting.manage"),
        "can_convene": policy.can(request.user, "meeting.convene"),
    }
    return render(request, "meetings/list.html", context)


def _meeting_input(form: MeetingForm, municipality: Any) -> services.MeetingInput:
    data = form.cleaned_data
    return services.MeetingInput(
        kind=data["kind"],
        municipality=municipality,
        name=data["name"],
        interval_weeks=data["interval_weeks"],
        weekday=data["weekday"],
        start_time=data["start_time"],
        first_date=data["first_date"],
        organisations=list(data["organisations"]),
        members=list(data["members"]),
    )


@policy_view("meeting.manage")
def meeting_create(request: HttpRequest) -> HttpResponse:
    municipality = _own_municipality(request)
    form = MeetingForm(request.POST or None, municipality=municipality, initial={"first_date": timezone.localdate(), "start_time": "10:00"})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, data=_meeting_input(form, municipality))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Het overleg is aangemaakt."))
            return redirect("meetings:detail", meeting_id=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/form.html", {"form": form, "meeting": None}, status=status)


@policy_view("meeting.manage")
def meeting_edit(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, meeting_id)
    policy.require(request.user, "meeting.manage", meeting)
    if meeting.regional:
        from ketenzicht.meetings.regional_views import regional_edit

        return regional_edit(request, meeting)
    initial = {
        "kind": meeting.kind, "name": meeting.name, "interval_weeks": meeting.interval_weeks, "weekday": meeting.weekday,
        "start_time": meeting.start_time, "first_date": meeting.first_date,
        "organisations": list(meeting.organisations.all()), "members": list(meeting.members.all()),
    }
    form = MeetingForm(request.POST or None, municipality=meeting.municipality, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=request.user, meeting=meeting, data=_meeting_input(form, meeting.municipality))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Het overleg is bijgewerkt."))
            return redirect("meetings:detail", meeting_id=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/form.html", {"form": form, "meeting": meeting}, status=status)


@policy_view("meeting.view")
def meeting_detail(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, meeting_id)
    today = timezone.localdate()
    is_chair = policy.can(request.user, "meeting.chair", meeting)
    context = {
        "meeting": meeting,
        "sittings": list(meeting.sittings.order_by("-date")),
        "organisations": list(meeting.organisations.all()),
        "members": list(meeting.members.select_related("organisation")),
        "is_chair": is_chair,
        "next_date": services.next_sitting_date(meeting, today) if is_chair else None,
        "today": today,
    }
    return render(request, "meetings/detail.html", context)


@require_POST
@policy_view("meeting.chair")
def sitting_plan(request: HttpRequest, meeting_id: str) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, meeting_id)
    try:
        sitting = services.sitting_plan(actor=request.user, meeting=meeting)
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect("meetings:detail", meeting_id=meeting.pk)
    messages.success(request, _("De vergadering is gepland; de signalen die klaarstaan zijn op de agenda gezet."))
    return redirect("meetings:sitting", sitting_id=sitting.pk)


def _sitting_context(request: HttpRequest, sitting: Any) -> dict[str, Any]:
    items, hidden = selectors.agenda_for(request.user, sitting)
    return {
        "sitting": sitting,
        "meeting": sitting.meeting,
        "items": items,
        "hidden": hidden,
        "is_chair": policy.can(request.user, "meeting.chair", sitting),
        "can_bring": sitting.meeting.regional and policy.can(request.user, "meeting.bring_case", sitting),
    }


@policy_view("meeting.view")
def sitting_detail(request: HttpRequest, sitting_id: str) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, sitting_id)
    return render(request, "meetings/sitting.html", _sitting_context(request, sitting))


@require_POST
@policy_view("meeting.chair")
def agenda_refresh(request: HttpRequest, sitting_id: str) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, sitting_id)
    try:
        added = services.agenda_refresh(actor=request.user, sitting=sitting)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, ngettext("%(n)s signaal toegevoegd aan de agenda.", "%(n)s signalen toegevoegd aan de agenda.", added) % {"n": added})
    return redirect("meetings:sitting", sitting_id=sitting.pk)


@require_POST
@policy_view("meeting.chair")
def agenda_move(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_for_chair(request.user, item_id)
    try:
        services.agenda_move(actor=request.user, item=item, direction=request.POST.get("richting", ""))
    except ServiceError as exc:
        messages.error(request, str(exc))
    sitting = item.sitting
    if request.htmx:
        return render(request, "meetings/_agenda.html", _sitting_context(request, sitting))
    return redirect("meetings:sitting", sitting_id=sitting.pk)


def _pdf(request: HttpRequest, template: str, context: dict[str, Any], filename: str) -> HttpResponse:
    from weasyprint import HTML

    from ketenzicht.core.pdf import PDF_VARIANT

    html = render_to_string(template, context, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf(pdf_variant=PDF_VARIANT)
    response = HttpResponse(pdf, content_type="application/pdf")
    # Named after the table and date only: never a name or a case detail.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@policy_view("meeting.view")
def agenda_pdf(request: HttpRequest, sitting_id: str) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, sitting_id)
    items, hidden = selectors.agenda_for(request.user, sitting, purpose="agenda afdrukken")
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="sitting", object_id=sitting.pk, object_label=sitting.meeting.kind.slug, fields=list(policy.meeting_field_groups(request.user, sitting)), reason="agenda (pdf)")
    context = {"sitting": sitting, "meeting": sitting.meeting, "items": items, "hidden": hidden, "title": _("Agenda"), "minutes": False}
    return _pdf(request, "meetings/print.html", context, f"agenda-{sitting.meeting.kind.slug}-{sitting.date:%Y%m%d}.pdf")


@policy_view("meeting.chair")
def decide(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_for_chair(request.user, item_id)
    sitting = item.sitting
    if hasattr(item, "decision"):
        messages.info(request, _("Over dit agendapunt is al besloten."))
        return redirect("meetings:sitting", sitting_id=sitting.pk)
    now = timezone.now()  # the request's moment, read once here: options, form and service agree
    options = services.decision_options(item, now=now)
    form = DecisionForm(request.POST or None, options=options, meeting=sitting.meeting, now=now)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        action_items = []
        if data.get("action_description"):
            action_items.append(
                services.ActionItemInput(
                    description=data["action_description"],
                    owner_organisation=data["action_organisation"],
                    owner=data.get("action_owner"),
                    due_date=data.get("action_due"),
                )
            )
        try:
            services.decision_record(
                actor=request.user, item=item, action=data["outcome"], rationale=data["rationale"],
                info_needed=data.get("info_needed", ""), info_from=data.get("info_from", ""), action_items=action_items,
                now=now,
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            subject = item.case.reference if item.case is not None else _("het thema")
            messages.success(request, _("Het besluit over %(ref)s is vastgelegd.") % {"ref": subject})
            return redirect("meetings:sitting", sitting_id=sitting.pk)
    items, _hidden = selectors.agenda_for(request.user, sitting, purpose="besluit")
    view = next((v for v in items if v.item.pk == item.pk), None)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/decide.html", {"form": form, "item": item, "view": view, "sitting": sitting, "meeting": sitting.meeting, "options": options}, status=status)


def _minutes_context(request: HttpRequest, sitting: Any, correction_form: CorrectionForm | None = None) -> dict[str, Any]:
    items, hidden = selectors.minutes_for(request.user, sitting)
    return {
        "sitting": sitting,
        "meeting": sitting.meeting,
        "items": items,
        "hidden": hidden,
        "corrections": list(sitting.corrections.select_related("by")) if items or hidden == 0 else [],
        "is_chair": policy.can(request.user, "meeting.chair", sitting),
        "correction_form": correction_form or CorrectionForm(),
        "minutes": True,
        "title": _("Notulen"),
    }


@policy_view("meeting.view")
def minutes(request: HttpRequest, sitting_id: str) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, sitting_id)
    return render(request, "meetings/minutes.html", _minutes_context(request, sitting))


@policy_view("meeting.view")
def minutes_pdf(request: HttpRequest, sitting_id: str) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, sitting_id)
    context = _minutes_context(request, sitting)
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="sitting", object_id=sitting.pk, object_label=sitting.meeting.kind.slug, fields=list(policy.meeting_field_groups(request.user, sitting)), reason="notulen (pdf)")
    return _pdf(request, "meetings/print.html", context, f"notulen-{sitting.meeting.kind.slug}-{sitting.date:%Y%m%d}.pdf")


@require_POST
@policy_view("meeting.chair")
def minutes_finalise(request: HttpRequest, sitting_id: str) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, sitting_id)
    try:
        services.minutes_finalise(actor=request.user, sitting=sitting)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("De notulen zijn vastgesteld. Wijzigingen kunnen alleen nog als correctie."))
    return redirect("meetings:minutes", sitting_id=sitting.pk)


@require_POST
@policy_view("meeting.chair")
def minutes_correct(request: HttpRequest, sitting_id: str) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, sitting_id)
    # On the object before the form: a member of a regional table (an AF) may view, not correct.
    policy.require(request.user, "meeting.chair", sitting)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.minutes_correct(actor=request.user, sitting=sitting, text=form.cleaned_data["text"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De correctie is toegevoegd aan de notulen."))
            return redirect("meetings:minutes", sitting_id=sitting.pk)
    return render(request, "meetings/minutes.html", _minutes_context(request, sitting, form), status=400)


@policy_view("meeting.list")
def deadlines(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "meetings/deadlines.html",
        {
            "action_items": selectors.action_items_for(request.user, today),
            "feedback": selectors.feedback_due_for(request.user, today),
            "today": today,
        },
    )


@require_POST
@policy_view("actionitem.complete")
def action_done(request: HttpRequest, action_item_id: int) -> HttpResponse:
    item = get_object_or_404(ActionItem.objects.select_related("decision__item__sitting__meeting"), pk=action_item_id)
    policy.require(request.user, "actionitem.complete", item)
    try:
        services.action_item_complete(actor=request.user, item=item)
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Het actiepunt is afgerond."))
    return redirect("meetings:deadlines")


@policy_view("throughput.view")
def throughput(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    start, end = today - timedelta(days=365), today
    if form.is_valid():
        start = form.cleaned_data.get("van") or start
        end = form.cleaned_data.get("tot") or end
    municipality = request.user.municipality
    if municipality is None or not policy.can(request.user, "throughput.view", municipality):
        # Figures beyond one's own municipality are the monitor's protected release (issue 20).
        return redirect("monitor:throughput")
    context: dict[str, Any] = {"form": form, "start": start, "end": end, "municipality": municipality}
    context["own"] = selectors.throughput_for_municipality(request.user, municipality, start, end)
    status = 400 if request.GET and not form.is_valid() else 200
    return render(request, "meetings/throughput.html", context, status=status)
