"""`ketenzicht load_norms [SLUG ...]`: read the norms files of the given (or all shipped) regions."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.domain.deadlines import NormsError, default_norms_path
from ketenzicht.norms.services import norms_load


class Command(BaseCommand):
    help = "Lees de normen (termijnen, kalender, tafels, standaardbronnen) van regio's in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = options["slugs"] or sorted(p.stem for p in default_norms_path("x").parent.glob("*.yaml"))
        failed = False
        for slug in slugs:
            try:
                norms = norms_load(slug)
            except NormsError as exc:
                self.stderr.write(str(exc))
                failed = True
                continue
            self.stdout.write(f"{slug}: eerste beoordeling {norms.first_assessment_days} werkdagen, {len(norms.tables)} tafels")
        if failed:
            raise CommandError("Niet alle normen zijn ingelezen.")
