"""Test settings: fast hashing, database chosen by DATABASE_URL (SQLite by default)."""

import os

from ketenzicht.settings.base import *  # noqa: F403
from ketenzicht.settings.base import VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"
AXES_FAILURE_LIMIT = 5

# Quiet test output: axes logs every login at INFO.
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "axes": {"level": "WARNING"}}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
# Seal after every commit, so a test reads a sealed trail at once; tests/app/test_audit_seal_interval.py
# runs the production interval.
AUDIT_SEAL_INTERVAL_MS = 0
# Tasks run in-process in tests; the database queue itself is tested in test_meetings_reminders.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# A file-backed SQLite test database: the live server of the browser tests runs in another
# thread, which an in-memory database does not share reliably.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per test process, so two runs on one machine never share (and drop) a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

# Estimates in tests: fewer replicates (the acceptance test of the interval sets its own).
PERSONS_BOOTSTRAP = 40
