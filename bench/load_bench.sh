#!/usr/bin/env bash
# The load benchmark: the engine against the mock cloud providers, N concurrent phone lines
# per level (bench/load/load_gen), a table per level in bench/RESULTS.md and a plot in
# bench/results.svg; or a same-day A/B of two builds at given levels in one table.
#
#   bench/load_bench.sh [--levels "50 100 200 300 400 500 600 700 800 1000"] [--window-s 60]
#                       [--quick] [--providers mocks|embedded] [--barge-share 0.25] [--threads 1]
#                       [--no-build] [--out-dir bench] [--keep] [--no-profile]
#                       [--stop-p95-ms 1000] [--stop-failed-share 0]
#                       (--stop-p95-ms: engine-added p95; turn latency p95 with --providers
#                       embedded, default 3000 there)
#   bench/load_bench.sh --ab OLD_BUILD_DIR --levels "300 600" [--ab-rounds 2] [--ab-out FILE] ...
#
# What a level is (the same load as issue 11's independent harness): N phone lines; each line
# calls (signed voice webhook -> TwiML -> Media Streams WebSocket with the stream token, 20 ms
# mu-law frames), waits for the greeting to finish playing, takes 4 caller turns of 1.2-2.4 s
# of speech (espeak-ng), each after the agent went quiet, with a seeded 25 % of the replies
# barged into ~1 s into their audio, hangs up after the 4th reply and calls again at once,
# until the level ends. A level = ramp (max(5 s, N/50 s)) + 3 s settling + the steady window
# (--window-s, 60 s), over which CPU, RSS, threads and machine load are measured.
# The sweep stops after a breaking level: a failed call (more than --stop-failed-share of
# them), a turn without a reply (no agent audio within 8 s), a missed barge-in (no clear within
# 2 s) or engine-added p95 over --stop-p95-ms.
#
#   --levels      concurrent lines per level (the sweep's or the A/B's)
#   --window-s    steady window per level, seconds (default 60)
#   --quick       levels "5 10", 10 s windows, report in /tmp/ce-load-quick unless --out-dir
#                 (a smoke run: does everything work; bench/RESULTS.md stays as it is)
#   --providers   mocks (default): Deepgram STT/TTS and OpenAI from bench/mocks' mock_providers;
#                 embedded: pocketsphinx / dialog policy / espeak-ng inside the engine (CPU-heavy,
#                 small N only; no floor to subtract, so no engine-added figure)
#   --no-build    use the binaries in the build folder(s) as they are
#   --keep        keep the work folder (logs, per-level JSON) and print its path
#   --no-profile  no `perf record` of the engine during each level's steady window (the report
#                 shows the flat profile of the highest level; needs perf; never in --ab)
#   --ab DIR      A/B: DIR is another build folder (e.g. of a git worktree at an older commit);
#                 at each level the two builds run alternately (each run: its own engine from
#                 its build with its source tree's config/engine.json, a 2-call warm-up, the
#                 level, stop), every level in every round; one table in --ab-out (default
#                 <out-dir>/ab_results.md, raw JSON beside it in ab_results/), rows labelled
#                 with each build's commit (AB_LABEL_OLD / AB_LABEL_NEW override the labels)
#   --ab-rounds R rounds per level (default 1); odd rounds run old then new, even rounds new
#                 then old
#
# Environment: BUILD_DIR (default <repo>/build): the engine's build (in --ab the "new" one; an
# old build works too: its engine runs with its own source tree's config); TOOLS_DIR (default
# <repo>/build): where load_gen and mock_providers come from; CE_BUILD_CMD (default
# "cmake --build $BUILD_DIR -j2 --target"); DATABASE_URL / REDIS_URL to use running servers
# (else scripts/services.sh starts the project's own); mock settings: LLM_TTFT_MS (250),
# LLM_TPS (50), TTS_TTFB_MS (150), STT_ENDPOINTING_MS (300: set in the engine's config as
# deepgram.stt.endpointing_ms, which the mock STT honours), STT_FINAL_DELAY_MS (0), REPLY (the
# model's answer to every caller turn; its first sentence is 5 pieces as the OpenAI mock splits
# text, "We can help you."), GREETING; MOCK_RULES: more OpenAI mock rules (JSON array; a rule
# with tool_calls makes the caller lines it matches tool-call turns, left out of the latency
# figures); LOAD_NICE (-5): the priority of the load generator and the mocks (issue 11's
# harness ran at nice -5); ENGINE_CONFIG_PATCH: a JSON merge patch applied to the engine's
# config (e.g. '{"runtime":{"caf_policy":"sharing"}}'), recorded in the report;
# ENGINE_ENV_EXTRA: more VAR=value words for the engine's environment (e.g. MALLOC_ARENA_MAX=2),
# recorded likewise.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BUILD_DIR:-$ROOT/build}"
LEVELS="50 100 200 300 400 500 600 700 800 1000"
PROVIDERS=mocks
WINDOW_S=60
SETTLE_S=3
BARGE_SHARE=0.25
THREADS=1
BUILD=1
QUICK=0
KEEP=0
OUT_DIR="$ROOT/bench"
OUT_SET=0
LEVELS_SET=0
WINDOW_SET=0
PROFILE=1
STOP_FAILED=0
STOP_P95=""
AB_DIR=""
AB_ROUNDS=1
AB_OUT=""
ARGS_TEXT="$*"

