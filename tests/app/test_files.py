"""No file without its row, no row without its file: staging, the sweeper, check_files, sniffing."""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from ketenzicht.cases import services as cases
from ketenzicht.cases.models import Attachment
from ketenzicht.core import filestore
from ketenzicht.retention import files
from tests.app.retention_support import PNG
from tests.support import Cast, login, report_signal

# A PNG that is also HTML: a browser told `text/html` would run the script.
POLYGLOT = PNG + b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture
def media(settings, tmp_path) -> Path:  # noqa: ANN001
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _check() -> str:
    out = StringIO()
    call_command("check_files", stdout=out)
    return out.getvalue()


def _add(cast: Cast, case, data: bytes = PNG, declared: str = "image/png") -> Attachment:  # noqa: ANN001
    return cases.attachment_add(actor=cast.anouk, case=case, attachment=cases.AttachmentInput("foto.png", declared, data))


def test_a_rolled_back_upload_leaves_no_file_in_place(cast: Cast, media: Path, django_capture_on_commit_callbacks) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        row = _add(cast, case)
        name = row.file.name
        raise RuntimeError("verzoek afgebroken")
    assert not Attachment.objects.filter(file=name).exists()
    assert not (media / name).exists()
    assert (media / "staging" / name).exists()  # waits for the sweeper
    assert "Bestanden in orde" in _check()


def test_a_committed_upload_is_moved_into_place(cast: Cast, media: Path, django_capture_on_commit_callbacks) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    with django_capture_on_commit_callbacks(execute=True):
        row = _add(cast, case)
    assert (media / row.file.name).read_bytes() == PNG
    assert not list(filestore.staged_files())
    assert "Bestanden in orde" in _check()


def test_check_files_completes_a_move_that_a_crash_interrupted(cast: Cast, media: Path) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    row = _add(cast, case)  # no commit callback ran: as if the process died right after the commit
    assert not (media / row.file.name).exists()
    output = _check()
    assert "1 vastgelegde uploads alsnog op hun plaats gezet" in output
    assert (media / row.file.name).exists()


def test_check_files_reports_rows_without_files_and_files_without_rows(cast: Cast, media: Path, django_capture_on_commit_callbacks) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    with django_capture_on_commit_callbacks(execute=True):
        lost = _add(cast, case)
    (media / lost.file.name).unlink()
    stray = media / "bijlagen" / str(case.pk) / "zwerver"
    stray.write_bytes(b"x")
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("check_files", stdout=out)
    assert caught.value.returncode == 1
    assert f"Rij zonder bestand: bijlage {lost.pk}" in out.getvalue()
    assert f"Bestand zonder rij: bijlagen/{case.pk}/zwerver" in out.getvalue()


def test_the_sweeper_removes_staging_files_older_than_a_day(cast: Cast, media: Path) -> None:
    old = filestore.stage("bijlagen/x/oud", b"x")
    new = filestore.stage("bijlagen/x/nieuw", b"x")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    files.sweep(now=timezone.now())
    assert not old.exists() and new.exists()


def test_stored_and_served_type_comes_from_the_content(cast: Cast, media: Path, django_capture_on_commit_callbacks) -> None:
    case = report_signal(cast.chantal, cast.zoeterwoude)
    with django_capture_on_commit_callbacks(execute=True):
        row = _add(cast, case, POLYGLOT, declared="text/html")
    assert Attachment.objects.get(pk=row.pk).content_type == "image/png"
    response = login(Client(), cast.anouk).get(f"/werkvoorraad/{case.pk}/bijlagen/{row.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
