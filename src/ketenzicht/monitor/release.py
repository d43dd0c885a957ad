"""Releases of the protected figures: one per closed month, made by the scheduled job.

A release freezes every count up to and including its month, with the cell key of each row
(``domain/cellkey.row_key``: the records' key sum plus n times the month block), for the
monitor's series and for every registered figure kind (``protected.register_kind``). All
protected outputs read the latest release only, so a figure that leaves the municipality
changes once a month, and a later correction appears in the next release.

Rules (docs/monitor.md, "Releases"):

* a month can be released from ``MONITOR_RELEASE_CLOSE_DAYS`` days after it ended; asking for
  an open month is refused, as is a month that is not after the latest release's month;
* months more than ``MONITOR_RELEASE_FINAL_MONTHS`` before the release's month are copied
  unchanged from the previous release (final): this bounds how often a cell can be drawn
  afresh by late corrections (see the ADR);
* only the counts of the latest ``MONITOR_RELEASES_KEPT`` releases are kept.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ketenzicht.accounts.models import Municipality
from ketenzicht.audit.models import AuditAction
from ketenzicht.audit.services import audit_record
from ketenzicht.core import policy
from ketenzicht.domain.cellkey import KEY_MODULUS, PTableError, build_ptable
from ketenzicht.monitor import protected, services
from ketenzicht.monitor.models import MonitorCount, Release, ReleaseCount

BATCH = 5000


class ReleaseError(Exception):
    """A release that cannot be made; the message says why, in Dutch."""


def _month(value: date) -> date:
    return value.replace(day=1)


def add_months(month: date, k: int) -> date:
    index = month.year * 12 + month.month - 1 + k
    return date(index // 12, index % 12 + 1, 1)


def closed_from(month: date) -> date:
    """The first day on which ``month`` counts as closed (may be released)."""
    last_day = calendar.monthrange(month.year, month.month)[1]
    return date(month.year, month.month, last_day) + timedelta(days=1 + int(settings.MONITOR_RELEASE_CLOSE_DAYS))


def latest_closed_month(today: date) -> date:
    month = _month(today)
    while closed_from(month) > today:
        month = add_months(month, -1)
    return month


def parse_month(text: str) -> date:
    """'2026-11' → 1 November 2026; anything else is refused with an example."""
    try:
        year, month = (int(part) for part in (text or "").strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ReleaseError(f"Periode '{text}' niet herkend; geef een maand als JJJJ-MM, bijvoorbeeld 2026-11.") from None


@dataclass
class ReleaseResult:
    release: Release | None
    made: bool
    message: str


def release_due(*, actor: Any, today: date | None = None) -> ReleaseResult:
    """The scheduled run: release the latest closed month unless it has been released already."""
    today = today or timezone.localdate()
    month = latest_closed_month(today)
    latest = protected.current_release()
    if latest is not None and latest.period >= month:
        return ReleaseResult(latest, False, f"Niets te doen: de cijfers tot en met {protected.month_label(latest.period)} zijn al vrijgegeven.")
    release = release_make(actor=actor, period=month, today=today)
    return ReleaseResult(release, True, f"Release gemaakt: cijfers tot en met {protected.month_label(month)} ({release.rows} rijen).")


def release_make(*, actor: Any, period: date | None = None, today: date | None = None) -> Release:
    """Make a release of every count up to and including ``period`` (default: latest closed month)."""
    policy.require(actor, "monitor.release")
    today = today or timezone.localdate()
    period = _month(period) if period else latest_closed_month(today)
    if closed_from(period) > today:
        raise ReleaseError(
            f"De maand {protected.month_label(period)} is nog niet afgesloten; "
            f"de cijfers ervan kunnen vanaf {closed_from(period):%d-%m-%Y} worden vrijgegeven."
        )
    try:
        params = protected.ptable_params()
        build_ptable(params)
    except PTableError as exc:
        raise ReleaseError(f"De instellingen voor afscherming zijn onveilig: {exc}") from exc
    with transaction.atomic():
        # One release at a time: the latest release row is the lock.
        latest = Release.objects.select_for_update().order_by("-released_at", "-id").first()
        if latest is not None and period <= latest.period:
            raise ReleaseError(
                f"De cijfers tot en met {protected.month_label(latest.period)} zijn al vrijgegeven "
                f"(op {timezone.localtime(latest.released_at):%d-%m-%Y}); correcties komen mee in de volgende release."
            )
        services.counts_refresh()  # release what is true now, not what the last refresh saw
        final = add_months(period, -int(settings.MONITOR_RELEASE_FINAL_MONTHS)) if latest is not None else None
        release = Release.objects.create(
            period=period,
            released_by_label=getattr(actor, "get_username", lambda: "systeem")(),
            threshold=params.threshold,
            max_deviation=params.max_deviation,
            variance=params.variance,
            final_through=final,
        )
        if latest is not None and final is not None:
            _copy_final(release, latest, final)
        _insert_monitor(release, after=final, through=period)
        for kind, collect in protected.kinds().items():
            _insert_kind(release, kind, collect(final, period))
        # Counted afterwards: SQLite reports no row count for INSERT … WITH.
        rows = ReleaseCount.objects.filter(release=release).count()
        release.rows = rows
        release.save(update_fields=["rows"])
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="monitor.release",
            object_id=release.pk,
            object_label=f"{period:%Y-%m}",
            reason=f"release t/m {period:%Y-%m}: {rows} rijen, definitief t/m {final:%Y-%m}" if final else f"eerste release t/m {period:%Y-%m}: {rows} rijen",
        )
        _prune()
    return release


_COLUMNS = "release_id, kind, period_month, region_id, municipality_id, source_id, unit, form, age_group, sector, channel, outcome, category, n, cell_key"


def _copy_final(release: Release, previous: Release, through: date) -> None:
    table = ReleaseCount._meta.db_table
    sql = (
        f"INSERT INTO {table} ({_COLUMNS}) "  # noqa: S608 - table and columns from model metadata, values are parameters
        f"SELECT %s, kind, period_month, region_id, municipality_id, source_id, unit, form, age_group, sector, channel, outcome, category, n, cell_key "
        f"FROM {table} WHERE release_id = %s AND period_month <= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [release.pk, previous.pk, through])


def _insert_monitor(release: Release, *, after: date | None, through: date) -> None:
    """Every count row of the monitor with its row key, in one statement in the database.

    The month block B (region, source, unit, month) is the sum of the block keys of its rows;
    a row's cell key is (key_sum + n·B) mod KEY_MODULUS. Municipalities outside a region are
    not published anywhere and are left out.
    """
    cnt, mun, rel = MonitorCount._meta.db_table, Municipality._meta.db_table, ReleaseCount._meta.db_table
    window = "c.period_month <= %s" + (" AND c.period_month > %s" if after else "")
    params: list[Any] = [through, *([after] if after else [])]
    sql = (
        f"WITH blocks AS (SELECT m.region_id AS region_id, c.source_id AS source_id, c.unit AS unit, c.period_month AS period_month, "  # noqa: S608
        f"SUM(c.block_sum) %% {KEY_MODULUS} AS b "
        f"FROM {cnt} c INNER JOIN {mun} m ON m.id = c.municipality_id "
        f"WHERE m.region_id IS NOT NULL AND {window} GROUP BY m.region_id, c.source_id, c.unit, c.period_month) "
        f"INSERT INTO {rel} ({_COLUMNS}) "
        f"SELECT %s, 'monitor', c.period_month, m.region_id, c.municipality_id, c.source_id, c.unit, c.form, c.age_group, c.sector, "
        f"c.channel, c.outcome, '', c.n, (c.key_sum + c.n * bl.b) %% {KEY_MODULUS} "
        # CROSS JOIN keeps the count rows as the outer loop on SQLite (its planner would
        # otherwise scan a whole series per block); PostgreSQL plans it as an ordinary join.
        f"FROM {cnt} c CROSS JOIN {mun} m CROSS JOIN blocks bl WHERE m.id = c.municipality_id "
        "AND bl.region_id = m.region_id AND bl.source_id = c.source_id AND bl.unit = c.unit "
        f"AND bl.period_month = c.period_month AND {window}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, release.pk, *params])


def _insert_kind(release: Release, kind: str, rows: Any) -> None:
    ReleaseCount.objects.bulk_create(
        (
            ReleaseCount(
                release=release, kind=kind, period_month=r.period_month, region_id=r.region_id,
                municipality_id=r.municipality_id, category=r.category, n=r.n, cell_key=key,
            )  # fmt: skip
            for r, key in protected.keyed_rows(rows)
        ),
        batch_size=BATCH,
    )


def _prune() -> None:
    keep = max(2, int(settings.MONITOR_RELEASES_KEPT))
    old = list(Release.objects.order_by("-released_at", "-id").values_list("id", flat=True)[keep:])
    if old:
        ReleaseCount.objects.filter(release_id__in=old).delete()
