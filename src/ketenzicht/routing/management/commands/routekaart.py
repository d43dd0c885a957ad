"""ketenzicht routekaart advies --regio SLUG --antwoorden JSON: the advice as JSON on stdout."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.routing.advice import AdviceRequestError, advice_json


class Command(BaseCommand):
    help = "Vraag de signalenroutekaart om advies (JSON uit)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        advies = sub.add_parser("advies", help="Advies voor een regio en antwoorden")
        advies.add_argument("--regio", required=True, help="Slug van de politie-eenheid, bv. den-haag")
        advies.add_argument("--antwoorden", required=True, help='JSON-object, bv. \'{"route": "locatie", ...}\'')

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            answers = json.loads(options["antwoorden"])
        except json.JSONDecodeError as exc:
            raise CommandError(f"--antwoorden is geen geldige JSON: {exc}") from exc
        try:
            body = advice_json(options["regio"], answers)
        except AdviceRequestError as exc:
            raise CommandError(f"{exc.field}: {exc.message}") from exc
        self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
