"""Monitor benchmark: regional overview and municipality drill-down on a national data set.

    .venv/bin/python bench/monitor.py                                   # SQLite
    DATABASE_URL=$(bash scripts/ensure-postgres.sh) .venv/bin/python bench/monitor.py   # PostgreSQL

What is generated (in a fresh database of the bench's own, removed afterwards):
* all 342 municipalities 2025, the den-haag region from its data file (districts,
  organisations) and every other police unit as a bare region, so that every municipality
  is in a region and the release is national;
* 1,000,000 record-level partner registrations (`Registration`, n = 1, with their two
  Cell Key Method keys) over 10 years (2016–2025), spread over the five partner sources and
  all municipalities, written with executemany / COPY (not through the import validator),
  then `counts_refresh()` builds the count table from them exactly as after an import;
* own signals as 250,000 signals written directly as pre-aggregated `MonitorCount` rows
  with keys (creating 250,000 `Case` rows is not what this measures);
* then the releases, as the scheduled job makes them (`release.release_make`): the first
  release through December 2025 (every month new), and the next monthly release (January
  2026: months up to MONITOR_RELEASE_FINAL_MONTHS back copied as final, the rest computed
  afresh). Each release first refreshes the partner counts from the 1M registrations, as
  it does in production; only the own-signal refresh is left out (no `Case` rows here).

Measured with Django's test client as a logged-in ketenregisseur of den-haag (27
municipalities), reading the latest release, after one unmeasured request that warms the
process (imports, templates, URL resolver):
* "cold": the first request of a selection after the cache is cleared: reading the
  release's rows, the Cell Key Method's lookups and rendering, over 10 distinct selections;
* "warm": 30 requests of the same selection (figures cached per release);
* "figures": the figures of a cold request alone (rows read, cells perturbed), no rendering;
* the landing page (no filter: the default source over all ten years), cold, five times.
Results are printed and merged into bench/out/monitor.json under the database vendor.
The database is `bench/out/monitor-bench.sqlite3` on SQLite and BENCH_MONITOR_DB (default
`kz_monitor_bench`) on PostgreSQL: never a database of the test suite.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketenzicht.settings.test")
os.environ.setdefault("KETENZICHT_HOME", str(ROOT))

import django  # noqa: E402
import numpy as np  # noqa: E402

from ketenzicht.domain.cellkey import KEY_MODULUS  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

N_REGISTRATIONS = int(os.environ.get("BENCH_MONITOR_REGISTRATIONS", "1000000"))
N_OWN_SIGNALS = int(os.environ.get("BENCH_MONITOR_SIGNALS", "250000"))
YEARS = list(range(2016, 2026))
WARM_REQUESTS = 30


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _stats(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "median_ms": round(statistics.median(values) * 1000, 1), "p95_ms": round(_pct(values, 0.95) * 1000, 1)}


def generate() -> dict[str, float]:
    from ketenzicht.accounts.loaders import load_municipalities, load_region
    from ketenzicht.accounts.models import Municipality
    from ketenzicht.monitor import services
    from ketenzicht.monitor.models import (
        AgeGroup,
        Form,
        Import,
        ImportKind,
        ImportStatus,
        Registration,
        Sector,
        Source,
    )
    from ketenzicht.monitor.sources import ensure_default_sources

    timings: dict[str, float] = {}
    t = time.perf_counter()
    load_municipalities()
    load_region("den-haag")
    national_regions()
    ensure_default_sources()
    timings["load_region_s"] = time.perf_counter() - t

    rng = random.Random(2026)
    municipalities = list(Municipality.objects.values_list("id", flat=True))
    weights = [rng.paretovariate(1.2) for _ in municipalities]  # big cities get more
    partners = list(Source.objects.exclude(slug="eigen-signalen"))
    forms = [str(f) for f in Form.values]
    form_w = [30, 35, 20, 1, 4, 10]
    ages = [str(a) for a in AgeGroup.values]
    age_w = [15, 20, 45, 20]
    sectors = [str(s) for s in Sector.values]
    months = [date(y, m, 1) for y in YEARS for m in range(1, 13)]

    t = time.perf_counter()
    imports = {}
    for source in partners:
        imports[source.pk] = Import.objects.create(
            source=source, kind=ImportKind.REGISTRATIES, status=ImportStatus.GEACCEPTEERD,
            file_name=f"bench-{source.slug}.csv", sha256=f"{source.pk:064d}", row_count=0, uploaded_by_label="bench",
        ).pk
        # Raw executemany: the UUID as the database stores it (hex on SQLite, uuid on PostgreSQL).
        imports[source.pk] = Import._meta.pk.get_db_prep_value(imports[source.pk], connection)
    table = Registration._meta.db_table
    sql = (
        f"INSERT INTO {table} (source_import_id, source_id, record_id, period_month, municipality_id, unit, form, age_group, sector, n, record_key, block_key) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    # Vectorised draws (numpy), then one bulk write: COPY on PostgreSQL, executemany on SQLite.
    gen = np.random.default_rng(2026)
    p_mun = np.array(weights) / sum(weights)
    mun = gen.choice(np.array(municipalities), size=N_REGISTRATIONS, p=p_mun)
    src = np.arange(N_REGISTRATIONS) % len(partners)
    month_ix = gen.integers(0, len(months), size=N_REGISTRATIONS)
    form_ix = gen.choice(len(forms), size=N_REGISTRATIONS, p=np.array(form_w) / sum(form_w))
    age_ix = gen.choice(len(ages), size=N_REGISTRATIONS, p=np.array(age_w) / sum(age_w))
    sector_ix = gen.integers(0, len(sectors), size=N_REGISTRATIONS)
    # The Cell Key Method's keys, as `models.new_key` draws them (uniform on [0, KEY_MODULUS)).
    k1 = gen.integers(0, KEY_MODULUS, size=N_REGISTRATIONS)
    k2 = gen.integers(0, KEY_MODULUS, size=N_REGISTRATIONS)
    rows = (
        (imports[partners[s].pk], partners[s].pk, f"B{i}", months[m], int(g), partners[s].default_unit, forms[f], ages[a], sectors[c], 1, r1, r2)
        for i, (s, m, g, f, a, c, r1, r2) in enumerate(zip(src.tolist(), month_ix.tolist(), mun.tolist(), form_ix.tolist(), age_ix.tolist(), sector_ix.tolist(), k1.tolist(), k2.tolist(), strict=True))
    )
    _write_rows(table, sql, rows)
    timings["insert_registrations_s"] = time.perf_counter() - t

    t = time.perf_counter()
    rows = services.counts_refresh(sources=partners)
    timings["counts_refresh_s"] = time.perf_counter() - t
    timings["count_rows_partners"] = rows

    t = time.perf_counter()
    timings["count_rows_own"] = own_signal_counts(gen, months, municipalities, p_mun, forms, form_w)
    timings["insert_own_signal_counts_s"] = time.perf_counter() - t
    timings |= releases()
    if connection.vendor == "postgresql":
        # What autovacuum does within a minute of a bulk insert: statistics for the planner
        # and the visibility map, without which PostgreSQL cannot read an index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return timings


def national_regions() -> int:
    """Every police unit without a region file becomes a bare region (no districts), so that
    every municipality is in a region and the release covers the whole country."""
    from django.utils.text import slugify

    from ketenzicht.accounts.models import Municipality, Region

    units = sorted(set(Municipality.objects.filter(region__isnull=True).values_list("police_unit", flat=True)))
    for unit in units:
        region = Region.objects.create(slug=f"bench-{slugify(unit)}", name=unit)
        Municipality.objects.filter(region__isnull=True, police_unit=unit).update(region=region)
    return len(units)


def _write_rows(table: str, sql: str, rows: Iterable[tuple]) -> None:
    """One bulk write: COPY on PostgreSQL, executemany in chunks on SQLite."""
    columns = "source_import_id, source_id, record_id, period_month, municipality_id, unit, form, age_group, sector, n, record_key, block_key"
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    with transaction.atomic(), connection.cursor() as cursor:
        chunk: list[tuple] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == 50000:
                cursor.executemany(sql, chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)


def own_signal_counts(gen: np.random.Generator, months: list[date], municipalities: list[int], p_mun: np.ndarray, forms: list[str], form_w: list[int]) -> int:
    """Own signals as pre-aggregated rows (channel × outcome), as counts_refresh would write them."""
    from ketenzicht.monitor.models import MonitorCount, Source

    own = Source.objects.get(slug="eigen-signalen")
    channels = ["intern", "publiek", "partner"]
    outcomes = ["afgesloten", "niet_bevestigd", "interventie", "doorverwezen", "in_behandeling", "ontvangen"]
    draws = np.column_stack([
        gen.integers(0, len(months), size=N_OWN_SIGNALS),
        gen.choice(np.array(municipalities), size=N_OWN_SIGNALS, p=p_mun),
        gen.choice(len(forms), size=N_OWN_SIGNALS, p=np.array(form_w) / sum(form_w)),
        gen.integers(0, 2, size=N_OWN_SIGNALS),
        gen.integers(0, len(channels), size=N_OWN_SIGNALS),
        gen.integers(0, len(outcomes), size=N_OWN_SIGNALS),
    ])
    keys, counts = np.unique(draws, axis=0, return_counts=True)
    objs = [
        MonitorCount(period_month=months[k[0]], municipality_id=int(k[1]), source=own, unit="signaal", form=forms[k[2]],
                     age_group=("minderjarig", "onbekend")[k[3]], sector="onbekend", channel=channels[k[4]], outcome=outcomes[k[5]], n=int(n),
                     key_sum=int(gen.integers(0, KEY_MODULUS)), block_sum=int(gen.integers(0, KEY_MODULUS)))
        for k, n in zip(keys.tolist(), counts.tolist(), strict=True)
    ]
    MonitorCount.objects.bulk_create(objs, batch_size=5000)
    return len(objs)


def releases() -> dict[str, float]:
    """The first release (through December 2025) and the next monthly one (January 2026).

    Each release refreshes the count table first (`services.counts_refresh`), as in
    production: the partner sources are re-aggregated from the 1M registrations. Own signals
    are only in the count table here (no Case rows), so their refresh is left out.
    """
    from ketenzicht.accounts.system import system_actor
    from ketenzicht.monitor import release, services
    from ketenzicht.monitor.models import Source

    partners = list(Source.objects.exclude(slug="eigen-signalen"))
    refresh = services.counts_refresh
    actor = system_actor("monitor-release")
    timings: dict[str, float] = {}
    spent: list[float] = []

    def refresh_partners(**kwargs: object) -> int:
        t = time.perf_counter()
        rows = refresh(sources=partners)
        spent.append(time.perf_counter() - t)
        return rows

    with mock.patch.object(services, "counts_refresh", refresh_partners):
        for name, period, today in (("first", date(2025, 12, 1), date(2026, 1, 1)), ("next", date(2026, 1, 1), date(2026, 2, 1))):
            t = time.perf_counter()
            made = release.release_make(actor=actor, period=period, today=today)
            timings[f"release_{name}_s"] = time.perf_counter() - t
            timings[f"release_{name}_of_which_refresh_s"] = spent[-1]
            timings[f"release_{name}_rows"] = made.rows
    return timings


def measure() -> dict[str, object]:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from ketenzicht.accounts.models import Municipality, Organisation, User, UserRole
    from ketenzicht.monitor import selectors
    from ketenzicht.monitor.forms import FilterForm

    user = User.objects.create_user(username="bench", password="x" * 16, organisation=Organisation.objects.get(slug="districtscoordinatie-leiden-bollenstreek"))
    UserRole.objects.create(user=user, role="ketenregisseur")
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    leiden = Municipality.objects.get(cbs_code="GM0546")
    pages = {"overview": "/monitor/", "municipality": f"/monitor/gemeente/{leiden.pk}/"}
    selections = [{"bron": b, "jaar": str(y)} for b in ("politie", "eigen-signalen") for y in (2021, 2022, 2023, 2024, 2025)]
    # Warm the process, not the figures: the first request of a fresh process imports
    # modules and compiles templates (once per server process, not per selection).
    for url in pages.values():
        assert client.get(url, {"bron": "politie", "jaar": "2020"}).status_code == 200
    result: dict[str, object] = {}
    for name, url in pages.items():
        cold, query = [], []
        for params in selections:
            cache.clear()
            t = time.perf_counter()
            response = client.get(url, params)
            cold.append(time.perf_counter() - t)
            assert response.status_code == 200, response.status_code
            # The figures alone: the release's rows read and every cell perturbed, no rendering.
            form = FilterForm(params, region=user.organisation.region)
            form.is_valid()
            sel = form.selection(user.organisation.region, municipality=leiden if name == "municipality" else None)
            cache.clear()
            t = time.perf_counter()
            selectors.figures(sel, protect=True)
            query.append(time.perf_counter() - t)
        warm = []
        client.get(url, selections[-1])
        for _ in range(WARM_REQUESTS):
            t = time.perf_counter()
            response = client.get(url, selections[-1])
            warm.append(time.perf_counter() - t)
            assert response.status_code == 200
        result[name] = {"cold": _stats(cold), "warm": _stats(warm), "figures_only": _stats(query)}
    # The landing page (no filter: the default source over all ten years), cold five times.
    landing = []
    for _ in range(5):
        cache.clear()
        t = time.perf_counter()
        assert client.get(pages["overview"]).status_code == 200
        landing.append(time.perf_counter() - t)
    result["overview_all_years"] = {"cold": _stats(landing)}
    return result


def main() -> None:
    setup_test_environment()
    OUT.mkdir(parents=True, exist_ok=True)
    # Never a database of the test suite or of another session: the bench has its own.
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(OUT / "monitor-bench.sqlite3")
    else:
        connection.settings_dict.setdefault("TEST", {})["NAME"] = os.environ.get("BENCH_MONITOR_DB", "kz_monitor_bench")
    started = time.perf_counter()
    load_start = os.getloadavg()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        timings = generate()
        pages = measure()
    finally:
        # BENCH_MONITOR_KEEP=1 keeps the generated database (to profile against it).
        if os.environ.get("BENCH_MONITOR_KEEP") != "1":
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
    report = {
        "database": connection.vendor,
        "registrations": N_REGISTRATIONS,
        "own_signals": N_OWN_SIGNALS,
        "municipalities": 342,
        "load_at_start": load_start,
        "load_at_end": os.getloadavg(),
        "years": f"{YEARS[0]}-{YEARS[-1]}",
        "generation": {k: round(v, 1) if isinstance(v, float) else v for k, v in timings.items()},
        "pages": pages,
        "total_s": round(time.perf_counter() - started, 1),
    }
    path = OUT / "monitor.json"
    merged = json.loads(path.read_text()) if path.exists() else {}
    merged[connection.vendor] = report
    path.write_text(json.dumps(merged, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
