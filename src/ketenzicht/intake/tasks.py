"""Background tasks of intake (django-tasks; the database queue, run by `ketenzicht db_worker`).

Who is told of a new signal: the municipality's AFs (in the app, and by mail to those who want
it at once: `notifications.services.new_signal_notify`), or, for a municipality of a loaded
region without an active AF, the region's queue people (`region_queue.after_intake`).

Every intake channel (internal form, partner API, public form) stores, in the same statement as
the case, a row saying its handlers have not been told (`cases.UnannouncedSignal`, a
transactional outbox: a rolled-back intake leaves none). When the intake commits,
`enqueue_on_signal` asks the worker to tell everyone still waiting (`tell_new_signals_task`),
coalesced (core/coalesce.py): under a partner's batch a process enqueues one telling run per
second, not one per signal, and that run tells every signal committed before it (issue 19).
Building the notifications and talking to the mail server stay off the request path.

Telling is idempotent (each notification has its key, and a signal's row goes in the same
transaction as its notifications), so a second run tells nobody twice; two workers never tell
the same signal at once (the row is locked, the other skips it). A run that fails leaves the
rows, and the next run (any later intake, or the command in docs/operations.md) tells them.
A mail that fails stays waiting and the next reminder run sends it (`notifications/delivery.py`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django_tasks import task

from ketenzicht.cases.models import Case, UnannouncedSignal
from ketenzicht.core.coalesce import enqueue_coalesced
from ketenzicht.intake.region_queue import after_intake
from ketenzicht.notifications.services import new_signal_notify

BATCH = 200


def _tell(case_id: object) -> int:
    told = new_signal_notify(case_id)
    case = Case.objects.select_related("municipality").filter(pk=case_id).first()
    if case is not None:
        told += after_intake(case, True)
    return len(told)


def tell_signal(case_id: object) -> int:
    """Tell whoever handles this signal, if nobody has yet; returns the number of people told."""
    with transaction.atomic():
        waiting = UnannouncedSignal.objects.select_for_update(skip_locked=True).filter(case_id=case_id).first()
        if waiting is None:
            return 0  # told already, or another worker is telling it now
        told = _tell(case_id)
        waiting.delete()
    return told


@task()
def tell_new_signals_task() -> int:
    """Tell the handlers of every signal still waiting, oldest first; returns the people told."""
    told, after = 0, None
    while True:
        waiting = UnannouncedSignal.objects.order_by("stored_at", "case_id")
        if after is not None:
            waiting = waiting.filter(Q(stored_at__gt=after[0]) | Q(stored_at=after[0], case_id__gt=after[1]))
        batch = list(waiting.values_list("stored_at", "case_id")[:BATCH])
        if not batch:
            return told
        for _stored_at, case_id in batch:
            told += tell_signal(case_id)
        after = batch[-1]


@task()
def new_signal_task(case_id: str) -> int:
    """Tell whoever handles this one signal (docs/operations.md: by hand, for one case)."""
    return tell_signal(case_id)


def enqueue_on_signal(case_id: object, **kwargs: Any) -> None:
    """Receiver of `cases.events.signal_received` (sent on the intake's commit): a telling run."""
    enqueue_coalesced(tell_new_signals_task, ("all",))
