"""Background work that follows many commits, enqueued once per moment instead of once per commit.

A task that reads "everything committed by now" (the monitor's count refresh, telling the
handlers of new signals) need not run once per commit: under a partner's batch fifty commits
a second would enqueue fifty tasks that each find the work of the others done (issue 19).

On a queue that can defer (the database queue of production), a process enqueues the task to
run DELAY seconds after the first commit; a commit that finds that task still waiting (at least
MARGIN ahead, so it cannot have started yet) enqueues nothing, because the waiting task will
read what this commit wrote. Call it after the commit (transaction.on_commit). A queue that
cannot defer (the tests' immediate one) runs the task on every call.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.utils import timezone

DELAY = 1.0
MARGIN = 0.25
_waiting: dict[tuple[str, tuple[str, ...]], float] = {}


def enqueue_coalesced(task: Any, scope: tuple[str, ...], *args: Any) -> None:
    """Enqueue `task(*args)` unless this process has a call of it for `scope` waiting to run."""
    if not task.get_backend().supports_defer:
        task.enqueue(*args)
        return
    key = (task.module_path, scope)
    now = time.monotonic()
    if _waiting.get(key, 0.0) - now > MARGIN:
        return
    _waiting[key] = now + DELAY
    task.using(run_after=timezone.now() + timedelta(seconds=DELAY)).enqueue(*args)


def forget_waiting() -> None:
    """Tests: a task enqueued in another test's database is not waiting in this one."""
    _waiting.clear()
