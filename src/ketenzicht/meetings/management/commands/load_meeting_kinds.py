"""`ketenzicht load_meeting_kinds REGIO`: read the kinds of table from data/norms/<regio>.yaml."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.domain.deadlines import NormsError
from ketenzicht.meetings.services import meeting_kinds_sync


class Command(BaseCommand):
    help = "Laad de soorten overlegtafels van een regio uit data/norms/<regio>.yaml."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("regio", help="bijvoorbeeld den-haag")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = meeting_kinds_sync(options["regio"])
        except NormsError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"{count} soorten overlegtafels geladen."))
