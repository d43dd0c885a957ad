"""Synthetic partner registrations for the demo region, so the monitor has figures to show.

Generated with a fixed seed (invented data; no real registration), imported through the same
validated import service a partner upload uses, then the count table is refreshed and the
latest closed month is released (as the scheduled job would), so the protected pages show figures.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, timedelta

from ketenzicht.accounts.models import Municipality, Region
from ketenzicht.accounts.system import system_actor
from ketenzicht.monitor import release, services
from ketenzicht.monitor.models import Import, Source
from ketenzicht.monitor.sources import ensure_default_sources

# (source slug, unit, rows, likely forms with weights, likely sectors)
DEMO_SOURCES = [
    ("politie", "melding", 260, {"seksueel": 4, "arbeid": 3, "crimineel": 3}),
    ("zorgcoordinator-shop", "zorgtraject", 180, {"seksueel": 5, "arbeid": 3, "crimineel": 2}),
    ("nla", "controle", 120, {"arbeid": 1}),
]
SECTORS = {"seksueel": ["seksbranche", "horeca"], "arbeid": ["landbouw", "logistiek", "bouw", "schoonmaak", "vleesverwerking"], "crimineel": ["criminaliteit"]}
AGES = ["minderjarig", "18-22", "23+", "23+", "23+"]


def _rows(slug: str, unit: str, count: int, forms: dict[str, int], codes: list[str], rng: random.Random) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["registratie_id", "datum", "gemeente_code", "eenheid", "vorm", "leeftijdsgroep", "sector"])
    start = date(2023, 1, 1)
    for number in range(1, count + 1):
        form = rng.choices(list(forms), weights=list(forms.values()))[0]
        writer.writerow([
            f"{slug.upper()}-DEMO-{number:05d}",
            (start + timedelta(days=rng.randrange(0, 3 * 365))).isoformat(),
            rng.choice(codes),
            unit,
            form,
            rng.choice(AGES),
            rng.choice(SECTORS[form]),
        ])
    return buffer.getvalue().encode("utf-8")


# Larger municipalities weigh more, so hotspots show on the map.
HOTSPOTS = {
    "den-haag": ["GM0518"] * 6 + ["GM0546"] * 4 + ["GM0503"] * 3 + ["GM0553"] * 2,
    "zeeland-west-brabant": ["GM0855"] * 6 + ["GM0758"] * 5 + ["GM0718"] * 3 + ["GM0664"] * 2,
}
# The zorgcoördinator source is SHOP's (eenheid Den Haag); other regions deliver police and NLA.
REGION_SOURCES = {"den-haag": {"politie", "zorgcoordinator-shop", "nla"}}


def load_demo_monitor(region_slug: str = "den-haag") -> int:
    """Import the demo registrations once (re-running recognises the same files) and refresh."""
    ensure_default_sources()
    region = Region.objects.get(slug=region_slug)
    rng = random.Random(2026)
    codes = list(Municipality.objects.filter(region=region).values_list("cbs_code", flat=True))
    weighted = codes + HOTSPOTS.get(region_slug, [])
    sources = REGION_SOURCES.get(region_slug, {"politie", "nla"})
    imported = 0
    actor = system_actor("demo")
    for slug, unit, count, forms in DEMO_SOURCES:
        if slug not in sources:
            continue
        source = Source.objects.get(slug=slug)
        data = _rows(slug, unit, count, forms, weighted, rng)
        # The first demo region kept its file names, so an existing demo is not imported twice.
        name = f"demo-{slug}.csv" if region_slug == "den-haag" else f"demo-{region_slug}-{slug}.csv"
        if not Import.objects.filter(source=source, file_name=name).exists():
            services.import_file(actor=actor, source=source, file_name=name, data=data, region=region)
            imported += 1
    services.counts_refresh()
    release.release_due(actor=system_actor("monitor-release"))
    return imported
