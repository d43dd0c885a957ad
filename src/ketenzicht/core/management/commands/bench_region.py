"""`ketenzicht bench_region`: fill a database with a large region, for benchmarks only."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ketenzicht.core import benchdata


class Command(BaseCommand):
    help = (
        "BENCHMARK DATA ONLY: fills an empty database with a large region (default 100,000 cases over "
        "ten years with subjects, histories, referrals, agenda items and small attachments; "
        "10,000,000 audit entries; 1,000,000 monitor registrations). Written by bulk paths that skip "
        "the services (no policy, no notifications); refused under the production settings and on a "
        "database with real signals. Smaller scale for a quick run: --cases 10000 --audit 1000000 "
        "--registrations 100000. Used by bench/region.py (make bench)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        defaults = benchdata.Scale()
        parser.add_argument("--region", default="den-haag", help="region data file to load (default den-haag)")
        parser.add_argument("--cases", type=int, default=defaults.cases)
        parser.add_argument("--audit", type=int, default=defaults.audit, help="audit entries")
        parser.add_argument("--registrations", type=int, default=defaults.registrations, help="monitor registrations")
        parser.add_argument("--years", type=int, default=defaults.years)
        parser.add_argument("--seed", type=int, default=defaults.seed)

    def handle(self, *args: Any, **options: Any) -> None:
        reason = benchdata.refuse_reason()
        if reason:
            raise CommandError(reason)
        scale = benchdata.Scale(cases=options["cases"], audit=options["audit"], registrations=options["registrations"], years=options["years"], seed=options["seed"])
        report = benchdata.generate(options["region"], scale)
        self.stdout.write(json.dumps({"counts": report.counts, "seconds": report.timings}, indent=2))
