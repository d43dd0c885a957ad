#!/usr/bin/env bash
# The public form's POST /melden/ against the bare-write floor, in one run (issue 19 item 1): a copy
# of ../shared/bench/intake/run.sh (left as it is) with bench/public_form.lua as the product's load.
# Intake throughput of the product against the bare-write floor, in one run,
# same server (gunicorn, WORKERS sync workers), same database server, same load (wrk, CONNS connections),
# alternating bare/product ROUNDS times. Usage: run.sh CHECKOUT [postgres|sqlite]
# Needs: wrk (Debian package; installed here when missing and running as root); CHECKOUT/.venv with
# the product installed (its django and gunicorn also serve the bare floor). Prints the median ratio last.
set -euo pipefail
command -v wrk >/dev/null || { [ "$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null 2>&1; } || true
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk"; exit 1; }
# the shared floor: SHARED_BENCH, else ../shared/bench next to the checkout, else /work/shared/bench
root=$(cd "$(dirname "$0")/.." && pwd)
for d in "${SHARED_BENCH:-}" "$root/../shared/bench" /work/shared/bench; do [ -n "$d" ] && [ -f "$d/bare/bare.py" ] && break; done
here=$(cd "$d/intake" && pwd)
mine=$(cd "$(dirname "$0")" && pwd)
co=$(cd "${1:?checkout}" && pwd); db=${2:-postgres}
WORKERS=${WORKERS:-4}; CONNS=${CONNS:-50}; DUR=${DUR:-15}; ROUNDS=${ROUNDS:-2}
py=$co/.venv/bin/python; gun=$co/.venv/bin/gunicorn
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill -- -"$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
if [ "$db" = postgres ]; then
  PG=$(cd "$co" && bash scripts/ensure-postgres.sh 2>/dev/null)
  for d in bare_bench kz_bench; do
    psql "$PG" -qc "DROP DATABASE IF EXISTS $d WITH (FORCE)" >/dev/null; psql "$PG" -qc "CREATE DATABASE $d" >/dev/null
  done
  export DATABASE=postgres BARE_PG_DB=bare_bench BARE_PG_USER=ketenzicht BARE_PG_PASSWORD= BARE_PG_PORT=54329
  KZ_DB="${PG%/*}/kz_bench"
else
  export DATABASE=sqlite BARE_SQLITE=$work/bare.sqlite3
  KZ_DB="sqlite:///$work/kz.sqlite3"
fi
(cd "$here/../bare" && "$py" bare.py create >/dev/null)
export KETENZICHT_HOME=$work DJANGO_SETTINGS_MODULE=ketenzicht.settings.dev DEBUG=0 ALLOWED_HOSTS=127.0.0.1 \
  DATABASE_URL=$KZ_DB DB_CONN_MAX_AGE=60 LOG_LEVEL=WARNING RATE_LIMIT_PARTNER=1000000/minute RATE_LIMIT_PUBLIC_REPORT=1000000/minute
"$co/.venv/bin/ketenzicht" migrate --no-input >/dev/null
"$co/.venv/bin/ketenzicht" load_demo >/dev/null 2>&1
export KZ_TOKEN=$("$py" - <<'PY'
import django; django.setup()
from rest_framework.authtoken.models import Token
from ketenzicht.accounts.models import Organisation, User, UserRole
u, _ = User.objects.get_or_create(username="partner.bench", defaults={"organisation": Organisation.objects.get(slug="nla")})
UserRole.objects.get_or_create(user=u, role="partnersysteem")
print(Token.objects.get_or_create(user=u)[0].key)
PY
)
setsid "$gun" --chdir "$here/../bare" -w "$WORKERS" -b 127.0.0.1:8190 --log-level warning bare:application >"$work/bare.log" 2>&1 </dev/null &
pids+=("$!")
setsid "$gun" --chdir "$work" -w "$WORKERS" -b 127.0.0.1:8191 --log-level warning ketenzicht.wsgi:application >"$work/kz.log" 2>&1 </dev/null &
pids+=("$!")
for u in http://127.0.0.1:8190/count http://127.0.0.1:8191/healthz; do
  for i in $(seq 1 60); do curl -sf -o /dev/null "$u" && break; sleep 1; done
done
# one valid request first, to fail loudly on a contract change
# the CSRF cookie and token of one rendered form (valid for every POST of the run)
page=$(curl -s -c "$work/jar" http://127.0.0.1:8191/melden/)
export KZ_CSRF_TOKEN=$(sed -nE 's/.*name="csrfmiddlewaretoken" value="([^"]+)".*/\1/p' <<<"$page" | head -1)
export KZ_CSRF_COOKIE=$(awk '$6 == "csrftoken" {print $7}' "$work/jar")
# one valid report first, to fail loudly on a contract change
code=$(curl -s -o "$work/first.html" -w '%{http_code}' -b "$work/jar" -X POST http://127.0.0.1:8191/melden/ \
  --data "csrfmiddlewaretoken=$KZ_CSRF_TOKEN&form_key=bench-first-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&description=Veel+mensen+in+een+woning.&situations=arbeid&municipality=Zoeterwoude&location_address=Dorpsstraat+3&website=&actie=versturen")
[ "$code" = 200 ] && grep -q 'KZ-\|ontvangst\|Bedankt' "$work/first.html" || { echo "public form answered $code"; exit 1; }
echo "db=$db workers=$WORKERS conns=$CONNS dur=${DUR}s load=$(cut -d' ' -f1-3 /proc/loadavg)"
ratios=()
for r in $(seq 1 "$ROUNDS"); do
  b=$(wrk -t2 -c"$CONNS" -d"${DUR}s" --timeout 10s -s "$here/../bare/bare.lua" http://127.0.0.1:8190/intake | grep RESULT)
  p=$(wrk -t2 -c"$CONNS" -d"${DUR}s" --timeout 10s -s "$mine/public_form.lua" http://127.0.0.1:8191/melden/ | grep RESULT)
  echo "round $r bare:    $b"; echo "round $r product: $p"
  br=$(sed -E 's/.*req\/s=([0-9.]+).*/\1/' <<<"$b"); pr=$(sed -E 's/.*req\/s=([0-9.]+).*/\1/' <<<"$p")
  ratio=$(python3 -c "print(round($pr/$br,3))"); ratios+=("$ratio")
  echo "round $r ratio product/bare: $ratio"
done
stored=$("$py" - <<'PY'
import django; django.setup()
from ketenzicht.cases.models import Case
print(Case.objects.filter(channel="publiek").count())
PY
)
echo "public reports stored after the run: $stored (load=$(cut -d' ' -f1-3 /proc/loadavg))"
echo "public form ratio product/bare ($db, median of $ROUNDS): $(python3 -c "import statistics,sys; print(round(statistics.median(map(float,sys.argv[1:])),3))" "${ratios[@]}")"
