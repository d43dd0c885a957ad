from typing import Any

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "ketenzicht.meetings"
    label = "meetings"

    def ready(self) -> None:
        from ketenzicht.norms.signals import norms_loaded

        norms_loaded.connect(_sync_kinds, dispatch_uid="meetings.kinds_from_norms")


def _sync_kinds(sender: Any, slug: str, **kwargs: Any) -> None:
    """A region's norms were loaded: its kinds of table follow (the norms name them)."""
    from ketenzicht.meetings.services import meeting_kinds_sync

    meeting_kinds_sync(slug)
