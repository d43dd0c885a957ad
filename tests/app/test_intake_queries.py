"""What one intake costs the request: a query-count guard for the partner API and the public form (issue 19).

One intake is measured as the request and what runs when its transaction commits (the audit seal,
the enqueued tasks), with the production queue backend (the database). The request stores the
signal and enqueues; who is told and the mails are the worker's (tests/app/test_intake_queue.py).
The numbers are the current ones: lower is welcome (lower them here), higher is a regression.
The tests run inside a transaction, so the request's own transactions show as SAVEPOINT/RELEASE
pairs here; in production they are BEGIN/COMMIT. Timing belongs in `make bench`, not here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ketenzicht.cases.models import Case
from tests.app.test_partner_api import BODY, URL
from tests.app.test_public_report import _valid
from tests.support import Cast

pytestmark = pytest.mark.django_db

# Statements per intake (a warm process: the second intake of the test).
EXPECTED = {
    # municipality+region+its norms' digest, token+account+organisation+roles (one query,
    # intake/fast_api.py), rate limit, reference (on PostgreSQL inside the insert), case + 2 subjects + history + audit (one statement on
    # + the signal's outbox row (one statement on PostgreSQL, core/inserts.py; six on SQLite), the
    # audit seal. The tasks (telling the handlers, the monitor's refresh) are the first intake's.
    # No idempotency lookup (the unique key decides); the monitor's refresh is the first intake's.
    # Served (outside a transaction) on PostgreSQL, the account, the municipality and the count
    # are one statement (tests/app/test_intake_fast_api.py); the tests' transaction keeps them apart.
    ("api", "postgresql"): 15,
    ("api", "sqlite"): 17,
    # municipality+region+its norms' digest+its theme (one query, intake/fast_public.py), rate limit,
    # reference (PostgreSQL: in the insert), case + history + audit + outbox row (one statement on
    # PostgreSQL), the audit seal; the confirmation page needs no query of its own
    ("public", "postgresql"): 14,
    ("public", "sqlite"): 14,
}


def _measure(post: Any, capture: Any) -> list[str]:
    # Callbacks of earlier intakes already ran, as a real commit would have cleared them; left in
    # the list they would stop the audit seal from being scheduled again (audit/services.py).
    connection.run_on_commit.clear()
    with CaptureQueriesContext(connection) as ctx, capture(execute=True):
        post()
    return [q["sql"] for q in ctx.captured_queries]


def _tasks(statements: list[str]) -> int:
    return sum(s.startswith("INSERT INTO \"django_tasks_database_dbtaskresult\"") for s in statements)


def _check(channel: str, statements: list[str]) -> None:
    listing = "\n".join(s[:160] for s in statements)
    # Nobody is told in the request: no notification, no outbox row, no mail claim.
    assert not [s for s in statements if "notifications_" in s or "meetings_remindersent" in s], listing
    # The second intake within a second enqueues nothing: the monitor's refresh and the telling
    # run enqueued by the first one run after both commits and take both (core/coalesce.py).
    # What tells the handlers is the signal's outbox row, written with the case.
    assert _tasks(statements) == 0, listing
    assert [s for s in statements if "cases_unannouncedsignal" in s and s.startswith(("INSERT", "WITH"))], listing
    expected = EXPECTED[(channel, connection.vendor)]
    assert len(statements) <= expected, f"{channel}: {len(statements)} statements, was {expected}:\n{listing}"
    assert len(statements) == expected, f"{channel}: {len(statements)} statements, fewer than {expected}: lower EXPECTED\n{listing}"


def test_one_partner_intake_costs_a_fixed_number_of_statements(cast: Cast, settings, django_capture_on_commit_callbacks) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = Client()

    def post(key: str, text: str) -> Any:
        body = {**BODY, "omschrijving": text}
        return lambda: client.post(
            URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Token {cast.pim_token}", HTTP_IDEMPOTENCY_KEY=key
        )

    assert _tasks(_measure(post("warm", "Eerste melding van de dag."), django_capture_on_commit_callbacks)) == 2
    _check("api", _measure(post("tweede", "Tweede melding."), django_capture_on_commit_callbacks))
    assert Case.objects.filter(channel="partner").count() == 2
    # A replay (same key, same body) stores nothing and enqueues nothing (it counts against the rate limit).
    replay = _measure(post("tweede", "Tweede melding."), django_capture_on_commit_callbacks)
    # The case insert meets the unique key and rolls back (with the reference number); nothing
    # after it runs: no history, no audit row, no task.
    assert not [s for s in replay if s.startswith("INSERT") and ("audit_" in s or "caseevent" in s or "django_tasks" in s)], replay
    assert Case.objects.filter(channel="partner").count() == 2


def test_one_public_report_costs_a_fixed_number_of_statements(cast: Cast, settings, django_capture_on_commit_callbacks) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = Client()
    first, second = _valid(client), _valid(client, description="Een tweede melding over de kassen.")
    assert _tasks(_measure(lambda: client.post("/melden/", first), django_capture_on_commit_callbacks)) == 2
    statements = _measure(lambda: client.post("/melden/", second), django_capture_on_commit_callbacks)
    _check("public", statements)
    assert Case.objects.filter(channel="publiek").count() == 2
