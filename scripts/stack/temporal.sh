# shellcheck shell=bash
# The Temporal dev server of the local stack; sourced by scripts/stack.sh after its settings.

TEMPORAL_DIR="$STACK/temporal"
TEMPORAL_DB="$TEMPORAL_DIR/temporal.db"
TEMPORAL_PIDFILE="$TEMPORAL_DIR/temporal.pid"
TEMPORAL_LOG="$STACK/temporal.log"
SEARCH_ATTRIBUTES="$TEMPLATES/search-attributes.txt" # read by worker/dev-server.ts

TEMPORAL_PID=""
temporal_pid() {
  local pid
  TEMPORAL_PID=""
  read_pid pid "$TEMPORAL_PIDFILE"
  [[ -n "$pid" ]] || return 0
  if alive "$pid" && cmdline_has "$pid" "start-dev" && cmdline_has "$pid" "$TEMPORAL_DB"; then
    TEMPORAL_PID="$pid"
  else
    rm -f "$TEMPORAL_PIDFILE"
    alive "$pid" || reap_orphans "$pid" temporal
  fi
}

temporal_healthy() {
  [[ -n "$TEMPORAL_PID" ]] && port_held_by_group "$TEMPORAL_PORT" "$TEMPORAL_PID" && port_held_by_group "$TEMPORAL_UI_PORT" "$TEMPORAL_PID"
}

# Sets TEMPORAL_ARGS to the CLI's arguments. Their one owner is worker/dev-server.ts (devServerArgs: WAL pragmas,
# log level, the search attributes of stack/search-attributes.txt), which the worker and the tests use too.
TEMPORAL_ARGS=()
temporal_args() {
  local tsx="$ROOT_DIR/node_modules/.bin/tsx"
  [[ -x "$tsx" ]] || die "$tsx is missing: run scripts/node-deps.sh (npm ci) first"
  mapfile -d '' -t TEMPORAL_ARGS < <("$tsx" "$ROOT_DIR/scripts/stack/temporal-args.ts" "$HOST" "$TEMPORAL_PORT" \
    "$TEMPORAL_UI_PORT" "$TEMPORAL_DB" "http://$HOST:$CODEC_PORT")
  ((${#TEMPORAL_ARGS[@]} > 0)) || die "scripts/stack/temporal-args.ts printed no arguments (see above)"
}

temporal_up() {
  local t0
  temporal_pid
  if [[ -n "$TEMPORAL_PID" ]]; then
    if temporal_healthy; then
      say "temporal: already running (pid $TEMPORAL_PID, grpc $HOST:$TEMPORAL_PORT, ui http://$HOST:$TEMPORAL_UI_PORT)"
      return 0
    fi
    say "temporal: running (pid $TEMPORAL_PID) but not listening on $TEMPORAL_PORT/$TEMPORAL_UI_PORT; restarting it"
    temporal_down
  fi
  t0=$(now_us)
  mkdir -p "$TEMPORAL_DIR"
  require_port_free "$TEMPORAL_PORT" "Temporal gRPC"
  require_port_free "$TEMPORAL_UI_PORT" "Temporal UI"
  temporal_args
  printf '\n[stack] %(%FT%T%z)T starting temporal server start-dev\n' -1 >>"$TEMPORAL_LOG"
  # --ip binds the frontend and, by default, the metrics/HTTP/membership ports to loopback; --ui-ip the UI.
  # Search attributes are (re-)registered at every start; that is harmless with an existing database.
  setsid "$TEMPORAL_BIN" "${TEMPORAL_ARGS[@]}" >>"$TEMPORAL_LOG" 2>&1 </dev/null 9>&- &
  TEMPORAL_PID=$!
  printf '%s\n' "$TEMPORAL_PID" >"$TEMPORAL_PIDFILE"
  wait_ports temporal "$TEMPORAL_PID" "$TEMPORAL_LOG" "$TEMPORAL_PORT" "$TEMPORAL_UI_PORT"
  say "temporal: started (pid $TEMPORAL_PID, grpc $HOST:$TEMPORAL_PORT, ui http://$HOST:$TEMPORAL_UI_PORT, db $TEMPORAL_DB) in $(elapsed "$t0") s"
}

temporal_down() {
  local pid
  temporal_pid
  pid="$TEMPORAL_PID"
  if [[ -z "$pid" ]]; then
    say "temporal: not running"
    return 0
  fi
  stop_group "$pid" temporal 15
  rm -f "$TEMPORAL_PIDFILE"
  TEMPORAL_PID=""
  say "temporal: stopped (was pid $pid)"
}

temporal_status() {
  temporal_pid
  if [[ -n "$TEMPORAL_PID" ]] && temporal_healthy; then
    printf '%-9s running   pid %-7s grpc %s:%s  ui http://%s:%s\n' temporal "$TEMPORAL_PID" "$HOST" "$TEMPORAL_PORT" "$HOST" "$TEMPORAL_UI_PORT"
  elif [[ -n "$TEMPORAL_PID" ]]; then
    printf '%-9s unhealthy pid %-7s (not listening on %s:%s and %s:%s)\n' temporal "$TEMPORAL_PID" "$HOST" "$TEMPORAL_PORT" "$HOST" "$TEMPORAL_UI_PORT"
    return 1
  else
    printf '%-9s stopped   %-11s grpc %s:%s  ui http://%s:%s\n' temporal "" "$HOST" "$TEMPORAL_PORT" "$HOST" "$TEMPORAL_UI_PORT"
    return 1
  fi
}

