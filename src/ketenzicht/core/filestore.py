"""Uploaded files: written to a staging area first, moved into place only after the commit.

Why: a file written into place inside the transaction outlives a rollback or a kill -9 of the
process (a file with no row, never purgeable). Here the service writes the bytes to
`MEDIA_ROOT/staging/<final name>` and registers the move with `transaction.on_commit`; the row
already names the final place. If the process dies before the commit, only a staging file is
left, which the sweeper removes after a day. If it dies between the commit and the move, the
row exists and the file waits in staging under the same name: `finish_pending()` (run by
`check_files` and the purge) completes the move. Renames within one file system are atomic.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction

STAGING = "staging"


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def staging_root() -> Path:
    return media_root() / STAGING


def new_name(folder: str) -> str:
    """A random final name under `folder`: never the uploaded name (names can hold personal data)."""
    return f"{folder}/{uuid.uuid4().hex}"


def stage(name: str, data: bytes) -> Path:
    """Write `data` to the staging area under the final `name`, durably."""
    path = staging_root() / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def place(name: str) -> bool:
    """Move a staged file into place; True when it was there to move."""
    source, target = staging_root() / name, media_root() / name
    if not source.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    return True


def ensure_placed(name: str) -> bool:
    """True when the file of a (committed) row is in place, completing an interrupted move."""
    return (media_root() / name).exists() or place(name)


def store_on_commit(name: str, data: bytes) -> None:
    """Stage now; move into place when (and only if) the current transaction commits."""
    stage(name, data)
    transaction.on_commit(lambda: place(name))


def staged_files() -> Iterator[tuple[str, float]]:
    """(final name, modification time) of every file waiting in the staging area."""
    root = staging_root()
    if not root.exists():
        return
    for path in root.rglob("*"):
        if path.is_file():
            yield path.relative_to(root).as_posix(), path.stat().st_mtime


def stored_files(folder: str) -> Iterator[str]:
    """Names of the files in place under `folder`."""
    root = media_root() / folder
    if not root.exists():
        return
    for path in root.rglob("*"):
        if path.is_file():
            yield path.relative_to(media_root()).as_posix()
