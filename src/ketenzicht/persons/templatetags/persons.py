"""`{% linkage_status_panel %}`: the region's linkage progress, where imports are listed."""

from __future__ import annotations

from typing import Any

from django import template

from ketenzicht.accounts.models import Region
from ketenzicht.core import policy
from ketenzicht.persons import charts, selectors

register = template.Library()


@register.inclusion_tag("persons/_linkage_status.html", takes_context=True)
def linkage_status_panel(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    org = getattr(request.user, "organisation", None)
    region = org.region if org is not None else None
    if region is None or not policy.can(request.user, "persons.linkage_status", region):
        return {"linkage": None}
    return {"linkage": selectors.status(region), "region": region}


@register.inclusion_tag("persons/_in_monitor.html")
def persons_in_monitor(area: Any, uid: str = "kz-persons") -> dict[str, Any]:
    """Seen and estimated per year of the area's region: the monitor page, its PDF, the board report.

    Only protected and published figures (``selectors.trend``); the region's, whatever the area.
    """
    region = area if isinstance(area, Region) else getattr(area, "region", None)
    if region is None:
        return {"trend": None}
    trend = selectors.trend(region)
    return {"trend": trend, "chart": charts.trend(trend.years, uid=uid) if not trend.empty else ""}
