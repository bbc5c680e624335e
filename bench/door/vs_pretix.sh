#!/usr/bin/env bash
# Side by side with pretix, interleaved: for each engine, ROUNDS x (pretix, ours), 20 concurrent
# scanners, gunicorn 2 sync workers, 2,000 badges, check-in only (pass 1 admits, pass 2 refuses).
# Needs `bash ../shared/peers/pretix/setup.sh sqlite|postgres` once (PEERS points at that folder).
# Results: $OUT_DIR/<n>-<system>-<engine>.json, load average in runs.log; summary.py prints medians.
# Usage: ENGINES="sqlite postgres" ROUNDS=2 bash bench/door/vs_pretix.sh
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PEERS="${PEERS:-$HERE/../../../shared/peers}"
ENGINES="${ENGINES:-sqlite postgres}"; ROUNDS="${ROUNDS:-2}"; WORKERS="${WORKERS:-2}"; CONC="${CONC:-20}"
OUT_DIR="${OUT_DIR:-${TMPDIR:-/tmp}/door-vs-pretix-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$OUT_DIR"
n=0
one() {
  local sys="$1" eng="$2"; n=$((n + 1))
  local tag; tag="$(printf '%02d' "$n")-$sys-$eng"
  echo "== $tag start $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT_DIR/runs.log"
  if [[ "$sys" == "pretix" ]]; then
    LOAD_ARGS="--skip-orders" timeout 900 bash "$PEERS/pretix/run.sh" "$eng" "$WORKERS" "$CONC" \
      >"$OUT_DIR/$tag.json" 2>"$OUT_DIR/$tag.err" || echo "!! $tag rc=$?" | tee -a "$OUT_DIR/runs.log"
  else
    timeout 900 bash "$HERE/run_network.sh" "$eng" "$WORKERS" "$CONC" \
      >"$OUT_DIR/$tag.json" 2>"$OUT_DIR/$tag.err" || echo "!! $tag rc=$?" | tee -a "$OUT_DIR/runs.log"
  fi
  echo "== $tag end $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT_DIR/runs.log"
}
for eng in $ENGINES; do
  for _r in $(seq 1 "$ROUNDS"); do
    one pretix "$eng"
    one network "$eng"
  done
done
"$(cd "$HERE/../.." && pwd)/.venv/bin/python" "$HERE/summary.py" "$OUT_DIR" | tee "$OUT_DIR/summary.txt"
