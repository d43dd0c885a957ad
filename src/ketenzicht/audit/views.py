"""The audit trail, for the privacy officer: filter, read page by page, export.

Every reading and every export of the trail is itself recorded (which filters, never the values
typed: a person's name searched for stays out of the trail).
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from ketenzicht.audit import presentation, selectors
from ketenzicht.audit.forms import FILTER_KEYS, AuditFilterForm
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.core.decorators import policy_view

PAGE_SIZE = 100
# An export holds at most this many rows; a larger selection is to be narrowed by period.
EXPORT_LIMIT = 100_000


def _form(request: HttpRequest) -> AuditFilterForm:
    data = {key: request.GET.get(key, "") for key in FILTER_KEYS}
    return AuditFilterForm(data, officer=request.user, now=timezone.now())


def _record(request: HttpRequest, form: AuditFilterForm, *, action: AuditAction, reason: str) -> None:
    audit_record(
        actor=request.user,
        action=action,
        object_type="audittrail",
        object_id=form.cleaned_data.get("signaal") or "*",
        object_label=form.cleaned_data.get("signaal", ""),
        fields=form.used(),
        reason=reason,
    )


def _page_number(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("pagina", "1")), 1)
    except ValueError:
        return 1


def _query(form: AuditFilterForm, page: int | None = None) -> str:
    """The filters as typed (so a link keeps them), and the page if one is asked for."""
    pairs = [(key, form.data.get(key, "")) for key in FILTER_KEYS if form.data.get(key)]
    return urlencode(pairs + ([("pagina", str(page))] if page else []))


@policy_view("audit.view")
def log(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    context: dict[str, Any] = {"form": form, "rows": [], "filtered": any(request.GET.get(k) for k in FILTER_KEYS)}
    if form.is_valid():
        number = _page_number(request)
        entries, more = selectors.audit_page(selectors.audit_events(request.user, form.to_filter()), number=number, size=PAGE_SIZE)
        # The rows are read before this reading is recorded: the page shows the trail as it was.
        context.update(
            rows=[presentation.row(e) for e in entries],
            number=number,
            newer=_query(form, number - 1) if number > 1 else "",
            older=_query(form, number + 1) if more else "",
            export=_query(form),
        )
        _record(request, form, action=AuditAction.VIEW, reason=f"audittrail ingezien, pagina {number}")
    context["columns"] = presentation.COLUMNS
    return render(request, "audit/log.html", context, status=200 if not form.errors else 400)


def _export_rows(request: HttpRequest, form: AuditFilterForm) -> list[list[str]]:
    qs = selectors.audit_events(request.user, form.to_filter())[:EXPORT_LIMIT]
    return [presentation.row(e).cells() for e in qs.iterator(chunk_size=2000)]


def _cell(value: str) -> str:
    # Free text opened in a spreadsheet must not run as a formula (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _invalid(request: HttpRequest, form: AuditFilterForm) -> HttpResponse:
    return render(request, "audit/log.html", {"form": form, "rows": [], "columns": presentation.COLUMNS, "filtered": True}, status=400)


@policy_view("audit.view")
def export_csv(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    if not form.is_valid():
        return _invalid(request, form)
    rows = _export_rows(request, form)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([str(c) for c in presentation.COLUMNS])
    writer.writerows([[_cell(v) for v in r] for r in rows])
    _record(request, form, action=AuditAction.EXPORT, reason=f"audittrail geëxporteerd (csv, {len(rows)} regels)")
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_("audittrail")}.csv"'
    return response


@policy_view("audit.view")
def export_xlsx(request: HttpRequest) -> HttpResponse:
    from openpyxl import Workbook

    form = _form(request)
    if not form.is_valid():
        return _invalid(request, form)
    rows = _export_rows(request, form)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Audittrail"))
    sheet.append([str(c) for c in presentation.COLUMNS])
    for r in rows:
        sheet.append([_cell(v) for v in r])
    out = io.BytesIO()
    book.save(out)
    _record(request, form, action=AuditAction.EXPORT, reason=f"audittrail geëxporteerd (xlsx, {len(rows)} regels)")
    response = HttpResponse(out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{_("audittrail")}.xlsx"'
    return response
