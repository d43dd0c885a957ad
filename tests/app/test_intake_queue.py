"""A new signal's notifications go through the task queue, not the intake request (issue 19).

The production path: the intake (partner API and public form) commits the case and enqueues one
task on the database queue; `db_worker` then tells the municipality's AFs (or, without an AF, the
region's queue people) in the app and by mail, with the same content and recipients as before. Nothing is lost when the mail server is down.
"""

from __future__ import annotations

import json
import time

import pytest
from django.core.management import call_command
from django.db.models import Max
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ketenzicht.cases.models import Case, UnannouncedSignal
from ketenzicht.meetings.reminders import reminders_send
from ketenzicht.notifications.models import Kind, MailState, Notification
from tests.app.test_partner_api import BODY, URL
from tests.app.test_public_report import _valid
from tests.app.test_region_queue import _public_form
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import Cast

TASK = "ketenzicht.intake.tasks.tell_new_signals_task"


def _work() -> None:
    # The telling run waits a second after the first commit (core/coalesce.py): the worker runs
    # once it is due.
    due = DBTaskResult.objects.filter(status="READY").aggregate(last=Max("run_after"))["last"]
    if due is not None:
        time.sleep(max(0.0, (due - timezone.now()).total_seconds()) + 0.05)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def _api_intake(cast: Cast, key: str, **changes: object) -> Case:
    body = {**BODY, **changes}
    response = Client().post(
        URL, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Token {cast.pim_token}", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 201
    return Case.objects.get(pk=response.json()["id"])


@pytest.mark.django_db(transaction=True)
def test_the_intake_enqueues_and_the_worker_tells_the_af_once(cast: Cast, smtp_server, settings) -> None:  # noqa: F811
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    api_case = _api_intake(cast, "wachtrij-1")
    client = Client()
    assert client.post("/melden/", _valid(client)).status_code == 200
    public_case = Case.objects.get(channel="publiek")
    # Leiden lies in eenheid Den Haag but has no AF: its signal waits in the region's queue.
    client = Client()
    assert client.post("/melden/", _public_form(client)).status_code == 200
    waiting_case = Case.objects.get(municipality__cbs_code="GM0546")

    # The requests are answered before anyone is told: each signal waits in the outbox, one
    # telling run waits for all three (coalesced), nothing is written or mailed.
    assert set(UnannouncedSignal.objects.values_list("case_id", flat=True)) == {api_case.pk, public_case.pk, waiting_case.pk}
    assert DBTaskResult.objects.filter(task_path=TASK, status="READY").count() == 1
    assert not Notification.objects.exists() and smtp_server.messages == []

    _work()
    assert set(DBTaskResult.objects.filter(task_path=TASK).values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert not UnannouncedSignal.objects.exists()
    told = {(n.recipient, n.title, n.link, n.mail_state) for n in Notification.objects.filter(kind=Kind.NIEUW_SIGNAAL)}
    # Zoeterwoude's AF, once per signal, with a link to the case; Lisse's and Vlissingen's AFs hear nothing.
    assert told == {
        (cast.anouk, f"Nieuw signaal {case.reference}", reverse("cases:detail", kwargs={"case_id": case.pk}), MailState.VERSTUURD)
        for case in (api_case, public_case)
    }
    # The region's ketenregisseur and beheerder of Den Haag are told of Leiden's signal; nobody of ZWB.
    queue = Notification.objects.filter(kind=Kind.NIET_AANGESLOTEN)
    assert sorted(n.recipient.username for n in queue) == ["fleur", "hanna"]
    assert all(waiting_case.reference in n.title for n in queue)
    assert sorted(m["To"] for m in smtp_server.messages) == sorted(["anouk@example.test"] * 2 + [cast.fleur.email, cast.hanna.email])
    for message in smtp_server.messages:
        body = message.get_content()
        assert "/berichten/" in body and "Twaalf" not in body and "Industrieweg" not in body and "kas" not in body

    # A second worker run (or a task run twice) tells and mails nobody again.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    from ketenzicht.intake.tasks import new_signal_task

    new_signal_task.call(str(api_case.pk))
    new_signal_task.call(str(waiting_case.pk))
    assert Notification.objects.count() == 4 and len(smtp_server.messages) == 4


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_loses_nothing(cast: Cast, smtp_server, settings) -> None:  # noqa: F811
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    case = _api_intake(cast, "wachtrij-2", acuutGevaar=True)
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    _work()
    waiting = Notification.objects.get(recipient=cast.anouk)
    assert waiting.urgent and "acuut gevaar" in waiting.title and case.reference in waiting.title
    assert waiting.mail_state == MailState.WACHT and smtp_server.messages == []
    # The next reminder run (the same worker, hourly) sends it, once.
    settings.EMAIL_PORT = good_port
    reminders_send(timezone.localdate())
    reminders_send(timezone.localdate())
    assert [m["To"] for m in smtp_server.messages] == ["anouk@example.test"]
    assert "met spoed" in smtp_server.messages[0]["Subject"]


@pytest.mark.django_db(transaction=True)
def test_signals_of_a_burst_are_told_by_one_run_each_to_their_own_af(cast: Cast, smtp_server, settings) -> None:  # noqa: F811
    """Five deliveries in two regions within a second: one telling run, each AF told of the own only."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    zoeterwoude = [_api_intake(cast, f"burst-z{n}") for n in range(3)]
    vlissingen = [_api_intake(cast, f"burst-v{n}", gemeenteCode="GM0718") for n in range(2)]
    assert DBTaskResult.objects.filter(task_path=TASK, status="READY").count() == 1
    assert UnannouncedSignal.objects.count() == 5
    _work()
    assert not UnannouncedSignal.objects.exists()
    told = {(n.recipient.username, n.title) for n in Notification.objects.filter(kind=Kind.NIEUW_SIGNAAL)}
    assert told == {("anouk", f"Nieuw signaal {c.reference}") for c in zoeterwoude} | {
        ("vera", f"Nieuw signaal {c.reference}") for c in vlissingen
    }
    # Once its moment has passed, the next delivery asks for a run of its own.
    later = _api_intake(cast, "burst-later")
    assert DBTaskResult.objects.filter(task_path=TASK, status="READY").count() == 1
    _work()
    assert Notification.objects.filter(recipient=cast.anouk, title=f"Nieuw signaal {later.reference}").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_telling_run_that_fails_leaves_the_signals_for_the_next_run(cast: Cast, smtp_server, settings, monkeypatch) -> None:  # noqa: F811
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from ketenzicht.intake import tasks

    first = _api_intake(cast, "faalt-1")

    def broken(case_id: object) -> list[Notification]:
        raise RuntimeError("database gone mid-task")

    monkeypatch.setattr(tasks, "new_signal_notify", broken)
    _work()
    assert DBTaskResult.objects.get(task_path=TASK).status == "FAILED"
    # Nobody was told, and the signal still waits.
    assert not Notification.objects.exists() and UnannouncedSignal.objects.filter(case=first).exists()
    monkeypatch.undo()
    # The next delivery's run tells both.
    second = _api_intake(cast, "faalt-2", gemeenteCode="GM0718")
    _work()
    assert {(n.recipient.username, n.title) for n in Notification.objects.all()} == {
        ("anouk", f"Nieuw signaal {first.reference}"), ("vera", f"Nieuw signaal {second.reference}"),
    }
    assert not UnannouncedSignal.objects.exists()
