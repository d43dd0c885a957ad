"""`ketenzicht mse FILE.csv --method stepwise|bic|main`: population estimate as JSON.

Thin on purpose: parse arguments, call ketenzicht.domain.mse, print JSON.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.domain import mse


class Command(BaseCommand):
    help = (
        "Schat met multiple systems estimation (capture-recapture) de totale populatie, "
        "inclusief wie op geen enkele lijst staat. Invoer: CSV met een 0/1-kolom per lijst "
        "en als laatste kolom 'count'. Uitvoer: JSON."
    )
    # Pure computation on a file: must run without a database or system checks.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE.csv", type=Path)
        parser.add_argument("--method", choices=mse.METHODS, default="stepwise")
        parser.add_argument(
            "--bootstrap",
            type=int,
            default=0,
            metavar="N",
            help="aantal bootstrap-herhalingen voor het 95%%-BCa-interval (0 = geen interval)",
        )
        parser.add_argument("--seed", type=int, default=None, metavar="S")

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        bootstrap = options["bootstrap"]
        if not isinstance(bootstrap, int) or bootstrap < 0:
            raise CommandError("--bootstrap moet 0 of groter zijn")
        try:
            table = mse.read_capture_csv(path)
            result = mse.estimate(
                table, str(options["method"]), bootstrap=bootstrap, seed=options["seed"]
            )
        except mse.MseInputError as exc:
            raise CommandError(str(exc)) from exc
        except mse.NotIdentifiable as exc:
            raise CommandError(f"{path}: {exc.reason}") from exc
        self.stdout.write(json.dumps(result.to_json(), ensure_ascii=False))
