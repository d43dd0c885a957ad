#!/usr/bin/env bash
# Make sure a PostgreSQL server is reachable for the test suite and print its DATABASE_URL.
# Uses $TEST_POSTGRES_URL when it answers; otherwise installs the Debian packages if needed
# and starts a throw-away cluster on 127.0.0.1:54329 (fsync off: test data only).
set -euo pipefail
log() { echo "ensure-postgres: $*" >&2; }

if [ -n "${TEST_POSTGRES_URL:-}" ]; then
  if python3 - "$TEST_POSTGRES_URL" <<'PY' >/dev/null 2>&1
import socket, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1]); socket.create_connection((u.hostname or "127.0.0.1", u.port or 5432), 2)
PY
  then echo "$TEST_POSTGRES_URL"; exit 0; fi
  log "TEST_POSTGRES_URL does not answer; starting a local server instead"
fi

PORT=54329
URL="postgres://ketenzicht@127.0.0.1:${PORT}/ketenzicht"
BASE="${KETENZICHT_PG_DIR:-/tmp/ketenzicht-pg-$(id -u)}"

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  log "installing PostgreSQL (Debian packages)"
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
  bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

# PostgreSQL refuses to run as root: run it as the postgres user the package created.
if [ "$(id -u)" -eq 0 ]; then AS=(runuser -u postgres --); else AS=(); fi

if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$PORT"; then echo "$URL"; exit 0; fi

mkdir -p "$BASE"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$BASE"
if [ ! -f "$BASE/data/PG_VERSION" ]; then
  log "initialising a cluster in $BASE/data"
  "${AS[@]}" "$bindir/initdb" -D "$BASE/data" -U ketenzicht -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
fi
"${AS[@]}" "$bindir/pg_ctl" -D "$BASE/data" -l "$BASE/server.log" -w -t 60 start \
  -o "-p $PORT -k $BASE -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" >&2
"$bindir/createdb" -h 127.0.0.1 -p "$PORT" -U ketenzicht ketenzicht 2>/dev/null || true
echo "$URL"
