"""`ketenzicht audit verify` checks the whole hash chain; `ketenzicht audit seal` seals pending entries;
`ketenzicht audit grants ROLE` prints the SQL that gives the application's PostgreSQL role its rights
(everything it needs, and on the audit tables no UPDATE but the chain columns, no DELETE, no
TRUNCATE; docs/operations.md).

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
        parser.add_argument("action", choices=["verify", "seal", "grants"])
        parser.add_argument("role", nargs="?", help="grants: de PostgreSQL-rol van de applicatie")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "grants":
            if not options["role"]:
                raise CommandError("Noem de rol: ketenzicht audit grants ROL")
            self.stdout.write(guard.grants_sql(options["role"]))
            return
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
