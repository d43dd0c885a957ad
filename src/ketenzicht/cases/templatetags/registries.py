"""The registry lookup panel on the case page."""

from __future__ import annotations

from typing import Any

from django import template

from ketenzicht.cases.models import Case

register = template.Library()


@register.inclusion_tag("cases/_registry_panel.html")
def registry_panel(case: Case) -> dict[str, Any]:
    from ketenzicht.cases.registry_views import panel_context

    return panel_context(case)