while [[ $# -gt 0 ]]; do
  case "$1" in
    --levels) LEVELS="$2"; LEVELS_SET=1; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --providers) PROVIDERS="$2"; shift 2 ;;
    --window-s) WINDOW_S="$2"; WINDOW_SET=1; shift 2 ;;
    --barge-share) BARGE_SHARE="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --out-dir) OUT_DIR="$2"; OUT_SET=1; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --no-profile) PROFILE=0; shift ;;
    --stop-failed-share) STOP_FAILED="$2"; shift 2 ;;
    --stop-p95-ms) STOP_P95="$2"; shift 2 ;;
    --ab) AB_DIR="$2"; shift 2 ;;
    --ab-rounds) AB_ROUNDS="$2"; shift 2 ;;
    --ab-out) AB_OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;p}' "$0"; exit 0 ;;
    *) echo "load_bench: unknown argument $1" >&2; exit 64 ;;
  esac
done
if [[ $QUICK == 1 ]]; then
  [[ $LEVELS_SET == 1 ]] || LEVELS="5 10"
  [[ $WINDOW_SET == 1 ]] || WINDOW_S=10
  [[ $OUT_SET == 1 ]] || OUT_DIR="/tmp/ce-load-quick"
fi
case "$PROVIDERS" in mocks|embedded) ;; *) echo "load_bench: --providers mocks|embedded" >&2; exit 64 ;; esac
# the latency limit of a breaking level: engine-added p95 on the mocks; turn latency p95 on the
# embedded providers (no floor to subtract; pocketsphinx and espeak-ng take their time)
if [[ -z "$STOP_P95" ]]; then if [[ $PROVIDERS == mocks ]]; then STOP_P95=1000; else STOP_P95=3000; fi; fi
for n in $LEVELS; do [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "load_bench: bad level '$n'" >&2; exit 64; }; done
[[ "$WINDOW_S" =~ ^[0-9]+$ && "$WINDOW_S" -ge 5 ]] || { echo "load_bench: --window-s must be at least 5" >&2; exit 64; }
[[ "$AB_ROUNDS" =~ ^[0-9]+$ && "$AB_ROUNDS" -ge 1 ]] || { echo "load_bench: --ab-rounds must be at least 1" >&2; exit 64; }
if [[ -n "$AB_DIR" ]]; then
  AB_DIR="$(cd "$AB_DIR" && pwd)" || { echo "load_bench: no build folder $AB_DIR" >&2; exit 64; }
  [[ -x "$AB_DIR/callengine" ]] || { echo "load_bench: $AB_DIR/callengine missing (build it first)" >&2; exit 64; }
  PROFILE=0
  [[ -n "$AB_OUT" ]] || AB_OUT="$OUT_DIR/ab_results.md"
fi
BUILD_DIR="$(cd "$BUILD_DIR" && pwd)"

LLM_TTFT_MS="${LLM_TTFT_MS:-250}"
LLM_TPS="${LLM_TPS:-50}"
TTS_TTFB_MS="${TTS_TTFB_MS:-150}"
STT_ENDPOINTING_MS="${STT_ENDPOINTING_MS:-300}"
STT_FINAL_DELAY_MS="${STT_FINAL_DELAY_MS:-0}"
# The first sentence is 5 pieces as the OpenAI mock splits text ("We", " can", " help", " you",
# "."): its last piece comes 4 / LLM_TPS after the first token (80 ms at 50 tokens/s).
REPLY="${REPLY:-We can help you. We are open from eight to six on weekdays and from nine to two on Saturdays, and an oil change is forty nine ninety five.}"
DEFAULT_GREETING="Thanks for calling Bart's Automotive, this is the service desk. How can I help you today?"
GREETING="${GREETING:-$DEFAULT_GREETING}"
MOCK_RULES="${MOCK_RULES:-[]}"
LOAD_NICE="${LOAD_NICE:--5}"
TURNS=4

