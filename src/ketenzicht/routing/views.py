"""Routekaart pages, meldcode, referrals, the partner inbox and the privacy officer's pages.

Thin: forms check syntax, services change, selectors read (and audit).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases import selectors as case_selectors
from ketenzicht.core import policy
from ketenzicht.core.decorators import policy_view
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain import routekaart, sharing
from ketenzicht.routing import guide, selectors, services
from ketenzicht.routing.forms import (
    MeldcodeForm,
    RecordResponseForm,
    RecordSendForm,
    ReferralForm,
    ResponseForm,
    WithdrawForm,
)
from ketenzicht.routing.models import Referral, ReferralState

# --- routekaart (the guided walk is in guide_views) -----------------------------------------------


@policy_view("routekaart.review")
def map_review(request: HttpRequest) -> HttpResponse:
    slug = selectors.user_region_slug(request.user)
    if slug is None or not policy.can(request.user, "routekaart.review", slug):
        raise Http404
    version = selectors.active_version(slug)
    if version is not None:
        content, source = version.content, "database"
    else:
        try:
            content, source = selectors.route_map_json(routekaart.load_region(slug)), "bestand"
        except routekaart.RoutekaartInputError:
            content, source = None, ""
    partners = {p["id"]: p for p in (content or {}).get("partners", [])}
    return render(
        request,
        "routing/map_review.html",
        {"version": version, "content": content, "source": source, "partners": partners, "region_slug": slug},
    )


# --- meldcode ----------------------------------------------------------------------------------------


@policy_view("meldcode.manage")
def meldcode(request: HttpRequest, case_id: str) -> HttpResponse:
    case = case_selectors.case_for_work(request.user, case_id, purpose="meldcode")
    policy.require(request.user, "meldcode.manage", case)
    checklist = selectors.case_panel(case)["meldcode"]
    status = 200
    if request.method == "POST":
        form = MeldcodeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.meldcode_save(
                    actor=request.user,
                    case=case,
                    data=services.MeldcodeInput(
                        done={n for n in (1, 2, 3, 4) if data.get(f"stap_{n}")},
                        notes={n: data.get(f"notitie_{n}", "") for n in (1, 2, 3, 4)},
                        melden={"ja": True, "nee": False}.get(data.get("melden") or ""),
                        hulp_organiseren={"ja": True, "nee": False}.get(data.get("hulp_organiseren") or ""),
                        decision_reason=data.get("decision_reason", ""),
                    ),
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("De meldcode is bijgewerkt."))
                return redirect("routing:meldcode", case_id=case.pk)
        status = 400
    else:
        initial: dict[str, Any] = {}
        for key, step in (checklist.steps if checklist else {}).items():
            initial[f"stap_{key}"] = step.get("gedaan", False)
            initial[f"notitie_{key}"] = step.get("notitie", "")
        form = MeldcodeForm(initial=initial)
    return render(request, "routing/meldcode.html", {"case": case, "form": form, "checklist": checklist}, status=status)


# --- referrals (the AF's side) --------------------------------------------------------------------


def _preview(referral: Referral) -> list[dict[str, Any]]:
    if referral.snapshot is not None:
        return selectors.snapshot_display(referral.snapshot, referral.shared_groups)
    return selectors.snapshot_display(selectors.case_extract(referral.case), referral.shared_groups)


def _profile_rows(recipients: list[Any]) -> list[dict[str, Any]]:
    """What each candidate recipient would get, so the AF sees it before choosing."""
    profiles = selectors.sharing_profiles()
    rows = []
    for org in recipients:
        profile = profiles[org.kind]
        rows.append({"organisation": org, "profile": profile, "labels": [selectors.GROUP_LABELS[g] for g in profile.velden]})
    return rows


@policy_view("referral.manage")
def referral_new(request: HttpRequest, case_id: str) -> HttpResponse:
    case = case_selectors.case_for_work(request.user, case_id, purpose="doorverwijzen")
    policy.require(request.user, "referral.manage", case)
    recipients = selectors.referral_recipients(request.user)
    status = 200
    if request.method == "POST":
        form = ReferralForm(request.POST, recipients=recipients)
        if form.is_valid():
            try:
                referral = services.referral_create(
                    actor=request.user,
                    case=case,
                    organisation=form.cleaned_data["organisation"],
                    question=form.cleaned_data["question"],
                    override=form.cleaned_data.get("override") or "",
                    override_reason=form.cleaned_data.get("override_reason") or "",
                )
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Het concept is opgeslagen. Controleer hieronder wat er wordt gedeeld en verzend het daarna."))
                return redirect("routing:referral_detail", referral_id=referral.pk)
        status = 400
    else:
        # Coming from an advice of the routekaart: that partner and its reason, prefilled.
        form = ReferralForm(recipients=recipients, initial=guide.referral_initial(case, recipients, request.GET))
    return render(
        request,
        "routing/referral_new.html",
        {"case": case, "form": form, "profile_rows": _profile_rows(recipients)},
        status=status,
    )


def _referral_context(referral: Referral, **extra: Any) -> dict[str, Any]:
    return {
        "referral": referral,
        "case": referral.case,
        "preview": _preview(referral),
        "shared_labels": [selectors.GROUP_LABELS[g] for g in referral.shared_groups],
        "withheld_labels": [selectors.GROUP_LABELS[g] for g in referral.withheld_groups],
        "events": list(referral.events.all()),
        "send_form": extra.get("send_form") or RecordSendForm(now=timezone.now()),
        "record_form": extra.get("record_form") or RecordResponseForm(),
        "withdraw_form": extra.get("withdraw_form") or WithdrawForm(),
        "error": extra.get("error", ""),
        "next_actions": services.allowed_referral_actions(referral.state),
        "can_withdraw": "intrekken" in services.allowed_referral_actions(referral.state),
    }


@policy_view("referral.manage")
def referral_detail(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = selectors.referral_for_af(request.user, referral_id)
    return render(request, "routing/referral_detail.html", _referral_context(referral))


@require_POST
@policy_view("referral.manage")
def referral_send(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = selectors.referral_for_af(request.user, referral_id, purpose="verzenden")
    send_form = None
    try:
        if referral.organisation.on_platform:
            services.referral_send(actor=request.user, referral=referral)
        else:
            send_form = RecordSendForm(request.POST, now=timezone.now())
            if not send_form.is_valid():
                return render(request, "routing/referral_detail.html", _referral_context(referral, send_form=send_form), status=400)
            services.referral_send(
                actor=request.user,
                referral=referral,
                method=send_form.cleaned_data["method"],
                sent_at=send_form.cleaned_data["sent_on"],
                note=send_form.cleaned_data["note"],
            )
    except ServiceError as exc:
        return render(request, "routing/referral_detail.html", _referral_context(referral, send_form=send_form, error=str(exc)), status=400)
    messages.success(request, _("De doorverwijzing is verzonden.") if referral.organisation.on_platform else _("De verzending is vastgelegd."))
    return redirect("routing:referral_detail", referral_id=referral.pk)


def _apply_response(actor: Any, referral: Referral, action: str, text: str) -> None:
    if action == "ontvangen":
        services.referral_receive(actor=actor, referral=referral)
    elif action == "accepteren":
        services.referral_accept(actor=actor, referral=referral, note=text)
    elif action == "afwijzen":
        services.referral_reject(actor=actor, referral=referral, reason=text)
    elif action == "tussentijds_terugkoppelen":
        services.referral_interim_feedback(actor=actor, referral=referral, text=text)
    elif action == "afronden":
        services.referral_complete(actor=actor, referral=referral, feedback=text)


def _withdraw(request: HttpRequest, referral: Referral) -> HttpResponse:
    form = WithdrawForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.referral_withdraw(actor=request.user, referral=referral, reason=form.cleaned_data["reason"], partner_told_how=form.cleaned_data["told_how"])
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, _("De doorverwijzing is ingetrokken."))
            return redirect("routing:referral_detail", referral_id=referral.pk)
    return render(request, "routing/referral_detail.html", _referral_context(referral, withdraw_form=form, error=error), status=400)


@require_POST
@policy_view("referral.manage")
def referral_record(request: HttpRequest, referral_id: str) -> HttpResponse:
    """The AF records a step on a referral: withdrawing it (any partner), or what a partner
    outside Ketenzicht answered."""
    referral = selectors.referral_for_af(request.user, referral_id, purpose="reactie partner vastleggen")
    if request.POST.get("action") == "intrekken":
        return _withdraw(request, referral)
    form = RecordResponseForm(request.POST)
    error = ""
    if form.is_valid():
        if referral.organisation.on_platform:
            error = _("Deze partner werkt in Ketenzicht en reageert zelf.")
        else:
            try:
                _apply_response(request.user, referral, form.cleaned_data["action"], form.cleaned_data["text"])
            except ServiceError as exc:
                error = str(exc)
            else:
                messages.success(request, _("De reactie van de partner is vastgelegd."))
                return redirect("routing:referral_detail", referral_id=referral.pk)
    return render(request, "routing/referral_detail.html", _referral_context(referral, record_form=form, error=error), status=400)


@policy_view("referral.manage")
def referral_pdf(request: HttpRequest, referral_id: str) -> HttpResponse:
    """The referral document for a partner outside Ketenzicht: only the shared field groups.

    Downloading a concept's document fixes its content as the snapshot, so what is recorded
    as sent is exactly what was in the last document handed out.
    """
    from weasyprint import HTML

    referral = selectors.referral_for_af(request.user, referral_id, purpose="verwijsdocument")
    if referral.state == ReferralState.CONCEPT:
        referral = services.referral_prepare_document(actor=request.user, referral=referral)
    html = render_to_string(
        "routing/referral_document.html",
        {"referral": referral, "case_reference": referral.case_reference, "preview": selectors.snapshot_display(referral.snapshot or {}, referral.shared_groups),
         "shared_labels": [selectors.GROUP_LABELS[g] for g in referral.shared_groups], "now": timezone.now()},
    )
    pdf = HTML(string=html).write_pdf()
    audit_record(actor=request.user, action=AuditAction.DOWNLOAD, object_type="doorverwijzing", object_id=referral.pk, object_label=referral.case_reference, fields=referral.shared_groups, reason="verwijsdocument (PDF)")
    response = HttpResponse(pdf, content_type="application/pdf")
    # Named after the case reference: never a name.
    response["Content-Disposition"] = f'attachment; filename="{referral.case_reference}-doorverwijzing.pdf"'
    return response


# --- the partner inbox ------------------------------------------------------------------------------


@policy_view("partner.inbox")
def partner_inbox(request: HttpRequest) -> HttpResponse:
    referrals = selectors.partner_inbox(request.user)
    return render(request, "routing/partner_inbox.html", {"referrals": referrals})


@policy_view("referral.respond")
def partner_referral(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = selectors.referral_for_partner(request.user, referral_id)
    return render(request, "routing/partner_referral.html", _partner_context(referral))


def _partner_context(referral: Referral, **extra: Any) -> dict[str, Any]:
    return {
        "referral": referral,
        # Only the snapshot taken at sending, filtered again by the recorded shared groups.
        "preview": selectors.snapshot_display(referral.snapshot or {}, referral.shared_groups),
        "shared_labels": [selectors.GROUP_LABELS[g] for g in referral.shared_groups],
        "next_actions": services.allowed_referral_actions(referral.state),
        "form": extra.get("form") or ResponseForm(),
        "error": extra.get("error", ""),
    }


@require_POST
@policy_view("referral.respond")
def partner_respond(request: HttpRequest, referral_id: str) -> HttpResponse:
    referral = selectors.referral_for_partner(request.user, referral_id, purpose="reactie")
    form = ResponseForm(request.POST)
    error = _("Kies een stap.")
    if form.is_valid():
        try:
            _apply_response(request.user, referral, form.cleaned_data["action"], form.cleaned_data["text"])
        except ServiceError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Uw reactie is vastgelegd."))
            return redirect("routing:partner_referral", referral_id=referral.pk)
    return render(request, "routing/partner_referral.html", _partner_context(referral, form=form, error=error), status=400)


# --- privacy officer -----------------------------------------------------------------------------------


@policy_view("sharing.review")
def sharing_profiles(request: HttpRequest) -> HttpResponse:
    profiles = selectors.sharing_profiles()
    rows = [
        {
            "profile": p,
            "cells": [
                "ja" if g in p.velden else ("uitzondering" if g in p.bij_toestemming_of_vitaal_belang else "nee")
                for g in sharing.FIELD_GROUPS
            ],
        }
        for p in profiles.values()
    ]
    return render(
        request,
        "routing/sharing_profiles.html",
        {"rows": rows, "groups": [(g, selectors.GROUP_LABELS[g]) for g in sharing.FIELD_GROUPS]},
    )


REGISTER_COLUMNS = [
    "verzonden_op", "kenmerk", "gemeente", "verzonden_door", "ontvanger", "soort_ontvanger", "gedeelde_veldgroepen",
    "achtergehouden_veldgroepen", "grondslag", "doel", "uitzondering", "verantwoording_uitzondering", "verzonden_via", "status",
]


def _cell(value: str) -> str:
    # Free text opened in a spreadsheet must not run as a formula (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _register_rows(referrals: Any) -> list[list[str]]:
    rows = []
    for r in referrals:
        sent_at: datetime = timezone.localtime(r.sent_at)
        rows.append([
            sent_at.strftime("%Y-%m-%d %H:%M"), r.case_reference, r.case.municipality.name,
            r.sent_by.get_username() if r.sent_by else "", r.organisation.name, r.recipient_kind,
            ", ".join(r.shared_groups), ", ".join(r.withheld_groups), r.legal_basis, r.purpose,
            r.override, r.override_reason, r.get_send_method_display(), r.get_state_display(),
        ])
    rows = [[_cell(str(value)) for value in row] for row in rows]
    return rows


@policy_view("sharing.register")
def sharing_register(request: HttpRequest) -> HttpResponse:
    referrals = list(selectors.handover_register(request.user))
    return render(request, "routing/sharing_register.html", {"referrals": referrals, "overrides": sum(1 for r in referrals if r.override)})


def _export_audit(request: HttpRequest, fmt: str, count: int) -> None:
    audit_record(actor=request.user, action=AuditAction.EXPORT, object_type="doorgifteregister", object_id="-", fields=["doorgifteregister"], reason=f"{fmt}, {count} regels (DPIA)")


@policy_view("sharing.register")
def sharing_register_csv(request: HttpRequest) -> HttpResponse:
    rows = _register_rows(selectors.handover_register(request.user))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(REGISTER_COLUMNS)
    writer.writerows(rows)
    _export_audit(request, "csv", len(rows))
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="doorgifteregister.csv"'
    return response


@policy_view("sharing.register")
def sharing_register_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    rows = _register_rows(selectors.handover_register(request.user))
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Doorgiften"
    sheet.append(REGISTER_COLUMNS)
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    _export_audit(request, "xlsx", len(rows))
    response = HttpResponse(output.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="doorgifteregister.xlsx"'
    return response

