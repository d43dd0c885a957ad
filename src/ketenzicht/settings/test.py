"""Test settings: fast hashing, database chosen by DATABASE_URL (SQLite by default)."""

from ketenzicht.settings.base import *  # noqa: F403
from ketenzicht.settings.base import VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = VAR_DIR / "test-media"
AXES_FAILURE_LIMIT = 5

# Quiet test output: axes logs every login at INFO.
LOGGING = {**LOGGING, "loggers": {**LOGGING["loggers"], "axes": {"level": "WARNING"}}}  # noqa: F405
WHITENOISE_AUTOREFRESH = True
