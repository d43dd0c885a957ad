from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class MonitorConfig(AppConfig):
    name = "ketenzicht.monitor"
    label = "monitor"

    def ready(self) -> None:
        from ketenzicht.cases.models import Case
        from ketenzicht.monitor import checks, freshness, kinds, protected

        del checks  # registers the system check for unsafe disclosure settings
        post_save.connect(freshness.case_saved, sender=Case, dispatch_uid="monitor-case-saved")
        post_delete.connect(freshness.case_deleted, sender=Case, dispatch_uid="monitor-case-deleted")
        protected.register_kind(kinds.CASE_PROPOSALS, kinds.case_proposals)
