"""The routing panel on the case page: latest routekaart advice, meldcode, referrals."""

from __future__ import annotations

from typing import Any

from django import template

from ketenzicht.cases.models import Case
from ketenzicht.routing import selectors

register = template.Library()


@register.inclusion_tag("routing/_case_panel.html")
def routing_case_panel(case: Case) -> dict[str, Any]:
    return {"case": case, **selectors.case_panel(case)}
