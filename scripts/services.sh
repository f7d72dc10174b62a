#!/usr/bin/env bash
# The project's own PostgreSQL 15 and Redis 7, in a folder of the project's, on ports of
# their own (never the Debian default cluster on 5432 or a system Redis on 6379).
#
#   scripts/services.sh start|stop|status|env [postgres|redis] [--dir DIR]
#
#   start   initdb on first use, start both servers, wait until they accept connections,
#           create the database. Starting what is already running does nothing.
#   stop    stop both servers cleanly (fast shutdown for PostgreSQL, SHUTDOWN NOSAVE for Redis)
#   status  say what runs; exit 0 only when both accept connections
#   env     print DATABASE_URL=... and REDIS_URL=... (for `eval` or an env file)
#   A component name (postgres or redis) limits start/stop/status to that server.
#
# Settings (environment):
#   CE_SERVICES_DIR   folder (default: <repo>/var; --dir wins). PostgreSQL data in DIR/pg,
#                     Redis files in DIR/redis.
#   CE_PG_PORT        PostgreSQL port (default 55432)
#   CE_REDIS_PORT     Redis port (default 56379)
#   CE_PG_DATABASE    database to create (default callengine)
#   DATABASE_URL      when set: use that PostgreSQL, start none (start only waits for it)
#   REDIS_URL         when set: use that Redis, start none (start only waits for it)
#
# Run as root, PostgreSQL runs as the `postgres` user (the folder is chown'ed to it); run as
# another user, both servers run as that user.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_BIN="${CE_PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT="${CE_PG_PORT:-55432}"
REDIS_PORT="${CE_REDIS_PORT:-56379}"
PG_DB="${CE_PG_DATABASE:-callengine}"
DIR="${CE_SERVICES_DIR:-$ROOT/var}"
WAIT_S="${CE_SERVICES_WAIT_S:-30}"

say() { printf 'services: %s\n' "$*" >&2; }
die() { printf 'services: error: %s\n' "$*" >&2; exit 1; }

usage() {
  sed -n '2,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

CMD="${1:-}"
[ -n "$CMD" ] || usage
shift
WANT_PG=1
WANT_REDIS=1
while [ $# -gt 0 ]; do
  case "$1" in
    postgres|postgresql|pg) WANT_REDIS=0; shift ;;
    redis) WANT_PG=0; shift ;;
    --dir) [ $# -ge 2 ] || usage; DIR="$2"; shift 2 ;;
    --dir=*) DIR="${1#--dir=}"; shift ;;
    -h|--help) usage ;;
    *) die "unknown argument: $1" ;;
  esac
done
[ "$CMD" = start ] && mkdir -p "$DIR"
if [ -d "$DIR" ]; then DIR="$(cd "$DIR" && pwd)"; fi

EXTERNAL_PG="${DATABASE_URL:-}"
EXTERNAL_REDIS="${REDIS_URL:-}"
IS_ROOT=0
[ "$(id -u)" -eq 0 ] && IS_ROOT=1

