"""Backups that restore (PostgreSQL): pg_dump, restore into a fresh database, the chain and the
files verify there; and the application's own role cannot rewrite the audit trail.

The procedure is the one in docs/operations.md: `pg_dump -Fc`, a copy of MEDIA_ROOT, then
`pg_restore --no-owner` into an empty database and `ketenzicht audit verify` + `check_files`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from ketenzicht.audit import chain
from ketenzicht.cases import services
from tests.app.retention_support import PNG
from tests.support import Cast, report_signal

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.postgres_only


def _server_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


def _admin(sql: str) -> None:
    with psycopg.connect(f"{_server_url()}/postgres", autocommit=True) as admin:
        admin.execute(sql)


def _ketenzicht(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "ketenzicht"), *args], env=env, capture_output=True, text=True, timeout=300)


def test_dump_restore_into_a_fresh_database_verifies(transactional_db: None, cast: Cast, tmp_path: Path, settings) -> None:  # noqa: ANN001
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    case = report_signal(cast.chantal, cast.zoeterwoude)  # committed: a transactional test
    services.attachment_add(actor=cast.anouk, case=case, attachment=services.AttachmentInput("foto.png", "image/png", PNG))
    chain.seal_pending(wait=True)
    name = connection.settings_dict["NAME"]
    restored = f"{name}_herstel"[:63]
    dump = tmp_path / "ketenzicht.dump"
    subprocess.run(["pg_dump", "-Fc", "-f", str(dump), "-d", f"{_server_url()}/{name}"], check=True)
    shutil.copytree(media, tmp_path / "media-herstel")  # the media backup, taken with the dump
    _admin(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{restored}"')
    try:
        subprocess.run(["pg_restore", "--no-owner", "-d", f"{_server_url()}/{restored}", str(dump)], check=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
        env.update(DJANGO_SETTINGS_MODULE="ketenzicht.settings.dev", DATABASE_URL=f"{_server_url()}/{restored}", MEDIA_ROOT=str(tmp_path / "media-herstel"), KETENZICHT_HOME=str(tmp_path))
        verify = _ketenzicht(env, "audit", "verify")
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert "Audittrail in orde" in verify.stdout
        files = _ketenzicht(env, "check_files")
        assert files.returncode == 0, files.stdout + files.stderr
        # The restored copy is protected and checked like the original: a rewrite is found.
        with psycopg.connect(f"{_server_url()}/{restored}", autocommit=True) as db:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                db.execute("UPDATE audit_auditevent SET reason = 'x'")
            db.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")  # as the owner
            db.execute("UPDATE audit_auditevent SET object_label = 'KZ-0000-000000' WHERE seq = 2")
            db.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        broken = _ketenzicht(env, "audit", "verify")
        assert broken.returncode == 1 and "volgnummer 2" in broken.stderr, broken.stdout + broken.stderr
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')


def test_the_application_role_cannot_rewrite_the_audit_trail(transactional_db: None, cast: Cast) -> None:
    report_signal(cast.chantal, cast.zoeterwoude)
    chain.seal_pending(wait=True)
    role = f"{connection.settings_dict['NAME']}_app"[:63]
    from ketenzicht.audit.guard import grants_sql

    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {role}")
        cursor.execute(f"CREATE ROLE {role} LOGIN")
        cursor.execute(grants_sql(role))
    url = f"{_server_url().replace(connection.settings_dict['USER'], role, 1)}/{connection.settings_dict['NAME']}"
    try:
        with psycopg.connect(url, autocommit=True) as app:
            assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] > 0
            for statement in ("UPDATE audit_auditevent SET reason = 'x'", "DELETE FROM audit_auditevent", "TRUNCATE audit_auditevent", "ALTER TABLE audit_auditevent DISABLE TRIGGER USER", "DELETE FROM audit_audittombstone"):
                with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectNotInPrerequisiteState)):
                    app.execute(statement)
            # What it needs still works: a new entry, and sealing it (the three chain columns only).
            app.execute("INSERT INTO audit_auditevent (at, actor_label, action, object_type, object_id, object_label, fields, reason) VALUES (now(), 'app', 'view', 'case', 'x', '', '[]', '')")
        from ketenzicht.audit.models import AuditEvent

        assert AuditEvent.objects.filter(seq__isnull=True).exists()
        with psycopg.connect(url, autocommit=True) as app:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute("UPDATE audit_auditevent SET actor_label = 'iemand anders' WHERE seq IS NULL")
            app.execute("UPDATE audit_auditevent SET seq = 999999, prev_hash = 'a', entry_hash = 'b' WHERE seq IS NULL")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE IF EXISTS {role}")
