from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MonitorConfig(AppConfig):
    name = "ketenzicht.monitor"
    label = "monitor"

    def ready(self) -> None:
        from ketenzicht.cases.models import Case
        from ketenzicht.monitor import checks, freshness, kinds, protected, throughput
        from ketenzicht.norms.signals import norms_loaded

        del checks  # registers the system check for unsafe disclosure settings
        post_save.connect(freshness.case_saved, sender=Case, dispatch_uid="monitor-case-saved")
        post_delete.connect(freshness.case_deleted, sender=Case, dispatch_uid="monitor-case-deleted")
        protected.register_kind(kinds.CASE_PROPOSALS, kinds.case_proposals)
        protected.register_kind(kinds.VULNERABLE_GROUPS, kinds.vulnerable_groups)
        protected.register_kind(throughput.OUTCOMES_KIND, throughput.table_outcomes)
        protected.register_kind(throughput.DURATIONS_KIND, throughput.table_durations)
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