# --- paths --------------------------------------------------------------------------------
# PostgreSQL needs a data folder its user can reach and a socket path under ~100 bytes. When
# DIR is below a folder the postgres user cannot enter (e.g. /root), or too deep, the data
# goes to a private folder under /var/tmp named after DIR, linked from DIR/pg.
pg_root_for() {
  local wanted="$DIR/pg"
  local fallback
  fallback="/var/tmp/callengine-pg-$(printf '%s' "$DIR" | md5sum | cut -c1-12)"
  if [ -L "$wanted" ]; then readlink -f "$wanted"; return; fi
  if [ -d "$wanted/data" ]; then printf '%s\n' "$wanted"; return; fi
  local sock="$wanted/run/.s.PGSQL.$PG_PORT"
  if [ ${#sock} -gt 100 ]; then printf '%s\n' "$fallback"; return; fi
  if [ "$IS_ROOT" -eq 1 ] && ! runuser -u postgres -- test -x "$DIR" 2>/dev/null; then
    printf '%s\n' "$fallback"; return
  fi
  printf '%s\n' "$wanted"
}
PG_ROOT="$(pg_root_for)"
PG_DATA="$PG_ROOT/data"
PG_SOCK="$PG_ROOT/run"
PG_LOG="$PG_ROOT/postgres.log"
REDIS_DIR="$DIR/redis"
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"

pg_url() {
  if [ -n "$EXTERNAL_PG" ]; then printf '%s\n' "$EXTERNAL_PG"
  else printf 'postgresql://postgres@127.0.0.1:%s/%s\n' "$PG_PORT" "$PG_DB"; fi
}
redis_url() {
  if [ -n "$EXTERNAL_REDIS" ]; then printf '%s\n' "$EXTERNAL_REDIS"
  else printf 'redis://127.0.0.1:%s/0\n' "$REDIS_PORT"; fi
}

# Runs a command as the user PostgreSQL runs as.
as_pg() {
  if [ "$IS_ROOT" -eq 1 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# --- packages -----------------------------------------------------------------------------
ensure_packages() {
  local missing=()
  if [ -z "$EXTERNAL_PG" ]; then
    [ -x "$PG_BIN/postgres" ] || missing+=(postgresql-15)
    command -v psql >/dev/null 2>&1 || missing+=(postgresql-client-15)
  fi
  if [ -z "$EXTERNAL_REDIS" ]; then
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  fi
  command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$IS_ROOT" -eq 1 ] || die "missing packages: ${missing[*]} (run as root, or install them)"
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ -x "$PG_BIN/postgres" ] || [ -n "$EXTERNAL_PG" ] || die "PostgreSQL 15 not found in $PG_BIN"
}

# --- PostgreSQL ---------------------------------------------------------------------------
pg_ready() {
  if [ -n "$EXTERNAL_PG" ]; then
    psql "$EXTERNAL_PG" -XtAc 'select 1' >/dev/null 2>&1
  else
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres -U postgres -t 2 >/dev/null 2>&1
  fi
}

pg_running() {
  [ -f "$PG_DATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pg_init() {
  [ -f "$PG_DATA/PG_VERSION" ] && return 0
  say "initdb in $PG_DATA"
  mkdir -p "$PG_ROOT"
  if [ "$PG_ROOT" != "$DIR/pg" ] && [ ! -e "$DIR/pg" ]; then
    ln -s "$PG_ROOT" "$DIR/pg"
    say "note: $DIR is not reachable by the postgres user; data lives in $PG_ROOT"
  fi
  if [ "$IS_ROOT" -eq 1 ]; then chown postgres:postgres "$PG_ROOT"; chmod 700 "$PG_ROOT"; fi
  as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust --encoding=UTF8 \
    --locale=C.UTF-8 --no-sync >"$PG_ROOT/initdb.log" 2>&1 \
    || { cat "$PG_ROOT/initdb.log" >&2; die "initdb failed"; }
  # Development settings: loopback only, a socket folder of our own, no durability (fsync
  # off: a crash may lose the dev database, never a real one).
  as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null <<EOF

# --- callengine scripts/services.sh ---
listen_addresses = '127.0.0.1'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
log_min_messages = warning
log_line_prefix = '%m [%p] %d '
EOF
}

pg_start() {
  if [ -n "$EXTERNAL_PG" ]; then
    say "PostgreSQL: using DATABASE_URL (not starting one)"
    wait_for pg_ready "PostgreSQL at DATABASE_URL"
    return 0
  fi
  pg_init
  mkdir -p "$PG_SOCK"
  [ "$IS_ROOT" -eq 1 ] && chown -R postgres:postgres "$PG_ROOT"
  if pg_running; then
    say "PostgreSQL already running on port $PG_PORT"
  else
    if port_in_use "$PG_PORT"; then
      die "port $PG_PORT is taken by another program (set CE_PG_PORT)"
    fi
    say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$WAIT_S" \
      -o "-p $PG_PORT -k $PG_SOCK" start >/dev/null \
      || { tail -n 20 "$PG_LOG" >&2 || true; die "PostgreSQL did not start (log: $PG_LOG)"; }
  fi
  wait_for pg_ready "PostgreSQL on port $PG_PORT"
  local exists
  exists="$(psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -XtAc \
    "select 1 from pg_database where datname = '$PG_DB'")"
  if [ "$exists" != "1" ]; then
    say "creating database $PG_DB"
    psql -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -Xq -c "create database \"$PG_DB\"" \
      || die "cannot create database $PG_DB"
  fi
}

pg_stop() {
  [ -n "$EXTERNAL_PG" ] && { say "PostgreSQL: external (DATABASE_URL), not stopping it"; return 0; }
  if pg_running; then
    say "stopping PostgreSQL (port $PG_PORT)"
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t "$WAIT_S" stop >/dev/null
  else
    say "PostgreSQL not running"
  fi
}

# --- Redis --------------------------------------------------------------------------------
redis_ready() {
  if [ -n "$EXTERNAL_REDIS" ]; then
    [ "$(redis-cli -u "$EXTERNAL_REDIS" ping 2>/dev/null)" = "PONG" ]
  else
    [ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null)" = "PONG" ]
  fi
}

redis_pid() {
  [ -f "$REDIS_PID" ] || return 1
  local pid
  pid="$(cat "$REDIS_PID")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && printf '%s\n' "$pid"
}

redis_start() {
  if [ -n "$EXTERNAL_REDIS" ]; then
    say "Redis: using REDIS_URL (not starting one)"
    wait_for redis_ready "Redis at REDIS_URL"
    return 0
  fi
  mkdir -p "$REDIS_DIR"
  if redis_pid >/dev/null; then
    say "Redis already running on port $REDIS_PORT"
  else
    rm -f "$REDIS_PID"
    if port_in_use "$REDIS_PORT"; then
      die "port $REDIS_PORT is taken by another program (set CE_REDIS_PORT)"
    fi
    say "starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
      --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" --dir "$REDIS_DIR" \
      --save '' --appendonly no --protected-mode yes >/dev/null \
      || die "Redis did not start (log: $REDIS_LOG)"
  fi
  wait_for redis_ready "Redis on port $REDIS_PORT"
}

redis_stop() {
  [ -n "$EXTERNAL_REDIS" ] && { say "Redis: external (REDIS_URL), not stopping it"; return 0; }
  local pid
  if pid="$(redis_pid)"; then
    say "stopping Redis (port $REDIS_PORT)"
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < WAIT_S * 10; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && die "Redis (pid $pid) did not stop"
    rm -f "$REDIS_PID"
  else
    say "Redis not running"
  fi
}

# --- helpers ------------------------------------------------------------------------------
wait_for() {
  local check="$1" what="$2" i
  for ((i = 0; i < WAIT_S * 10; i++)); do
    "$check" && return 0
    sleep 0.1
  done
  die "$what does not accept connections after ${WAIT_S}s"
}

status() {
  local ok=0
  if [ "$WANT_PG" -eq 1 ]; then
    if pg_ready; then say "PostgreSQL: accepting connections ($(pg_url))"
    else say "PostgreSQL: not running"; ok=1; fi
  fi
  if [ "$WANT_REDIS" -eq 1 ]; then
    if redis_ready; then say "Redis: accepting connections ($(redis_url))"
    else say "Redis: not running"; ok=1; fi
  fi
  return $ok
}

case "$CMD" in
  start)
    ensure_packages
    [ "$WANT_PG" -eq 1 ] && pg_start
    [ "$WANT_REDIS" -eq 1 ] && redis_start
    printf 'DATABASE_URL=%s\n' "$(pg_url)"
    printf 'REDIS_URL=%s\n' "$(redis_url)"
    ;;
  stop)
    [ "$WANT_REDIS" -eq 1 ] && redis_stop
    [ "$WANT_PG" -eq 1 ] && pg_stop
    exit 0
    ;;
  status) status ;;
  env)
    printf 'DATABASE_URL=%s\n' "$(pg_url)"
    printf 'REDIS_URL=%s\n' "$(redis_url)"
    ;;
  *) usage ;;
esac
