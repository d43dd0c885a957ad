"""Encoded registrations for the demo region, so the persons page has figures to show.

Invented people (seeded), registered by four partners in 2024 and 2025 with the usual errors,
encoded with the demo key (``data/demo/sleutel-den-haag.key`` — for the demo only; a real
region's key never sits in the product) and imported through the same validated service as a
partner's upload. The linkage runs here and then, not waiting for a task worker.
"""

from __future__ import annotations

import csv
import io
import random

from django.db import transaction

from ketenzicht.accounts.loaders import DATA_DIR
from ketenzicht.accounts.models import Municipality, Region
from ketenzicht.accounts.system import system_actor
from ketenzicht.domain.linkage import EncodingKey
from ketenzicht.domain.linkage import synthetic as S
from ketenzicht.domain.linkage.delivery import encode_file
from ketenzicht.monitor import services
from ketenzicht.monitor.models import Import, Source
from ketenzicht.monitor.sources import ensure_default_sources
from ketenzicht.persons import linkage

DEMO_KEY = DATA_DIR / "demo" / "sleutel-den-haag.key"
CAPTURE = {"politie": 0.35, "zorgcoordinator-shop": 0.3, "nla": 0.2, "comensha": 0.25}
UNITS = {"politie": "melding", "zorgcoordinator-shop": "zorgtraject", "nla": "controle", "comensha": "slachtoffer"}
FORMS = ["seksueel", "arbeid", "arbeid", "crimineel", "onbekend"]


def _file(slug: str, year: int, rows: list[dict[str, str]], codes: list[str], rng: random.Random) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["registratie_id", "datum", "gemeente_code", "eenheid", "vorm", "voornaam", "achternaam", "geboortedatum", "geslacht", "nationaliteit"])
    for r in rows:
        writer.writerow([
            f"{slug.upper()}-{year}-{r['registratie_id'][3:]}", f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            r["gemeente_code"] or rng.choice(codes), UNITS[slug], rng.choice(FORMS),
            r["voornaam"], r["achternaam"], r["geboortedatum"], r["geslacht"], r["nationaliteit"],
        ])  # fmt: skip
    return encode_file(f"demo-{slug}-{year}.csv", out.getvalue().encode("utf-8"), EncodingKey.from_file(DEMO_KEY))


def load_demo_persons(region_slug: str = "den-haag", persons_per_year: int = 700) -> int:
    """Import the demo deliveries once (re-running recognises the files) and link the region."""
    ensure_default_sources()
    region = Region.objects.get(slug=region_slug)
    codes = list(Municipality.objects.filter(region=region).values_list("cbs_code", flat=True))
    rng = random.Random(2027)
    population = S.population(int(persons_per_year * 1.3), seed=2027, municipalities=codes)
    imported = 0
    for offset, year in enumerate((2024, 2025)):
        # Most people of a year are new; some were registered the year before as well.
        start = int(offset * persons_per_year * 0.7)
        rows, _ = S.capture(population[start : start + persons_per_year], CAPTURE, seed=2027 + year)
        for slug, partner_rows in rows.items():
            name = f"demo-{slug}-{year}.csv"
            if Import.objects.filter(file_name=name, status="geaccepteerd").exists():
                continue
            with transaction.atomic():
                services.import_file(actor=system_actor("demo"), source=Source.objects.get(slug=slug), file_name=name, data=_file(slug, year, partner_rows, codes, rng))
            imported += 1
    linkage.ensure_current(region, bootstrap=100)  # the demo: quick, still a real interval
    return imported
