from typing import Any

from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "ketenzicht.monitor"
    label = "monitor"

    def ready(self) -> None:
        from ketenzicht.norms.signals import norms_loaded

        norms_loaded.connect(_region_sources, dispatch_uid="monitor.sources_from_norms")


def _region_sources(sender: Any, norms: Any, **kwargs: Any) -> None:
    """A region's norms were loaded: the monitor sources it starts with exist from now on."""
    from ketenzicht.monitor.sources import ensure_region_sources

    ensure_region_sources(norms)
