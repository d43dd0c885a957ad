"""The aandachtsfunctionaris' work queue and case page. Thin: forms, services, selectors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases import saved_filters, selectors, services
from ketenzicht.cases.forms import (
    AssignForm,
    AttachmentForm,
    EnrichForm,
    FeedbackForm,
    QuestionForm,
    QueueFilterForm,
    ReclassifyForm,
    SavedFilterForm,
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

# Steps with their own form: merging (on this page, below) and bringing the case onto a regional
# table (from that table's agenda, which puts it on the agenda in the same transaction).
_NOT_ON_CASE_PAGE = frozenset({case_lifecycle.Action.SAMENVOEGEN, case_lifecycle.Action.AGENDEREN_REGIONAAL})


def _queue_filters(request: HttpRequest, filter_form: QueueFilterForm) -> selectors.QueueFilters:
    view = request.GET.get("weergave", "nieuw")
    filters = selectors.QueueFilters(view=view if view in dict(QUEUE_VIEWS) else "nieuw")
    filter_form.is_valid()  # a field in error (a one-letter search) is left out, the rest applies
    cleaned = getattr(filter_form, "cleaned_data", {})
    for name in ("form", "state", "minor", "age"):
        setattr(filters, name, cleaned.get(name) or "")
    filters.search = cleaned.get("zoek") or ""
    filters.sort = cleaned.get("sorteer") or "termijn"
    return filters


def _queue_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    filter_form = QueueFilterForm(request.GET or None)
    filters = _queue_filters(request, filter_form)
    page = selectors.queue_page(request.user, filters, today, request.GET.get("pagina"))
    keep = request.GET.copy()
    keep.pop("pagina", None)
    return {
        "page": page,
        "cases": page.object_list,
        "filter_form": filter_form,
        "view": filters.view,
        "views": QUEUE_VIEWS,
        "counts": selectors.queue_counts(request.user, today),
        "today": today,
        "keep_query": keep.urlencode(),
        "saved_filters": selectors.saved_filters(request.user),
        "saved_form": extra.get("saved_form") or SavedFilterForm(),
        "assign_form": extra.get("assign_form") or AssignForm(colleagues=selectors.colleague_afs(request.user)),
        "assign_error": extra.get("assign_error", ""),
        "current_query": {k: v for k, v in request.GET.items() if k in saved_filters.SAVED_FILTER_KEYS and v},
    }


@policy_view("case.queue")
def queue(request: HttpRequest) -> HttpResponse:
    context = _queue_context(request)
    template = "cases/_queue_table.html" if request.htmx and not request.htmx.boosted else "cases/queue.html"
    return render(request, template, context)


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    query = request.POST.get("terug", "")
    return redirect(f"{reverse('cases:queue')}?{query}" if query else reverse("cases:queue"))


@require_POST
@policy_view("case.queue")
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Assign the ticked cases of the queue to a colleague AF of the same municipality."""
    colleagues = selectors.colleague_afs(request.user)
    form = AssignForm(request.POST, colleagues=colleagues)
    cases = selectors.cases_for_bulk(request.user, request.POST.getlist("signalen"))
    error = ""
    if not form.is_valid():
        error = _("Kies een collega aan wie u de signalen toewijst.")
    elif not cases:
        error = _("Kies ten minste één signaal.")
    else:
        try:
            services.cases_assign(actor=request.user, cases=cases, assignee=colleagues.get(pk=form.cleaned_data["behandelaar"]))
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, ngettext("%(n)d signaal is toegewezen.", "%(n)d signalen zijn toegewezen.", len(cases)) % {"n": len(cases)})
            return _back_to_queue(request)
    messages.error(request, error)
    return _back_to_queue(request)


@require_POST
@policy_view("case.queue")
def saved_filter(request: HttpRequest) -> HttpResponse:
    """Save the queue's current filter under a name, or remove a saved one."""
    remove = request.POST.get("verwijderen")
    if remove and remove.isdigit():
        saved_filters.saved_filter_delete(actor=request.user, saved_id=int(remove))
        messages.success(request, _("Het filter is verwijderd."))
        return _back_to_queue(request)
    form = SavedFilterForm(request.POST)
    query = dict(QueryDict(request.POST.get("terug", "")).items())
    if form.is_valid():
        saved_filters.saved_filter_save(actor=request.user, name=form.cleaned_data["name"], query=query)
        messages.success(request, _("Het filter is bewaard."))
        return _back_to_queue(request)
    messages.error(request, _("Geef het filter een naam."))
    return _back_to_queue(request)


