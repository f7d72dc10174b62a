#!/usr/bin/env bash
# The main job: installs what is missing, builds, starts the project's PostgreSQL and
# Redis (scripts/services.sh; an existing DATABASE_URL/REDIS_URL is used instead), loads
# the demo data, starts the engine on its embedded defaults, places one simulated phone
# call (a seeded customer books an oil change) and prints the conversation, then leaves
# the engine running and prints its URLs.  --exit: stop everything after the call.
# --scenario=reminder|followup|voicemail: the engine calls a customer instead (its reminder
# scheduler, through the Twilio mock, to a test number; scripts/outbound_demo.sh).
source "$(dirname "$0")/lib.sh"
EXIT_AFTER=0
SCENARIO=booking
for a in "$@"; do
  case "$a" in
    --exit) EXIT_AFTER=1 ;;
    --scenario=*) SCENARIO="${a#--scenario=}" ;;
    *) echo "usage: scripts/demo.sh [--exit] [--scenario=booking|new-caller|questions|barge|transfer|reminder|followup|voicemail]" >&2; exit 64 ;;
  esac
done
install_packages
OUTBOUND=0
case "$SCENARIO" in reminder|followup|voicemail) OUTBOUND=1 ;; esac
if [ "$OUTBOUND" -eq 1 ]; then build --target callengine sim_caller mock_providers; else build --target callengine sim_caller; fi
mkdir -p "$VAR"
PORT="${CE_PORT:-8080}"
URL="http://127.0.0.1:$PORT"
if curl -sf "$URL/healthz" >/dev/null 2>&1; then
  echo "something is already listening on port $PORT (an engine from an earlier demo?); stop it or set CE_PORT" >&2
  exit 1
fi
cd "$ROOT"
log "starting PostgreSQL and Redis (scripts/services.sh)"
# What the caller configured stays theirs; what services.sh starts here is ours to stop.
GIVEN_URLS=()
[ -n "${DATABASE_URL:-}" ] && GIVEN_URLS+=(DATABASE_URL="$DATABASE_URL")
[ -n "${REDIS_URL:-}" ] && GIVEN_URLS+=(REDIS_URL="$REDIS_URL")
# Servers that already ran before the demo (an earlier `services.sh start`) are left running.
OURS=()
for component in postgres redis; do
  scripts/services.sh status "$component" >/dev/null 2>&1 || OURS+=("$component")
done
stop_our_services() {
  local c
  for c in "${OURS[@]}"; do env -u DATABASE_URL -u REDIS_URL "${GIVEN_URLS[@]}" scripts/services.sh stop "$c"; done
}
scripts/services.sh start
eval "$(scripts/services.sh env | sed 's/^/export /')"
log "loading the demo data (callengine seed; kept when already there)"
"$BUILD/callengine" seed
if [ "$OUTBOUND" -eq 1 ]; then
  source "$ROOT/scripts/outbound_demo.sh"
fi
log "starting the engine (log: var/engine.log)"
CE_PORT="$PORT" CE_PUBLIC_BASE_URL="$URL" nohup "$BUILD/callengine" --config config/engine.json --work-dir "$VAR" \
  >"$VAR/engine.log" 2>&1 &
ENGINE_PID=$!
echo "$ENGINE_PID" >"$VAR/engine.pid"
for _ in $(seq 1 200); do
  curl -sf "$URL/readyz" >/dev/null 2>&1 && break
  kill -0 "$ENGINE_PID" 2>/dev/null || { cat "$VAR/engine.log" >&2; echo "the engine failed to start" >&2; exit 1; }
  sleep 0.1
done
# A seeded customer with one vehicle calls to book an oil change and, asked to verify,
# types the ZIP code on file on the keypad (spoken digits are the recogniser's weak spot).
CALLER_ARGS=(--scenario "$SCENARIO")
if [ "$SCENARIO" = booking ]; then
  read -r PHONE ZIP NAME < <(psql "$DATABASE_URL" -At -F ' ' -c \
    "SELECT c.phone, c.zip, c.first_name FROM customers c WHERE c.zip <> ''
       AND (SELECT count(*) FROM vehicles v WHERE v.customer_id = c.id) = 1 ORDER BY c.id LIMIT 1")
  log "$NAME calls from $PHONE to book an oil change (types the ZIP on file, $ZIP, on the keypad)"
  CALLER_ARGS=(--from "$PHONE" --say "i would like to book an oil change" --say "dtmf:$ZIP"
               --say "yes" --say "the eight a.m. one" --say "yes" --say "no thank you goodbye")
fi
if [ "$SCENARIO" = new-caller ]; then
  # A number the dealership has never seen: name, vehicle, then a booking.
  while :; do
    PHONE="+1415$(printf '%07d' $((RANDOM * 32768 + RANDOM)) | cut -c1-7)"
    [ "$(psql "$DATABASE_URL" -At -c "SELECT count(*) FROM customers WHERE phone = '$PHONE'")" = 0 ] && break
  done
  log "a new caller rings from $PHONE to book an oil change next Tuesday"
  CALLER_ARGS=(--from "$PHONE" --say "i would like to book an oil change next tuesday" --say "my name is david martinez"
               --say "it's a two thousand fifteen toyota camry" --say "the eight a.m. one" --say "yes"
               --say "no thank you goodbye")
fi
log "placing a simulated phone call (recording: var/demo-call.wav)"
RC=0
"$BUILD/bench/sim_caller" --url "$URL" "${CALLER_ARGS[@]}" --wav "$VAR/demo-call.wav" || RC=$?
if [ "$EXIT_AFTER" -eq 1 ]; then
  kill -TERM "$ENGINE_PID"
  wait "$ENGINE_PID" 2>/dev/null || true
  stop_our_services
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
Database:      psql $DATABASE_URL   (the booking is in appointments, the call in call_logs/call_turns)
Stop it:       kill $ENGINE_PID; scripts/services.sh stop
MSG
exit $RC
