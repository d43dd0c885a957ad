"""Local development: the embedded SQLite default, demo-friendly."""

from ketenzicht.settings.base import *  # noqa: F403
from ketenzicht.settings.env import envbool

DEBUG = envbool("DEBUG", True)
