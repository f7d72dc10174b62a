#!/usr/bin/env bash
# The understanding benchmark, end to end on embedded defaults: the project's PostgreSQL and
# Redis on ports of their own (CE_UB_DIR, default var/understanding; CE_UB_PG_PORT 55732, CE_UB_REDIS_PORT
# 56679), a freshly seeded database, the engine (config/engine.json, offline providers), then
# understanding_bench with the given arguments. Everything it started is stopped at the end.
#
#   bench/understanding/run.sh [--no-build] [--sample N] [--jobs N] [--only PREFIX] [--all-voices]
#
# Tables on stdout; var/understanding/results.json (every case) and report.md (what went
# wrong: said, heard, answered). Exit status: 0 when every call ran (whatever the scores),
# 1 when the harness or the engine failed.
set -euo pipefail
source "$(dirname "$0")/../../scripts/lib.sh"
cd "$ROOT"
NO_BUILD=0
ARGS=()
for a in "$@"; do
  if [ "$a" = --no-build ]; then NO_BUILD=1; else ARGS+=("$a"); fi
done
if [ "$NO_BUILD" -eq 0 ]; then
  install_packages
  build --target callengine understanding_bench
fi
OUT="${CE_UB_DIR:-$VAR/understanding}"
mkdir -p "$OUT"
export CE_SERVICES_DIR="$OUT/services" CE_PG_PORT="${CE_UB_PG_PORT:-55732}" CE_REDIS_PORT="${CE_UB_REDIS_PORT:-56679}"
export CE_PG_DATABASE=callengine_understanding
unset DATABASE_URL REDIS_URL
ENGINE_PID=""
cleanup() {
  [ -n "$ENGINE_PID" ] && kill -TERM "$ENGINE_PID" 2>/dev/null && wait "$ENGINE_PID" 2>/dev/null || true
  scripts/services.sh stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
log "PostgreSQL and Redis for the benchmark (ports $CE_PG_PORT, $CE_REDIS_PORT)"
scripts/services.sh start >/dev/null
eval "$(scripts/services.sh env | sed 's/^/export /')"
log "a fresh demo database (callengine seed --reset)"
"$BUILD/callengine" seed --reset >/dev/null
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
URL="http://127.0.0.1:$PORT"
rm -f "$OUT/engine.port"
CE_PORT="$PORT" CE_PUBLIC_BASE_URL="$URL" "$BUILD/callengine" --config config/engine.json --work-dir "$OUT/work" \
  --port-file "$OUT/engine.port" >"$OUT/engine.log" 2>&1 &
ENGINE_PID=$!
for _ in $(seq 600); do
  kill -0 "$ENGINE_PID" 2>/dev/null || { tail -30 "$OUT/engine.log" >&2; echo "the engine stopped" >&2; exit 1; }
  curl -fs "$URL/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
log "engine up at $URL (log: $OUT/engine.log); calls from the corpus"
"$BUILD/bench/understanding_bench" --url "$URL" --database-url "$DATABASE_URL" \
  --corpus bench/understanding/corpus.json --json "$OUT/results.json" --report "$OUT/report.md" "${ARGS[@]}"
