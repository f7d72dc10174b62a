# Sourced by scripts/demo.sh for --scenario=reminder|followup|voicemail: an outbound call
# placed by the engine's reminder scheduler through the Twilio mock (bench/mocks) to the
# test number, answered by a simulated customer (or their answering machine), then the
# conversation and the job's final row from PostgreSQL. Expects ROOT, BUILD, VAR, PORT,
# URL, SCENARIO, EXIT_AFTER, GIVEN_URLS and DATABASE_URL (demo.sh sets them).

TEST_NUMBER="${CE_REMINDER_TEST_NUMBER:-+15005550006}"
SHOP_NUMBER="+12175550100"
TZ_SHOP="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("timezone","America/Chicago"))' \
  "$ROOT/config/dealership.json")"
KIND=reminder
[ "$SCENARIO" = followup ] && KIND=followup

# --- the customer's side: the Twilio mock and its simulated callee -------------------------
MOCK_ARGS=(--port-file "$VAR/mock.urls" --twilio-callee-wav-dir "$VAR")
case "$SCENARIO" in
  reminder) MOCK_ARGS+=(--twilio-amd human --twilio-callee-say "yes speaking" --twilio-callee-say "yes i will be there"
                        --twilio-callee-say "no thank you goodbye") ;;
  followup) MOCK_ARGS+=(--twilio-amd human --twilio-callee-say "yes speaking" --twilio-callee-say "five"
                        --twilio-callee-say "the service was quick and everyone was friendly"
                        --twilio-callee-say "no thank you goodbye") ;;
  voicemail) MOCK_ARGS+=(--twilio-amd machine) ;;
esac
rm -f "$VAR/mock.urls"
log "starting the Twilio mock with a simulated customer (log: var/mock.log)"
"$BUILD/bench/mock_providers" "${MOCK_ARGS[@]}" >"$VAR/mock.log" 2>&1 &
MOCK_PID=$!
for _ in $(seq 1 100); do [ -s "$VAR/mock.urls" ] && grep -q TWILIO_API_BASE "$VAR/mock.urls" && break; sleep 0.1; done
TWILIO_API_BASE="$(sed -n 's/^TWILIO_API_BASE=//p' "$VAR/mock.urls")"
[ -n "$TWILIO_API_BASE" ] || { cat "$VAR/mock.log" >&2; echo "the Twilio mock did not start" >&2; exit 1; }

# --- one job due now: what the scheduler's 09:00 run makes, for one appointment ------------
log "making one $KIND due now (today's 09:00 run marked done, other pending jobs left alone)"
JOB_ID="$(psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qAt -v kind="$KIND" -v tz="$TZ_SHOP" <<'SQL'
SELECT set_config('demo.kind', :'kind', false), set_config('demo.tz', :'tz', false);
-- the day's automatic run counts as done, so only the job below is called now
INSERT INTO scheduler_runs (kind, shop_day, node, created)
  SELECT k, (now() AT TIME ZONE current_setting('demo.tz'))::date, 'demo', 0 FROM unnest(ARRAY['reminder', 'followup']) k
  ON CONFLICT DO NOTHING;
DO $$
DECLARE
  tz text := current_setting('demo.tz');
  jkind text := current_setting('demo.kind');
  today date := (now() AT TIME ZONE tz)::date;
  appt bigint;
  cust bigint;
  veh bigint;
