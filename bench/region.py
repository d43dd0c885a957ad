"""Page budgets at the scale of a large region (issue 19, item 2).

    .venv/bin/python bench/region.py                                    # SQLite
    DATABASE_URL=$(bash scripts/ensure-postgres.sh) .venv/bin/python bench/region.py   # PostgreSQL

A fresh test database (removed afterwards) is filled by `ketenzicht bench_region`'s generator
(core/benchdata.py): by default 100,000 cases over ten years with subjects, histories,
referrals, agenda items and small attachments, 10,000,000 audit entries and 1,000,000 monitor
registrations. Smaller scales through the environment (BENCH_REGION_CASES, BENCH_REGION_AUDIT,
BENCH_REGION_REGISTRATIONS); the figures record the scale they were measured at.

Measured with Django's test client (the whole request: middleware, policy, queries, template),
each page REPEAT times, as the person who works with it: the AF of the busiest municipality
(work queue: first page, a filter, a search; a case page), a partner's professional (inbox), the privacy
officer (audit search by reference, by user, by a month's date range) and the coordinator
(monitor overview, cold after clearing the cache and warm). p50/p95 in ms and the number of
queries per request; budgets p95 < 300 ms (audit search < 500 ms). Results are merged into
bench/out/region.json under the database vendor and written to docs/benchmarks.md.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketenzicht.settings.test")
os.environ.setdefault("KETENZICHT_HOME", str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

REPEAT = int(os.environ.get("BENCH_REGION_REPEAT", "15"))
BUDGET_MS = 300.0
AUDIT_BUDGET_MS = 500.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _client(user: object) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="default", defaults={"confirmed": True})
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _measure(client: Client, url: str, params: dict[str, str] | None = None, *, cold: bool = False, budget: float = BUDGET_MS) -> dict[str, object]:
    times, queries = [], []
    client.get(url, params or {})  # the first request of a kind loads templates: not a page's cost
    for _ in range(REPEAT):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params or {})
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(captured))
    p95 = round(_pct(times, 0.95), 1)
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": p95, "queries": max(queries), "budget_ms": budget, "met": p95 < budget}


def measure() -> dict[str, dict[str, object]]:
    from django.db.models import Count

    from ketenzicht.accounts.models import User
    from ketenzicht.audit.models import AuditEvent
    from ketenzicht.cases.models import Case
    from ketenzicht.routing.models import Referral

    busiest = Case.objects.values("municipality_id").annotate(n=Count("id")).order_by("-n").first()["municipality_id"]
    af = User.objects.filter(username__startswith="bench.af.", organisation__municipality_id=busiest).get()
    case = Case.objects.filter(municipality_id=busiest, referrals__isnull=False).order_by("-created_at").first()
    partner_org = Referral.objects.values("organisation_id").annotate(n=Count("id")).order_by("-n").first()["organisation_id"]
    partner = User.objects.filter(username__startswith="bench.partner.", organisation_id=partner_org).first()
    privacy = User.objects.get(username="bench.privacy")
    # A privacy officer sees the trail of their own scope (a municipality's officer: that
    # municipality): the busiest municipality's officer searches its AF, signals and dates.
    privacy.organisation = af.organisation
    privacy.save(update_fields=["organisation"])
    coordinator = User.objects.get(username="bench.regie")
    month_end = AuditEvent.objects.order_by("-at").values_list("at", flat=True).first().date()
    month_start = month_end - timedelta(days=30)

    af_client, pages = _client(af), {}
    pages["work queue, first page"] = _measure(af_client, "/werkvoorraad/")
    pages["work queue, a filter (alle, arbeid)"] = _measure(af_client, "/werkvoorraad/", {"weergave": "alle", "form": "arbeid"})
    # A search as an AF types one: a street and number (every case found on the page is audited as read).
    street = case.location_address.split(",")[0]
    pages["work queue, a search (street and number)"] = _measure(af_client, "/werkvoorraad/", {"weergave": "alle", "zoek": street})
    pages["case page"] = _measure(af_client, f"/werkvoorraad/{case.pk}/")
    if partner is not None:
        pages["partner inbox"] = _measure(_client(partner), "/partner/")
    po = _client(privacy)
    pages["audit search by reference"] = _measure(po, "/audit/", {"signaal": case.reference}, budget=AUDIT_BUDGET_MS)
    pages["audit search by user"] = _measure(po, "/audit/", {"gebruiker": af.get_full_name()}, budget=AUDIT_BUDGET_MS)
    pages["audit search by date range (30 days)"] = _measure(po, "/audit/", {"van": month_start.isoformat(), "tot": month_end.isoformat()}, budget=AUDIT_BUDGET_MS)
    regie = _client(coordinator)
    pages["monitor overview, cold"] = _measure(regie, "/monitor/", cold=True)
    pages["monitor overview, warm"] = _measure(regie, "/monitor/")
    return pages


def _counts() -> dict[str, int]:
    from ketenzicht.accounts.models import Municipality
    from ketenzicht.audit.models import AuditEvent
    from ketenzicht.cases.models import Case
    from ketenzicht.monitor.models import Registration

    return {
        "cases": Case.objects.count(),
        "audit_entries": AuditEvent.objects.count(),
        "registrations": Registration.objects.count(),
        "municipalities": Municipality.objects.filter(cases__isnull=False).distinct().count(),
    }


def _write_doc(report: dict[str, object]) -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    start, end = "<!-- region-pages:start -->", "<!-- region-pages:end -->"
    text = doc.read_text(encoding="utf-8")
    merged = json.loads((OUT / "region.json").read_text())
    lines = [start, ""]
    for vendor, r in merged.items():
        counts = r["counts"]
        lines.append(
            f"**{vendor}**, {r['date']}, {r['machine']}, load average {r['load_before']} before / {r['load_after']} after; "
            f"{counts.get('cases', 0):,} cases, {counts.get('audit_entries', 0):,} audit entries, "
            f"{counts.get('registrations', 0):,} registrations in {counts.get('municipalities', 0)} municipalities "
            f"(generated in {sum(r['generation_s'].values()):.0f} s: {', '.join(f'{k} {v}' for k, v in r['generation_s'].items())})."
        )
        lines += ["", "| page | p50 ms | p95 ms | queries | budget | met |", "|---|---:|---:|---:|---:|---|"]
        for name, p in r["pages"].items():
            lines.append(f"| {name} | {p['p50_ms']} | {p['p95_ms']} | {p['queries']} | < {p['budget_ms']:.0f} | {'yes' if p['met'] else '**no**'} |")
        lines.append("")
    lines.append(end)
    block = "\n".join(lines)
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text += "\n## Page budgets at region scale (`bench/region.py`)\n\n" + block + "\n"
    doc.write_text(text, encoding="utf-8")


def main() -> None:
    from django.conf import settings

    from ketenzicht.core import benchdata

    setup_test_environment()
    OUT.mkdir(parents=True, exist_ok=True)
    settings.MEDIA_ROOT = str(OUT / "region-media")  # the small attachments, apart from the tests' files
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(OUT / "region-bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = "kz_region_bench"
    scale = benchdata.Scale(
        cases=int(os.environ.get("BENCH_REGION_CASES", "100000")),
        audit=int(os.environ.get("BENCH_REGION_AUDIT", "10000000")),
        registrations=int(os.environ.get("BENCH_REGION_REGISTRATIONS", "1000000")),
    )
    load_before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    # --keep leaves the filled database for a later --reuse (measuring again after a change to
    # a query, without the generation's minutes); a reused run never writes the document.
    keep, reuse = "--keep" in sys.argv, "--reuse" in sys.argv
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=reuse, serialize=False)
    try:
        generated = benchdata.Report(counts=_counts()) if reuse else benchdata.generate("den-haag", scale)
        pages = measure()
    finally:
        if not (keep or reuse):
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_before": load_before,
        "load_after": " ".join(Path("/proc/loadavg").read_text().split()[:3]),
        "counts": generated.counts,
        "generation_s": generated.timings,
        "pages": pages,
    }
    path = OUT / "region.json"
    merged = json.loads(path.read_text()) if path.exists() else {}
    merged[connection.vendor] = report
    path.write_text(json.dumps(merged, indent=2))
    print(json.dumps(report, indent=2))
    if "--no-doc" not in sys.argv and not reuse:
        _write_doc(report)


if __name__ == "__main__":
    main()
