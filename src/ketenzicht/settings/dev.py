"""Local development: the embedded SQLite default, demo-friendly."""

from ketenzicht.settings.base import *  # noqa: F403
from ketenzicht.settings.env import envbool, envstr

DEBUG = envbool("DEBUG", True)

# The demo has no mail server: print mails to the console unless one is configured.
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
