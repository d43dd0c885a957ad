"""The internal meldroute and the reporter's own reports."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenzicht.cases import selectors
from ketenzicht.cases.models import Case
from ketenzicht.core import policy
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.errors import ServiceError
from ketenzicht.intake.forms import ReportForm
from ketenzicht.intake.services import internal_report_submit


@policy_view("case.report")
def report(request: HttpRequest) -> HttpResponse:
    municipality = request.user.municipality
    region_id = request.user.organisation.region_id if request.user.organisation else None
    now = timezone.now()  # read once: the form checks dates against it
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, region_id=region_id, now=now)
        if form.is_valid():
            try:
                case, created = internal_report_submit(actor=request.user, cleaned=form.cleaned_data)
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                if created:
                    messages.success(request, _("Uw melding is ontvangen onder kenmerk %(ref)s. Dank u wel.") % {"ref": case.reference})
                else:
                    messages.info(request, _("Deze melding was al ontvangen onder kenmerk %(ref)s.") % {"ref": case.reference})
                if case.acute_danger:
                    messages.warning(request, _("U gaf acuut gevaar aan: bel 112 als u dat nog niet deed."))
                return redirect("intake:own_report", case_id=case.pk)
    else:
        form = ReportForm(initial={"municipality": municipality.pk if municipality else None}, region_id=region_id, now=now)
    return render(request, "intake/report.html", {"form": form})


@policy_view("case.list_own_reports")
def own_reports(request: HttpRequest) -> HttpResponse:
    cases = policy.own_reports(request.user, Case.objects.select_related("municipality")).order_by("-created_at")
    return render(request, "intake/own_reports.html", {"cases": cases})


@policy_view("case.view_own_report")
def own_report(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.own_report(request.user, case_id)
    return render(request, "intake/own_report.html", {"case": case})
