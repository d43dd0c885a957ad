"""``ketenzicht link``: link partner registrations into persons (plain or encoded)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.domain.linkage import (
    LinkageInputError,
    cluster_sizes,
    link_encoded,
    link_records,
    n_persons,
    overlap_table,
    read_encoded,
    read_registrations,
    write_clusters_csv,
    write_overlap_csv,
)


class Command(BaseCommand):
    help = (
        "Link registrations of several partners into persons. "
        "Plain: link FILE... --out clusters.csv (columns bron,registratie_id,voornaam,"
        "achternaam,geboortedatum,geslacht,nationaliteit,gemeente_code; dates YYYY-MM-DD "
        "or DD-MM-YYYY). Privacy-preserving: link --encoded ENCODED... --out clusters.csv."
    )
    # Works on files only; no database needed, like `encode`.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="partner CSV files (plain mode)")
        parser.add_argument(
            "--encoded", nargs="+", metavar="ENCODED", help="encoded CSV files (from `encode`)"
        )
        parser.add_argument(
            "--out", required=True, help="output CSV bron,registratie_id,persoon_id"
        )
        parser.add_argument(
            "--overlap", help="also write capture histories (0/1 per source + count) for MSE"
        )
        parser.add_argument(
            "--threshold",
            type=float,
            help=(
                "match probability (plain, default 0.5) or Dice similarity between two partners' "
                "encodings (encoded, default 0.82; one partner's own records need at least 0.90)"
            ),
        )
        parser.add_argument(
            "--spark",
            metavar="MASTER",
            help="plain mode: score the pairs on Spark (e.g. local[2] or spark://host:7077); "
            "the model is trained on a sample with DuckDB first. Needs pyspark and Java 17",
        )
        parser.add_argument(
            "--all-links",
            action="store_true",
            help="plain connected components, without the mutual-best-link filter",
        )

    def handle(self, *args: object, **options: object) -> None:
        files = list(options["files"] or [])  # type: ignore[call-overload]
        encoded = list(options["encoded"] or [])  # type: ignore[call-overload]
        if bool(files) == bool(encoded):
            raise CommandError("give either partner CSV files or --encoded files, not both")
        kw: dict[str, object] = {"best_links": not options["all_links"]}
        if options["threshold"] is not None:
            kw["threshold"] = options["threshold"]
        if options.get("spark") and not files:
            raise CommandError("--spark scores plain registrations; encoded files are linked without it")
        session = None
        if options.get("spark"):
            from ketenzicht.domain.linkage.spark import spark_session

            session = spark_session(str(options["spark"]))
            kw["spark"] = session
        start = time.perf_counter()
        try:
            if files:
                clusters = link_records(read_registrations(files), **kw)  # type: ignore[arg-type]
            else:
                clusters = link_encoded(read_encoded(encoded), **kw)  # type: ignore[arg-type]
        except LinkageInputError as exc:
            raise CommandError(str(exc)) from exc
        finally:
            if session is not None:
                session.stop()
        n = write_clusters_csv(clusters, str(options["out"]))
        if options["overlap"]:
            write_overlap_csv(overlap_table(clusters), str(options["overlap"]))
        self.stdout.write(
            f"{n} registrations -> {n_persons(clusters)} persons "
            f"(cluster sizes {cluster_sizes(clusters)}) in {time.perf_counter() - start:.1f} s; "
            f"written to {options['out']}"
        )
