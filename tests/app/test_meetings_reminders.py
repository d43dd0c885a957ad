"""Reminder e-mails end to end: due items → task queue → real SMTP server; each sent once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from ketenzicht.accounts.models import Organisation
from ketenzicht.cases.models import Case
from ketenzicht.meetings import services
from ketenzicht.meetings.models import ReminderSent
from ketenzicht.meetings.reminders import reminders_send
from tests.app.test_meetings_support import make_meeting, ready_case
from tests.smtp import smtp_server  # noqa: F401 - fixture
from tests.support import Cast


def _overdue_action_item(cast: Cast):  # noqa: ANN202
    meeting = make_meeting(cast)
    ready_case(cast)
    sitting = services.sitting_plan(actor=cast.anouk, meeting=meeting, today=date(2026, 3, 2))
    police = Organisation.objects.get(slug="politie-den-haag-avim")
    decision = services.decision_record(
        actor=cast.anouk, item=sitting.items.get(), action="so_integrale_controle", rationale="Controle.",
        action_items=[services.ActionItemInput(description="Controle plannen", owner_organisation=police, owner=cast.esra)],
    )
    return decision


def test_command_queues_task_and_sends_each_reminder_once(cast: Cast, smtp_server) -> None:  # noqa: F811
    decision = _overdue_action_item(cast)
    item = decision.action_items.get()
    day_after = (item.due_date + timedelta(days=3)).isoformat()
    # Tests use the immediate backend: the command enqueues, the task runs, the mail goes out.
    call_command("send_reminders", "--datum", day_after)
    call_command("send_reminders", "--datum", day_after)
    overdue = [m for m in smtp_server.messages if "actiepunt" in m["Subject"]]
    assert len(overdue) == 1
    message = overdue[0]
    assert message["To"] == "esra@example.test" and "is verlopen" in message["Subject"]
    body = message.get_content()
    case = decision.item.case
    # No personal data: the reference and a link, not the description or an address.
    assert case.reference in body and case.description not in body and "Dorpsstraat" not in body
    assert ReminderSent.objects.filter(subject_type="actiepunt", kind="actiepunt_te_laat", sent_at__isnull=False).count() == 1


def test_near_and_overdue_are_two_reminders_and_completion_stops_them(cast: Cast, smtp_server) -> None:  # noqa: F811
    item = _overdue_action_item(cast).action_items.get()
    assert reminders_send(item.due_date - timedelta(days=1)) >= 1  # bijna
    services.action_item_complete(actor=cast.esra, item=item)
    before = len(smtp_server.messages)
    reminders_send(item.due_date + timedelta(days=5))
    subjects = [m["Subject"] for m in smtp_server.messages[before:]]
    assert not any("actiepunt" in s for s in subjects)
    assert any("actiepunt" in m["Subject"] and "nadert" in m["Subject"] for m in smtp_server.messages[:before])


def test_feedback_and_first_assessment_reminders_go_to_the_af(cast: Cast, smtp_server) -> None:  # noqa: F811
    decision = _overdue_action_item(cast)
    new = Case.objects.create(
        reference="KZ-2026-999999", municipality=cast.zoeterwoude, channel="intern", description="nieuw",
        first_assessment_due=date(2026, 3, 2),
    )
    far = max(decision.feedback_due, new.first_assessment_due) + timedelta(days=10)
    reminders_send(far)
    to_anouk = [m["Subject"] for m in smtp_server.messages if m["To"] == "anouk@example.test"]
    assert any("terugkoppeling" in s and decision.item.case.reference in s for s in to_anouk)
    assert any("eerste beoordeling" in s and "KZ-2026-999999" in s for s in to_anouk)
    count = len(smtp_server.messages)
    reminders_send(far)
    assert len(smtp_server.messages) == count


def test_a_failed_send_is_retried_on_the_next_run(cast: Cast, smtp_server, settings) -> None:  # noqa: F811
    item = _overdue_action_item(cast).action_items.get()
    good_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = 1  # nothing listens there
    assert reminders_send(item.due_date + timedelta(days=3)) == 0
    assert ReminderSent.objects.filter(sent_at__isnull=True, claimed_at__isnull=True).exists()
    settings.EMAIL_PORT = good_port
    assert reminders_send(item.due_date + timedelta(days=3)) >= 1
    assert any("actiepunt" in m["Subject"] for m in smtp_server.messages)


@pytest.mark.django_db(transaction=True)
def test_database_queue_and_worker_deliver_once(cast: Cast, smtp_server, settings) -> None:  # noqa: F811
    """The production path: the command enqueues on the database queue; db_worker runs it."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    item = _overdue_action_item(cast).action_items.get()
    day = (item.due_date + timedelta(days=3)).isoformat()
    call_command("send_reminders", "--datum", day)
    call_command("send_reminders", "--datum", day)
    # (Creating the case also enqueued the monitor's count refreshes: not counted here.)
    reminder_tasks = DBTaskResult.objects.filter(task_path__endswith="send_reminders_task")
    assert reminder_tasks.count() == 2 and not [m for m in smtp_server.messages if "actiepunt" in m["Subject"]]
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    assert [m["Subject"] for m in smtp_server.messages if "actiepunt" in m["Subject"]].__len__() == 1
    # Everything ran but the case's monitor refresh and telling run, which wait their second to take
    # later changes along (core/coalesce.py); a worker picks them up after that.
    coalesced = ("refresh_counts_task", "tell_new_signals_task")
    waiting = DBTaskResult.objects.exclude(status="SUCCESSFUL")
    assert all(t.task_path.endswith(coalesced) for t in waiting), list(waiting.values("task_path", "status"))
    ran = [t for t in DBTaskResult.objects.all() if not t.task_path.endswith(coalesced)]
    assert ran and {t.status for t in ran} == {"SUCCESSFUL"}
