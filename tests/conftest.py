"""Suite-wide collection rules.

`make test` runs the suite twice, on SQLite and on PostgreSQL. A test that is about one engine
only (a pg_dump/restore, a real server on an SQLite file) carries `postgres_only` or
`sqlite_only` and is left out of the other pass (deselected, so it is counted where it runs).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

# Property tests check what holds, not how fast: speed is measured in `make bench`. A per-example
# deadline or the "slow generation" health check only measures the load of the shared machine
# (both failed runs of an otherwise passing suite at load 15), so both are off for the whole suite.
settings.register_profile("ketenzicht", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ketenzicht")


def _engine() -> str:
    return "postgresql" if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) else "sqlite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    other = "sqlite_only" if _engine() == "postgresql" else "postgres_only"
    keep = [item for item in items if other not in item.keywords]
    dropped = [item for item in items if other in item.keywords]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.fixture(autouse=True)
def _no_refresh_waiting_from_another_test() -> None:
    """The monitor's refresh and the telling of new signals are coalesced per process
    (core/coalesce.py): a task another test enqueued within the last second must not stand in
    for this test's own."""
    from ketenzicht.core.coalesce import forget_waiting

    forget_waiting()
