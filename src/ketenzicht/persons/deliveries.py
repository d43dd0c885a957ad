"""Deliveries by partners (API and encoding page): one import per file, idempotent per key.

Like signal intake: the ``Idempotency-Key`` is scoped per delivering account. The first request
with a key imports the file (accepted whole, or rejected with a report); a retry with the same
key and the same file gets the same result again, without a second import; the same key with
another file is refused. The same file under a new key is recognised by the import itself
(sha256) and counts once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from ketenzicht.core import policy
from ketenzicht.monitor import services as monitor_services
from ketenzicht.monitor.models import Import, Source
from ketenzicht.persons.models import Delivery


class DeliveryConflict(Exception):
    """The Idempotency-Key was used before for another file or source."""


@dataclass
class DeliveryResult:
    record: Import
    created: bool  # a new import (False: replay of this key, or the same file before)
    replayed: bool  # the same key and file as an earlier request

    @property
    def accepted(self) -> bool:
        return self.record.status == "geaccepteerd"


def delivery_key(actor: Any, idempotency_key: str) -> str:
    return f"api:{actor.pk}:{hashlib.sha256(idempotency_key.encode()).hexdigest()}"


def request_fingerprint(source: Source, data: bytes) -> str:
    return hashlib.sha256(source.slug.encode() + b"\x00" + data).hexdigest()


def _replay(actor: Any, key: str, fingerprint: str) -> DeliveryResult | None:
    found = Delivery.objects.select_related("source_import__source").filter(idempotency_key=key).first()
    if found is None:
        return None
    if found.request_sha256 != fingerprint:
        raise DeliveryConflict(key)
    return DeliveryResult(found.source_import, created=False, replayed=True)


def delivery_submit(*, actor: Any, source: Source, file_name: str, data: bytes, idempotency_key: str) -> DeliveryResult:
    """Import a partner's file once per Idempotency-Key (see the module docstring)."""
    policy.require(actor, "monitor.deliver", source)
    key = delivery_key(actor, idempotency_key)
    fingerprint = request_fingerprint(source, data)
    replay = _replay(actor, key, fingerprint)
    if replay is not None:
        return replay
    result = monitor_services.import_file(actor=actor, source=source, file_name=file_name, data=data)
    try:
        with transaction.atomic():
            Delivery.objects.create(idempotency_key=key, request_sha256=fingerprint, source_import=result.record, actor=actor)
    except IntegrityError:  # the same key raced us: answer as the winner did
        replay = _replay(actor, key, fingerprint)
        if replay is not None:
            return replay
        raise
    return DeliveryResult(result.record, created=not result.already_imported, replayed=False)
