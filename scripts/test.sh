#!/usr/bin/env bash
# The whole suite: lint, then every test on SQLite, then every test on a real PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export KETENZICHT_HOME="$PWD"
export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}"

echo "== ruff"
$BIN/ruff check .
echo "== import contracts (import-linter, .importlinter)"
$BIN/lint-imports
echo "== django check --deploy (production settings)"
DJANGO_SETTINGS_MODULE=ketenzicht.settings.production SECRET_KEY="$(python3 -c 'import secrets;print(secrets.token_urlsafe(64))')" \
  $BIN/ketenzicht check --deploy --fail-level WARNING

echo "== tests on SQLite"
DATABASE_URL="sqlite:///$PWD/var/test.sqlite3" $BIN/python -m pytest -n 2 -q -m "not spark" "$@"

echo "== tests on PostgreSQL"
PG_URL=$(bash scripts/ensure-postgres.sh)
# The pure domain modules (tests/domain: no Django, no database) and the static guards answer the
# same whatever the database: they ran above. Only for the whole suite; named tests run as asked.
once=()
[ "$#" -eq 0 ] && once=(--ignore=tests/domain --ignore=tests/guards)
DATABASE_URL="$PG_URL" $BIN/python -m pytest -n 2 -q -m "not spark" "${once[@]}" "$@"

# The Spark backend needs no database: once is enough. Exit code 5 = nothing selected by "$@".
echo "== linkage on Spark (local mode)"
status=0
$BIN/python -m pytest -q -m spark "$@" || status=$?
[ "$status" -eq 0 ] || [ "$status" -eq 5 ]
