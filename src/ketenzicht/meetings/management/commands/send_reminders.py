"""`ketenzicht send_reminders`: queue (or send) the reminder e-mails that are due.

Run it from cron or a systemd timer, e.g. every hour on working days. By default it enqueues a
task for the worker (`ketenzicht db_worker`); `--direct` sends in this process.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.meetings.reminders import reminders_send
from ketenzicht.meetings.tasks import send_reminders_task


class Command(BaseCommand):
    help = "Zet herinneringen voor actiepunten, terugkoppeling en eerste beoordeling in de wachtrij (of verstuur ze direct)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--direct", action="store_true", help="Verstuur in dit proces in plaats van via de takenwachtrij")
        parser.add_argument("--datum", help="Doe alsof het deze datum is (JJJJ-MM-DD), voor tests en inhaalruns")

    def handle(self, *args: Any, **options: Any) -> None:
        today = options.get("datum")
        if today:
            try:
                date.fromisoformat(today)
            except ValueError:
                raise CommandError("Geef --datum als JJJJ-MM-DD, bijvoorbeeld 2026-03-02.") from None
        if options["direct"]:
            sent = reminders_send(date.fromisoformat(today) if today else None)
            self.stdout.write(f"{sent} herinnering(en) verstuurd.")
            return
        result = send_reminders_task.enqueue(today)
        self.stdout.write(f"Herinneringen in de wachtrij gezet (taak {result.id}).")
