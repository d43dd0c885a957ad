"""`ketenzicht audit verify` checks the whole hash chain; `ketenzicht audit seal` seals pending entries.

`verify` exits 0 when every tombstone and every entry holds, and 1 naming the first broken entry
otherwise (also when the append-only triggers are missing). Run it daily and after a restore.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from ketenzicht.audit import chain, guard


class Command(BaseCommand):
    help = "Controleer de hashketen van het audittrail (verify) of verzegel openstaande regels (seal)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"{chain.seal_pending(wait=True)} auditregels verzegeld.")
            return
        verdict = chain.verify()
        missing = guard.expected_triggers(connection) - guard.installed(connection)
        if verdict.broken is not None:
            raise CommandError(f"Audittrail NIET in orde: eerste breuk bij {verdict.broken.describe()}. {verdict.checked} regels daarvoor zijn in orde.", returncode=1)
        if missing:
            raise CommandError(f"Audittrail NIET beschermd: de triggers {', '.join(sorted(missing))} ontbreken of staan uit.", returncode=1)
        self.stdout.write(f"Audittrail in orde: {verdict.checked} regels, keten ononderbroken.")
        if verdict.unsealed:
            self.stdout.write(f"{verdict.unsealed} regels zijn zojuist geschreven en nog niet verzegeld.")
