"""`{% linkage_status_panel %}`: the region's linkage progress, where imports are listed."""

from __future__ import annotations

from typing import Any

from django import template

from ketenzicht.core import policy
from ketenzicht.persons import selectors

register = template.Library()


@register.inclusion_tag("persons/_linkage_status.html", takes_context=True)
def linkage_status_panel(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    org = getattr(request.user, "organisation", None)
    region = org.region if org is not None else None
    if region is None or not policy.can(request.user, "persons.linkage_status", region):
        return {"linkage": None}
    return {"linkage": selectors.status(region), "region": region}
