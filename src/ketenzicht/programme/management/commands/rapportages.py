"""`ketenzicht rapportages`: the half-yearly (and in January the yearly) reports to the board.

Run it from cron or a systemd timer early in January and July, e.g. `0 6 2 1,7 *`. For every
area with a running action programme it makes the report of the half-year that just ended (in
January also the year); reports that already exist are skipped, so a second run is harmless.
By default it enqueues a task for the worker (`ketenzicht db_worker`); `--direct` works here.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.domain.programme import ProgrammeInputError, ReportPeriod
from ketenzicht.programme.services import board_reports_scheduled
from ketenzicht.programme.tasks import board_reports_task


class Command(BaseCommand):
    help = "Maak de voortgangsrapportages voor het bestuur (halfjaar; in januari ook het jaar)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--periode", help="Alleen deze periode, bijvoorbeeld 2026H1, 2026H2 of 2026")
        parser.add_argument("--datum", help="Doe alsof het deze datum is (JJJJ-MM-DD), voor inhaalruns")
        parser.add_argument("--direct", action="store_true", help="Maak ze in dit proces in plaats van via de takenwachtrij")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = ReportPeriod.parse(options["periode"]) if options.get("periode") else None
            today = date.fromisoformat(options["datum"]) if options.get("datum") else None
        except ProgrammeInputError as exc:
            raise CommandError(str(exc)) from None
        except ValueError:
            raise CommandError("Geef --datum als JJJJ-MM-DD, bijvoorbeeld 2026-07-02.") from None
        if options["direct"]:
            made = board_reports_scheduled(today, period)
            for row in made:
                self.stdout.write(f"{row.area_name} {row.period}: {row.pages} pagina('s)")
            self.stdout.write(f"{len(made)} rapportage(s) gemaakt.")
            return
        result = board_reports_task.enqueue(today.isoformat() if today else None, period.code if period else None)
        self.stdout.write(f"Rapportages in de wachtrij gezet (taak {result.id}).")
