"""Writes of the persons app: encodings of an import, deliveries, and requests for linkage.

The monitor's import service (``monitor/services.py``) calls three hooks: ``check_encodings``
before it decides (an encoded file whose key or scheme differs from the region's is refused,
as are rows outside the deliverer's region), ``store_encodings`` after it wrote the rows, and
``after_import_change`` after an accepted or withdrawn import (linkage is requested, on
commit, for every region the import touches).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from ketenzicht.accounts.models import Municipality, Region, Role
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.core import policy
from ketenzicht.domain.lifecycles import linkage_run as run_lifecycle
from ketenzicht.domain.lifecycles.base import TransitionNotAllowed
from ketenzicht.monitor.importing import ParsedFile, RowError
from ketenzicht.monitor.models import Import, ImportKind, ImportStatus, Registration
from ketenzicht.persons.models import EncodedImport, Encoding, LinkageRun, RunStatus

BATCH = 5000


def _regions_of_rows(parsed: ParsedFile) -> dict[int, int | None]:
    """Municipality id → region id for the municipalities the rows name."""
    ids = {row["municipality_id"] for row in parsed.rows}
    return dict(Municipality.objects.filter(pk__in=ids).values_list("pk", "region_id"))


def _deliverer_region(actor: Any) -> int | None:
    """A partner's data steward or system delivers for its own organisation's region only."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if not actor.has_role(Role.GEGEVENSLEVERANCIER, Role.PARTNERSYSTEEM) or actor.has_role(Role.KETENREGISSEUR):
        return None
    org = actor.organisation
    return org.region_id if org is not None else -1


def check_encodings(parsed: ParsedFile, *, actor: Any) -> list[RowError]:
    """Refusals the file format alone cannot see: the region's key and scheme, the region itself."""
    if parsed.kind != ImportKind.REGISTRATIES or parsed.errors:
        return []
    regions = _regions_of_rows(parsed)
    errors: list[RowError] = []
    own = _deliverer_region(actor)
    if own is not None:
        for offset, row in enumerate(parsed.rows):
            if regions.get(row["municipality_id"]) != own:
                errors.append(RowError(offset + 2, "gemeente_code", "Deze gemeente hoort niet bij de regio van uw organisatie; lever alleen registraties uit uw eigen regio aan."))
        if errors:
            return errors
    encoded = parsed.encoded
    if encoded is None:
        return []
    if any(regions.get(row["municipality_id"]) is None for row in parsed.rows):
        first = next(i for i, row in enumerate(parsed.rows) if regions.get(row["municipality_id"]) is None)
        return [RowError(first + 2, "gemeente_code", "Deze gemeente hoort bij geen regio in Ketenzicht; gecodeerde registraties worden per regio gekoppeld.")]
    used = (
        EncodedImport.objects.filter(region_id__in=set(regions.values()), source_import__status=ImportStatus.GEACCEPTEERD)
        .values_list("region__name", "key_fingerprint", "scheme")
        .distinct()
    )
    for region_name, fingerprint, scheme in used:
        if fingerprint != encoded.key_fingerprint or scheme != encoded.scheme:
            errors.append(
                RowError(
                    encoded.first_row,
                    "sleutel_id" if fingerprint != encoded.key_fingerprint else "schema",
                    f"Dit bestand is gecodeerd met sleutel {encoded.key_fingerprint} ({encoded.scheme}); eerdere leveringen "
                    f"in {region_name} met sleutel {fingerprint} ({scheme}). Alle partners in een regio coderen met "
                    "dezelfde sleutel en versie: gebruik die, of trek bij een nieuwe sleutel eerst alle oude "
                    "leveringen in (zie de uitleg over sleutelbeheer).",
                )
            )
            break
    return errors


def store_encodings(record: Import, parsed: ParsedFile) -> None:
    """Keep the encodings of an accepted import beside its registrations (same order)."""
    encoded = parsed.encoded
    if encoded is None or record.kind != ImportKind.REGISTRATIES:
        return
    regions = _regions_of_rows(parsed)
    ids = Registration.objects.filter(source_import=record).order_by("pk").values_list("pk", "municipality_id")
    batch: list[Encoding] = []
    touched: set[int] = set()
    for (reg_id, municipality_id), clk in zip(ids.iterator(), encoded.clks, strict=True):
        region_id = regions[municipality_id]
        touched.add(region_id)
        batch.append(Encoding(registration_id=reg_id, region_id=region_id, clk=clk))
        if len(batch) >= BATCH:
            Encoding.objects.bulk_create(batch)
            batch = []
    Encoding.objects.bulk_create(batch)
    EncodedImport.objects.bulk_create(
        EncodedImport(source_import=record, region_id=r, key_fingerprint=encoded.key_fingerprint, scheme=encoded.scheme)
        for r in sorted(touched)
    )


def after_import_change(record: Import, *, reason: str) -> None:
    """Request linkage for every region with encoded registrations in this import (on commit)."""
    region_ids = list(EncodedImport.objects.filter(source_import=record).values_list("region_id", flat=True))
    if region_ids:
        linkage_request(region_ids=region_ids, reason=reason)


def linkage_request(*, region_ids: list[int], reason: str) -> list[LinkageRun]:
    """A waiting linkage run per region (one is enough: it reads everything when it starts)."""
    from ketenzicht.persons.tasks import link_region_task

    runs = []
    for region in Region.objects.filter(pk__in=region_ids):
        run = LinkageRun.objects.filter(region=region, status=RunStatus.WACHTEND).first()
        if run is None:
            run = LinkageRun.objects.create(region=region, reason=reason[:200])
            run_id = run.pk
            transaction.on_commit(lambda run_id=run_id: link_region_task.enqueue(run_id))
        runs.append(run)
    return runs


def linkage_run_transition(
    *, actor: Any, run_id: int, action: str, now: datetime, reason: str = "", **fields: Any
) -> LinkageRun | None:
    """The one transition service of a linkage run: policy, lock, lifecycle, save, audit.

    ``fields``: what the step records with it (start or end time, counts, the result). Returns
    ``None`` when the run is gone or not in a state the step starts from: a second worker that
    sees a run another one has claimed leaves it alone (the lifecycle decides, not the caller).
    """
    with transaction.atomic():
        run = LinkageRun.objects.select_for_update(of=("self",)).select_related("region").filter(pk=run_id).first()
        if run is None:
            return None
        policy.require(actor, "persons.link", run.region)
        try:
            target = run_lifecycle.MACHINE.apply(run.status, action, None, now=now, reason=reason)
        except TransitionNotAllowed:
            return None
        run.status = target.value
        for name, value in fields.items():
            setattr(run, name, value)
        run.save(update_fields=["status", *fields])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            object_type="persons.linkage",
            object_id=run.pk,
            object_label=run.region.slug,
            reason=f"koppeling {run_lifecycle.MACHINE.label(target).lower()}" + (f": {reason}" if reason else ""),
        )
    return run
