"""`ketenzicht regions [--json]`: the regions in the database, their municipalities and districts."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ketenzicht.core.regions import regions_json


class Command(BaseCommand):
    help = "Toon de geladen regio's met hun gemeenten (CBS-codes) en districten."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help='JSON: [{"slug", "naam", "gemeenten", "districten": [{"naam", "gemeenten"}]}]')

    def handle(self, *args: Any, **options: Any) -> None:
        regions = regions_json()
        if options["json"]:
            self.stdout.write(json.dumps(regions, ensure_ascii=False))
            return
        if not regions:
            self.stdout.write("Geen regio's geladen. Laad er een met: ketenzicht load_region SLUG")
        for region in regions:
            self.stdout.write(f"{region['naam']} ({region['slug']}): {_count(region['gemeenten'])}")
            for district in region["districten"]:
                self.stdout.write(f"  {district['naam']}: {_count(district['gemeenten'])}")


def _count(codes: list[str]) -> str:
    return "1 gemeente" if len(codes) == 1 else f"{len(codes)} gemeenten"
