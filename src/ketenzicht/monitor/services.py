"""Writes of the monitor: imports, withdrawals and rebuilding the count table.

Each write runs in one transaction and writes its audit row in that same transaction. An
import is all-or-nothing: a file with one faulty row writes no registration (only the
record that the attempt was made, with its error report).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from ketenzicht.accounts.models import Municipality, Region
from ketenzicht.accounts.system import is_system
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.cases.models import Case
from ketenzicht.core import policy
from ketenzicht.core.errors import ServiceError
from ketenzicht.domain.cellkey import KEY_MODULUS
from ketenzicht.monitor import freshness, importing
from ketenzicht.monitor.models import (
    NOT_COUNTED_STATES,
    OWN_SIGNALS,
    AgeGroup,
    CountRefresh,
    Form,
    Import,
    ImportKind,
    ImportStatus,
    MonitorCount,
    Registration,
    RiskIndicator,
    Sector,
    SignalKey,
    Source,
    Unit,
    new_key,
)

BATCH = 5000
_FORM_FLAGS = ["form_seksueel", "form_arbeid", "form_crimineel", "form_orgaan"]


class MonitorError(ServiceError):
    """A monitor change that cannot be made; the message says what to fix, in Dutch."""


@dataclass
class ImportResult:
    record: Import
    already_imported: bool = False

    @property
    def accepted(self) -> bool:
        return self.record.status == ImportStatus.GEACCEPTEERD


def _label(actor: Any) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return "systeem"
    job = getattr(actor, "job", "")  # the system actor: which job delivered the file
    return f"{actor.get_username()} ({job})" if job else actor.get_username()


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def import_file(*, actor: Any, source: Source, file_name: str, data: bytes, region: Region | None = None) -> ImportResult:
    """Validate and import one file for `source` and a region: accepted whole, or rejected with a report.

    The region is the one named, else the actor's own; the system actor (command line) without
    a named region imports for the one region the file's rows lie in. Rows for a municipality
    of another region are errors: a region only ever delivers its own figures.

    The same bytes for the same source and region are recognised (sha256) and not counted
    twice: the earlier accepted import is returned with `already_imported=True`. The command line
    and the demo import as the system actor (`system_actor("monitor-import")`, `system_actor("demo")`).
    """
    policy.require(actor, "monitor.import", source)
    if region is None and not is_system(actor):
        region = actor.organisation.region if actor.organisation is not None else None
        if region is None:
            raise MonitorError("Uw account hoort bij geen regio; een import is altijd voor een regio.")
    if region is not None:
        policy.require(actor, "monitor.import", region)
    if source.slug == OWN_SIGNALS:
        raise MonitorError("Eigen signalen komen uit Ketenzicht zelf en worden niet geïmporteerd.")
    digest = hashlib.sha256(data).hexdigest()
    file_name = (file_name or "bestand").rsplit("/", 1)[-1][:200]
    existing = Import.objects.filter(source=source, sha256=digest, status=ImportStatus.GEACCEPTEERD)
    existing = (existing.filter(region=region) if region is not None else existing).first()
    if existing is not None:
        return ImportResult(existing, already_imported=True)
    try:
        # Record ids of this source counted in earlier accepted imports (double-count check).
        known = Registration.objects.filter(
            source=source, source_import__status=ImportStatus.GEACCEPTEERD
        ).exclude(record_id="").values_list("record_id", flat=True)
        parsed = importing.parse(file_name, data, municipality_ids=_municipality_ids(region), known_record_ids=known.iterator(), today=timezone.localdate())
    except importing.UnreadableFile as exc:
        parsed = importing.ParsedFile(errors=[importing.RowError(1, "", str(exc))])
    if region is None:
        region = _region_of_rows(parsed)
    with transaction.atomic():
        record = Import(
            source=source,
            kind=parsed.kind or ImportKind.REGISTRATIES,
            file_name=file_name,
            sha256=digest,
            row_count=parsed.row_count,
            region=region,
            uploaded_by=_user(actor),
            uploaded_by_label=_label(actor),
        )
        if parsed.errors:
            record.status = ImportStatus.AFGEWEZEN
            record.errors = [e.as_dict() for e in parsed.errors]
            record.save()
        else:
            record.status = ImportStatus.GEACCEPTEERD
            try:
                with transaction.atomic():
                    record.save()
            except IntegrityError:  # the same file accepted concurrently
                existing = Import.objects.get(source=source, sha256=digest, status=ImportStatus.GEACCEPTEERD)
                return ImportResult(existing, already_imported=True)
            _store_rows(record, parsed)
        audit_record(
            actor=_user(actor),
            action=AuditAction.CREATE,
            object_type="monitor.import",
            object_id=record.pk,
            object_label=source.slug,
            reason=f"import {record.status}: {parsed.row_count} rijen, {len(parsed.errors)} fouten",
        )
        if record.status == ImportStatus.GEACCEPTEERD:
            _after_change(record)
    return ImportResult(record)


def _municipality_ids(region: Region | None) -> dict[str, int | str]:
    """CBS code → id for the region's municipalities; the others → why a row for them is refused."""
    ids: dict[str, int | str] = {}
    for pk, code, name, region_id in Municipality.objects.values_list("pk", "cbs_code", "name", "region_id"):
        if region is not None and region_id != region.pk:
            ids[code] = f"{name} ({code}) hoort niet bij {region.name}; deze import is alleen voor de gemeenten van {region.name}."
        elif region is None and region_id is None:
            ids[code] = f"{name} ({code}) hoort bij geen regio die in Ketenzicht is geladen."
        else:
            ids[code] = pk
    return ids


