"""`ketenzicht check`: refuse disclosure settings that would publish small counts."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from ketenzicht.domain.cellkey import PTableError, build_ptable


@register()
def ptable_is_safe(app_configs: Any, **kwargs: Any) -> list[Error]:
    from ketenzicht.monitor.protected import ptable_params

    try:
        build_ptable(ptable_params())
    except (PTableError, ValueError, TypeError) as exc:
        return [
            Error(
                f"Onveilige afscherming van de monitor: {exc}",
                hint="Pas MONITOR_DISCLOSURE_THRESHOLD, MONITOR_PTABLE_MAX_DEVIATION of MONITOR_PTABLE_VARIANCE aan.",
                id="ketenzicht.monitor.E001",
            )
        ]
    return []
