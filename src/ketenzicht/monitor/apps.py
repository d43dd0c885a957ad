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
        protected.register_kind(throughput.OUTCOMES_KIND, throughput.table_outcomes)
        protected.register_kind(throughput.DURATIONS_KIND, throughput.table_durations)
        norms_loaded.connect(_region_sources, dispatch_uid="monitor.sources_from_norms")


def _region_sources(sender: Any, norms: Any, **kwargs: Any) -> None:
    """A region's norms were loaded: the monitor sources it starts with exist from now on."""
    from ketenzicht.monitor.sources import ensure_region_sources

    ensure_region_sources(norms)
