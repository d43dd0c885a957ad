"""``ketenzicht encode``: a partner encodes its registrations locally (no database needed)."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.domain.linkage import EncodingKey, LinkageInputError
from ketenzicht.domain.linkage.delivery import encode_file


class Command(BaseCommand):
    help = (
        "Codeer de identiteitskolommen (voornaam, achternaam, geboortedatum, geslacht, "
        "nationaliteit) van een registratiebestand met de gedeelde sleutel. Een monitorbestand "
        "(docs/import-formats.md) houdt alle andere kolommen ongewijzigd; een koppelbestand "
        "(docs/linkage.md) wordt bron,registratie_id,sleutel_id,schema,clk."
    )
    # A partner runs this on its own machine: no system checks, no database, no models.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV met namen (monitor-registratiebestand of koppelbestand)")
        parser.add_argument("--key", required=True, help="bestand met de gedeelde geheime sleutel")
        parser.add_argument("--out", required=True, help="gecodeerd CSV-bestand om aan te leveren")

    def handle(self, *args: object, **options: object) -> None:
        start = time.perf_counter()
        source = Path(str(options["file"]))
        try:
            key = EncodingKey.from_file(str(options["key"]))
            try:
                data = source.read_bytes()
            except OSError as exc:
                raise LinkageInputError(f"kan niet worden geopend: {exc.strerror}", file=str(source)) from exc
            encoded = encode_file(str(source), data, key)
        except LinkageInputError as exc:
            raise CommandError(str(exc)) from exc
        Path(str(options["out"])).write_bytes(encoded)
        rows = encoded.count(b"\n") - 1
        self.stdout.write(
            f"{rows} registraties gecodeerd (sleutel {key.fingerprint}) "
            f"in {time.perf_counter() - start:.1f} s; geschreven naar {options['out']}"
        )
