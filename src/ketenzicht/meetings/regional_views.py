"""Pages of the tables above the municipality (issue 14 item 3): convene, bring a case, add a theme. Thin."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenzicht.core import policy
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.errors import ServiceError
from ketenzicht.core.scopes import scope_of
from ketenzicht.meetings import regional, selectors
from ketenzicht.meetings.forms import BringCaseForm, RegionalMeetingForm, ThemeForm


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _input(form: RegionalMeetingForm) -> regional.RegionalMeetingInput:
    data = form.cleaned_data
    return regional.RegionalMeetingInput(
        kind=data["kind"], name=data["name"], interval_weeks=data["interval_weeks"], weekday=data["weekday"],
        start_time=data["start_time"], first_date=data["first_date"],
        organisations=list(data["organisations"]), members=list(data["members"]),
    )


@policy_view("meeting.convene")
def regional_create(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request.user)
    district_id = scope.district_id if scope.level == "district" else None
    form = RegionalMeetingForm(
        request.POST or None, region_id=scope.region_id, district_id=district_id,
        initial={"first_date": timezone.localdate(), "start_time": "10:00"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = regional.regional_meeting_create(actor=request.user, data=_input(form))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De tafel is bijeengeroepen."))
            return redirect("meetings:detail", meeting_id=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/regional_form.html", {"form": form, "meeting": None}, status=status)


def regional_edit(request: HttpRequest, meeting: Any) -> HttpResponse:
    """Called by `views.meeting_edit` for a table above the municipality (policy checked there)."""
    initial = {
        "kind": meeting.kind, "name": meeting.name, "interval_weeks": meeting.interval_weeks, "weekday": meeting.weekday,
        "start_time": meeting.start_time, "first_date": meeting.first_date,
        "organisations": list(meeting.organisations.all()), "members": list(meeting.members.all()),
    }
    form = RegionalMeetingForm(request.POST or None, region_id=meeting.region_id, district_id=meeting.district_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            regional.regional_meeting_update(actor=request.user, meeting=meeting, data=_input(form))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De tafel is bijgewerkt."))
            return redirect("meetings:detail", meeting_id=meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/regional_form.html", {"form": form, "meeting": meeting}, status=status)


@policy_view("meeting.bring_case")
def bring_case(request: HttpRequest, sitting_id: str) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, sitting_id)
    policy.require(request.user, "meeting.bring_case", sitting)
    if sitting.finalised:
        messages.error(request, _("De notulen van deze vergadering zijn vastgesteld; kies een volgende vergadering."))
        return redirect("meetings:sitting", sitting_id=sitting.pk)
    cases = regional.bringable_cases(request.user, sitting)
    form = BringCaseForm(request.POST or None, cases=cases)
    if request.method == "POST" and form.is_valid():
        case = next(c for c in cases if str(c.pk) == form.cleaned_data["case"])
        try:
            regional.agenda_bring_case(actor=request.user, sitting=sitting, case=case, reason=form.cleaned_data["reason"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Signaal %(ref)s staat op de agenda.") % {"ref": case.reference})
            return redirect("meetings:sitting", sitting_id=sitting.pk)
    elif request.method == "POST" and _uuid(request.POST.get("case", "")) is not None:
        # Posted again after it went on the agenda (a double click, a reload): show where it is.
        already = sitting.items.filter(case_id=_uuid(request.POST["case"]), case__municipality_id=request.user.organisation.municipality_id).select_related("case").first()
        if already is not None:
            messages.info(request, _("Signaal %(ref)s staat al op de agenda.") % {"ref": already.case.reference})
            return redirect("meetings:sitting", sitting_id=sitting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/bring_case.html", {"form": form, "sitting": sitting, "meeting": sitting.meeting, "has_cases": bool(cases)}, status=status)


@policy_view("meeting.chair")
def add_theme(request: HttpRequest, sitting_id: str) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, sitting_id)
    policy.require(request.user, "meeting.chair", sitting)
    if not sitting.meeting.regional:
        raise Http404
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            regional.agenda_add_theme(actor=request.user, sitting=sitting, theme=form.cleaned_data["theme"], reference=form.cleaned_data["reference"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Het thema staat op de agenda."))
            return redirect("meetings:sitting", sitting_id=sitting.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "meetings/theme_form.html", {"form": form, "sitting": sitting, "meeting": sitting.meeting}, status=status)
