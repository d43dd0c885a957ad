"""`ketenzicht check_files`: rows without files and files without rows; exit 1 if any."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ketenzicht.retention import files


class Command(BaseCommand):
    help = "Controleer dat elk bestand een rij heeft en elke rij een bestand."

    def handle(self, *args: Any, **options: Any) -> None:
        result = files.check()
        if result.moves_completed:
            self.stdout.write(f"{result.moves_completed} vastgelegde uploads alsnog op hun plaats gezet.")
        for label in result.rows_without_file:
            self.stdout.write(f"Rij zonder bestand: {label}")
        for name in result.files_without_row:
            self.stdout.write(f"Bestand zonder rij: {name}")
        if result.staged:
            self.stdout.write(f"{result.staged} bestanden in de wachtruimte (niet vastgelegde uploads; na een dag opgeruimd).")
        if not result.clean:
            raise CommandError(f"{len(result.rows_without_file)} rijen zonder bestand, {len(result.files_without_row)} bestanden zonder rij.", returncode=1)
        self.stdout.write("Bestanden in orde: elke rij heeft haar bestand, elk bestand zijn rij.")
