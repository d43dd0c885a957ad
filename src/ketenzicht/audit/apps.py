from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _guard(sender: Any, using: str = "default", **kwargs: Any) -> None:
    # Re-install the append-only triggers after every migrate: on SQLite a migration that
    # rebuilds the audit table drops its triggers with it.
    from django.db import connections

    from ketenzicht.audit import guard

    guard.install(connections[using])


class AuditConfig(AppConfig):
    name = "ketenzicht.audit"
    label = "audit"

    def ready(self) -> None:
        post_migrate.connect(_guard, sender=self, dispatch_uid="ketenzicht.audit.guard")
