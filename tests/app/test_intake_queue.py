"""A new signal's notifications go through the task queue, not the intake request (issue 19).

The production path: the intake (partner API and public form) commits the case and enqueues one
task on the database queue; `db_worker` then tells the municipality's AFs (or, without an AF, the
region's queue people) in the app and by mail, with the same content and recipients as before. Nothing is lost when the mail server is down.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ketenzicht.cases.models import Case
from ketenzicht.meetings.reminders import reminders_send
from ketenzicht.notifications.models import Kind, MailState, Notification
from tests.app.test_partner_api import BODY, URL
from tests.app.test_public_report import _valid
from tests.app.test_region_queue import _public_form
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import Cast

TASK = "ketenzicht.intake.tasks.new_signal_task"


def _work() -> None:
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

    # The requests are answered before anyone is told: three tasks wait, nothing is written or mailed.
    assert DBTaskResult.objects.filter(task_path=TASK, status="READY").count() == 3
    assert not Notification.objects.exists() and smtp_server.messages == []

    _work()
    assert set(DBTaskResult.objects.filter(task_path=TASK).values_list("status", flat=True)) == {"SUCCESSFUL"}
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
