"""Reading notifications: a person sees their own, nobody else's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from ketenzicht.notifications.models import Notification


def notifications_of(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
