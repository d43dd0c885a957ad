"""The aandachtsfunctionaris' work queue and case page. Thin: forms, services, selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases import selectors, services
from ketenzicht.cases.forms import (
    AttachmentForm,
    EnrichForm,
    FeedbackForm,
    QueueFilterForm,
    SubjectForm,
    TransitionForm,
)
from ketenzicht.cases.models import Attachment, Case
from ketenzicht.core import filestore, policy
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.errors import ServiceError
from ketenzicht.core.uploads import sniffed_type
from ketenzicht.domain.lifecycles import case as case_lifecycle
from ketenzicht.domain.lifecycles.base import VENUE_LABELS

QUEUE_VIEWS = [
    ("nieuw", gettext_lazy("Nieuw")),
    ("mijn", gettext_lazy("Mijn signalen")),
    ("wachtend", gettext_lazy("Wachtend")),
    ("te_laat", gettext_lazy("Te laat")),
    ("alle", gettext_lazy("Alle")),
]


@policy_view("case.queue")
def queue(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    view = request.GET.get("weergave", "nieuw")
    if view not in dict(QUEUE_VIEWS):
        view = "nieuw"
    filter_form = QueueFilterForm(request.GET or None)
    filters = selectors.QueueFilters(view=view)
    if filter_form.is_valid():
        for name in ("form", "state", "minor", "age"):
            setattr(filters, name, filter_form.cleaned_data.get(name) or "")
    cases = selectors.work_queue(request.user, filters, today)[:200]
    context = {
        "cases": cases,
        "filter_form": filter_form,
        "view": view,
        "views": QUEUE_VIEWS,
        "counts": selectors.queue_counts(request.user, today),
        "today": today,
    }
    template = "cases/_queue_table.html" if request.htmx and not request.htmx.boosted else "cases/queue.html"
    return render(request, template, context)


def _case_context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    facts = services.case_facts(case)
    now = timezone.now()
    close = case_lifecycle.transition_for(case_lifecycle.Action.AFSLUITEN)
    waiting_for = next((v for v, s in case_lifecycle.AWAITING_TABLE.items() if s == case.state), None)
    return {
        "case": case,
        "subjects": list(case.subjects.all()),
        "attachments": list(case.attachments.all()),
        "events": list(case.events.select_related("organisation").all()),
        "related": selectors.related_cases(case),
        "next_steps": [t for t in case_lifecycle.allowed_actions(case.state, facts, now=now) if t.action != case_lifecycle.Action.SAMENVOEGEN],
        "blocked_close": case_lifecycle.guard_failures(close, facts, now) if case.state in close.sources else [],
        "waiting_for_table": VENUE_LABELS[waiting_for] if waiting_for is not None else "",
        "can_merge": case.state in case_lifecycle.GROUPS.open,
        "read_only": case_lifecycle.is_read_only(case.state),
        "merged_into": case.merged_into if case.merged_into_id else None,
        "merged_duplicates": list(case.merged_duplicates.only("pk", "reference")),
        "enrich_form": forms.get("enrich_form") or EnrichForm(initial={f: getattr(case, f) for f in services.ENRICHMENT_FIELDS}),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(initial={"message": case.feedback_message, "impossible_reason": case.feedback_impossible_reason}),
        "subject_form": forms.get("subject_form") or SubjectForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "transition_form": forms.get("transition_form"),
        "transition_error": forms.get("transition_error"),
        "today": timezone.localdate(now),
    }


@policy_view("case.view")
def detail(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.case_for_work(request.user, case_id)
    return render(request, "cases/detail.html", _case_context(request, case))


def _rerender(request: HttpRequest, case: Case, status: int = 400, **forms: Any) -> HttpResponse:
    return render(request, "cases/detail.html", _case_context(request, case, **forms), status=status)


@require_POST
@policy_view("case.transition")
def transition(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.case_for_work(request.user, case_id, purpose="statuswijziging")
    form = TransitionForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        merge_into = None
        if action == case_lifecycle.Action.SAMENVOEGEN:
            reference = form.cleaned_data["merge_reference"].strip().upper()
            merge_into = policy.cases_visible_to(request.user, Case.objects.filter(reference=reference)).first()
            if merge_into is None:
                return _rerender(request, case, transition_form=form, transition_error=_("Er is geen signaal met dit kenmerk in uw gemeente."))
        try:
            services.case_transition(actor=request.user, case=case, action=action, reason=form.cleaned_data["reason"], merge_into=merge_into)
        except ServiceError as exc:
            return _rerender(request, case, transition_form=form, transition_error=str(exc))
        messages.success(request, _("De status is gewijzigd."))
        return redirect("cases:detail", case_id=case.pk)
    return _rerender(request, case, transition_form=form, transition_error=_("Kies een stap."))


@require_POST
@policy_view("case.enrich")
def enrich(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.case_for_work(request.user, case_id, purpose="verrijken")
    form = EnrichForm(request.POST)
    if form.is_valid():
        try:
            services.case_enrich(actor=request.user, case=case, changes={k: v or "" for k, v in form.cleaned_data.items()})
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De verrijking is opgeslagen."))
            return redirect("cases:detail", case_id=case.pk)
    return _rerender(request, case, enrich_form=form)


@require_POST
@policy_view("case.feedback")
def feedback(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.case_for_work(request.user, case_id, purpose="terugkoppeling")
    form = FeedbackForm(request.POST)
    if form.is_valid():
        try:
            services.case_record_feedback(actor=request.user, case=case, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De terugkoppeling is vastgelegd."))
            return redirect("cases:detail", case_id=case.pk)
    return _rerender(request, case, feedback_form=form)


@require_POST
@policy_view("case.subjects")
def add_subject(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.case_for_work(request.user, case_id, purpose="betrokkene toevoegen")
    form = SubjectForm(request.POST)
    if form.is_valid():
        try:
            services.subject_add(actor=request.user, case=case, subject=services.SubjectInput(**{k: v or ("" if k != "birth_date" else None) for k, v in form.cleaned_data.items()}))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De betrokkene is toegevoegd."))
            return redirect("cases:detail", case_id=case.pk)
    return _rerender(request, case, subject_form=form)


@require_POST
@policy_view("case.attachments")
def add_attachment(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.case_for_work(request.user, case_id, purpose="bijlage toevoegen")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(actor=request.user, case=case, attachment=services.read_uploaded(form.cleaned_data["file"]))
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("De bijlage is toegevoegd."))
            return redirect("cases:detail", case_id=case.pk)
    return _rerender(request, case, attachment_form=form)


@require_POST
@policy_view("case.assign")
def assign_to_me(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.case_for_work(request.user, case_id, purpose="toewijzen")
    try:
        services.case_assign(actor=request.user, case=case, assignee=request.user)
    except ServiceError as exc:
        return _rerender(request, case, status=409, transition_error=str(exc))
    messages.success(request, _("Het signaal is aan u toegewezen."))
    return redirect("cases:detail", case_id=case.pk)


@policy_view("case.attachments")
def download_attachment(request: HttpRequest, case_id: str, attachment_id: int) -> FileResponse:
    case = selectors.case_for_work(request.user, case_id, purpose="bijlage")
    attachment = get_object_or_404(Attachment, pk=attachment_id, case=case)
    audit_record(actor=request.user, action=AuditAction.DOWNLOAD, object_type="attachment", object_id=attachment.pk, object_label=case.reference, fields=["bijlage"])
    if not filestore.ensure_placed(attachment.file.name):
        raise Http404  # check_files reports the row without its file
    handle = attachment.file.open("rb")
    # Served as what the bytes are (sniffed again, also for rows stored before sniffing), never
    # as the type a client once declared; unknown content is an opaque download.
    content_type = sniffed_type(handle.read(8192))
    handle.seek(0)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}.get(content_type, "bin")
    # The download name is the reference, not the uploaded name (which may hold a person's name).
    return FileResponse(handle, as_attachment=True, filename=f"{case.reference}-bijlage-{attachment.pk}.{extension}", content_type=content_type)
