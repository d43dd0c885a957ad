"""Background tasks of the meetings app (django-tasks; database queue by default)."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from ketenzicht.meetings.reminders import reminders_send


@task()
def send_reminders_task(today: str | None = None) -> int:
    """Send the reminder e-mails that are due; safe to run often (each is sent once)."""
    return reminders_send(date.fromisoformat(today) if today else None)
