"""The live count table follows imports and signals: refreshed on commit, through the task queue.

Every accepted or withdrawn import, and every signal created, changed in a way the monitor
counts (state, forms, minor, channel, municipality) or deleted, enqueues a refresh of the
affected source when its transaction commits (coalesced under load: core/coalesce.py); a rolled-back change enqueues nothing. One
transaction enqueues one refresh per source however many rows it touches. The own
municipality's page shows "stand per <datum en tijd>" of the latest refresh.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from ketenzicht.core.coalesce import enqueue_coalesced
from ketenzicht.monitor.models import OWN_SIGNALS

# Case fields the count table reads (services._own_signal_counts).
COUNTED_FIELDS = frozenset(
    {"state", "municipality", "municipality_id", "channel", "minor_involved", "created_at",
     "form_seksueel", "form_arbeid", "form_crimineel", "form_orgaan", "form_onbekend", "forms"}
)


def counts_changed(slugs: list[str]) -> None:
    """Enqueue a refresh of these sources' counts when the current transaction commits."""
    scope = tuple(sorted(slugs))
    connection = transaction.get_connection()
    pending = (
        func for _sids, func, _robust in connection.run_on_commit
        if getattr(func, "kz_scope", None) == scope and not getattr(func, "kz_done", False)
    )
    if connection.in_atomic_block and any(pending):
        return  # this transaction will enqueue the refresh already

    def enqueue() -> None:
        from ketenzicht.monitor.tasks import refresh_counts_task

        enqueue.kz_done = True  # type: ignore[attr-defined]
        # The refresh runs a second after the first commit and reads everything committed by then.
        enqueue_coalesced(refresh_counts_task, scope, list(scope), timezone.now().isoformat())

    enqueue.kz_scope = scope  # type: ignore[attr-defined]
    transaction.on_commit(enqueue)


def case_saved(sender: Any, instance: Any, created: bool = False, update_fields: Any = None, **kwargs: Any) -> None:
    if created or update_fields is None or COUNTED_FIELDS & set(update_fields):
        counts_changed([OWN_SIGNALS])


def case_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    counts_changed([OWN_SIGNALS])
