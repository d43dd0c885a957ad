"""Load test of signal intake: 50 concurrent reporters for 60 seconds against gunicorn on PostgreSQL.

Run with `make loadtest` (scripts/loadtest.sh finds or starts PostgreSQL and calls this). Steps:

1. create a fresh database for the run, migrate it and load the demo region;
2. add a partner system account with an API token (and tokens for the demo AFs, to check);
3. serve the app with gunicorn on 127.0.0.1 (2 workers x 8 threads, DEBUG off, rate limits
   set high through the environment so they measure nothing but themselves);
4. for DURATION seconds, REPORTERS threads each post signals to POST /api/v1/signalen with a new
   Idempotency-Key, and deliberately repeat some: a retry after the answer (10 %) and the same
   request twice at the same moment (5 %). When the public form at /melden/ answers 200, every
   fifth report goes through the form instead;
5. check: every accepted report is stored exactly once (one case per accepted key, none for a
   key twice, repeats answered with the first receipt), and every returned receipt resolves
   (GET /api/v1/signalen/<id> as the AF of that municipality gives the same kenmerk);
6. print requests/second, p50/p95 latency and errors; write bench/out/loadtest.json and a row
   in the table of docs/benchmarks.md.

Everything stays on the loopback interface; loops are bounded by the deadline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
OUT = ROOT / "bench" / "out" / "loadtest.json"
DOC = ROOT / "docs" / "benchmarks.md"
HOST = "127.0.0.1"
MUNICIPALITIES = ["GM0638", "GM0553"]  # Zoeterwoude and Lisse: both have a demo AF
AFS = {"GM0638": "af.zoeterwoude", "GM0553": "af.lisse"}
BEGIN, END = "<!-- loadtest:begin -->", "<!-- loadtest:end -->"


# --- the run's database and server ------------------------------------------------------------
def fresh_database(server_url: str) -> tuple[str, str]:
    """Create a new database next to the one in server_url; return (its URL, its name)."""
    name = f"ketenzicht_loadtest_{datetime.now(UTC):%Y%m%d%H%M%S}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlparse(server_url)
    return urlunparse(parts._replace(path=f"/{name}")), name


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def app_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "KETENZICHT_HOME": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "ketenzicht.settings.dev",
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        # The limits stay on (their cost is part of the figure) but never refuse here.
        "RATE_LIMIT_PARTNER": "1000000/minute",
        "RATE_LIMIT_PUBLIC_REPORT": "1000000/minute",
    }


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "python"), "-m", "ketenzicht.manage", *args], env=env, check=True, cwd=ROOT)


def prepare_accounts() -> dict[str, Any]:
    """A partner system with a token, and tokens for the AFs who check the receipts."""
    import django

    django.setup()
    from django.db import connection
    from rest_framework.authtoken.models import Token

    from ketenzicht.accounts.models import Organisation, User, UserRole

    partner, _ = User.objects.get_or_create(username="partner.loadtest", defaults={"organisation": Organisation.objects.get(slug="nla")})
    UserRole.objects.get_or_create(user=partner, role="partnersysteem")
    tokens = {"partner": Token.objects.get_or_create(user=partner)[0].key}
    for code, username in AFS.items():
        tokens[code] = Token.objects.get_or_create(user=User.objects.get(username=username))[0].key
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    connection.close()
    return {"tokens": tokens, "partner_id": partner.pk, "postgres": version}


def start_server(env: dict[str, str], port: int, workers: int, threads: int) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "gunicorn"), "ketenzicht.wsgi:application",
        "--bind", f"{HOST}:{port}",
        "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
        "--log-level", "warning",  # no access log: it would hold client addresses
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://{HOST}:{port}/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn stopped during start-up")
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz within 60 seconds")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


# --- the reporters ---------------------------------------------------------------------------
@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)  # seconds, every request sent
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    accepted: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> receipt (+ municipality)
    replays: dict[str, list[str]] = field(default_factory=dict)  # key -> receipt ids of every answer
    unanswered: set[str] = field(default_factory=set)  # keys whose every attempt failed
    form_codes: list[str] = field(default_factory=list)  # receipt code of every accepted form
    form_repeats: list[list[str]] = field(default_factory=list)  # codes of a form sent twice

    def record(self, kind: str, started: float, response: requests.Response | None, error: str = "") -> None:
        with self.lock:
            elapsed = time.perf_counter() - started
            self.latencies.append(elapsed)
            self.by_kind.setdefault(kind, []).append(elapsed)
            self.statuses[f"{kind}:{response.status_code if response is not None else 'error'}"] += 1
            if error:
                self.errors.append(error)


def signal_body(rng: random.Random, n: int) -> dict[str, Any]:
    return {
        "gemeenteCode": rng.choice(MUNICIPALITIES),
        "omschrijving": f"Loadtest-melding {n}: wisselende arbeidsmigranten op één adres, lange werkdagen.",
        "adres": f"Teststraat {rng.randint(1, 400)}, Zoeterwoude",
        "uitbuitingsvormen": [rng.choice(["arbeid", "seksueel", "crimineel", "onbekend"])],
        "minderjarig": rng.choice(["ja", "nee", "onbekend"]),
        "acuutGevaar": rng.random() < 0.05,
        "betrokkenen": [{"rol": "slachtoffer", "omschrijving": "Meerdere mannen"}],
    }


class Reporter:
    def __init__(self, base: str, token: str, results: Results, seed: int, form: bool) -> None:
        self.base, self.results, self.form = base, results, form
        self.rng = random.Random(seed)
        self.session = self._session(token)
        self.token = token
        self.n = 0

    @staticmethod
    def _session(token: str) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        return session

    def send(self, session: requests.Session, key: str, body: dict[str, Any], kind: str) -> requests.Response | None:
        started = time.perf_counter()
        try:
            response = session.post(f"{self.base}/api/v1/signalen", json=body, headers={"Idempotency-Key": key}, timeout=60)
        except requests.RequestException as exc:
            self.results.record(kind, started, None, f"{kind}: {type(exc).__name__}")
            return None
        ok = response.status_code in (200, 201)
        self.results.record(kind, started, response, "" if ok else f"{kind}: HTTP {response.status_code}")
        return response if ok else None

    def report(self) -> None:
        self.n += 1
        key, body = str(uuid.uuid4()), signal_body(self.rng, self.n)
        roll = self.rng.random()
        answers: list[requests.Response | None]
        if roll < 0.05:
            # The same request twice at the same moment (a double submit from two workers).
            twin: list[requests.Response | None] = [None]
            other = threading.Thread(target=lambda: twin.__setitem__(0, self.send(self._session(self.token), key, body, "double")))
            other.start()
            mine = self.send(self.session, key, body, "double")
            other.join()
            answers = [mine, twin[0]]
        else:
            answers = [self.send(self.session, key, body, "new")]
            if roll < 0.15:
                answers.append(self.send(self.session, key, body, "retry"))  # a retry after the answer
        ids = [a.json()["id"] for a in answers if a is not None]
        with self.results.lock:
            if ids:
                first = next(a for a in answers if a is not None)
                self.results.accepted[key] = {**first.json(), "gemeenteCode": body["gemeenteCode"]}
                if len(answers) > 1:
                    self.results.replays[key] = ids
            else:
                self.results.unanswered.add(key)

    def run(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.form and self.rng.random() < 0.2:
                self.report_through_form()
            else:
                self.report()

    # The public form belongs to another part of the issue; it is driven as a browser would:
    # fetch the page (CSRF cookie, one-time form key), fill the required fields, leave the
    # honeypot empty, send. Some are sent twice with the same form key (a double click).
    def report_through_form(self) -> None:
        self.n += 1
        browser = requests.Session()
        started = time.perf_counter()
        try:
            page = browser.get(f"{self.base}/melden/", timeout=60)
        except requests.RequestException as exc:
            self.results.record("form-page", started, None, f"form-page: {type(exc).__name__}")
            return
        self.results.record("form-page", started, page, "" if page.status_code == 200 else f"form-page: HTTP {page.status_code}")
        data = FormFields.parse(page.text).filled(self.n)
        sends = 2 if self.rng.random() < 0.1 else 1
        codes = []
        for attempt in range(sends):
            kind = "form-double" if attempt else "form"
            started = time.perf_counter()
            try:
                response = browser.post(f"{self.base}/melden/", data=data, timeout=60)
            except requests.RequestException as exc:
                self.results.record(kind, started, None, f"{kind}: {type(exc).__name__}")
                continue
            found = RECEIPT_CODE.search(response.text) if response.status_code == 200 else None
            self.results.record(kind, started, response, "" if found else f"{kind}: HTTP {response.status_code} without a receipt code")
            if found:
                codes.append(found.group(1))
        with self.results.lock:
            if codes:
                self.results.form_codes.append(codes[0])
                if len(codes) > 1:
                    self.results.form_repeats.append(codes)


RECEIPT_CODE = re.compile(r'data-testid="receipt-code">\s*([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})\s*<')


class FormFields(HTMLParser):
    """The fields of the first form on the page, as a browser would send them untouched."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self.textareas: list[str] = []
        self._select: str | None = None

    @classmethod
    def parse(cls, html: str) -> FormFields:
        parser = cls()
        parser.feed(html)
        return parser

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        if tag == "input" and name and a.get("type", "text") not in ("checkbox", "radio", "file", "submit"):
            self.values.setdefault(name, a.get("value", ""))
        elif tag == "textarea" and name:
            self.textareas.append(name)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            self.values.setdefault(self._select, a["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def filled(self, n: int) -> dict[str, str]:
        data = dict(self.values)
        data.pop("actie", None)  # the language switch button, not the send button
        for name in self.textareas:
            data[name] = f"Loadtest via het formulier {n}: veel mensen op één adres, 's nachts busjes."
        data.update({"municipality": "Zoeterwoude", "location_address": f"Teststraat {n % 400 + 1}, Zoeterwoude"})
        data["website"] = ""  # the honeypot: a person does not see it
        return data


# --- checks and figures -----------------------------------------------------------------------
def verify(base: str, tokens: dict[str, str], partner_id: int, results: Results) -> dict[str, Any]:
    from django.db.models import Count

    from ketenzicht.cases.models import Case
    from ketenzicht.intake.partner import intake_key

    expected = {intake_key(partner_id, key): receipt["id"] for key, receipt in results.accepted.items()}
    rows = Case.objects.filter(channel="partner", reporter_id=partner_id).values("intake_key").annotate(n=Count("id"))
    stored = {row["intake_key"]: row["n"] for row in rows}
    stored_ids = dict(Case.objects.filter(intake_key__in=list(expected)).values_list("intake_key", "id"))
    unanswered_keys = {intake_key(partner_id, key) for key in results.unanswered}
    problems = []
    missing = [k for k in expected if stored.get(k) != 1]
    if missing:
        problems.append(f"{len(missing)} accepted reports not stored exactly once")
    wrong_id = [k for k, case_id in expected.items() if str(stored_ids.get(k)) != case_id]
    if wrong_id:
        problems.append(f"{len(wrong_id)} receipts name another case than the one stored")
    unexpected = set(stored) - set(expected) - unanswered_keys
    if unexpected:
        problems.append(f"{len(unexpected)} stored reports that nobody was told about")
    duplicates = [k for k, n in stored.items() if n > 1]
    if duplicates:
        problems.append(f"{len(duplicates)} keys stored more than once")
    split_replays = [k for k, ids in results.replays.items() if len(set(ids)) != 1]
    if split_replays:
        problems.append(f"{len(split_replays)} repeated keys answered with different receipts")

    def resolves(receipt: dict[str, Any]) -> bool:
        response = requests.get(f"{base}/api/v1/signalen/{receipt['id']}", headers={"Authorization": f"Token {tokens[receipt['gemeenteCode']]}"}, timeout=60)
        return response.status_code == 200 and response.json()["kenmerk"] == receipt["kenmerk"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        unresolved = sum(1 for ok in pool.map(resolves, results.accepted.values()) if not ok)
    if unresolved:
        problems.append(f"{unresolved} receipts do not resolve for the AF")
    form_stored = Case.objects.filter(channel="publiek").count()
    form_unresolved = 0
    if results.form_codes:
        from ketenzicht.intake.public_services import receipt_hash

        if form_stored != len(set(results.form_codes)):
            problems.append(f"form: {len(results.form_codes)} accepted, {form_stored} stored")
        hashes = Counter(Case.objects.filter(channel="publiek").values_list("receipt_hash", flat=True))
        form_unresolved = sum(1 for code in results.form_codes if hashes.get(receipt_hash(code)) != 1)
        if form_unresolved:
            problems.append(f"form: {form_unresolved} receipt codes do not resolve to exactly one report")
        if any(len(set(codes)) != 1 for codes in results.form_repeats):
            problems.append("form: a double submit got two different receipt codes")
    return {
        "accepted_reports": len(expected),
        "stored_reports": sum(stored.values()),
        "repeated_keys": len(results.replays),
        "unanswered_keys": len(results.unanswered),
        "receipts_resolved": len(expected) - unresolved,
        "form_accepted": len(results.form_codes),
        "form_double_submits": len(results.form_repeats),
        "form_stored": form_stored,
        "form_codes_resolved": len(results.form_codes) - form_unresolved,
        "problems": problems,
    }


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else (values[0] if values else 0.0)


def machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else ""
    return f"{os.cpu_count()} cores{', ' + model if model else ''}, {platform.system()} {platform.release()}"


def write_doc(figures: dict[str, Any]) -> None:
    row = (
        f"| {figures['date']} | {figures['machine']} | PostgreSQL {figures['postgres']} | "
        f"{figures['reporters']} × {figures['duration_s']} s{' (API + form)' if figures['checks']['form_accepted'] else ' (API)'} | {figures['load_average_at_start']} | {figures['requests']} | {figures['requests_per_second']:.1f} | "
        f"{figures['p50_ms']:.0f} | {figures['p95_ms']:.0f} | {figures['errors']} | "
        f"{figures['checks']['accepted_reports']} / {figures['checks']['stored_reports']} | "
        f"{'ok' if not figures['checks']['problems'] else '; '.join(figures['checks']['problems'])} |"
    )
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if BEGIN not in text:
        text = text.rstrip("\n") + f"\n\n## Public reporting load test\n\n{BEGIN}\n{END}\n"
    head, rest = text.split(BEGIN, 1)
    table, tail = rest.split(END, 1)
    lines = [line for line in table.strip().splitlines() if line.startswith("|")][2:]
    header = (
        "| Date | Machine | Database | Reporters | Load avg at start | Requests | Req/s | p50 ms | p95 ms | Errors | API accepted / stored | Checks |\n"
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---|---|"
    )
    DOC.write_text(f"{head}{BEGIN}\n{header}\n" + "\n".join([*lines, row]) + f"\n{END}{tail}", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-url", required=True, help="postgres://… of a running server (scripts/ensure-postgres.sh)")
    parser.add_argument("--reporters", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--keep-db", action="store_true", help="keep the run's database for inspection")
    parser.add_argument("--no-doc", action="store_true", help="do not add a row to docs/benchmarks.md")
    args = parser.parse_args()
    if urlparse(args.server_url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("the load test runs against a local PostgreSQL only")

    database_url, database_name = fresh_database(args.server_url)
    env = app_environment(database_url)
    server = None
    try:
        print(f"loadtest: database {database_name}: migrate and load the demo", flush=True)
        manage(env, "migrate", "--no-input", "-v", "0")
        manage(env, "load_demo", "--quiet")
        os.environ.update({k: env[k] for k in ("KETENZICHT_HOME", "DJANGO_SETTINGS_MODULE", "DEBUG", "DATABASE_URL")})
        accounts = prepare_accounts()
        port = free_port()
        server = start_server(env, port, args.workers, args.threads)
        base = f"http://{HOST}:{port}"
        form = requests.get(f"{base}/melden/", timeout=10).status_code == 200
        print(f"loadtest: {args.reporters} reporters for {args.duration:.0f} s against {base} "
              f"(gunicorn {args.workers} workers × {args.threads} threads; public form {'found' if form else 'not present'})", flush=True)

        results = Results()
        reporters = [Reporter(base, accounts["tokens"]["partner"], results, seed, form) for seed in range(args.reporters)]
        load_at_start = round(os.getloadavg()[0], 1)
        started = time.monotonic()
        deadline = started + args.duration
        threads = [threading.Thread(target=r.run, args=(deadline,)) for r in reporters]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        print("loadtest: checking every accepted report and receipt", flush=True)
        checks = verify(base, accounts["tokens"], accounts["partner_id"], results)
    finally:
        if server is not None:
            stop_server(server)
        if not args.keep_db:
            from django.db import connections

            connections.close_all()
            drop_database(args.server_url, database_name)

    latencies_ms = [s * 1000 for s in results.latencies]
    figures = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "machine": machine(),
        "postgres": accounts["postgres"],
        "server": f"gunicorn {args.workers} workers × {args.threads} threads (gthread), settings.dev with DEBUG=0",
        "reporters": args.reporters,
        "duration_s": round(args.duration),
        "elapsed_s": round(elapsed, 1),
        "requests": len(latencies_ms),
        "requests_per_second": len(latencies_ms) / elapsed,
        "p50_ms": percentile(latencies_ms, 50),
        "p95_ms": percentile(latencies_ms, 95),
        "max_ms": max(latencies_ms, default=0.0),
        "per_kind_p50_p95_ms": {
            kind: [round(percentile([v * 1000 for v in values], 50)), round(percentile([v * 1000 for v in values], 95))]
            for kind, values in sorted(results.by_kind.items())
        },
        "load_average_at_start": load_at_start,
        "errors": len(results.errors),
        "error_kinds": dict(Counter(results.errors).most_common(10)),
        "statuses": dict(sorted(results.statuses.items())),
        "public_form": "exercised" if form else "not present (GET /melden/ did not answer 200)",
        "checks": checks,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if not args.no_doc:
        write_doc(figures)
    print(
        f"loadtest: {figures['requests']} requests in {elapsed:.1f} s = {figures['requests_per_second']:.1f} req/s; "
        f"p50 {figures['p50_ms']:.0f} ms, p95 {figures['p95_ms']:.0f} ms; errors {figures['errors']}; "
        f"accepted {checks['accepted_reports']}, stored {checks['stored_reports']}, repeated keys {checks['repeated_keys']}, "
        f"receipts resolved {checks['receipts_resolved']}; form reports {checks['form_accepted']} "
        f"(stored {checks['form_stored']}, codes resolved {checks['form_codes_resolved']})"
    )
    print(f"loadtest: statuses {figures['statuses']}")
    for problem in checks["problems"]:
        print(f"loadtest: FAILED: {problem}", file=sys.stderr)
    print(f"loadtest: figures in {OUT.relative_to(ROOT)}" + ("" if args.no_doc else f" and {DOC.relative_to(ROOT)}"))
    return 1 if checks["problems"] or results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
