"""The barriers panel on the case page: one tag, so the case app needs no import of this app."""

from __future__ import annotations

from typing import Any

from django import template

from ketenzicht.barriers import selectors

register = template.Library()


@register.inclusion_tag("barriers/_case_panel.html")
def barriers_case_panel(case: Any) -> dict[str, Any]:
    return {"case": case, "panel": selectors.case_panel(case)}


@register.inclusion_tag("barriers/_region_hits.html")
def barriers_region_hits(case: Any, read_only: bool = False) -> dict[str, Any]:
    """Open controls and interventions elsewhere in the region on the case's address or company,
    with a contact request for each (issue 14)."""
    return {"case": case, "hits": selectors.region_work_hits(case), "read_only": read_only}


@register.inclusion_tag("barriers/_contact_requests.html")
def barriers_contact_requests(user: Any) -> dict[str, Any]:
    """Contact requests about controls and interventions, on the case app's requests page."""
    from ketenzicht.barriers.contact import GROUP_LABELS

    rows = list(selectors.work_contact_requests_for(user))
    own = user.organisation.municipality_id if user.organisation else None
    return {
        "received": [r for r in rows if r.municipality_id == own],
        "sent": [r for r in rows if r.from_case.municipality_id == own],
        "labels": GROUP_LABELS,
    }
