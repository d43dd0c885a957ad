"""``ketenzicht encode``: a partner encodes its registrations locally (no database needed)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.domain.linkage import (
    EncodingKey,
    LinkageInputError,
    read_registrations,
    write_encoded_csv,
)


class Command(BaseCommand):
    help = (
        "Encode a partner CSV into hardened Bloom-filter encodings with the shared secret key. "
        "Only bron, registratie_id, a key fingerprint and the encoding are written."
    )
    # A partner runs this on its own machine: no system checks, no database, no models.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="partner CSV (same columns as for `link`)")
        parser.add_argument("--key", required=True, help="file holding the shared secret key")
        parser.add_argument("--out", required=True, help="encoded CSV to upload")

    def handle(self, *args: object, **options: object) -> None:
        start = time.perf_counter()
        try:
            key = EncodingKey.from_file(str(options["key"]))
            n = write_encoded_csv(
                read_registrations([str(options["file"])]), key, str(options["out"])
            )
        except LinkageInputError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"{n} registrations encoded (key {key.fingerprint}) "
            f"in {time.perf_counter() - start:.1f} s; written to {options['out']}"
        )
