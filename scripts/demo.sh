#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the engine on its embedded
# defaults, places one simulated phone call and prints the conversation, then leaves
# the engine running and prints its URLs.  --exit: stop the engine after the call.
source "$(dirname "$0")/lib.sh"
EXIT_AFTER=0
SCENARIO=demo
for a in "$@"; do
  case "$a" in
    --exit) EXIT_AFTER=1 ;;
    --scenario=*) SCENARIO="${a#--scenario=}" ;;
    *) echo "usage: scripts/demo.sh [--exit] [--scenario=demo|barge|transfer|hours]" >&2; exit 64 ;;
  esac
done
install_packages
build --target callengine sim_caller
mkdir -p "$VAR"
PORT="${CE_PORT:-8080}"
URL="http://127.0.0.1:$PORT"
if curl -sf "$URL/healthz" >/dev/null 2>&1; then
  echo "something is already listening on port $PORT (an engine from an earlier demo?); stop it or set CE_PORT" >&2
  exit 1
fi
log "starting the engine (log: var/engine.log)"
cd "$ROOT"
CE_PORT="$PORT" CE_PUBLIC_BASE_URL="$URL" nohup "$BUILD/callengine" --config config/engine.json --work-dir "$VAR" \
  >"$VAR/engine.log" 2>&1 &
ENGINE_PID=$!
echo "$ENGINE_PID" >"$VAR/engine.pid"
for _ in $(seq 1 200); do
  curl -sf "$URL/readyz" >/dev/null 2>&1 && break
  kill -0 "$ENGINE_PID" 2>/dev/null || { cat "$VAR/engine.log" >&2; echo "the engine failed to start" >&2; exit 1; }
  sleep 0.1
done
log "placing a simulated phone call (recording: var/demo-call.wav)"
RC=0
"$BUILD/bench/sim_caller" --url "$URL" --scenario "$SCENARIO" --wav "$VAR/demo-call.wav" || RC=$?
if [ "$EXIT_AFTER" -eq 1 ]; then
  kill -TERM "$ENGINE_PID"
  wait "$ENGINE_PID" 2>/dev/null || true
  exit $RC
fi
cat <<MSG

The engine is still running (pid $ENGINE_PID, log var/engine.log):
  webhook     POST $URL/twilio/voice
  media       WS   ${URL/http/ws}/twilio/media
  health      $URL/healthz   $URL/readyz
  metrics     $URL/metrics   $URL/metrics.json
  calls       $URL/calls     $URL/calls/{call_sid}
Another call:  $BUILD/bench/sim_caller --url $URL --scenario barge
Stop it:       kill $ENGINE_PID
MSG
exit $RC
