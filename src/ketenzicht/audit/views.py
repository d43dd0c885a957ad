"""The audit trail, for the privacy officer."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.selectors import audit_events, audit_page
from ketenzicht.audit.services import audit_record
from ketenzicht.core.decorators import policy_view


def _date(raw: str, errors: list[str], label: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(veld)s: vul een datum in als jjjj-mm-dd, bijvoorbeeld 2026-03-31.") % {"veld": label})
        return None


@policy_view("audit.view")
def log(request: HttpRequest) -> HttpResponse:
    filters = {
        "object_type": request.GET.get("soort", "")[:50],
        "object_id": request.GET.get("object", "")[:64],
        "actor": request.GET.get("gebruiker", "")[:150],
        "reference": request.GET.get("kenmerk", "").strip()[:64],
        "since": request.GET.get("van", "")[:10],
        "until": request.GET.get("tot", "")[:10],
    }
    errors: list[str] = []
    since = _date(filters["since"], errors, _("Vanaf"))
    until = _date(filters["until"], errors, _("Tot en met"))
    if since and until and since > until:
        errors.append(_("De datum 'vanaf' ligt na 'tot en met'."))
    try:
        number = max(1, int(request.GET.get("pagina", "1")))
    except ValueError:
        number = 1
    rows, has_next = ([], False)
    if not errors:
        qs = audit_events(
            request.user, object_type=filters["object_type"], object_id=filters["object_id"], actor=filters["actor"],
            reference=filters["reference"], since=since, until=until,
        )
        # Read the rows before this reading is recorded: the page was read without it.
        rows, has_next = audit_page(qs, number)
    # Reading the audit trail is itself recorded: which filters, never the values typed.
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="audittrail",
        object_id=filters["object_id"] or "*",
        fields=[name for name, value in filters.items() if value],
        reason=f"audittrail ingezien, pagina {number}",
    )
    context = {"rows": rows, "has_next": has_next, "next_page": number + 1, "filters": filters, "errors": errors}
    return render(request, "audit/log.html", context)
