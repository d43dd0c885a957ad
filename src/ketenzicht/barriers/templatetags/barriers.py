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
def barriers_region_hits(case: Any) -> dict[str, Any]:
    """Open controls and interventions elsewhere in the region on the case's address or company (issue 14)."""
    return {"hits": selectors.region_work_hits(case)}