def _region_of_rows(parsed: importing.ParsedFile) -> Region | None:
    """The one region all rows lie in (command line without a named region); else an error."""
    ids = {row["municipality_id"] for row in parsed.rows if row.get("municipality_id")}
    regions = list(Region.objects.filter(municipalities__pk__in=ids).distinct())
    if len(regions) > 1:
        names = ", ".join(sorted(r.name for r in regions))
        parsed.errors.append(importing.RowError(1, "gemeente_code", f"Het bestand bevat gemeenten uit meer dan één regio ({names}); lever per regio aan of noem de regio (--regio)."))
        return None
    return regions[0] if regions else None


def _store_rows(record: Import, parsed: importing.ParsedFile) -> None:
    if record.kind == ImportKind.INDICATOREN:
        RiskIndicator.objects.bulk_create(
            (RiskIndicator(source_import=record, **row) for row in parsed.rows), batch_size=BATCH
        )
        return
    Registration.objects.bulk_create(
        (Registration(source_import=record, source_id=record.source_id, **row) for row in parsed.rows),
        batch_size=BATCH,
    )


def import_withdraw(*, actor: Any, record: Import, reason: str) -> Import:
    """Withdraw an accepted import: its rows stop counting; the import itself stays on file."""
    policy.require(actor, "monitor.import", record)
    reason = (reason or "").strip()
    if not reason:
        raise MonitorError("Geef een reden op waarom deze import wordt ingetrokken.")
    with transaction.atomic():
        locked = Import.objects.select_for_update().select_related("source").get(pk=record.pk)
        if locked.status != ImportStatus.GEACCEPTEERD:
            raise MonitorError("Alleen een geaccepteerde import kan worden ingetrokken.")
        locked.status = ImportStatus.INGETROKKEN
        locked.withdrawn = True
        locked.withdrawn_by = _user(actor)
        locked.withdrawn_at = timezone.now()
        locked.withdrawn_reason = reason[:300]
        locked.save(update_fields=["status", "withdrawn", "withdrawn_by", "withdrawn_at", "withdrawn_reason"])
        audit_record(
            actor=_user(actor),
            action=AuditAction.UPDATE,
            object_type="monitor.import",
            object_id=locked.pk,
            object_label=locked.source.slug,
            reason=f"ingetrokken: {reason}",
        )
        _after_change(locked)
    return locked


def _after_change(record: Import) -> None:
    """Counts follow registrations (refreshed on commit, through the task queue); indicators
    only need a new data version for the page caches."""
    if record.kind == ImportKind.INDICATOREN:
        CountRefresh.objects.create(scope="indicatoren", rows=0)
    else:
        freshness.counts_changed([record.source.slug])


def signal_keys_assign() -> int:
    """Draw the Cell Key Method keys of every signal that has none yet (once per signal)."""
    missing = Case.objects.filter(monitor_keys__isnull=True).values_list("id", flat=True)
    rows = [SignalKey(case_id=case_id, record_key=new_key(), block_key=new_key()) for case_id in missing.iterator()]
    # ignore_conflicts: a concurrent refresh may have drawn them first; the first keys stay.
    SignalKey.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


