"""Remember which sessions a person logged in with, so deactivation can end them all."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from ketenzicht.accounts.models import LoginSession


@receiver(user_logged_in, dispatch_uid="ketenzicht.accounts.record_session")
def record_session(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    key = getattr(session, "session_key", None)
    if key:
        LoginSession.objects.get_or_create(session_key=key, defaults={"user": user})
