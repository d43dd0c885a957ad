"""Remove personal data past its retention period (run daily, e.g. from cron or a timer)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from ketenzicht.accounts.system import system_actor
from ketenzicht.cases.services import cases_expired, cases_purge_expired


class Command(BaseCommand):
    help = "Verwijder afgesloten signalen waarvan de bewaartermijn is verstreken."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Toon alleen hoeveel er zou worden verwijderd")

    def handle(self, *args: object, **options: object) -> None:
        terms = {
            "now": timezone.now(),
            "closed_days": settings.RETENTION_DAYS_CLOSED_CASE,
            "unconfirmed_days": settings.RETENTION_DAYS_UNCONFIRMED_CASE,
        }
        if options["dry_run"]:
            count = cases_expired(**terms).count()
            self.stdout.write(f"{count} signalen zouden worden verwijderd (proefrun).")
            return
        purged = cases_purge_expired(actor=system_actor("purge"), **terms)  # the job, named in the audit trail
        self.stdout.write(f"{len(purged)} signalen verwijderd na afloop van de bewaartermijn.")
