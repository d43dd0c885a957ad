"""Background tasks of the notifications app (django-tasks; the database queue, run by `ketenzicht db_worker`).

* ``new_signal_task``: tell a municipality's AFs of a new signal and mail those who want it at
  once. The intake only enqueues it when the case commits (one insert), so building the
  notification and talking to the mail server are off the request path (issue 19). The task is
  idempotent (the notification key ``signaal:<case>``), so running it twice tells nobody twice; a
  mail that fails stays waiting and the next reminder run sends it (`delivery.py`).
"""

from __future__ import annotations

from django_tasks import task

from ketenzicht.notifications.events import new_signal_notify


@task()
def new_signal_task(case_id: str) -> int:
    """Notify the AFs of the case's municipality; returns the number of people told."""
    return len(new_signal_notify(case_id))
