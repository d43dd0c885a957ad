"""Production: secrets from the environment, PostgreSQL via DATABASE_URL, HTTPS only."""

import hashlib

from django.core.exceptions import ImproperlyConfigured

from ketenzicht.settings.base import *  # noqa: F403
from ketenzicht.settings.base import DATABASES, STORAGES
from ketenzicht.settings.env import envint, envstr

DEBUG = False
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY or SECRET_KEY.startswith("dev-only") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY (or SECRET_KEY_FILE) to a random value of 50+ characters.")

AUDIT_KEY = envstr("AUDIT_KEY") or hashlib.sha256(f"ketenzicht.audit|{SECRET_KEY}".encode()).hexdigest()

SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
