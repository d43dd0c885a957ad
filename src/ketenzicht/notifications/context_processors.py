"""The count of unread notifications in the header of every staff page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from ketenzicht.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if settings.TWO_FACTOR_REQUIRED and not getattr(user, "is_verified", lambda: False)():
        return {}
    return {"unread_notifications": unread_count(user)}
