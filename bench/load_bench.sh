#!/usr/bin/env bash
# The load benchmark: the engine against the mock cloud providers, N concurrent simulated
# calls per level (bench/load/load_gen), a table per level in bench/RESULTS.md and a plot in
# bench/results.svg.
#
#   bench/load_bench.sh [--levels "50 100 200 400 800 1200"] [--quick] [--providers mocks|embedded]
#                       [--window-s 30] [--barge-share 0.25] [--threads 1] [--no-build]
#                       [--out-dir bench] [--keep] [--no-profile] [--stop-failed-share 0.2]
#
#   --quick       levels "5 10", short calls (a smoke run: does everything work)
#   --providers   mocks (default): Deepgram STT/TTS and OpenAI from bench/mocks' mock_providers;
#                 embedded: pocketsphinx / dialog policy / espeak-ng inside the engine (CPU-heavy,
#                 small N only)
#   --window-s    length of the steady window per level (every call up) in seconds
#   --no-build    use the binaries in the build folder as they are
#   --keep        keep the work folder (logs, per-level JSON) and print its path
#   --no-profile  no `perf record` of the engine during each level's steady window (the
#                 report shows the flat profile of the highest level; needs perf)
#   --stop-failed-share F  stop the sweep after a level where more than this share of the
#                 calls failed (default 0.2): higher levels would only fail more, slowly
#   --stop-p95-ms MS  likewise after a level whose turn latency p95 exceeds MS (default 3000:
#                 the machine is saturated; callers would hang up)
#
# Environment: BUILD_DIR (default <repo>/build); CE_BUILD_CMD (default "cmake --build $BUILD_DIR
# -j2 --target"); DATABASE_URL / REDIS_URL to use running servers (else scripts/services.sh
# starts the project's own); mock latencies: LLM_TTFT_MS (250), LLM_TPS (80), TTS_TTFB_MS (100),
# STT_FINAL_DELAY_MS (0); ENGINE_CONFIG_PATCH: a JSON merge patch applied to the engine's config
# (e.g. '{"runtime":{"caf_policy":"sharing"}}'), recorded in the report; ENGINE_ENV_EXTRA: more
# VAR=value words for the engine's environment (e.g. MALLOC_ARENA_MAX=2), recorded likewise.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
LEVELS="50 100 200 400 800 1200"
PROVIDERS=mocks
WINDOW_S=30
BARGE_SHARE=0.25
THREADS=1
BUILD=1
QUICK=0
KEEP=0
OUT_DIR="$ROOT/bench"
LEVELS_SET=0
PROFILE=1
STOP_FAILED=0.2
STOP_P95=3000
ARGS_TEXT="$*"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --levels) LEVELS="$2"; LEVELS_SET=1; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --providers) PROVIDERS="$2"; shift 2 ;;
    --window-s) WINDOW_S="$2"; shift 2 ;;
    --barge-share) BARGE_SHARE="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --out-dir) OUT_DIR="$2"; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-profile) PROFILE=0; shift ;;
    --stop-failed-share) STOP_FAILED="$2"; shift 2 ;;
    --stop-p95-ms) STOP_P95="$2"; shift 2 ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "load_bench: unknown argument $1" >&2; exit 64 ;;
  esac
done
if [[ $QUICK == 1 ]]; then
  [[ $LEVELS_SET == 1 ]] || LEVELS="5 10"
  WINDOW_S=10
fi
case "$PROVIDERS" in mocks|embedded) ;; *) echo "load_bench: --providers mocks|embedded" >&2; exit 64 ;; esac
for n in $LEVELS; do [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "load_bench: bad level '$n'" >&2; exit 64; }; done

LLM_TTFT_MS="${LLM_TTFT_MS:-250}"
LLM_TPS="${LLM_TPS:-80}"
TTS_TTFB_MS="${TTS_TTFB_MS:-100}"
STT_FINAL_DELAY_MS="${STT_FINAL_DELAY_MS:-0}"
REPLY="Sure, happy to help. We are open from eight to six on weekdays and from nine to two on Saturdays, and an oil change is forty nine ninety five."

log() { echo "load_bench: $*" >&2; }

# ---------------------------------------------------------------- build
if [[ $BUILD == 1 ]]; then
  log "building callengine mock_providers load_gen"
  ${CE_BUILD_CMD:-cmake --build "$BUILD_DIR" -j2 --target} callengine mock_providers load_gen >/dev/null
