#!/usr/bin/env bash
# `make loadtest`: 50 concurrent reporters for 60 s against gunicorn on PostgreSQL, then a check
# that every accepted report is stored exactly once. Figures go to bench/out/loadtest.json and
# docs/benchmarks.md. Extra arguments go to bench/loadtest.py (e.g. --duration 10 --no-doc).
set -euo pipefail
cd "$(dirname "$0")/.."
export KETENZICHT_HOME="$PWD"
PG_URL=$(bash scripts/ensure-postgres.sh)
exec .venv/bin/python bench/loadtest.py --server-url "$PG_URL" "$@"
