"""`ketenzicht monitor import|rapport|refresh|release|ptabel|personen`: the monitor from the command line.

    ketenzicht monitor import FILE --bron SLUG [--regio SLUG]
    ketenzicht monitor rapport --regio SLUG --periode 2025H1 --uit FILE.pdf [--district SLUG]
    ketenzicht monitor refresh
    ketenzicht monitor personen --regio SLUG --jaar JJJJ [--district SLUG] [--json] [--later-opnieuw]
    ketenzicht monitor release [--periode JJJJ-MM] [--direct] [--datum JJJJ-MM-DD]
    ketenzicht monitor ptabel [--drempel T --afwijking D --variantie V]

Thin: parse arguments, call the same services and report code as the pages. Imports run as the
system actor (`system_actor("monitor-import")`) for the region named, or else the one region the
file's rows lie in.
`release` without --periode is the scheduled run (cron, daily): it enqueues a task that
releases the latest closed month when that has not been released yet.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ketenzicht.accounts.models import District, Region
from ketenzicht.accounts.system import system_actor
from ketenzicht.domain.cellkey import PTableError, PTableParams, build_ptable
from ketenzicht.monitor import protected, release, report, services
from ketenzicht.monitor.models import Source
from ketenzicht.monitor.tasks import release_task


class Command(BaseCommand):
    help = "Regionale monitor: importeer partnergegevens, maak de halfjaarrapportage (PDF) of ververs de telling."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True, metavar="{import,rapport,refresh,release,ptabel,personen}")
        imp = sub.add_parser("import", help="Lees een CSV- of XLSX-bestand van een partner in (alles of niets).")
        imp.add_argument("file", metavar="FILE", type=Path)
        imp.add_argument("--bron", required=True, help="slug van de bron, bijv. politie, nla, comensha")
        imp.add_argument("--regio", default="", help="slug van de regio (standaard: de regio waarin de gemeenten van het bestand liggen)")
        rap = sub.add_parser("rapport", help="Schrijf de halfjaarrapportage van een regio als PDF.")
        rap.add_argument("--regio", required=True, help="slug van de regio, bijv. den-haag")
        rap.add_argument("--periode", required=True, help="bijv. 2025H1, 2025H2, 2025K3 of 2025")
        rap.add_argument("--uit", required=True, type=Path, help="pad van het PDF-bestand")
        rap.add_argument("--district", default="", help="optioneel: slug van een district")
        sub.add_parser("refresh", help="Bouw de telling opnieuw op (eigen signalen en alle imports).")
        rel = sub.add_parser("release", help="Geef de afgeschermde cijfers tot en met een afgesloten maand vrij.")
        rel.add_argument("--periode", default="", help="maand als JJJJ-MM; zonder: de laatste afgesloten maand als die nog niet is vrijgegeven")
        rel.add_argument("--direct", action="store_true", help="in dit proces in plaats van via de takenwachtrij")
        rel.add_argument("--datum", default="", help="doe alsof het deze datum is (JJJJ-MM-DD), voor inhaalruns en tests")
        pt = sub.add_parser("ptabel", help="Toon de perturbatietabel (p-tabel) en haar eigenschappen.")
        pt.add_argument("--drempel", type=int, default=None)
        pt.add_argument("--afwijking", type=int, default=None, help="maximale afwijking D")
        pt.add_argument("--variantie", type=float, default=None)
        per = sub.add_parser("personen", help="Unieke personen en de geschatte omvang van een regio in een jaar.")
        per.add_argument("--regio", required=True, help="slug van de regio, bijv. den-haag")
        per.add_argument("--jaar", required=True, type=int, help="jaartal, bijv. 2025")
        per.add_argument("--district", default="", help="optioneel: slug van een district")
        per.add_argument("--json", action="store_true", help="antwoord als JSON (zoals GET /api/v1/monitor/personen)")
        per.add_argument("--later-opnieuw", action="store_true", help="voeg laterOpnieuw toe: personen die in een later jaar opnieuw zijn geregistreerd")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["subcommand"]
        if action == "import":
            self._import(options["file"], options["bron"], options["regio"])
        elif action == "personen":
            from ketenzicht.persons.commands import persons_command

            self.stdout.write(persons_command(
                    options["regio"], options["jaar"], options["district"], as_json=options["json"], later=options["later_opnieuw"], err=self.stderr
                ))
        elif action == "rapport":
            self._report(options["regio"], options["periode"], options["uit"], options["district"])
        elif action == "release":
            self._release(options["periode"], options["direct"], options["datum"])
        elif action == "ptabel":
            self._ptable(options["drempel"], options["afwijking"], options["variantie"])
        else:
            rows = services.counts_refresh()
            self.stdout.write(f"Telling ververst: {rows} rijen.")

    def _release(self, period_text: str, direct: bool, today_text: str) -> None:
        try:
            today = date.fromisoformat(today_text) if today_text else timezone.localdate()
        except ValueError:
            raise CommandError("Geef --datum als JJJJ-MM-DD, bijvoorbeeld 2026-12-01.") from None
        try:
            period = release.parse_month(period_text) if period_text else None
            if period is not None and release.closed_from(period) > today:
                raise release.ReleaseError(
                    f"De maand {protected.month_label(period)} is nog niet afgesloten; "
                    f"de cijfers ervan kunnen vanaf {release.closed_from(period):%d-%m-%Y} worden vrijgegeven."
                )
            if not direct:
                result = release_task.enqueue(f"{period:%Y-%m}" if period else None, today.isoformat())
                self.stdout.write(f"Release in de wachtrij gezet (taak {result.id}).")
                return
            actor = system_actor("monitor-release")
            if period is None:
                self.stdout.write(release.release_due(actor=actor, today=today).message)
                return
            made = release.release_make(actor=actor, period=period, today=today)
        except release.ReleaseError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Release gemaakt: cijfers tot en met {made.period:%Y-%m} ({made.rows} rijen).")

    def _ptable(self, threshold: int | None, deviation: int | None, variance: float | None) -> None:
        current = protected.ptable_params()
        params = PTableParams(
            threshold if threshold is not None else current.threshold,
            deviation if deviation is not None else current.max_deviation,
            variance if variance is not None else current.variance,
        )
        try:
            table = build_ptable(params)
        except PTableError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"p-tabel: drempel {params.threshold}, maximale afwijking {params.max_deviation}, variantie {params.variance:g}")
        self.stdout.write("n\tgemiddelde afwijking\tvariantie\tkans onveranderd\tgepubliceerd als (kans)")
        for row in table.rows:
            shown = ", ".join(f"{v}: {p:.4f}" for v, p in zip(row.values(), row.probabilities, strict=True) if p >= 0.0001)
            label = f"{row.n}+" if row.n == len(table.rows) - 1 else str(row.n)
            self.stdout.write(f"{label}\t{row.mean:+.6f}\t{row.variance:.3f}\t{row.p_unchanged:.3f}\t{shown}")

    def _import(self, path: Path, slug: str, region_slug: str) -> None:
        source = Source.objects.filter(slug=slug).first()
        if source is None:
            known = ", ".join(Source.objects.values_list("slug", flat=True))
            raise CommandError(f"Onbekende bron '{slug}'. Bekend: {known}.")
        region = None
        if region_slug:
            region = Region.objects.filter(slug=region_slug).first()
            if region is None:
                raise CommandError(f"Onbekende regio '{region_slug}'. Laad die eerst met `ketenzicht load_region {region_slug}`.")
        if not path.is_file():
            raise CommandError(f"Bestand {path} bestaat niet.")
        try:
            result = services.import_file(
                actor=system_actor("monitor-import"), source=source, file_name=path.name, data=path.read_bytes(), region=region
            )
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
