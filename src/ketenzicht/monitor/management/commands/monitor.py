"""`ketenzicht monitor import|rapport|refresh`: the monitor from the command line.

    ketenzicht monitor import FILE --bron SLUG
    ketenzicht monitor rapport --regio SLUG --periode 2025H1 --uit FILE.pdf [--district SLUG]
    ketenzicht monitor refresh
    ketenzicht monitor personen --regio SLUG --jaar JJJJ [--district SLUG] [--json]

Thin: parse arguments, call the same services and report code as the pages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.accounts.models import District, Region
from ketenzicht.accounts.system import system_actor
from ketenzicht.monitor import report, services
from ketenzicht.monitor.models import Source


class Command(BaseCommand):
    help = "Regionale monitor: importeer partnergegevens, maak de halfjaarrapportage (PDF) of ververs de telling."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{import,rapport,refresh,personen}")
        imp = sub.add_parser("import", help="Lees een CSV- of XLSX-bestand van een partner in (alles of niets).")
        imp.add_argument("file", metavar="FILE", type=Path)
        imp.add_argument("--bron", required=True, help="slug van de bron, bijv. politie, nla, comensha")
        rap = sub.add_parser("rapport", help="Schrijf de halfjaarrapportage van een regio als PDF.")
        rap.add_argument("--regio", required=True, help="slug van de regio, bijv. den-haag")
        rap.add_argument("--periode", required=True, help="bijv. 2025H1, 2025H2, 2025K3 of 2025")
        rap.add_argument("--uit", required=True, type=Path, help="pad van het PDF-bestand")
        rap.add_argument("--district", default="", help="optioneel: slug van een district")
        sub.add_parser("refresh", help="Bouw de telling opnieuw op (eigen signalen en alle imports).")
        per = sub.add_parser("personen", help="Unieke personen en de geschatte omvang van een regio in een jaar.")
        per.add_argument("--regio", required=True, help="slug van de regio, bijv. den-haag")
        per.add_argument("--jaar", required=True, type=int, help="jaartal, bijv. 2025")
        per.add_argument("--district", default="", help="optioneel: slug van een district")
        per.add_argument("--json", action="store_true", help="antwoord als JSON (zoals GET /api/v1/monitor/personen)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["subcommand"]
        if action == "import":
            self._import(options["file"], options["bron"])
        elif action == "personen":
            from ketenzicht.persons.commands import persons_command

            self.stdout.write(persons_command(options["regio"], options["jaar"], options["district"], as_json=options["json"], err=self.stderr))
        elif action == "rapport":
            self._report(options["regio"], options["periode"], options["uit"], options["district"])
        else:
            rows = services.counts_refresh()
            self.stdout.write(f"Telling ververst: {rows} rijen.")

    def _import(self, path: Path, slug: str) -> None:
        source = Source.objects.filter(slug=slug).first()
        if source is None:
            known = ", ".join(Source.objects.values_list("slug", flat=True))
            raise CommandError(f"Onbekende bron '{slug}'. Bekend: {known}.")
        if not path.is_file():
            raise CommandError(f"Bestand {path} bestaat niet.")
        try:
            result = services.import_file(actor=system_actor("monitor-import"), source=source, file_name=path.name, data=path.read_bytes())
        except services.MonitorError as exc:
            raise CommandError(str(exc)) from exc
        record = result.record
        if result.already_imported:
            self.stdout.write(f"Al geïmporteerd op {record.uploaded_at:%Y-%m-%d %H:%M} (import {record.pk}); niets dubbel geteld.")
            return
        if not result.accepted:
            for error in record.errors:
                column = f", kolom {error['kolom']}" if error["kolom"] else ""
                self.stderr.write(f"{path.name}: rij {error['rij']}{column}: {error['fout']}")
            raise CommandError(f"Import afgewezen: {len(record.errors)} fout(en); er is niets ingelezen.")
        self.stdout.write(f"Import geaccepteerd: {record.row_count} regels ({record.get_kind_display()}), import {record.pk}.")

    def _report(self, slug: str, period: str, out: Path, district_slug: str) -> None:
        region = Region.objects.filter(slug=slug).first()
        if region is None:
            raise CommandError(f"Onbekende regio '{slug}'. Laad die eerst met `ketenzicht load_region {slug}`.")
        district = None
        if district_slug:
            district = District.objects.filter(slug=district_slug, region=region).first()
            if district is None:
                raise CommandError(f"District '{district_slug}' hoort niet bij regio '{slug}'.")
        try:
            year, part = report.parse_period(period)
        except report.ReportError as exc:
            raise CommandError(str(exc)) from exc
        pdf = report.render_pdf(region=region, year=year, part=part, district=district)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(pdf)
        self.stdout.write(f"Rapportage geschreven: {out} ({len(pdf) // 1024} kB).")
