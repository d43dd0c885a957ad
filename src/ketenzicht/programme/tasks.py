"""Background tasks of the programme app (django-tasks; database queue by default)."""

from __future__ import annotations

from datetime import date

from django_tasks import task

from ketenzicht.domain.programme import ReportPeriod
from ketenzicht.programme.services import board_reports_scheduled


@task()
def board_reports_task(today: str | None = None, period: str | None = None) -> int:
    """Generate the scheduled reports to the board that do not exist yet; returns how many."""
    made = board_reports_scheduled(
        date.fromisoformat(today) if today else None, ReportPeriod.parse(period) if period else None
    )
    return len(made)