log() { echo "load_bench: $*" >&2; }

# ---------------------------------------------------------------- build
# The engine comes from BUILD_DIR (and from the --ab folder); the measuring tools (load_gen,
# mock_providers) always from TOOLS_DIR, this tree's build, so an old build is measured with
# today's generator and mocks.
TOOLS_DIR="$(cd "${TOOLS_DIR:-$ROOT/build}" && pwd)"
if [[ $BUILD == 1 ]]; then
  if [[ "$TOOLS_DIR" == "$BUILD_DIR" ]]; then
    log "building callengine mock_providers load_gen in $BUILD_DIR"
    ${CE_BUILD_CMD:-cmake --build "$BUILD_DIR" -j2 --target} callengine mock_providers load_gen >/dev/null
  else
    log "building callengine in $BUILD_DIR, mock_providers load_gen in $TOOLS_DIR"
    ${CE_BUILD_CMD:-cmake --build "$BUILD_DIR" -j2 --target} callengine >/dev/null
    cmake --build "$TOOLS_DIR" -j2 --target mock_providers load_gen >/dev/null
  fi
fi
MOCK_BIN="$TOOLS_DIR/bench/mock_providers"
LOAD_BIN="$TOOLS_DIR/bench/load_gen"
for b in "$BUILD_DIR/callengine" "$LOAD_BIN"; do [[ -x "$b" ]] || { log "missing $b (build first)"; exit 1; }; done
[[ $PROVIDERS == embedded || -x "$MOCK_BIN" ]] || { log "missing $MOCK_BIN"; exit 1; }

