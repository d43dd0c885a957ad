"""The public report path (/melden/): no login, seven languages, anonymous by default.

Nothing here reads or passes on the sender's IP address or user agent: the services get only
what the reporter typed, so nothing about the connection can end up in a case, its history or
the audit trail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ketenzicht.accounts.models import Municipality
from ketenzicht.cases.models import Case
from ketenzicht.cases.services import read_uploaded
from ketenzicht.core import policy
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.errors import ServiceError
from ketenzicht.core.ratelimit import rate_limited
from ketenzicht.intake import fast_public
from ketenzicht.intake import public_services as services
from ketenzicht.intake.public_forms import (
    AdditionForm,
    AnswerForm,
    PublicReportForm,
    StatusForm,
    find_municipality,
)
from ketenzicht.norms.selectors import with_norms_digest
from ketenzicht.themes.selectors import theme_municipality

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def _language() -> str:
    """The active language as one of the seven codes (the reporter's language for the case)."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


def _public_context(**extra: Any) -> dict[str, Any]:
    # The header switch offers all seven languages on public pages (staff pages: STAFF_LANGUAGES).
    return {"language_choices": settings.LANGUAGES, **extra}


def _report_page(request: HttpRequest, form: PublicReportForm, *, status: int = 200, files_dropped: bool = False) -> HttpResponse:
    context = _public_context(
        form=form,
        outside=form.outside,
        municipality_names=list(Municipality.objects.order_by("name").values_list("name", flat=True)),
        files_dropped=files_dropped,
    )
    return render(request, "intake/public/report.html", context, status=status)


def _confirmation(request: HttpRequest, *, code: str, acute_danger: bool, mail: bool) -> HttpResponse:
    context = _public_context(code=code, acute_danger=acute_danger, mail=mail)
    return render(request, "intake/public/confirmation.html", context)


def _switch_language(request: HttpRequest, now: datetime) -> HttpResponse:
    """Re-render what was typed in another language: no validation, nothing saved."""
    wanted = request.POST.get("taal", "")
    language = wanted if wanted in LANGUAGE_CODES else _language()
    translation.activate(language)
    request.LANGUAGE_CODE = language
    form = PublicReportForm.keeping(request.POST, now=now)
    response = _report_page(request, form, files_dropped=bool(request.FILES))
    # Later pages (confirmation, status) stay in the chosen language.
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", secure=request.is_secure(), httponly=True)
    return response


@never_cache
@fast_public.with_fast_report
@policy_view("public.report")
@rate_limited("public_report")
def report(request: HttpRequest, cbs_code: str | None = None) -> HttpResponse:
    now = timezone.now()  # read once: the form checks dates against it
    # `/melden/<cbs-code>/`: a municipality links to its own form, in its own look.
    # With its region and norms' digest: the report takes this row and needs no query of its own.
    chosen = theme_municipality(request, cbs_code, with_norms_digest(Municipality.objects.all()))
    if request.method != "POST":
        form = PublicReportForm(initial={"municipality": chosen.name} if chosen is not None else None, now=now)
        if chosen is not None and chosen.region_id is None:
            form.outside = chosen  # its own link, but outside every loaded region: say where to report, at once
        return _report_page(request, form)
    if request.POST.get("actie") == "taal":
        return _switch_language(request, now)
    form = PublicReportForm(request.POST, request.FILES, now=now)
    form.known = chosen
    if form.honeypot_filled():
        # A bot: the same confirmation a person gets, with a code that belongs to nothing.
        return _confirmation(request, code=services.random_receipt_code(), acute_danger=False, mail=False)
    if form.is_valid():
        data = form.cleaned_data
        report_data = services.PublicReport(
            form_key=data["form_key"],
            municipality=data["municipality"],
            description=data["description"],
            location_address=data.get("location_address", ""),
            location_description=data.get("location_description", ""),
            observed_on=data.get("observed_on"),
            forms=list(data.get("situations") or []),
            acute_danger=bool(data.get("acute_danger")),
            photos=[read_uploaded(f) for f in data.get("photos") or []],
            contact_email=data.get("contact_email", ""),
            contact_phone=data.get("contact_phone", ""),
            language=_language(),
        )
        try:
            receipt = services.public_report_submit(report=report_data, status_url=request.build_absolute_uri(reverse("public:status")))
        except ServiceError:
            form.add_error(None, _("Uw melding kon niet worden opgeslagen. Probeer het opnieuw."))
        else:
            return _confirmation(request, code=receipt.code, acute_danger=receipt.acute_danger, mail=receipt.mail_sent_to_reporter)
    return _report_page(request, form, status=400, files_dropped=bool(request.FILES))


@never_cache
@policy_view("public.info")
def municipality_check(request: HttpRequest) -> HttpResponse:
    """While filling in the form: for a municipality outside every loaded region, where to report instead."""
    municipality = find_municipality(request.GET.get("municipality", "")[:100])
    outside = municipality if municipality is not None and municipality.region_id is None else None
    return render(request, "intake/public/_report_elsewhere.html", {"outside": outside})


def _status_form_page(request: HttpRequest, form: StatusForm, *, not_found: bool = False) -> HttpResponse:
    return render(request, "intake/public/status_form.html", _public_context(form=form, not_found=not_found))


@never_cache
@policy_view("public.status")
@rate_limited("public_status")
def status(request: HttpRequest) -> HttpResponse:
    """The reporter's progress page. The code travels only in a POST body, never in the URL."""
    if request.method != "POST":
        return _status_form_page(request, StatusForm())
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _status_form_page(request, form)
    result = services.public_status(code=form.cleaned_data["code"])
    if result is None:
        # Malformed and unknown codes get the same page, wording and status code.
        return _status_form_page(request, form, not_found=True)
    addition_form = AdditionForm(initial={"code": form.cleaned_data["code"]})
    return _status_result(request, result, form.cleaned_data["code"], addition_form=addition_form)


def _status_result(request: HttpRequest, result: Any, code: str, *, status: int = 200, addition_form: Any = None, answer_form: Any = None) -> HttpResponse:
    """The status page with, per open question of the municipality, an answer form."""
    answer_forms = {
        q.id: answer_form if answer_form is not None and str(answer_form.data.get("question")) == str(q.id) else AnswerForm(initial={"code": code, "question": q.id})
        for q in result.questions
        if not q.answered
    }
    questions = [(q, answer_forms.get(q.id)) for q in result.questions]
    context = _public_context(status=result, addition_form=addition_form or AdditionForm(initial={"code": code}), questions=questions)
    return render(request, "intake/public/status_result.html", context, status=status)


@never_cache
@policy_view("public.info")
@rate_limited("public_status")
def answer(request: HttpRequest) -> HttpResponse:
    """The reporter answers a question of the municipality with the receipt code."""
    if request.method != "POST":
        return redirect("public:status")
    form = AnswerForm(request.POST)
    code = request.POST.get("code", "")
    if form.is_valid():
        try:
            services.reporter_answer_add(code=form.cleaned_data["code"], question_id=form.cleaned_data["question"], answer=form.cleaned_data["answer"])
        except services.AdditionRefused as exc:
            form.add_error("answer", str(exc))
        else:
            return render(request, "intake/public/answer_done.html", _public_context())
    result = services.public_status(code=code)
    if result is None:
        return _status_form_page(request, StatusForm(initial={"code": code}), not_found=True)
    return _status_result(request, result, code, status=400, answer_form=form)


@never_cache
@policy_view("public.info")
@rate_limited("public_status")
def addition(request: HttpRequest) -> HttpResponse:
    """The reporter adds information to their report with the receipt code."""
    if request.method != "POST":
        return redirect("public:status")
    form = AdditionForm(request.POST)
    code = request.POST.get("code", "")
    if form.is_valid():
        try:
            services.reporter_addition_add(code=form.cleaned_data["code"], text=form.cleaned_data["text"])
        except services.AdditionRefused as exc:
            form.add_error("text", str(exc))
        else:
            return render(request, "intake/public/addition_done.html", _public_context())
    result = services.public_status(code=code)
    if result is None:
        return _status_form_page(request, StatusForm(initial={"code": code}), not_found=True)
    return _status_result(request, result, code, status=400, addition_form=form)


# --- the beheerder's list of reports for municipalities off the platform ----------------------
@policy_view("case.unrouted")
def unrouted(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/public/unrouted.html", {"rows": services.unrouted_rows(request.user)})


@require_POST
@policy_view("case.unrouted")
def forward(request: HttpRequest, case_id: str) -> HttpResponse:
    case = get_object_or_404(Case.objects.select_related("municipality"), pk=case_id)
    policy.require(request.user, "case.unrouted", case)
    target = services.forward_targets(case).filter(pk=request.POST.get("municipality") or 0).first() if (request.POST.get("municipality") or "").isdigit() else None
    if target is None:
        messages.error(request, _("Kies een aangesloten gemeente om %(ref)s naar door te sturen.") % {"ref": case.reference})
        return redirect("unrouted:list")
    try:
        services.case_forward_unrouted(actor=request.user, case=case, municipality=target, reason=request.POST.get("reason", "")[:500])
    except ServiceError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(ref)s is doorgestuurd naar %(name)s.") % {"ref": case.reference, "name": target.name})
    return redirect("unrouted:list")