def _own_signal_counts() -> Iterable[dict[str, Any]]:
    """Own signals grouped in the database, then mapped to the monitor's categories."""
    signal_keys_assign()
    rows = (
        Case.objects.exclude(state__in=NOT_COUNTED_STATES)
        .annotate(month=TruncMonth("created_at"))
        .values("month", "municipality_id", "channel", "state", "minor_involved", *_FORM_FLAGS, "form_onbekend")
        .annotate(n=Count("id"), k1=Sum("monitor_keys__record_key"), k2=Sum("monitor_keys__block_key"))
        .order_by()
    )
    merged: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        flags = [f.removeprefix("form_") for f in _FORM_FLAGS if row[f]]
        form = flags[0] if len(flags) == 1 else (Form.MEERVOUDIG if flags else Form.ONBEKEND)
        age = AgeGroup.MINDERJARIG if row["minor_involved"] == "ja" else AgeGroup.ONBEKEND
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        acc = merged[(month, row["municipality_id"], str(form), str(age), row["channel"], row["state"])]
        acc[0] += row["n"]
        acc[1] = (acc[1] + int(row["k1"] or 0)) % KEY_MODULUS
        acc[2] = (acc[2] + int(row["k2"] or 0)) % KEY_MODULUS
    for (month, municipality_id, form, age, channel, state), (n, key_sum, block_sum) in merged.items():
        yield {
            "period_month": month,
            "municipality_id": municipality_id,
            "unit": Unit.SIGNAAL,
            "form": form,
            "age_group": age,
            "sector": Sector.ONBEKEND,
            "channel": channel,
            "outcome": state,
            "n": n,
            "key_sum": key_sum,
            "block_sum": block_sum,
        }


def _insert_registration_counts(source: Source) -> int:
    """Aggregate a source's accepted registrations straight into the count table.

    One INSERT … SELECT … GROUP BY in the database (SQLite and PostgreSQL alike): a million
    registrations never pass through Python. Table names come from the models' metadata.
    """
    reg, imp, cnt = Registration._meta.db_table, Import._meta.db_table, MonitorCount._meta.db_table
    # Table names come from model metadata, values are parameters.
    sql = (
        f"INSERT INTO {cnt} (period_month, municipality_id, source_id, unit, form, age_group, sector, channel, outcome, n, key_sum, block_sum) "  # noqa: S608
        "SELECT r.period_month, r.municipality_id, r.source_id, r.unit, r.form, r.age_group, r.sector, '', '', SUM(r.n), "
        f"SUM(r.record_key) %% {KEY_MODULUS}, SUM(r.block_key) %% {KEY_MODULUS} "
        f"FROM {reg} r INNER JOIN {imp} i ON i.id = r.source_import_id "
        "WHERE r.source_id = %s AND i.status = %s "
        "GROUP BY r.period_month, r.municipality_id, r.source_id, r.unit, r.form, r.age_group, r.sector"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [source.pk, ImportStatus.GEACCEPTEERD.value])
        return max(cursor.rowcount, 0)


def counts_refresh(*, sources: Iterable[Source] | None = None) -> int:
    """Rebuild the count table for the given sources (all when None); re-runnable at will."""
    chosen = list(sources) if sources is not None else list(Source.objects.all())
    started = timezone.now()
    total = 0
    with transaction.atomic():
        for source in chosen:
            MonitorCount.objects.filter(source=source).delete()
            if source.slug != OWN_SIGNALS:
                total += _insert_registration_counts(source)
                continue
            rows = _own_signal_counts()
            batch: list[MonitorCount] = []
            for row in rows:
                batch.append(MonitorCount(source_id=source.pk, **{"channel": "", "outcome": "", **row}))
                if len(batch) >= BATCH:
                    MonitorCount.objects.bulk_create(batch)
                    total += len(batch)
                    batch = []
            MonitorCount.objects.bulk_create(batch)
            total += len(batch)
        scope = ",".join(s.slug for s in chosen)[:60] if sources is not None else "alle"
        CountRefresh.objects.create(scope=scope, rows=total, started_at=started)
    return total
