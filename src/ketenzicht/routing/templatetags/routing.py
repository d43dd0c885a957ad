"""The routing panel on the case page: latest routekaart advice, meldcode, referrals."""

from __future__ import annotations

from typing import Any

from django import template

from ketenzicht.cases.models import Case
from ketenzicht.domain import routekaart
from ketenzicht.routing import guide, selectors

register = template.Library()


@register.inclusion_tag("routing/_case_panel.html", takes_context=True)
def routing_case_panel(context: template.Context, case: Case) -> dict[str, Any]:
    panel = selectors.case_panel(case)
    user = context.get("user")
    items: list[guide.GuideItem] = []
    advice = panel["advice"]
    if advice is not None:
        # The contacts of today's region data, not those of the day the advice was recorded.
        try:
            route_map, _version = selectors.active_route_map(advice.region_slug)
        except routekaart.RoutekaartInputError:
            route_map = None
        if route_map is not None:
            contacts = guide.RegionContacts(advice.region_slug, route_map)
            items = guide.guide_items(advice.advice.get("advies", []), contacts, user=user, case=case)
    return {"case": case, "user": user, "advice_items": items, **panel}
