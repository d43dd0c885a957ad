"""Background tasks of the persons app (django-tasks; database queue by default)."""

from __future__ import annotations

from django_tasks import task

from ketenzicht.persons.linkage import run_linkage


@task()
def link_region_task(run_id: int) -> int | None:
    """Link all encoded registrations of the run's region; returns the number of persons."""
    run = run_linkage(run_id)
    return run.persons if run is not None else None
