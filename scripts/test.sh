#!/usr/bin/env bash
# The whole suite: lint, then every test on SQLite, then every test on a real PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export KETENZICHT_HOME="$PWD"
export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}"

echo "== ruff"
$BIN/ruff check .
echo "== django check --deploy (production settings)"
DJANGO_SETTINGS_MODULE=ketenzicht.settings.production SECRET_KEY="$(python3 -c 'import secrets;print(secrets.token_urlsafe(64))')" \
  $BIN/ketenzicht check --deploy --fail-level WARNING

echo "== tests on SQLite"
DATABASE_URL="sqlite:///$PWD/var/test.sqlite3" $BIN/python -m pytest -n 2 -q "$@"

echo "== tests on PostgreSQL"
PG_URL=$(bash scripts/ensure-postgres.sh)
DATABASE_URL="$PG_URL" $BIN/python -m pytest -n 2 -q "$@"