BEGIN
  -- a customer with a phone, one vehicle and no opt-out (an earlier demo may have opted one out)
  SELECT c.id, v.id INTO cust, veh FROM customers c JOIN vehicles v ON v.customer_id = c.id
   WHERE c.phone IS NOT NULL AND NOT c.do_not_call
     AND (SELECT count(*) FROM vehicles w WHERE w.customer_id = c.id) = 1
   ORDER BY c.id LIMIT 1;
  IF jkind = 'reminder' THEN
    SELECT a.id INTO appt FROM appointments a JOIN customers c ON c.id = a.customer_id
     WHERE a.status IN ('booked', 'confirmed') AND (a.starts_at AT TIME ZONE tz)::date = today + 1
       AND a.vehicle_id IS NOT NULL AND c.phone IS NOT NULL AND NOT c.do_not_call ORDER BY a.starts_at LIMIT 1;
    IF appt IS NULL THEN  -- the demo data is older than a day: book one tomorrow
      FOR h IN 8..16 LOOP
        FOR b IN 1..8 LOOP
          BEGIN
            INSERT INTO appointments (customer_id, vehicle_id, service_type, starts_at, ends_at, bay, status,
                                      confirmation_code)
            VALUES (cust, veh, 'oil_change', ((today + 1) + make_interval(hours => h)) AT TIME ZONE tz,
                    ((today + 1) + make_interval(hours => h, mins => 30)) AT TIME ZONE tz, b, 'booked',
                    'DM' || lpad((floor(random() * 10000))::int::text, 4, '0'))
            RETURNING id INTO appt;
            EXIT;
          EXCEPTION WHEN exclusion_violation OR unique_violation OR check_violation THEN NULL;
          END;
        END LOOP;
        EXIT WHEN appt IS NOT NULL;
      END LOOP;
    END IF;
  ELSE
    SELECT a.id INTO appt FROM appointments a JOIN customers c ON c.id = a.customer_id
     WHERE a.status = 'completed' AND (a.starts_at AT TIME ZONE tz)::date = today - 2
       AND a.vehicle_id IS NOT NULL AND c.phone IS NOT NULL AND NOT c.do_not_call ORDER BY a.starts_at LIMIT 1;
    IF appt IS NULL THEN
      INSERT INTO appointments (customer_id, vehicle_id, service_type, starts_at, ends_at, bay, status, confirmation_code)
      VALUES (cust, veh, 'tire_rotation', ((today - 2) + time '10:00') AT TIME ZONE tz,
              ((today - 2) + time '10:30') AT TIME ZONE tz, 1, 'completed',
              'DF' || lpad((floor(random() * 10000))::int::text, 4, '0'))
      RETURNING id INTO appt;
    END IF;
  END IF;
  DELETE FROM reminder_attempts WHERE job_id IN (SELECT id FROM reminder_jobs WHERE reminder_jobs.kind = jkind
                                                  AND appointment_id = appt);
  INSERT INTO reminder_jobs (kind, appointment_id, customer_id, due_at, not_after, state, attempts)
    SELECT jkind, a.id, a.customer_id, now(),
           CASE WHEN jkind = 'reminder' THEN a.starts_at ELSE now() + interval '12 hours' END, 'pending', 0
    FROM appointments a WHERE a.id = appt
  ON CONFLICT (kind, appointment_id) DO UPDATE
    SET state = 'pending', attempts = 0, due_at = now(), not_after = excluded.not_after, outcome = NULL,
        rating = NULL, feedback = NULL, callback_wanted = false, call_sid = NULL, last_status = NULL, updated_at = now();
  PERFORM set_config('demo.job', (SELECT id::text FROM reminder_jobs j WHERE j.kind = jkind AND j.appointment_id = appt),
                     false);
END $$;
SELECT current_setting('demo.job');
SQL
)"
JOB_ID="$(echo "$JOB_ID" | tail -1)"
psql "$DATABASE_URL" -At -F ' | ' -c "SELECT 'job ' || j.id, j.kind, c.first_name || ' ' || c.last_name,
  a.service_type, to_char(a.starts_at AT TIME ZONE '$TZ_SHOP', 'Dy YYYY-MM-DD HH24:MI')
  FROM reminder_jobs j JOIN customers c ON c.id = j.customer_id JOIN appointments a ON a.id = j.appointment_id
  WHERE j.id = $JOB_ID" >&2

