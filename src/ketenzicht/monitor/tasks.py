"""Background tasks of the monitor (django-tasks; the database queue, run by `ketenzicht db_worker`).

* ``refresh_counts_task``: rebuild the live count table for some sources, enqueued on commit of
  every accepted or withdrawn import and of every signal created or changed (not at night).
* ``release_task``: make the monthly release of the protected figures (scheduled through
  ``ketenzicht monitor release``); acts as the system actor.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from django_tasks import task

from ketenzicht.accounts.system import system_actor
from ketenzicht.monitor import release, services
from ketenzicht.monitor.models import CountRefresh, Source


@task()
def refresh_counts_task(slugs: list[str] | None = None, asked_at: str | None = None) -> int:
    """Rebuild the counts of these sources (all when None).

    Skipped when a refresh of the same scope (or of everything) started after this one was
    asked for: a burst of changes costs one rebuild, not one per change.
    """
    if asked_at is not None:
        scopes = ["alle", ",".join(slugs)] if slugs else ["alle"]
        if CountRefresh.objects.filter(started_at__gt=datetime.fromisoformat(asked_at), scope__in=scopes).exists():
            return 0
    sources = None if slugs is None else list(Source.objects.filter(slug__in=slugs))
    return services.counts_refresh(sources=sources)


@task()
def release_task(period: str | None = None, today: str | None = None) -> str:
    """Release the given month, or (scheduled) the latest closed month when it is due."""
    actor = system_actor("monitor-release")
    day = date.fromisoformat(today) if today else timezone.localdate()
    if period:
        made = release.release_make(actor=actor, period=release.parse_month(period), today=day)
        return f"Release gemaakt: cijfers tot en met {made.period:%Y-%m} ({made.rows} rijen)."
    return release.release_due(actor=actor, today=day).message
