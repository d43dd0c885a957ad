"""No file without its row, no row without its file: the check and the sweeper.

Every model with files is listed in FILE_FIELDS (today: attachments of a case). `check()`
first completes moves that a crash interrupted between commit and move (a staged file whose
row exists), then compares rows and files. `sweep()` (daily, from the purge) also removes
staging files older than a day (uploads that never committed) and files in place whose row is
gone (a crash after a purge's commit, before its file deletion).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import models

from ketenzicht.cases.models import Attachment
from ketenzicht.core import filestore
from ketenzicht.domain.retention import cutoff
from ketenzicht.retention.table import retention_table

# (model, file field, folder under MEDIA_ROOT, how a row is named in the report)
FILE_FIELDS: tuple[tuple[type[models.Model], str, str, str], ...] = ((Attachment, "file", "bijlagen", "bijlage"),)


@dataclass
class FileCheck:
    rows_without_file: list[str] = field(default_factory=list)  # "bijlage 12"
    files_without_row: list[str] = field(default_factory=list)  # names under MEDIA_ROOT
    moves_completed: int = 0
    staged: int = 0  # uploads in progress or abandoned (removed after a day)

    @property
    def clean(self) -> bool:
        return not self.rows_without_file and not self.files_without_row


def _row_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for model, field_name, _, label in FILE_FIELDS:
        for pk, name in model.objects.exclude(**{field_name: ""}).values_list("pk", field_name).iterator():
            names[name] = f"{label} {pk}"
    return names


def finish_pending(rows: dict[str, str] | None = None) -> int:
    """Move staged files whose row committed into place; returns how many."""
    rows = _row_names() if rows is None else rows
    return sum(1 for name, _ in list(filestore.staged_files()) if name in rows and filestore.place(name))


def check() -> FileCheck:
    rows = _row_names()
    result = FileCheck(moves_completed=finish_pending(rows))
    in_place = {name for _, _, folder, _ in FILE_FIELDS for name in filestore.stored_files(folder)}
    result.rows_without_file = sorted(label for name, label in rows.items() if name not in in_place)
    result.files_without_row = sorted(in_place - set(rows))
    result.staged = sum(1 for _ in filestore.staged_files())
    return result


def sweep(*, now: datetime) -> int:
    """Remove abandoned staging files (older than the staging term) and files without a row."""
    rows = _row_names()
    finish_pending(rows)
    limit = cutoff(now, retention_table().rule("staging_file")).timestamp()
    removed = 0
    for name, mtime in list(filestore.staged_files()):
        if mtime < limit and name not in rows:
            (filestore.staging_root() / name).unlink(missing_ok=True)
            removed += 1
    for _, _, folder, _ in FILE_FIELDS:
        for name in list(filestore.stored_files(folder)):
            path = filestore.media_root() / name
            # A minute's grace: a move into place follows its commit within milliseconds.
            if name not in rows and path.stat().st_mtime < time.time() - 60:
                path.unlink(missing_ok=True)
                removed += 1
    return removed
