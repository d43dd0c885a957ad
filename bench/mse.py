"""Benchmark: the estimator against the published reference tables (point, interval, time).

Run: .venv/bin/python bench/mse.py [--quick]   (--quick: 200 bootstrap replicates instead of 1000)
Writes bench/out/mse.json. The unit tests check the points; this measures intervals and speed.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ketenzicht.domain.mse import MseError, estimate, read_capture_csv

ROOT = Path(__file__).resolve().parents[1]
TABLES = ROOT / "tests" / "fixtures" / "mse"
# (file, method, published total, published interval) from the tables' README.
CASES = [
    ("NewOrl.csv", "stepwise", 1184, (717, 1657)),
    ("NewOrl.csv", "main", 997, (644, 1618)),
    ("NewOrl_5.csv", "main", 1034, (589, 1703)),
    ("Western.csv", "stepwise", 2483, (1293, 3670)),
    ("Korea.csv", "stepwise", 268.8, None),
    ("Korea.csv", "bic", 157, (128, 349)),
    ("NewOrl_5_MSEpkg.csv", "bic", 981, (397, 1511)),
    ("Artificial_3.csv", "stepwise", None, None),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    replicates = 200 if args.quick else 1000
    rows = []
    for name, method, published, interval in CASES:
        table = read_capture_csv(TABLES / name)
        started = time.perf_counter()
        try:
            result = estimate(table, method, bootstrap=replicates if interval else 0, seed=1234)
        except MseError as exc:
            rows.append({"tabel": name, "methode": method, "geweigerd": str(exc), "seconden": round(time.perf_counter() - started, 2)})
            print(f"{name:22} {method:9} refused: {exc}")
            continue
        seconds = time.perf_counter() - started
        deviation = abs(result.schatting - published) / published * 100 if published else None
        rows.append(
            {
                "tabel": name,
                "methode": method,
                "gepubliceerd": published,
                "schatting": round(result.schatting, 1),
                "afwijking_pct": round(deviation, 2) if deviation is not None else None,
                "interval_gepubliceerd": interval,
                "interval": result.interval,
                "bootstrap": replicates if interval else 0,
                "seconden": round(seconds, 2),
            }
        )
        print(f"{name:22} {method:9} {result.schatting:8.1f} (published {published}, {deviation:.2f}%) interval {result.interval} vs {interval} in {seconds:.1f}s")
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "mse.json").write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