# --- the engine, in test mode: it dials the test number and nothing else --------------------
log "starting the engine in reminder test mode: every call goes to $TEST_NUMBER (log: var/engine.log)"
CE_PORT="$PORT" CE_PUBLIC_BASE_URL="$URL" TWILIO_API_BASE="$TWILIO_API_BASE" \
  TWILIO_ACCOUNT_SID=AC00000000000000000000000000000001 TWILIO_AUTH_TOKEN=mock_auth_token \
  TWILIO_FROM_NUMBER="$SHOP_NUMBER" CE_REMINDER_TEST_NUMBER="$TEST_NUMBER" CE_REMINDER_WINDOW=00:00-24:00 \
  CE_REMINDER_ANY_DAY=1 nohup "$BUILD/callengine" --config config/engine.json --work-dir "$VAR" \
  >"$VAR/engine.log" 2>&1 &
ENGINE_PID=$!
echo "$ENGINE_PID" >"$VAR/engine.pid"

log "waiting for the scheduler to place the call and for the conversation to end"
STATE=""
for _ in $(seq 1 1200); do
  STATE="$(psql "$DATABASE_URL" -At -c "SELECT j.state || '/' || coalesce(j.outcome, '') || '/' ||
      coalesce((SELECT count(*) FROM reminder_attempts r WHERE r.job_id = j.id AND r.ended_at IS NOT NULL), 0)
      FROM reminder_jobs j WHERE j.id = $JOB_ID")"
  case "$STATE" in done/*/[1-9]*|failed/*|cancelled/*) break ;; esac
  kill -0 "$ENGINE_PID" 2>/dev/null || { tail -20 "$VAR/engine.log" >&2; echo "the engine stopped" >&2; break; }
  sleep 0.1
done
SID="$(psql "$DATABASE_URL" -At -c "SELECT coalesce(call_sid, '') FROM reminder_attempts WHERE job_id = $JOB_ID
  ORDER BY attempt DESC LIMIT 1")"
if [ -n "$SID" ]; then
  for _ in $(seq 1 50); do  # the call's record is complete once its supervisor has ended it
    curl -sf "$URL/calls/$SID" | grep -q '"state":"ended"' && break
    sleep 0.1
  done
  curl -sf "$URL/calls/$SID" | python3 -c '
import json, sys
rec = json.load(sys.stdin)
print("\n=== outbound call %s (%s, %s) ===" % (rec.get("call_sid"), rec.get("direction"), rec.get("ended_by", "live")))
for t in rec.get("turns", []):
    who = "agent " if t.get("speaker") == "agent" else "callee"
    print("[%6.1fs] %s: %s" % (t.get("at_ms", 0) / 1000.0, who, t.get("text", "")))
' || true
fi
echo
echo "job $JOB_ID in PostgreSQL:"
psql "$DATABASE_URL" -P pager=off -c "SELECT id, kind, state, outcome, attempts, rating, feedback, callback_wanted,
  call_sid FROM reminder_jobs WHERE id = $JOB_ID"
psql "$DATABASE_URL" -P pager=off -c "SELECT attempt, dialled, status, answered_by, outcome, placed_at::time(0),
  ended_at::time(0) FROM reminder_attempts WHERE job_id = $JOB_ID ORDER BY attempt"
OUTCOME="$(psql "$DATABASE_URL" -At -c "SELECT coalesce(outcome, '') || CASE WHEN rating IS NOT NULL
  THEN ' ' || rating ELSE '' END FROM reminder_jobs WHERE id = $JOB_ID")"
echo "$KIND outcome: ${OUTCOME:-none ($STATE)}"
RC=0
case "$SCENARIO/$OUTCOME" in
  reminder/confirmed|voicemail/voicemail|followup/rated\ *) ;;
  *) RC=1; echo "expected another outcome; see var/engine.log and var/mock.log" >&2 ;;
esac
kill -TERM "$MOCK_PID" 2>/dev/null || true
wait "$MOCK_PID" 2>/dev/null || true
if [ "$EXIT_AFTER" -eq 1 ]; then
  kill -TERM "$ENGINE_PID"
  wait "$ENGINE_PID" 2>/dev/null || true
  stop_our_services
  exit $RC
fi
cat <<MSG

The engine is still running in reminder test mode (pid $ENGINE_PID, log var/engine.log);
the Twilio mock has stopped, so it places no more calls. The recording of the call is
var/$SID.wav.
Stop it:       kill $ENGINE_PID; scripts/services.sh stop
MSG
exit $RC
