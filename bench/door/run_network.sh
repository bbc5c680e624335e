#!/usr/bin/env bash
# One measured run of our app's door API, the counterpart of ../../../shared/peers/pretix/run.sh
# (adapted from ../shared/peers/network/run.sh: our fixtures, our load client, check-in only).
# fresh database -> migrations -> bench/door/peer_fixtures.py -> gunicorn (sync, 127.0.0.1) ->
# bench/door/load.py -> stop gunicorn by its PID -> drop the PostgreSQL database.
# Usage: run_network.sh [sqlite|postgres] [WORKERS=2] [CONCURRENCY=20]   LOAD_ARGS="..." extra
set -euo pipefail
ENGINE="${1:-sqlite}"; WORKERS="${2:-2}"; CONC="${3:-20}"
HERE="$(cd "$(dirname "$0")" && pwd)"
APP="$(cd "$HERE/../.." && pwd)"
BENCH_DIR="${BENCH_DIR:-${TMPDIR:-/tmp}/door-bench}"
PORT="${PORT:-8101}"; PG_DB="${PG_DB:-door_bench}"
mkdir -p "$BENCH_DIR"
export NETWORK_ENV="${NETWORK_ENV:-production}"
export SECRET_KEY="bench-only-$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
export SESSION_COOKIE_SECURE=0 RATELIMIT_ENABLED=0 MAIL_SERVER="" MAIL_PREVIEW=0
export SITE_URL="http://127.0.0.1:$PORT" N_DEVICES="$CONC"
PSQL=(psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -qtA -d postgres)
if [[ "$ENGINE" == "sqlite" ]]; then
  DBFILE="$BENCH_DIR/door-bench.db"
  rm -f "$DBFILE" "$DBFILE-wal" "$DBFILE-shm" "$DBFILE-journal"
  export DATABASE_URL="sqlite:///$DBFILE"
elif [[ "$ENGINE" == "postgres" ]]; then
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)" -c "CREATE DATABASE ${PG_DB}"
  export DATABASE_URL="postgresql://postgres@127.0.0.1/${PG_DB}"
else
  echo "engine must be sqlite or postgres" >&2; exit 2
fi
PIDFILE="$BENCH_DIR/gunicorn.pid"
stop() {
  if [[ -f "$PIDFILE" ]]; then
    pid="$(cat "$PIDFILE")"
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" || true
    fi
    rm -f "$PIDFILE"
  fi
  if [[ "$ENGINE" == "postgres" && "${KEEP_DB:-0}" != "1" ]]; then
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)" || true
  fi
}
trap stop EXIT
(cd "$APP" && .venv/bin/flask --app network db upgrade >"$BENCH_DIR/migrate.log" 2>&1)
FX="$BENCH_DIR/fixtures-$ENGINE.json"
(cd "$APP" && FIXTURES_OUT="$FX" .venv/bin/python "$HERE/peer_fixtures.py") >&2
(cd "$APP" && .venv/bin/gunicorn 'network:create_app()' \
  --bind "127.0.0.1:$PORT" --workers "$WORKERS" --worker-class sync \
  --timeout 60 --max-requests 0 --pid "$PIDFILE" \
  --error-logfile "$BENCH_DIR/gunicorn.err.log" --daemon)
for _ in $(seq 1 120); do
  code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/sante" || true)"
  [[ "$code" == "200" ]] && break
  sleep 0.5
done
[[ "$code" == "200" ]] || { echo "gunicorn did not come up; see $BENCH_DIR/gunicorn.err.log" >&2; exit 1; }
"$APP/.venv/bin/python" "$HERE/load.py" --base "http://127.0.0.1:$PORT" --fixtures "$FX" \
  --concurrency "$CONC" --label "network $ENGINE gunicorn-sync x$WORKERS c$CONC ($NETWORK_ENV)" \
  ${LOAD_ARGS:-} | tee "$BENCH_DIR/result-$ENGINE-w$WORKERS-c$CONC.json"
