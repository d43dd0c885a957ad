"""`ketenzicht purge`: remove what is past its retention term (daily, from cron or a timer).

Runs as the system actor `systeem (purge)`. `--dry-run` lists what would go and why. Exits 1
when a record could not be removed (the rest is removed all the same; rerun after fixing).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ketenzicht.accounts.system import system_actor
from ketenzicht.retention import services


class Command(BaseCommand):
    help = "Verwijder wat de bewaartermijn voorbij is (zie docs/retention.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Toon wat zou worden verwijderd en waarom, zonder iets te verwijderen")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = system_actor("purge")
        report = services.purge(actor=actor, now=timezone.now(), dry_run=options["dry_run"])
        verb = "zou worden verwijderd" if options["dry_run"] else "verwijderd"
        for candidate in report.removed:
            self.stdout.write(f"{verb}: {candidate.kind} {candidate.reference} — {candidate.rule.name} ({candidate.rule.basis})")
        if options["dry_run"]:
            self.stdout.write(f"Proefrun: {len(report.removed)} gegevens zouden worden verwijderd; niets is verwijderd.")
            return
        self.stdout.write(f"{len(report.removed)} gegevens verwijderd, {report.audit_entries} auditregels achter een tombstone, {report.files} achtergebleven bestanden opgeruimd.")
        for candidate, error in report.failed:
            self.stderr.write(f"NIET verwijderd: {candidate.kind} {candidate.reference} — {error}")
        if report.failed:
            raise CommandError(f"{len(report.failed)} gegevens konden niet worden verwijderd; de rest wel. Herstel en draai opnieuw.", returncode=1)
