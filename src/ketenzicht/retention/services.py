"""The retention purge: everything due goes, one record per transaction, files after the commit.

`purge(actor=system_actor("purge"), now=…)` walks the kinds of `retention/kinds.py` in order.
Each record is removed in its own transaction with a signed tombstone and an audit row; a
record that cannot be removed is rolled back, reported and skipped, and the run goes on. Files
of removed rows are deleted only once the transaction that removed the rows has committed, so a
rollback never loses a file whose row stays. A rerun finds what is still due (including files
left behind by a crash after a commit) and finishes it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_purge_before, audit_record
from ketenzicht.core import policy
from ketenzicht.domain.audit_chain import canonical
from ketenzicht.domain.retention import cutoff
from ketenzicht.retention.kinds import KINDS, Blocked, Candidate, NotDue
from ketenzicht.retention.models import Tombstone
from ketenzicht.retention.table import retention_table

logger = logging.getLogger(__name__)


@dataclass
class PurgeReport:
    removed: list[Candidate] = field(default_factory=list)
    failed: list[tuple[Candidate, str]] = field(default_factory=list)
    audit_entries: int = 0
    files: int = 0


def tombstone_signature(values: dict[str, Any]) -> str:
    message = canonical(values, ("reference", "kind", "purged_at", "rule"))
    return hmac.new(settings.AUDIT_KEY.encode(), b"record|" + message, hashlib.sha256).hexdigest()


def _tombstone(candidate: Candidate, now: datetime) -> Tombstone:
    values = {"reference": candidate.reference[:100], "kind": candidate.kind, "purged_at": now, "rule": candidate.rule.name[:100]}
    return Tombstone.objects.create(**values, signature=tombstone_signature({**values, "purged_at": now.isoformat()}))


def _delete_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # the next run's orphan sweep (check_files) finds it
            logger.warning("purge: file could not be removed")


def due(*, now: datetime) -> list[Candidate]:
    """What a purge at `now` would remove, with the rule for each (the dry run)."""
    return [candidate for kind in KINDS for candidate in kind.candidates(now)]


def purge(*, actor: Any, now: datetime, dry_run: bool = False) -> PurgeReport:
    policy.require(actor, "retention.purge")
    report = PurgeReport()
    if dry_run:
        report.removed = due(now=now)
        return report
    for kind in KINDS:
        for candidate in kind.candidates(now):
            _purge_one(kind, candidate, actor=actor, now=now, report=report)
    rule = retention_table().rule("audit_entry")
    report.audit_entries = audit_purge_before(cutoff=cutoff(now, rule), rule=rule.name)
    from ketenzicht.retention import files

    report.files = files.sweep(now=now)
    from ketenzicht.core import counters

    counters.sweep_expired(now)
    return report


def _purge_one(kind: Any, candidate: Candidate, *, actor: Any, now: datetime, report: PurgeReport) -> None:
    try:
        with transaction.atomic():
            names = kind.remove(candidate.pk, now)
            _tombstone(candidate, now)
            audit_record(actor=actor, action=AuditAction.PURGE, object_type=candidate.kind, object_id=_object_id(candidate), object_label=candidate.reference[:64], fields=["alles"], reason=candidate.rule.name)
            if names:
                transaction.on_commit(lambda names=names: _delete_files(names))
    except NotDue:
        return
    except Exception as exc:  # noqa: BLE001 - one record must never stop the purge of the rest
        logger.warning("purge: %s %s not removed: %s", candidate.kind, _object_id(candidate), type(exc).__name__)
        detail = str(exc) if isinstance(exc, Blocked) else f"{type(exc).__name__}: {exc}"
        report.failed.append((candidate, detail[:300]))
        return
    report.removed.append(candidate)


def _object_id(candidate: Candidate) -> str:
    pk = candidate.pk
    return str(pk[1][0]) + "…" if isinstance(pk, tuple) else str(pk)
