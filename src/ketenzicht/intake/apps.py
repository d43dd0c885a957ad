from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "ketenzicht.intake"
    label = "intake"

    def ready(self) -> None:
        # Notices of the region's queue go through the reminder run too (retry after a failed mail).
        from ketenzicht.intake.region_queue import queue_notices
        from ketenzicht.meetings.reminders import register_source

        register_source(queue_notices)
