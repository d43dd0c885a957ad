"""The work queue's saved filters: a user's own named choices of the queue (not a change to a case)."""

from __future__ import annotations

from typing import Any

from ketenzicht.cases.models import SavedQueueFilter
from ketenzicht.cases.services import CaseError
from ketenzicht.core import policy

SAVED_FILTER_KEYS = ("weergave", "form", "state", "minor", "age", "sorteer")


def saved_filter_save(*, actor: Any, name: str, query: dict[str, str]) -> SavedQueueFilter:
    """Save the queue's current choices under a name (the same name again replaces them)."""
    policy.require(actor, "case.queue")
    name = name.strip()
    if not name:
        raise CaseError("Geef het filter een naam.")
    kept = {k: str(v) for k, v in query.items() if k in SAVED_FILTER_KEYS and v}
    row, _ = SavedQueueFilter.objects.update_or_create(user=actor, name=name[:60], defaults={"query": kept})
    return row


def saved_filter_delete(*, actor: Any, saved_id: int) -> None:
    SavedQueueFilter.objects.filter(user=actor, pk=saved_id).delete()