def _case_context(request: HttpRequest, case: Case, **forms: Any) -> dict[str, Any]:
    facts = services.case_facts(case)
    now = timezone.now()
    close = case_lifecycle.transition_for(case_lifecycle.Action.AFSLUITEN)
    waiting_for = next((v for v, s in case_lifecycle.AWAITING_TABLE.items() if s == case.state), None)
    return {
        "case": case,
        "subjects": list(case.subjects.all()),
        "attachments": list(case.attachments.all()),
        "events": list(case.events.select_related("organisation", "actor").all()),
        "related": selectors.related_cases(case),
        "region_hits": selectors.region_hits(case),
        "next_steps": [t for t in case_lifecycle.allowed_actions(case.state, facts, now=now) if t.action not in _NOT_ON_CASE_PAGE],
        "blocked_close": case_lifecycle.guard_failures(close, facts, now) if case.state in close.sources else [],
        "waiting_for_table": VENUE_LABELS[waiting_for] if waiting_for is not None else "",
        "can_merge": case.state in case_lifecycle.GROUPS.open,
        "can_transfer": case.state in case_lifecycle.TRANSFERABLE,
        "transfer_choices": selectors.transfer_choices(case) if case.state in case_lifecycle.TRANSFERABLE else [],
        "transferred_from": selectors.transferred_from(case),
        "read_only": case_lifecycle.is_read_only(case.state),
        "merged_into": case.merged_into if case.merged_into_id else None,
        "merged_duplicates": list(case.merged_duplicates.only("pk", "reference")),
        "enrich_form": forms.get("enrich_form") or EnrichForm(initial={f: getattr(case, f) for f in services.ENRICHMENT_FIELDS}),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(initial={"message": case.feedback_message, "impossible_reason": case.feedback_impossible_reason}),
        "subject_form": forms.get("subject_form") or SubjectForm(),
        "attachment_form": forms.get("attachment_form") or AttachmentForm(),
        "transition_form": forms.get("transition_form"),
        "reclassify_form": forms.get("reclassify_form") or ReclassifyForm(initial={"vormen": case.forms, "minor_involved": case.minor_involved, "acute_danger": case.acute_danger}),
        "assign_form": forms.get("assign_form") or AssignForm(colleagues=selectors.colleague_afs(request.user), initial={"behandelaar": case.assigned_to_id}),
        "question_form": forms.get("question_form") or QuestionForm(),
        "questions": list(case.questions.select_related("asked_by")),
        "can_ask_reporter": bool(case.receipt_hash),
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
        transfer_to = form.cleaned_data["transfer_to"] if action == case_lifecycle.Action.OVERDRAGEN else None
        try:
            services.case_transition(
                actor=request.user, case=case, action=action, reason=form.cleaned_data["reason"], merge_into=merge_into, transfer_to=transfer_to
            )
        except ServiceError as exc:
            return _rerender(request, case, transition_form=form, transition_error=str(exc))
        if transfer_to is not None:
            # The case is the other municipality's now: what stays here is the trace.
            messages.success(request, _("Signaal %(reference)s is overgedragen aan %(municipality)s.") % {"reference": case.reference, "municipality": transfer_to.name})
            return redirect("cases:transfers")
        messages.success(request, _("De status is gewijzigd."))
        return redirect("cases:detail", case_id=case.pk)
    error = form.errors.get("transfer_to") or [_("Kies een stap.")]
    return _rerender(request, case, transition_form=form, transition_error=error[0])


@policy_view("case.transfer_trace")
def transfers(request: HttpRequest) -> HttpResponse:
    """The traces of the signals this municipality handed to another (issue 14 item 1)."""
    return render(request, "cases/transfers.html", {"transfers": selectors.transfers_sent(request.user)})


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
            empty = {"birth_date": None, "vulnerable_groups": []}
            services.subject_add(actor=request.user, case=case, subject=services.SubjectInput(**{k: v or empty.get(k, "") for k, v in form.cleaned_data.items()}))
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


@require_POST
@policy_view("case.assign")
def assign(request: HttpRequest, case_id: str) -> HttpResponse:
    """Assign the case to a colleague AF of the same municipality."""
    case = selectors.case_for_work(request.user, case_id, purpose="toewijzen")
    colleagues = selectors.colleague_afs(request.user)
    form = AssignForm(request.POST, colleagues=colleagues)
    if form.is_valid():
        assignee = colleagues.get(pk=form.cleaned_data["behandelaar"])
        try:
            services.case_assign(actor=request.user, case=case, assignee=assignee)
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Het signaal is toegewezen aan %(name)s.") % {"name": assignee.get_full_name() or assignee.email})
            return redirect("cases:detail", case_id=case.pk)
    return _rerender(request, case, assign_form=form)


@require_POST
@policy_view("case.reclassify")
def reclassify(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.case_for_work(request.user, case_id, purpose="herclassificeren")
    form = ReclassifyForm(request.POST)
    if form.is_valid():
        before = (case.forms, case.minor_involved, case.acute_danger)
        try:
            data = form.cleaned_data
            case = services.case_reclassify(actor=request.user, case=case, forms=data["vormen"], minor_involved=data["minor_involved"],
                                     acute_danger=data["acute_danger"], reason=data["reason"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            if (case.forms, case.minor_involved, case.acute_danger) == before:
                messages.info(request, _("Er is niets gewijzigd: de vorm, minderjarigheid en acuut gevaar waren al zo vastgelegd."))
            else:
                messages.success(request, _("De vorm, minderjarigheid en acuut gevaar zijn bijgewerkt."))
            return redirect("cases:detail", case_id=case.pk)
    return _rerender(request, case, reclassify_form=form)


@require_POST
@policy_view("case.ask_reporter")
def ask_reporter(request: HttpRequest, case_id: str) -> HttpResponse:
    case = selectors.case_for_work(request.user, case_id, purpose="vraag aan melder")
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.reporter_question_ask(actor=request.user, case=case, question=form.cleaned_data["question"])
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Uw vraag staat klaar voor de melder. U krijgt bericht als de melder antwoordt."))
            return redirect("cases:detail", case_id=case.pk)
    return _rerender(request, case, question_form=form)


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
