"""Helpers for the monitor tests (and one row of the permission matrix)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

from django.test import TestCase

from ketenzicht.accounts.models import Region
from ketenzicht.accounts.system import system_actor
from ketenzicht.monitor import release
from ketenzicht.monitor.models import Import, ImportKind, ImportStatus, Release, Source

REG_HEADER = ["registratie_id", "datum", "gemeente_code", "eenheid", "vorm", "leeftijdsgroep", "sector"]
AGG_HEADER = ["periode", "gemeente_code", "eenheid", "vorm", "leeftijdsgroep", "sector", "aantal"]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def monitor_import(region_slug: str = "den-haag") -> Import:
    """A rejected import of a region on file (for URLs that need an import id)."""
    return Import.objects.create(
        source=Source.objects.get(slug="politie"),
        region=Region.objects.get(slug=region_slug),
        kind=ImportKind.REGISTRATIES,
        status=ImportStatus.AFGEWEZEN,
        file_name="matrix.csv",
        sha256="0" * 64,
        uploaded_by_label="test",
        errors=[{"rij": 2, "kolom": "datum", "fout": "test"}],
    )


def committed() -> AbstractContextManager[Any]:
    """Run what commits inside the block as a real commit would: its on-commit callbacks too.

    The test database wraps each test in a transaction that never commits, so the monitor's
    refresh-on-commit (through the task queue, immediate in tests) runs only inside this block.
    """
    return TestCase.captureOnCommitCallbacks(execute=True)


def release_through(period: date, *, today: date | None = None) -> Release:
    """Make the release of every count up to ``period`` as the scheduled job does."""
    day = today or release.closed_from(period)
    return release.release_make(actor=system_actor("monitor-release"), period=period, today=day)
