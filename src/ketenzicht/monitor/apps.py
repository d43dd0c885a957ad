from typing import Any

from django.apps import AppConfig


class MonitorConfig(AppConfig):
    name = "ketenzicht.monitor"
    label = "monitor"

    def ready(self) -> None:
        from ketenzicht.norms.signals import norms_loaded

        norms_loaded.connect(_region_sources, dispatch_uid="monitor.sources_from_norms")
        from ketenzicht.cases.events import case_reclassified

        case_reclassified.connect(_recount_own_signals, dispatch_uid="monitor.recount_on_reclassification")


def _recount_own_signals(sender: Any, case_id: object, **kwargs: Any) -> None:
    """A signal's form, minor flag or acute danger was corrected: own signals are counted again now,
    not at the nightly refresh (only the own-signals source; imports are untouched)."""
    from ketenzicht.monitor.models import OWN_SIGNALS, Source
    from ketenzicht.monitor.services import counts_refresh

    counts_refresh(sources=list(Source.objects.filter(slug=OWN_SIGNALS)))


def _region_sources(sender: Any, norms: Any, **kwargs: Any) -> None:
    """A region's norms were loaded: the monitor sources it starts with exist from now on."""
    from ketenzicht.monitor.sources import ensure_region_sources

    ensure_region_sources(norms)
