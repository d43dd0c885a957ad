"""`ketenzicht load_themes [FILE …]`: (re)load organisation themes; all files or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.themes.loader import ThemeError, load_themes


class Command(BaseCommand):
    help = "Laad de thema's van organisaties uit data/themes (of de genoemde bestanden)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="Themabestanden (YAML); zonder: alle meegeleverde thema's")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(f) for f in options["files"]] or None
        try:
            themes = load_themes(paths)
        except ThemeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{len(themes)} thema('s) geladen: {', '.join(t.name for t in themes)}")
