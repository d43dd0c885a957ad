"""ketenzicht load_routekaart [SLUG ...]: validate region maps and make them the active version."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.domain import routekaart
from ketenzicht.routing import services


class Command(BaseCommand):
    help = "Lees de signalenroutekaart van een of meer regio's in (standaard: alle meegeleverde kaarten)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", metavar="SLUG", help="Regio, bv. den-haag")
        parser.add_argument("--dir", default=None, help="Map met de YAML-bestanden (standaard: meegeleverd)")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = options["slugs"] or routekaart.available_regions(options["dir"])
        failures = []
        for slug in slugs:
            try:
                version, created = services.routekaart_load(slug=slug, data_dir=options["dir"])
            except (routekaart.RoutekaartError, routekaart.RoutekaartInputError) as exc:
                # One bad map must not stop the others; the exit status reports it.
                failures.append(f"{slug}: afgewezen: {exc}")
                self.stderr.write(f"{slug}: afgewezen: {exc}")
                continue
            state = "nieuwe versie actief" if created else "ongewijzigd"
            if options["verbosity"] > 0:
                self.stdout.write(f"{slug}: versie {version.versie} ({state}, {version.sha256[:12]})")
        if failures:
            raise CommandError("Niet ingelezen: " + " | ".join(failures))
