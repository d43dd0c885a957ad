"""The audit trail, for the privacy officer."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.selectors import audit_events
from ketenzicht.audit.services import audit_record
from ketenzicht.core.decorators import policy_view


@policy_view("audit.view")
def log(request: HttpRequest) -> HttpResponse:
    filters = {
        "object_type": request.GET.get("soort", "")[:50],
        "object_id": request.GET.get("object", "")[:64],
        "actor": request.GET.get("gebruiker", "")[:150],
    }
    page = Paginator(audit_events(request.user, **filters), 100).get_page(request.GET.get("pagina"))
    # Read the rows before this reading is recorded: the page was counted without it.
    page.object_list = list(page.object_list)
    # Reading the audit trail is itself recorded: which filters, never the values typed.
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="audittrail",
        object_id=filters["object_id"] or "*",
        fields=[name for name, value in filters.items() if value],
        reason=f"audittrail ingezien, pagina {page.number}",
    )
    return render(request, "audit/log.html", {"page": page, "filters": filters})
