"""`ketenzicht load_region SLUG [SLUG ...]`: everything of a region, idempotently, or nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.accounts.loaders import RegionDataError, load_municipalities
from ketenzicht.core.regions import load_region_complete


class Command(BaseCommand):
    help = (
        "Laad een regio uit data/regions/SLUG.yaml: gemeenten (CBS 2025), districten, organisaties, "
        "de signalenroutekaart, de overlegtafels en de KPI-doelen. Een fout laadt niets."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("regio", nargs="+", help="Regio-slug (bijv. den-haag) of pad naar een YAML-bestand")

    def handle(self, *args: Any, **options: Any) -> None:
        count = load_municipalities()
        if options["verbosity"] > 0:
            self.stdout.write(f"{count} gemeenten (CBS 2025) bijgewerkt.")
        for slug in options["regio"]:
            try:
                result = load_region_complete(slug)
            except RegionDataError as exc:
                raise CommandError(f"Niets geladen. {exc}") from exc
            if options["verbosity"] > 0:
                region = result.region
                self.stdout.write(
                    f"Regio {region.name} geladen: {region.municipalities.count()} gemeenten, "
                    f"{region.districts.count()} districten, {region.organisations.count()} organisaties; "
                    f"routekaart: {result.routekaart}; soorten overleg: {result.table_kinds}; KPI-doelen: {result.targets}."
                )
