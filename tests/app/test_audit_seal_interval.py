"""Under load a process seals the audit trail at most once per interval (audit/chain.py, issue 19).

The tests' settings seal after every commit; here the production interval is on, with real
commits (a transactional test): the first entry is sealed at once, an entry written within the
interval waits, and the process's sealing thread seals it when the interval ends, with no
further request. The chain verifies throughout.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from ketenzicht.audit import chain
from ketenzicht.audit.models import AuditAction, AuditEvent
from ketenzicht.audit.services import audit_record
from tests.support import Cast

pytestmark = pytest.mark.django_db(transaction=True)


def _sealed(entry: AuditEvent) -> bool:
    return AuditEvent.objects.filter(pk=entry.pk, seq__isnull=False).exists()


def test_entries_within_the_interval_are_sealed_when_it_ends(cast: Cast, settings: Any) -> None:
    settings.AUDIT_SEAL_INTERVAL_MS = 400
    chain._state["last"] = 0.0
    chain.seal_pending(wait=True)  # the cast's own entries

    first = audit_record(actor=cast.anouk, action=AuditAction.VIEW, object_type="case", object_id="a", object_label="KZ-2026-000001")
    assert _sealed(first)
    within = [
        audit_record(actor=cast.bram, action=AuditAction.VIEW, object_type="case", object_id=str(i), object_label=f"KZ-2026-00000{i}")
        for i in range(2, 5)
    ]
    assert not any(_sealed(entry) for entry in within)  # waiting for the interval's end

    deadline = time.monotonic() + 5
    while not all(_sealed(entry) for entry in within) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_sealed(entry) for entry in within)
    verdict = chain.verify()
    assert verdict.ok and verdict.unsealed == 0
