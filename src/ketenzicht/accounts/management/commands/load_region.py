from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.accounts.loaders import RegionDataError, load_municipalities, load_region


class Command(BaseCommand):
    help = "Laad de gemeenten (CBS 2025) en de gegevens van een regio uit data/regions/SLUG.yaml."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("regio", nargs="+", help="Regio-slug (bijv. den-haag) of pad naar een YAML-bestand")

    def handle(self, *args: object, **options: object) -> None:
        count = load_municipalities()
        self.stdout.write(f"{count} gemeenten geladen.")
        for slug in options["regio"]:  # type: ignore[union-attr]
            try:
                region = load_region(slug)
            except RegionDataError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Regio {region.name} geladen.")
