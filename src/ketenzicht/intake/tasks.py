"""Background tasks of intake (django-tasks; the database queue, run by `ketenzicht db_worker`).

* ``new_signal_task``: who is told of a new signal. The municipality's AFs (in the app, and by
  mail to those who want it at once: `notifications.services.new_signal_notify`), or, for a
  municipality of a loaded region without an active AF, the region's queue people
  (`region_queue.after_intake`). Every intake channel (internal form, partner API, public form)
  only enqueues it when the case commits (`enqueue_on_signal`, one insert), so building the
  notifications and talking to the mail server stay off the request path (issue 19); a rolled-back
  intake enqueues nothing. The task is idempotent (each notification has its key), so a second
  run tells nobody twice; a mail that fails stays waiting and the next reminder run sends it
  (`notifications/delivery.py`).
"""

from __future__ import annotations

from typing import Any

from django_tasks import task

from ketenzicht.cases.models import Case
from ketenzicht.intake.region_queue import after_intake
from ketenzicht.notifications.services import new_signal_notify


@task()
def new_signal_task(case_id: str) -> int:
    """Tell whoever handles the new signal; returns the number of people told."""
    told = new_signal_notify(case_id)
    case = Case.objects.select_related("municipality").filter(pk=case_id).first()
    if case is not None:
        told += after_intake(case, True)
    return len(told)


def enqueue_on_signal(case_id: object, **kwargs: Any) -> None:
    """Receiver of `cases.events.signal_received` (sent on the intake's commit): hand it to the worker."""
    new_signal_task.enqueue(str(case_id))