# a build folder's source tree (its CMakeCache) and that tree's commit
source_of() { sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$1/CMakeCache.txt" 2>/dev/null || true; }
commit_of() {
  local src; src="$(source_of "$1")"
  [[ -n "$src" ]] || src="$ROOT"
  local c; c="$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  if [[ -n "$(git -C "$src" status --porcelain --untracked-files=no 2>/dev/null || true)" ]]; then c="$c+dirty"; fi
  echo "$c"
}

# ---------------------------------------------------------------- work folder, limits
WORK="$(mktemp -d /tmp/ce-load-XXXXXX)"
ENGINE_PID=""; MOCK_PID=""
# SIGTERM (the engine drains: at most calls.drain_deadline_s, 30 s, with calls left), then
# SIGKILL if it is still there 5 s after it logged "stopped" or 45 s after the SIGTERM, so a
# hang at exit cannot stall the benchmark
stop_engine() {
  if [[ -n "$ENGINE_PID" ]]; then
    kill "$ENGINE_PID" 2>/dev/null || true
    local left=450
    for (( ; left > 0; left-- )); do
      kill -0 "$ENGINE_PID" 2>/dev/null || break
      if (( left > 50 )) && tail -n 30 "$ENGINE_LOG" 2>/dev/null | grep -q '\[engine\] stopped'; then left=50; fi
      sleep 0.1
    done
    if kill -0 "$ENGINE_PID" 2>/dev/null; then
      log "the engine (pid $ENGINE_PID) did not exit after SIGTERM (it hangs at exit): killed"
      kill -9 "$ENGINE_PID" 2>/dev/null || true
    fi
    wait "$ENGINE_PID" 2>/dev/null || true
    ENGINE_PID=""
  fi
}
cleanup() {
  stop_engine
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
if [[ "$LOAD_NICE" != 0 ]] && nice -n "$LOAD_NICE" true 2>/dev/null; then PRIO=(nice -n "$LOAD_NICE"); fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
machine_ticks() { awk '/^cpu /{busy=$2+$3+$4+$7+$8+$9; print busy, busy+$5+$6; exit}' /proc/stat; }

# ---------------------------------------------------------------- PostgreSQL / Redis
if [[ -z "${DATABASE_URL:-}" || -z "${REDIS_URL:-}" ]]; then
  "$ROOT/scripts/services.sh" start >/dev/null
  eval "$("$ROOT/scripts/services.sh" env)"
fi
export DATABASE_URL REDIS_URL

MAX_CALLS=0; for n in $LEVELS; do (( n > MAX_CALLS )) && MAX_CALLS=$n; done
MAX_CALLS=$(( MAX_CALLS + 50 ))

# ---------------------------------------------------------------- mocks
ENGINE_ENV_BASE=()
MOCK_DELAY=0; BARGE_DETECT=60; DELAYS_JSON=null  # the engine's VAD onset (80 ms) - the 20 ms of the first frame
TOOL_ARGS=(); TOOL_TEXT=""
if [[ $PROVIDERS == mocks ]]; then
  python3 "$ROOT/bench/load/load_bench.py" mock-config "$WORK/mocks.json" --reply "$REPLY" --greeting "$GREETING" \
    --rules "$MOCK_RULES" --ttft "$LLM_TTFT_MS" --tps "$LLM_TPS" --tts-ttfb "$TTS_TTFB_MS" --final-delay "$STT_FINAL_DELAY_MS"
  "${PRIO[@]}" "$MOCK_BIN" --threads 2 --config "$WORK/mocks.json" --port-file "$WORK/mocks.env" >"$WORK/mocks.log" 2>&1 &
  MOCK_PID=$!
  for _ in $(seq 100); do grep -q MOCK_READY "$WORK/mocks.log" 2>/dev/null && break; sleep 0.1; done
  grep -q MOCK_READY "$WORK/mocks.log" || { log "mock_providers did not start:"; cat "$WORK/mocks.log" >&2; exit 1; }
  DEEPGRAM_BASE_URL="$(sed -n 's/^DEEPGRAM_BASE_URL=//p' "$WORK/mocks.env")"
  OPENAI_BASE_URL="$(sed -n 's/^OPENAI_BASE_URL=//p' "$WORK/mocks.env")"
  ENGINE_ENV_BASE+=(DEEPGRAM_API_KEY=mock-key OPENAI_API_KEY=mock-key "DEEPGRAM_BASE_URL=$DEEPGRAM_BASE_URL"
                    "OPENAI_BASE_URL=$OPENAI_BASE_URL")
  mapfile -t tool_lines < <(python3 "$ROOT/bench/load/load_bench.py" tool-lines "$WORK/mocks.json")
  for i in "${tool_lines[@]}"; do TOOL_ARGS+=(--tool-line "$i"); done
  if [[ ${#tool_lines[@]} -gt 0 ]]; then
    TOOL_TEXT="the mock answers caller lines ${tool_lines[*]} (0-based) with a tool call: those turns are left out of the latency figures (a tool call adds a second model request by design; their count is in the second table)"
  else
    TOOL_TEXT="none: the mock's reply to every caller turn is text (no rule with tool calls), so every turn is in the latency figures"
  fi
  log "mocks up ($DEEPGRAM_BASE_URL, $OPENAI_BASE_URL)"
else
  ENGINE_ENV_BASE=(-u DEEPGRAM_API_KEY -u OPENAI_API_KEY)
fi
ENGINE_ENV_BASE+=(CE_LOG_LEVEL=info)
# ENGINE_ENV_EXTRA: more VAR=value words for the engine's environment (experiments such as
# LD_PRELOAD of another malloc, MALLOC_ARENA_MAX); recorded in the report
if [[ -n "${ENGINE_ENV_EXTRA:-}" ]]; then
  read -r -a extra_env <<<"$ENGINE_ENV_EXTRA"
  ENGINE_ENV_BASE+=("${extra_env[@]}")
fi

# ---------------------------------------------------------------- engine
# start_engine BUILD TAG: the engine of that build, with its source tree's config/engine.json
# patched for the benchmark, warmed up; sets ENGINE_PID, URL, IDLE_RSS_KB, ENGINE_CFG
start_engine() {
  local build="$1" tag="$2" src
  src="$(source_of "$build")"
  if [[ -z "$src" || ! -f "$src/config/engine.json" ]]; then
    log "no source tree recorded for $build: using $ROOT/config"
    src="$ROOT"
  fi
  local dir="$WORK/engine_$tag"
  rm -rf "$dir"; mkdir -p "$dir"
  cp -r "$src/config" "$dir/config"
  ENGINE_CFG="$dir/config/engine.json"
  local port; port="$(free_port)"
  python3 "$ROOT/bench/load/load_bench.py" engine-config "$ENGINE_CFG" --port "$port" \
    --max-calls "$MAX_CALLS" --providers "$PROVIDERS" --endpointing "$STT_ENDPOINTING_MS" \
    --patch "${ENGINE_CONFIG_PATCH:-{\}}"
  env "${ENGINE_ENV_BASE[@]}" "$build/callengine" --config "$ENGINE_CFG" --work-dir "$dir/var" \
    --port-file "$dir/engine.port" >"$dir/engine.log" 2>&1 &
  ENGINE_PID=$!
  ENGINE_LOG="$dir/engine.log"
  URL="http://127.0.0.1:$port"
  for _ in $(seq 600); do
    kill -0 "$ENGINE_PID" 2>/dev/null || { log "engine ($tag) exited:"; tail -30 "$ENGINE_LOG" >&2; exit 1; }
    [[ -s "$dir/engine.port" ]] && curl -fs "$URL/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fs "$URL/readyz" >/dev/null || { log "engine ($tag) not ready"; tail -30 "$ENGINE_LOG" >&2; exit 1; }
  log "engine ($tag: $build) up at $URL (pid $ENGINE_PID, providers: $PROVIDERS)"
  # warm-up (not reported): the first calls allocate pools and caches that later levels
  # reuse, so the idle RSS each level subtracts is that of a warm engine
  "$LOAD_BIN" --url "$URL" --calls 2 --ramp-s 0.5 --settle-s 0 --window-s 12 --turns 1 --barge-share 0 --quiet \
    >"$dir/warmup.txt" 2>&1 ||
    { log "warm-up calls failed:"; cat "$dir/warmup.txt" >&2; tail -30 "$ENGINE_LOG" >&2; exit 1; }
  wait_idle
  sleep 2
  IDLE_RSS_KB=$(awk '/^VmRSS:/{print $2}' "/proc/$ENGINE_PID/status")
  log "engine RSS after the warm-up: $IDLE_RSS_KB KB (the idle RSS every level's per-call figure subtracts)"
}

# until the engine has no call left (after a level's hang-ups)
wait_idle() {
  for _ in $(seq 150); do
    active=$(curl -fs "$URL/metrics" | awk '$1=="ce_calls_active"{print $2}')
    [[ "${active:-0}" == 0 ]] && return 0
    sleep 0.2
  done
  log "the engine still has ${active:-?} calls 30 s after the level"
}

if [[ $PROVIDERS == mocks ]]; then
  # the floor of one turn from the engine's config (endpointing) and the mocks'
  tmpcfg="$WORK/floor_engine.json"
  cp "$ROOT/config/engine.json" "$tmpcfg"
  python3 "$ROOT/bench/load/load_bench.py" engine-config "$tmpcfg" --port 1 --max-calls 1 --providers mocks \
    --endpointing "$STT_ENDPOINTING_MS" --patch "${ENGINE_CONFIG_PATCH:-{\}}"
  DELAYS_JSON="$(python3 "$ROOT/bench/load/load_bench.py" delays "$tmpcfg" "$WORK/mocks.json")"
  MOCK_DELAY="$(jq -r .total_ms <<<"$DELAYS_JSON")"
  BARGE_DETECT="$(jq -r .barge_detect_ms <<<"$DELAYS_JSON")"
  log "mock floor per turn ${MOCK_DELAY} ms ($(jq -c . <<<"$DELAYS_JSON"))"
fi

# ---------------------------------------------------------------- one level
# run_level N JSON LABEL: load_gen against the running engine; adds the level-wide shares
run_level() {
  local n="$1" json="$2" label="$3"
  local ramp=$(( n / 50 )); (( ramp < 5 )) && ramp=5
  local base="${json%.json}"
  local e0 m0 busy0 total0 t0 e1 m1 busy1 total1 t1 rc
  e0=$(cpu_ticks "$ENGINE_PID"); m0=$([[ -n "$MOCK_PID" ]] && cpu_ticks "$MOCK_PID" || echo 0)
  read -r busy0 total0 < <(machine_ticks); t0=$(date +%s.%N)
  log "level $n ($label): ramp ${ramp}s, settle ${SETTLE_S}s, window ${WINDOW_S}s"
  local perf_pid=""
  if [[ $PROFILE == 1 ]] && command -v perf >/dev/null; then
    # sample the engine for 10 s in the middle of the steady window
    ( sleep $(( ramp + SETTLE_S + (WINDOW_S > 14 ? (WINDOW_S - 10) / 2 : 0) ))
      exec perf record -F 499 -g -p "$ENGINE_PID" -o "$base.perf.data" -- sleep 10 ) >/dev/null 2>&1 &
    perf_pid=$!
  fi
  set +e
  "${PRIO[@]}" "$LOAD_BIN" --url "$URL" --calls "$n" --engine-pid "$ENGINE_PID" ${MOCK_PID:+--mocks-pid "$MOCK_PID"} \
    --ramp-s "$ramp" --settle-s "$SETTLE_S" --window-s "$WINDOW_S" --turns "$TURNS" \
    --barge-share "$BARGE_SHARE" --threads "$THREADS" --mock-delay-ms "$MOCK_DELAY" "${TOOL_ARGS[@]}" \
    --barge-detect-ms "$BARGE_DETECT" --idle-rss-kb "$IDLE_RSS_KB" --json "$json" --label "$label" --progress-s 5 \
    > >(tee "$base.txt") 2> >(grep -v "espeak-ng ready" >&2)
  rc=$?
  set -e
  t1=$(date +%s.%N); read -r busy1 total1 < <(machine_ticks)
  e1=$(cpu_ticks "$ENGINE_PID"); m1=$([[ -n "$MOCK_PID" ]] && cpu_ticks "$MOCK_PID" || echo 0)
  if [[ -n "$perf_pid" ]]; then
    wait "$perf_pid" 2>/dev/null || true
    if [[ -s "$base.perf.data" ]]; then
      perf report -i "$base.perf.data" --no-children -g none --sort dso,symbol --percent-limit 0.7 2>/dev/null |
        grep -v '^#' | grep '%' | sed -E 's/ +/ /g; s/^ //; s/ - - ?$//' | cut -c1-160 | head -30 > "$base.profile.txt" || true
      { echo; echo "by thread name:"
        perf report -i "$base.perf.data" --no-children -g none --sort comm 2>/dev/null |
          grep -v '^#' | grep '%' | sed -E 's/ +/ /g; s/^ //'; } >> "$base.profile.txt" || true
      rm -f "$base.perf.data"
    fi
  fi
  [[ -s "$json" ]] || { log "level $n produced no report (load_gen exit $rc)"; return 1; }
  local hz; hz=$(getconf CLK_TCK)
  jq --argjson b "$(python3 -c "
t=$t1-$t0; hz=$hz
print('{\"wall_s\": %.1f, \"mocks_cpu_share\": %.3f, \"engine_cpu_share_level\": %.3f, \"machine_busy_level\": %.3f}' % (
  t, ($m1-$m0)/hz/t, ($e1-$e0)/hz/t, ($busy1-$busy0)/max(1,($total1-$total0))))")" '. + {bench: $b}' "$json" > "$json.tmp" && mv "$json.tmp" "$json"
  if [[ -s "$base.profile.txt" ]]; then
    jq --rawfile p "$base.profile.txt" '. + {profile: $p}' "$json" > "$json.tmp" && mv "$json.tmp" "$json"
  fi
  kill -0 "$ENGINE_PID" 2>/dev/null || { log "the engine died during level $n"; tail -30 "$ENGINE_LOG" >&2; return 1; }
  wait_idle
  sleep 2
}

# ---------------------------------------------------------------- report text
commit="$(commit_of "$BUILD_DIR")"
dirty=false; [[ "$commit" == *+dirty ]] && dirty=true
cpu_model="$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo)"
cores="$(nproc)"
ram_gb="$(awk '/MemTotal/{printf "%.1f", $2/1048576}' /proc/meminfo)"
if [[ $PROVIDERS == mocks ]]; then
  providers_text="mock Deepgram live STT + TTS and mock OpenAI (bench/mocks mock_providers, 2 threads, on loopback): STT endpointing ${STT_ENDPOINTING_MS} ms (the engine's deepgram.stt.endpointing_ms) and final delay ${STT_FINAL_DELAY_MS} ms; LLM time to first token ${LLM_TTFT_MS} ms at ${LLM_TPS} tokens/s, reply \"${REPLY}\" (first sentence $(jq -r '.llm_first_sentence_pieces // "?"' <<<"$DELAYS_JSON") pieces), greeting \"${GREETING}\"; TTS first byte ${TTS_TTFB_MS} ms (65 ms of audio per character, sent at 3x real time)"
  note="The engine against mock cloud providers on one machine, with the load of issue 11's harness."
else
  providers_text="embedded: pocketsphinx STT, dialog policy, espeak-ng TTS inside the engine (no cloud, no mocks)"
  note="**Embedded providers** (pocketsphinx / dialog policy / espeak-ng): these levels measure the CPU-heavy local speech stack, not the cloud configuration the issue's goals are about; engine-added latency is not separable here (no configured provider delays)."
fi
[[ $QUICK == 1 ]] && note="$note **Quick run** (--quick): short windows, small levels; a smoke test of the tool, not the benchmark."
engine_text_of() {
  local cfg="$1"
  local t="caf_threads $(jq .runtime.caf_threads "$cfg"), caf_policy $(jq -r '.runtime.caf_policy // "stealing"' "$cfg"), provider_threads $(jq .runtime.provider_threads "$cfg"), io_threads $(jq .server.io_threads "$cfg"), max_concurrent_calls $MAX_CALLS, log_level info, STT endpointing $(jq '.deepgram.stt.endpointing_ms // "n/a"' "$cfg") ms, quiet_batch_ms $(jq '.calls.quiet_batch_ms // 20' "$cfg")"
  [[ -n "${ENGINE_CONFIG_PATCH:-}" ]] && t="$t, config patch \`$ENGINE_CONFIG_PATCH\`"
  [[ -n "${ENGINE_ENV_EXTRA:-}" ]] && t="$t, environment \`$ENGINE_ENV_EXTRA\`"
  echo "$t"
}
lines_text="$("$LOAD_BIN" --list-lines 2>/dev/null | awk -F'\t' '{printf "%s\"%s\" (%s)", (NR>1?", ":""), $3, $2}')"
calls_text="N phone lines, started evenly over max(5 s, N/50 s), then ${SETTLE_S} s of settling and a ${WINDOW_S} s steady window; each call waits for the greeting, takes ${TURNS} caller turns (espeak-ng at 165 wpm, 1.2-2.4 s of speech: ${lines_text}; the last line is the closing words of a barge-in into the 4th reply), each after the agent has been quiet for 700 ms, except that a seeded ${BARGE_SHARE} of the replies are barged into 1 s into their audio; hang-up after the last reply and the next call on the same line at once; load generator and mocks at ${PRIO[*]:-normal priority}; load_gen --threads $THREADS"

meta_json() {  # meta_json OUT [jq args for extra fields] EXPR
  local out="$1"; shift
  jq -n --arg date "$(date -u '+%Y-%m-%d %H:%M UTC')" --arg commit "$commit" --argjson dirty "$dirty" \
    --arg cpu_model "$cpu_model" --arg cores "$cores" --arg ram_gb "$ram_gb" \
    --arg providers_text "$providers_text" --arg calls_text "$calls_text" \
    --arg note "$note" --arg levels "$LEVELS" --arg command "bench/load_bench.sh $ARGS_TEXT" --argjson delays "$DELAYS_JSON" \
    --argjson mock_delay "$MOCK_DELAY" --arg tool_text "$TOOL_TEXT" \
    --argjson window_s "$WINDOW_S" --argjson settle_s "$SETTLE_S" --argjson turns "$TURNS" \
    --argjson stop_p95 "$STOP_P95" --argjson stop_failed "$STOP_FAILED" \
    --arg title "callengine load benchmark ($([[ $PROVIDERS == mocks ]] && echo "mock cloud providers" || echo "embedded providers"), $cores cores)" \
    --arg footnote "$cpu_model; commit $commit; $(date -u '+%Y-%m-%d')" \
    "$@" > "$out"
}
META_BASE='{date:$date, commit:$commit, dirty:$dirty, cpu_model:$cpu_model, cores:$cores, ram_gb:$ram_gb,
    providers_text:$providers_text, calls_text:$calls_text, note:$note, command:$command,
    levels_planned:$levels, delays:$delays, mock_delay_ms:$mock_delay, tool_text:$tool_text,
    window_s:$window_s, settle_s:$settle_s, turns:$turns, no_reply_s:8, barge_miss_s:2, answer_timeout_s:15,
    stop_p95_ms:$stop_p95, stop_failed_share:$stop_failed,
    tool_note: (if ($tool_text | startswith("the mock answers")) then "; tool-call turns are left out" else "" end),
    title:$title, footnote:$footnote, slot_ms:5}'

mkdir -p "$WORK/levels"

# ---------------------------------------------------------------- A/B
if [[ -n "$AB_DIR" ]]; then
  label_old="${AB_LABEL_OLD:-$(commit_of "$AB_DIR")}"
  label_new="${AB_LABEL_NEW:-$commit}"
  if [[ "$label_old" == "$label_new" ]]; then
    label_old="$label_old ($(basename "$AB_DIR"))"; label_new="$label_new ($(basename "$BUILD_DIR"))"
  fi
  log "A/B: old = $label_old ($AB_DIR), new = $label_new ($BUILD_DIR), levels $LEVELS, $AB_ROUNDS round(s)"
  RUN_FILES=()
  seq_no=0
  for n in $LEVELS; do
    for (( r = 1; r <= AB_ROUNDS; r++ )); do
      if (( r % 2 == 1 )); then order="old new"; else order="new old"; fi
      for role in $order; do
        seq_no=$(( seq_no + 1 ))
        if [[ $role == old ]]; then dir="$AB_DIR"; label="$label_old"; else dir="$BUILD_DIR"; label="$label_new"; fi
        start_engine "$dir" "$role"
        json="$WORK/levels/ab_${n}_${seq_no}_${role}.json"
        if run_level "$n" "$json" "N=$n $role"; then
          jq --arg lbl "$label" --arg role "$role" --arg dir "$dir" --argjson seq "$seq_no" --argjson rnd "$r" \
            '. + {ab: {"label": $lbl, "role": $role, "dir": $dir, "seq": $seq, "round": $rnd}}' "$json" > "$json.tmp" &&
            mv "$json.tmp" "$json"
          RUN_FILES+=("$json")
        fi
        stop_engine
      done
    done
  done
  [[ ${#RUN_FILES[@]} -gt 0 ]] || { log "no run completed"; exit 1; }
  # the two builds' engine settings (each from its own source tree's config)
  engine_text="old: $(engine_text_of "$WORK/engine_old/config/engine.json"); new: $(engine_text_of "$WORK/engine_new/config/engine.json")"
  meta_json "$WORK/ab_meta.json" --arg engine_text "$engine_text" --arg label_old "$label_old" --arg label_new "$label_new" \
    --arg dir_old "$AB_DIR" --arg dir_new "$BUILD_DIR" --arg src_old "$(source_of "$AB_DIR")" --arg src_new "$(source_of "$BUILD_DIR")" \
    --arg order_text "$AB_ROUNDS round(s) per level; odd rounds old then new, even rounds new then old" \
    "$META_BASE + {engine_text:\$engine_text, label_old:\$label_old, label_new:\$label_new, dir_old:\$dir_old, dir_new:\$dir_new, src_old:\$src_old, src_new:\$src_new, order_text:\$order_text}"
  mkdir -p "$(dirname "$AB_OUT")"
  python3 "$ROOT/bench/load/load_bench.py" ab-report "$WORK/ab_meta.json" "${RUN_FILES[@]}" --md "$AB_OUT"
  raw="$(dirname "$AB_OUT")/ab_results"
  rm -rf "$raw"; mkdir -p "$raw"
  cp "${RUN_FILES[@]}" "$WORK/ab_meta.json" "$raw/"
  cp "$WORK"/levels/ab_*.txt "$raw/" 2>/dev/null || true
  log "wrote $AB_OUT (raw runs in $raw)"
  exit 0
fi

# ---------------------------------------------------------------- sweep
start_engine "$BUILD_DIR" main
LEVEL_FILES=()
STOPPED_AT=""; STOP_REASON=""
for n in $LEVELS; do
  json="$WORK/levels/level_$n.json"
  run_level "$n" "$json" "N=$n" || break
  LEVEL_FILES+=("$json")
  reason="$(python3 "$ROOT/bench/load/load_bench.py" breaking "$json" --p95-ms "$STOP_P95" --failed-share "$STOP_FAILED")"
  if [[ -n "$reason" ]]; then
    log "level $n breaks ($reason): the sweep stops here"
    STOPPED_AT=$n; STOP_REASON="$reason"
    break
  fi
done
[[ ${#LEVEL_FILES[@]} -gt 0 ]] || { log "no level completed"; exit 1; }

engine_text="$(engine_text_of "$ENGINE_CFG")"
meta_json "$WORK/meta.json" --arg engine_text "$engine_text" --arg stopped_at "$STOPPED_AT" --arg stop_reason "$STOP_REASON" \
  "$META_BASE + {engine_text:\$engine_text, stopped_at:\$stopped_at, stop_reason:\$stop_reason}"
if [[ -n "${LOAD_BENCH_CLOSING:-}" ]]; then
  jq --arg c "$LOAD_BENCH_CLOSING" '. + {closing: $c}' "$WORK/meta.json" > "$WORK/meta2.json" && mv "$WORK/meta2.json" "$WORK/meta.json"
fi
mkdir -p "$OUT_DIR"
python3 "$ROOT/bench/load/load_bench.py" report "$WORK/meta.json" "${LEVEL_FILES[@]}" \
  --md "$OUT_DIR/RESULTS.md" --svg "$OUT_DIR/results.svg" --notes "$ROOT/bench/RESULTS.notes.md"
# the levels of this run only: files of an earlier, longer sweep would contradict the report
rm -rf "$OUT_DIR/load_results"
mkdir -p "$OUT_DIR/load_results" && cp "$WORK"/levels/level_*.json "$WORK"/levels/level_*.txt "$WORK/meta.json" "$OUT_DIR/load_results/"
log "wrote $OUT_DIR/RESULTS.md and $OUT_DIR/results.svg"