fi
ENGINE_BIN="$BUILD_DIR/callengine"
MOCK_BIN="$BUILD_DIR/bench/mock_providers"
LOAD_BIN="$BUILD_DIR/bench/load_gen"
for b in "$ENGINE_BIN" "$LOAD_BIN"; do [[ -x "$b" ]] || { log "missing $b (build first)"; exit 1; }; done
[[ $PROVIDERS == embedded || -x "$MOCK_BIN" ]] || { log "missing $MOCK_BIN"; exit 1; }

# ---------------------------------------------------------------- work folder, limits
WORK="$(mktemp -d /tmp/ce-load-XXXXXX)"
ENGINE_PID=""; MOCK_PID=""
cleanup() {
  [[ -n "$ENGINE_PID" ]] && kill "$ENGINE_PID" 2>/dev/null && wait "$ENGINE_PID" 2>/dev/null || true
  [[ -n "$MOCK_PID" ]] && kill "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null || true
  if [[ $KEEP == 1 ]]; then log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
log "open files limit $(ulimit -n); work folder $WORK"

# The load generator and the mocks stand for Twilio and the cloud providers, which have
# machines of their own: they run at a higher priority than the engine when allowed, so
# CPU contention shows up in the engine's figures, not as late frames or slow mocks.
PRIO=()
if nice -n -10 true 2>/dev/null; then PRIO=(nice -n -10); fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
machine_ticks() { awk '/^cpu /{busy=$2+$3+$4+$7+$8+$9; print busy, busy+$5+$6; exit}' /proc/stat; }

# ---------------------------------------------------------------- PostgreSQL / Redis
if [[ -z "${DATABASE_URL:-}" || -z "${REDIS_URL:-}" ]]; then
  "$ROOT/scripts/services.sh" start >/dev/null
  eval "$("$ROOT/scripts/services.sh" env)"
fi
export DATABASE_URL REDIS_URL

# ---------------------------------------------------------------- mocks
cp -r "$ROOT/config" "$WORK/config"
ENGINE_PORT="$(free_port)"
MAX_CALLS=0; for n in $LEVELS; do (( n > MAX_CALLS )) && MAX_CALLS=$n; done
MAX_CALLS=$(( MAX_CALLS + 50 ))
python3 "$ROOT/bench/load/load_bench.py" engine-config "$WORK/config/engine.json" --port "$ENGINE_PORT" \
  --max-calls "$MAX_CALLS" --providers "$PROVIDERS" --patch "${ENGINE_CONFIG_PATCH:-{\}}"
ENGINE_ENV=()
MOCK_DELAY=0; BARGE_DETECT=60; DELAYS_JSON=null  # the engine's VAD onset (80 ms) - the 20 ms of the first frame
if [[ $PROVIDERS == mocks ]]; then
  python3 "$ROOT/bench/load/load_bench.py" mock-config "$WORK/mocks.json" --reply "$REPLY" \
    --ttft "$LLM_TTFT_MS" --tps "$LLM_TPS" --tts-ttfb "$TTS_TTFB_MS" --final-delay "$STT_FINAL_DELAY_MS"
  "${PRIO[@]}" "$MOCK_BIN" --threads 2 --config "$WORK/mocks.json" --port-file "$WORK/mocks.env" >"$WORK/mocks.log" 2>&1 &
  MOCK_PID=$!
  for _ in $(seq 100); do grep -q MOCK_READY "$WORK/mocks.log" 2>/dev/null && break; sleep 0.1; done
  grep -q MOCK_READY "$WORK/mocks.log" || { log "mock_providers did not start:"; cat "$WORK/mocks.log" >&2; exit 1; }
  DEEPGRAM_BASE_URL="$(sed -n 's/^DEEPGRAM_BASE_URL=//p' "$WORK/mocks.env")"
  OPENAI_BASE_URL="$(sed -n 's/^OPENAI_BASE_URL=//p' "$WORK/mocks.env")"
  ENGINE_ENV+=(DEEPGRAM_API_KEY=mock-key OPENAI_API_KEY=mock-key "DEEPGRAM_BASE_URL=$DEEPGRAM_BASE_URL"
               "OPENAI_BASE_URL=$OPENAI_BASE_URL")
  DELAYS_JSON="$(python3 "$ROOT/bench/load/load_bench.py" delays "$WORK/config/engine.json" "$WORK/mocks.json")"
  MOCK_DELAY="$(jq -r .total_ms <<<"$DELAYS_JSON")"
  BARGE_DETECT="$(jq -r .barge_detect_ms <<<"$DELAYS_JSON")"
  log "mocks up ($DEEPGRAM_BASE_URL, $OPENAI_BASE_URL); configured delay per turn ${MOCK_DELAY} ms"
else
  ENGINE_ENV=(-u DEEPGRAM_API_KEY -u OPENAI_API_KEY)
fi
ENGINE_ENV+=(CE_LOG_LEVEL=info)
# ENGINE_ENV_EXTRA: more VAR=value words for the engine's environment (experiments such as
# LD_PRELOAD of another malloc, MALLOC_ARENA_MAX); recorded in the report
if [[ -n "${ENGINE_ENV_EXTRA:-}" ]]; then
  read -r -a extra_env <<<"$ENGINE_ENV_EXTRA"
  ENGINE_ENV+=("${extra_env[@]}")
fi

# ---------------------------------------------------------------- engine
env "${ENGINE_ENV[@]}" "$ENGINE_BIN" --config "$WORK/config/engine.json" --work-dir "$WORK/var" \
  --port-file "$WORK/engine.port" >"$WORK/engine.log" 2>&1 &
ENGINE_PID=$!
URL="http://127.0.0.1:$ENGINE_PORT"
for _ in $(seq 600); do
  kill -0 "$ENGINE_PID" 2>/dev/null || { log "engine exited:"; tail -30 "$WORK/engine.log" >&2; exit 1; }
  [[ -s "$WORK/engine.port" ]] && curl -fs "$URL/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "$URL/readyz" >/dev/null || { log "engine not ready"; tail -30 "$WORK/engine.log" >&2; exit 1; }
log "engine up at $URL (pid $ENGINE_PID, providers: $PROVIDERS)"

# warm-up (not reported): the first calls allocate pools and caches that later levels reuse,
# so the idle RSS each level subtracts is that of a warm engine
log "warm-up: 2 calls"
"$LOAD_BIN" --url "$URL" --calls 2 --ramp-s 1 --call-s 8 --barge-share 0 --quiet >"$WORK/warmup.txt" 2>&1 ||
  { log "warm-up calls failed:"; cat "$WORK/warmup.txt" >&2; tail -30 "$WORK/engine.log" >&2; exit 1; }
sleep 2
IDLE_RSS_KB=$(awk '/^VmRSS:/{print $2}' "/proc/$ENGINE_PID/status")
log "engine RSS after the warm-up: $IDLE_RSS_KB KB (the idle RSS every level's per-call figure subtracts)"

# ---------------------------------------------------------------- levels
LEVEL_FILES=()
STOPPED_AT=""
for n in $LEVELS; do
  ramp=$(( n / 50 )); (( ramp < 5 )) && ramp=5
  call_s=$(( ramp + 4 + WINDOW_S ))
  json="$WORK/level_$n.json"
  e0=$(cpu_ticks "$ENGINE_PID"); m0=$([[ -n "$MOCK_PID" ]] && cpu_ticks "$MOCK_PID" || echo 0)
  read -r busy0 total0 < <(machine_ticks); t0=$(date +%s.%N)
  log "level $n: ramp ${ramp}s, calls of ${call_s}s"
  PERF_PID=""
  if [[ $PROFILE == 1 ]] && command -v perf >/dev/null; then
    # sample the engine for 10 s in the middle of the steady window
    ( sleep $(( ramp + 4 + (WINDOW_S > 14 ? (WINDOW_S - 10) / 2 : 0) ))
      exec perf record -F 499 -g -p "$ENGINE_PID" -o "$WORK/perf_$n.data" -- sleep 10 ) >/dev/null 2>&1 &
    PERF_PID=$!
  fi
  set +e
  "${PRIO[@]}" "$LOAD_BIN" --url "$URL" --calls "$n" --engine-pid "$ENGINE_PID" --ramp-s "$ramp" --call-s "$call_s" \
    --barge-share "$BARGE_SHARE" --threads "$THREADS" --mock-delay-ms "$MOCK_DELAY" \
    --barge-detect-ms "$BARGE_DETECT" --idle-rss-kb "$IDLE_RSS_KB" --json "$json" --label "N=$n" --progress-s 5 \
    > >(tee "$WORK/level_$n.txt") 2> >(grep -v "espeak-ng ready" >&2)
  rc=$?
  set -e
  t1=$(date +%s.%N); read -r busy1 total1 < <(machine_ticks)
  e1=$(cpu_ticks "$ENGINE_PID"); m1=$([[ -n "$MOCK_PID" ]] && cpu_ticks "$MOCK_PID" || echo 0)
  if [[ -n "$PERF_PID" ]]; then
    wait "$PERF_PID" 2>/dev/null || true
    if [[ -s "$WORK/perf_$n.data" ]]; then
      perf report -i "$WORK/perf_$n.data" --no-children -g none --sort dso,symbol --percent-limit 0.7 2>/dev/null |
        grep -v '^#' | grep '%' | sed -E 's/ +/ /g; s/^ //; s/ - - ?$//' | cut -c1-160 | head -30 > "$WORK/profile_$n.txt" || true
      { echo; echo "by thread name:"
        perf report -i "$WORK/perf_$n.data" --no-children -g none --sort comm 2>/dev/null |
          grep -v '^#' | grep '%' | sed -E 's/ +/ /g; s/^ //'; } >> "$WORK/profile_$n.txt" || true
      rm -f "$WORK/perf_$n.data"
    fi
  fi
  [[ -s "$json" ]] || { log "level $n produced no report (load_gen exit $rc)"; break; }
  hz=$(getconf CLK_TCK)
  jq --argjson b "$(python3 -c "
t=$t1-$t0; hz=$hz
print('{\"wall_s\": %.1f, \"mocks_cpu_share\": %.3f, \"engine_cpu_share_level\": %.3f, \"machine_busy\": %.3f}' % (
  t, ($m1-$m0)/hz/t, ($e1-$e0)/hz/t, ($busy1-$busy0)/max(1,($total1-$total0))))")" '. + {bench: $b}' "$json" > "$json.tmp" && mv "$json.tmp" "$json"
  if [[ -s "$WORK/profile_$n.txt" ]]; then
    jq --rawfile p "$WORK/profile_$n.txt" '. + {profile: $p}' "$json" > "$json.tmp" && mv "$json.tmp" "$json"
  fi
  LEVEL_FILES+=("$json")
  failed_share=$(jq '.failed / .calls' "$json")
  if python3 -c "import sys; sys.exit(0 if $failed_share > $STOP_FAILED else 1)"; then
    log "level $n: $(jq .failed "$json") of $n calls failed (more than $STOP_FAILED): the sweep stops here"
    STOPPED_AT=$n
    break
  fi
  p95=$(jq '.turn_ms.p95 // 0' "$json")
  if python3 -c "import sys; sys.exit(0 if $p95 > $STOP_P95 else 1)"; then
    log "level $n: turn latency p95 ${p95} ms (more than $STOP_P95 ms): the sweep stops here"
    STOPPED_AT=$n
    break
  fi
  kill -0 "$ENGINE_PID" 2>/dev/null || { log "the engine died during level $n"; tail -30 "$WORK/engine.log" >&2; break; }
  # let the engine finish the calls before the next level
  for _ in $(seq 100); do
    active=$(curl -fs "$URL/metrics" | awk '$1=="ce_calls_active"{print $2}')
    [[ "${active:-0}" == 0 ]] && break
    sleep 0.2
  done
  sleep 2
done
[[ ${#LEVEL_FILES[@]} -gt 0 ]] || { log "no level completed"; exit 1; }

# ---------------------------------------------------------------- report
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
dirty=false; [[ -n "$(git -C "$ROOT" status --porcelain 2>/dev/null | grep -v '^??' || true)" ]] && dirty=true
cpu_model="$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
cores="$(nproc)"
ram_gb="$(awk '/MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo)"
if [[ $PROVIDERS == mocks ]]; then
  providers_text="mock Deepgram live STT + TTS and mock OpenAI (bench/mocks mock_providers, 2 threads, on loopback): LLM ttft ${LLM_TTFT_MS} ms at ${LLM_TPS} tokens/s, TTS first byte ${TTS_TTFB_MS} ms (65 ms of audio per character, sent at 3x real time), STT final delay ${STT_FINAL_DELAY_MS} ms"
  note="The engine against mock cloud providers on one machine."
else
  providers_text="embedded: pocketsphinx STT, dialog policy, espeak-ng TTS inside the engine (no cloud, no mocks)"
  note="**Embedded providers** (pocketsphinx / dialog policy / espeak-ng): these levels measure the CPU-heavy local speech stack, not the cloud configuration the issue's goals are about; engine-added latency is not separable here (no configured provider delays)."
fi
[[ $QUICK == 1 ]] && note="$note **Quick run** (--quick): short windows, small levels; a smoke test of the tool, not the benchmark."
engine_text="caf_threads $(jq .runtime.caf_threads "$WORK/config/engine.json"), caf_policy $(jq -r '.runtime.caf_policy // "stealing"' "$WORK/config/engine.json"), provider_threads $(jq .runtime.provider_threads "$WORK/config/engine.json"), io_threads $(jq .server.io_threads "$WORK/config/engine.json"), max_concurrent_calls $MAX_CALLS, log_level info, STT endpointing $(jq '.deepgram.stt.endpointing_ms // "n/a"' "$WORK/config/engine.json") ms, quiet_batch_ms $(jq '.calls.quiet_batch_ms // 20' "$WORK/config/engine.json")"
[[ -n "${ENGINE_CONFIG_PATCH:-}" ]] && engine_text="$engine_text, config patch \`$ENGINE_CONFIG_PATCH\`"
[[ -n "${ENGINE_ENV_EXTRA:-}" ]] && engine_text="$engine_text, environment \`$ENGINE_ENV_EXTRA\`"
calls_text="load generator and mocks at ${PRIO[*]:-normal priority}, ramp over max(5 s, N/50 s), steady window ${WINDOW_S} s, each call cycles through 3 caller lines (espeak-ng voice, 165 wpm), ${BARGE_SHARE} of the calls barge in 1.5 s into the reply to the first line; load_gen --threads $THREADS"
jq -n --arg date "$(date -u '+%Y-%m-%d %H:%M UTC')" --arg commit "$commit" --argjson dirty "$dirty" \
  --arg cpu_model "$cpu_model" --arg cores "$cores" --arg ram_gb "$ram_gb" \
  --arg providers_text "$providers_text" --arg engine_text "$engine_text" --arg calls_text "$calls_text" \
  --arg note "$note" --arg stopped_at "$STOPPED_AT" --arg levels "$LEVELS" --arg command "bench/load_bench.sh $ARGS_TEXT" --argjson delays "$DELAYS_JSON" \
  --argjson mock_delay "$MOCK_DELAY" --arg title "callengine load benchmark ($([[ $PROVIDERS == mocks ]] && echo "mock cloud providers" || echo "embedded providers"), $cores cores)" \
  --arg footnote "$cpu_model; commit $commit; $(date -u '+%Y-%m-%d')" \
  '{date:$date, commit:$commit, dirty:$dirty, cpu_model:$cpu_model, cores:$cores, ram_gb:$ram_gb,
    providers_text:$providers_text, engine_text:$engine_text, calls_text:$calls_text, note:$note,
    command:$command, stopped_at:$stopped_at, levels_planned:$levels, delays:$delays, mock_delay_ms:$mock_delay, title:$title, footnote:$footnote, slot_ms:5}' \
  > "$WORK/meta.json"
if [[ -n "${LOAD_BENCH_CLOSING:-}" ]]; then
  jq --arg c "$LOAD_BENCH_CLOSING" '. + {closing: $c}' "$WORK/meta.json" > "$WORK/meta2.json" && mv "$WORK/meta2.json" "$WORK/meta.json"
fi
mkdir -p "$OUT_DIR"
python3 "$ROOT/bench/load/load_bench.py" report "$WORK/meta.json" "${LEVEL_FILES[@]}" \
  --md "$OUT_DIR/RESULTS.md" --svg "$OUT_DIR/results.svg"
# the levels of this run only: files of an earlier, longer sweep would contradict the report
rm -rf "$OUT_DIR/load_results"
mkdir -p "$OUT_DIR/load_results" && cp "$WORK"/level_*.json "$WORK"/level_*.txt "$WORK/meta.json" "$OUT_DIR/load_results/"
log "wrote $OUT_DIR/RESULTS.md and $OUT_DIR/results.svg"
