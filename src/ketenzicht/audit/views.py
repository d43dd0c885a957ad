"""The audit trail, for the privacy officer."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ketenzicht.audit.selectors import audit_events
from ketenzicht.core.decorators import policy_view


@policy_view("audit.view")
def log(request: HttpRequest) -> HttpResponse:
    filters = {
        "object_type": request.GET.get("soort", "")[:50],
        "object_id": request.GET.get("object", "")[:64],
        "actor": request.GET.get("gebruiker", "")[:150],
    }
    page = Paginator(audit_events(request.user, **filters), 100).get_page(request.GET.get("pagina"))
    return render(request, "audit/log.html", {"page": page, "filters": filters})
