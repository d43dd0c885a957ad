"""The intake figures of `make bench` into docs/benchmarks.md (issue 19: date, machine, load).

`make bench` runs ../shared/bench/intake/run.sh (the partner API) and bench/intake_public.sh (the
public form) on both databases and keeps their output in bench/out/intake-*.txt; this reads those
files and writes one table between the `intake-latest` markers: per database and path the rounds,
the median ratio against the bare floor, latency, and whether the target (≥ 0.25 × the floor,
p95 < 300 ms) was met. The API's runner reports p99, not p95: a p99 under 300 ms is taken as
meeting it, and a higher p99 as unknown. Usage: python bench/intake_doc.py [OUT_DIR] [DOC].
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- intake-latest:start -->", "<!-- intake-latest:end -->"
ANCHOR = "The sessions below are kept in order;"
TARGET = 0.25
RUNS = (("postgres", "API", "intake-postgres.txt"), ("postgres", "public form", "intake-public-postgres.txt"),
        ("sqlite", "API", "intake-sqlite.txt"), ("sqlite", "public form", "intake-public-sqlite.txt"))
_RESULT = re.compile(r"round (\d+) (bare|product):\s+RESULT (.*)")
_VALUE = re.compile(r"([a-z0-9/]+)=([0-9.]+)(?:ms)?")


def parse(text: str) -> dict[str, Any] | None:
    """One runner's output: the load before and after, every round's figures, the median ratio."""
    median = re.search(r"median of \d+\): ([0-9.]+)", text)
    start = re.search(r"^db=\S+ .*load=([0-9.]+ [0-9.]+ [0-9.]+)", text, re.M)
    if median is None or start is None:
        return None
    rounds: dict[int, dict[str, dict[str, float]]] = {}
    for number, kind, values in _RESULT.findall(text):
        rounds.setdefault(int(number), {})[kind] = {k: float(v) for k, v in _VALUE.findall(values)}
    ratios = [float(r) for r in re.findall(r"ratio product/bare: ([0-9.]+)", text)]
    after = re.search(r"after the run: \d+ \(load=([0-9.]+ [0-9.]+ [0-9.]+)\)", text)
    return {"median": float(median.group(1)), "ratios": ratios, "load_before": start.group(1),
            "load_after": after.group(1) if after else "", "rounds": [rounds[n] for n in sorted(rounds)]}


def _span(values: list[float], digits: int = 0) -> str:
    low, high = min(values), max(values)
    fmt = f"{{:,.{digits}f}}"
    return fmt.format(low) if low == high else f"{fmt.format(low)}–{fmt.format(high)}"


def row(database: str, path: str, run: dict[str, Any]) -> str:
    products = [r["product"] for r in run["rounds"] if "product" in r]
    bares = [r["bare"] for r in run["rounds"] if "bare" in r]
    tail = "p95" if all("p95" in p for p in products) else "p99"
    worst_tail = max(p[tail] for p in products)
    latency_met = worst_tail < 300 if tail == "p95" else (True if worst_tail < 300 else None)
    errors = sum(p.get("non2xx", 0) + p.get("timeouts", 0) + p.get("sockerr", 0) for p in products)
    met = run["median"] >= TARGET and latency_met is True and errors == 0
    verdict = "yes" if met else ("**no**" if latency_met is not None or run["median"] < TARGET or errors else "unknown (p95 not reported)")
    latency = " / ".join(_span([p[k] for p in products]) if k in products[0] else "–" for k in ("p50", "p95", "p99"))
    return (f"| {database} | {path} | {run['load_before']} → {run['load_after'] or '?'} | {_span([b['req/s'] for b in bares])} | "
            f"{_span([p['req/s'] for p in products])} | {latency} | {errors:.0f} | "
            f"{', '.join(f'{r:.3f}' for r in run['ratios'])} | **{run['median']:.3f}** | {verdict} |")


def _machine() -> str:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        model = f", {found.group(1).strip()}" if found else ""
    return f"{platform.machine()}, {os.cpu_count()} cores{model}, Linux {platform.release()}"


def _commit() -> str:
    try:
        found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10)  # noqa: S603, S607
    except (OSError, subprocess.SubprocessError):
        return ""
    return f" at `{found.stdout.strip()}`"


def block(out: Path) -> str | None:
    """The table for the runs found in `out`; None when there are none."""
    lines = []
    newest = 0.0
    for database, path, name in RUNS:
        file = out / name
        run = parse(file.read_text(encoding="utf-8")) if file.exists() else None
        if run is None:
            continue
        newest = max(newest, file.stat().st_mtime)
        lines.append(row(database, path, run))
    if not lines:
        return None
    when = datetime.fromtimestamp(newest, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = [
        START, "",
        f"Latest intake runs (the two runners `make bench` calls){_commit()}, {when}, {_machine()}; 4 sync workers, 50 connections, bare floor and "
        f"product alternating per round (target: median ≥ {TARGET} × the floor, p95 < 300 ms, every answer 2xx).", "",
        "| database | path | load start → end | bare req/s | product req/s | product p50 / p95 / p99 ms | errors | ratio per round | median | met |",
        "|---|---|---|---:|---:|---|---:|---|---:|---|",
    ]
    return "\n".join([*head, *lines, "", END])


def write(doc: Path, new: str) -> None:
    text = doc.read_text(encoding="utf-8")
    if START in text:
        text = text[: text.index(START)] + new + text[text.index(END) + len(END):]
    else:
        at = text.index("\n\n", text.index(ANCHOR)) + 2 if ANCHOR in text else len(text)
        text = text[:at] + new + "\n\n" + text[at:]
    doc.write_text(text, encoding="utf-8")


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "bench" / "out"
    doc = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "docs" / "benchmarks.md"
    new = block(out)
    if new is None:
        print("intake_doc: no intake runs in", out)
        return
    write(doc, new)
    print(new)


if __name__ == "__main__":
    main()
