#!/usr/bin/env bash
# `make bench`: every benchmark of the project. Figures are printed, written to bench/out/*.json
# and summarised in docs/benchmarks.md. Speed is measured here, never inside the unit tests.
# BENCH_QUICK=1 runs reduced sizes (for a smoke run; the documented figures use the full sizes).
set -euo pipefail
cd "$(dirname "$0")/.."
export KETENZICHT_HOME="$PWD"
BIN=.venv/bin
mkdir -p bench/out
quick=()
[ "${BENCH_QUICK:-0}" = "1" ] && quick=(--quick)

echo "== linkage (FEBRL4 accuracy; scale; encoding throughput)"
$BIN/python bench/linkage.py "${quick[@]}"

echo "== multiple systems estimation (reference tables)"
$BIN/python bench/mse.py "${quick[@]}"

echo "== monitor (national synthetic data set, SQLite then PostgreSQL)"
$BIN/python bench/monitor.py
DATABASE_URL="$(bash scripts/ensure-postgres.sh)" $BIN/python bench/monitor.py

echo "== page budgets at region scale (bench/region.py; BENCH_QUICK: 10,000 cases, 1,000,000 audit entries)"
if [ "${BENCH_QUICK:-0}" = "1" ]; then
  export BENCH_REGION_CASES=10000 BENCH_REGION_AUDIT=1000000 BENCH_REGION_REGISTRATIONS=100000
fi
DATABASE_URL="$(bash scripts/ensure-postgres.sh)" $BIN/python bench/region.py
$BIN/python bench/region.py

echo "== intake against the floor (../shared/bench/intake/run.sh, both databases, same run)"
shared=${SHARED_BENCH:-../shared/bench}; [ -f "$shared/intake/run.sh" ] || shared=/work/shared/bench
if [ -f "$shared/intake/run.sh" ]; then
  for db in postgres sqlite; do
    bash "$shared/intake/run.sh" . "$db" | tee "bench/out/intake-$db.txt"
    SHARED_BENCH=$shared bash bench/intake_public.sh . "$db" | tee "bench/out/intake-public-$db.txt"
  done
  $BIN/python bench/intake_doc.py  # the table in docs/benchmarks.md (date, machine, load, ratios)
fi

echo "== public reporting load test (PostgreSQL)"
if [ "${BENCH_QUICK:-0}" = "1" ]; then bash scripts/loadtest.sh --duration 10 --no-doc; else bash scripts/loadtest.sh; fi
