#!/usr/bin/env bash
# Temporal on PostgreSQL, on this machine: the production-like backend beside the dev server of
# scripts/stack.sh. A private PostgreSQL (Debian's, run from a data directory under the stack state
# directory) and Temporal Server 1.29.1 built from source with its SQL tool, both on 127.0.0.1.
# `up` installs and builds what is missing, creates the schemas, starts both, and creates the namespace
# and the search attributes of stack/search-attributes.txt. Idempotent: run again, it does only what is left.
#
# Usage: scripts/postgres.sh up       install/build what is missing, start, set up (a no-op when all is up)
#        scripts/postgres.sh down     stop the Temporal server, then PostgreSQL (the data stays)
#        scripts/postgres.sh status   one line each; exit 3 unless both run
#        scripts/postgres.sh env      the worker's TEMPORAL_ADDRESS/TEMPORAL_NAMESPACE (eval "$(...)")
#        scripts/postgres.sh purge    down, then delete the data (the next up starts from an empty database)
#
# Ports (env overrides): NACHFASS_POSTGRES_PORT=15432, NACHFASS_PG_TEMPORAL_PORT=17233 (frontend gRPC;
#   history, matching and worker take +1, +2 and +6, their membership ports 300 below each, the frontend's
#   HTTP API +10), NACHFASS_PG_TEMPORAL_METRICS_PORT=18000 (Prometheus).
# Other env: NACHFASS_PG_STATE_DIR (state; default NACHFASS_STACK_DIR, else <repo>/.stack),
#   NACHFASS_PG_HISTORY_SHARDS (8; fixed once the server has run on a database), NACHFASS_PG_TEMPORAL_LOG_LEVEL
#   (warn), NACHFASS_POSTGRES_BINDIR (default: the newest /usr/lib/postgresql/*/bin), NACHFASS_POSTGRES_OS_USER
#   (postgres; as root), NACHFASS_TEMPORAL_SERVER_BIN and NACHFASS_TEMPORAL_SQL_BIN (the binaries; default
#   $(go env GOPATH)/bin/server and sql), NACHFASS_TEMPORAL_SERVER_MODULE_DIR (the module source with schema/;
#   default in the Go module cache), NACHFASS_TEMPORAL_BIN (the temporal CLI), NACHFASS_PG_TIMEOUT (90 s).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
# shellcheck source=scripts/stack/common.sh
source "$SCRIPT_DIR/stack/common.sh"
say() { printf '[postgres] %s\n' "$*"; }
warn() { printf '[postgres] WARNING: %s\n' "$*" >&2; }
die() { printf '[postgres] ERROR: %s\n' "$*" >&2; exit 1; }

SERVER_MODULE="go.temporal.io/server"
# The release of the temporal CLI's dev server (scripts/stack/common.sh) and of docker-compose.yml.
SERVER_VERSION="v1.29.1"

# The state of this stack; NACHFASS_PG_STATE_DIR puts it elsewhere than the mail stack's (e.g. a second instance).
STACK="${NACHFASS_PG_STATE_DIR:-${NACHFASS_STACK_DIR:-$ROOT_DIR/.stack}}"
HOST=127.0.0.1
PG_PORT="${NACHFASS_POSTGRES_PORT:-15432}"
T_PORT="${NACHFASS_PG_TEMPORAL_PORT:-17233}"
T_METRICS_PORT="${NACHFASS_PG_TEMPORAL_METRICS_PORT:-18000}"
SHARDS="${NACHFASS_PG_HISTORY_SHARDS:-8}"
T_LOG_LEVEL="${NACHFASS_PG_TEMPORAL_LOG_LEVEL:-warn}"
TIMEOUT="${NACHFASS_PG_TIMEOUT:-90}"
NAMESPACE=default
RETENTION=72h

for p in PG_PORT T_PORT T_METRICS_PORT SHARDS TIMEOUT; do
  [[ "${!p}" =~ ^[0-9]+$ ]] || die "$p must be a number, got '${!p}'"
done
((SHARDS >= 1)) || die "NACHFASS_PG_HISTORY_SHARDS must be at least 1"
((T_PORT > 300 && T_PORT + 10 < 65536)) || die "NACHFASS_PG_TEMPORAL_PORT=$T_PORT leaves no room for its +10 and -300 neighbours"

# Temporal's port layout relative to the frontend (7233 history 7234, matching 7235, worker 7239, HTTP 7243).
declare -A T_PORTS=(
  [frontend]=$T_PORT [history]=$((T_PORT + 1)) [matching]=$((T_PORT + 2)) [worker]=$((T_PORT + 6))
  [frontend_http]=$((T_PORT + 10))
  [frontend_membership]=$((T_PORT - 300)) [history_membership]=$((T_PORT + 1 - 300))
  [matching_membership]=$((T_PORT + 2 - 300)) [worker_membership]=$((T_PORT + 6 - 300))
  [metrics]=$T_METRICS_PORT
)

# PostgreSQL's directory; set_pg_user may move it (below). PG_SHARDS_FILE: the shard count the database was first
# served with (Temporal stores it and refuses any other later).
PG_DIR="" PG_DATA="" PG_RUN="" PG_LOG="" PG_SHARDS_FILE=""
pg_paths() {
  PG_DIR="$1"
  PG_DATA="$PG_DIR/data"
  PG_RUN="$PG_DIR/run"
  PG_LOG="$PG_DIR/postgres.log"
  PG_SHARDS_FILE="$PG_DIR/temporal-history-shards"
}
pg_paths "$STACK/postgres"
T_DIR="$STACK/temporal-postgres"
T_PIDFILE="$T_DIR/server.pid"
T_LOG="$STACK/temporal-postgres.log"
T_ROOT="$ROOT_DIR/stack/temporal-postgres" # config/nachfass.yaml and dynamicconfig.yaml (committed)
T_ENV=nachfass
SEARCH_ATTRIBUTES="$ROOT_DIR/stack/search-attributes.txt" # the one list (worker/dev-server.ts reads it too)
DB_USER=temporal DB_PASSWORD=temporal                    # as the module's development config; loopback only

# ----------------------------------------------------------------------------------------------------------
# finding things

# Where `go install` puts binaries: $(go env GOBIN), else the first entry of $(go env GOPATH) + /bin.
GO_BIN_DIR=""
go_bin_dir() {
  local -a e=()
  GO_BIN_DIR=""
  command -v go >/dev/null 2>&1 || return 1
  mapfile -t e < <(go env GOBIN GOPATH 2>/dev/null || true)
  if [[ -n "${e[0]:-}" ]]; then GO_BIN_DIR="${e[0]}"; else GO_BIN_DIR="${e[1]%%:*}/bin"; fi
  [[ "$GO_BIN_DIR" != /bin ]]
}

# find_go_binary VAR OVERRIDE_NAME NAME: the override's value if set, else NAME in Go's bin directory, else
# ~/go/bin/NAME. The names ("server", "sql") are generic, so PATH is not searched.
find_go_binary() {
  local var="$1" override="$2" name="$3" cand=""
  if [[ -n "${!override:-}" ]]; then
    [[ -x "${!override}" ]] || die "$override=${!override} is not an executable file"
    printf -v "$var" '%s' "${!override}"
    return 0
  fi
  if go_bin_dir && [[ -x "$GO_BIN_DIR/$name" ]]; then
    cand="$GO_BIN_DIR/$name"
  elif [[ -x "${HOME:-/root}/go/bin/$name" ]]; then
    cand="${HOME:-/root}/go/bin/$name"
  fi
  printf -v "$var" '%s' "$cand"
  [[ -n "$cand" ]]
}

# The PostgreSQL server binaries (initdb, pg_ctl, postgres) of Debian's packages.
PG_BIN=""
find_pg_bin() {
  local d
  PG_BIN=""
  if [[ -n "${NACHFASS_POSTGRES_BINDIR:-}" ]]; then
    [[ -x "$NACHFASS_POSTGRES_BINDIR/initdb" && -x "$NACHFASS_POSTGRES_BINDIR/pg_ctl" ]] \
      || die "NACHFASS_POSTGRES_BINDIR=$NACHFASS_POSTGRES_BINDIR has no initdb and pg_ctl"
    PG_BIN="$NACHFASS_POSTGRES_BINDIR"
    return 0
  fi
  # The newest installed major version.
  while IFS= read -r d; do
    [[ -x "$d/initdb" && -x "$d/pg_ctl" && -x "$d/postgres" ]] && PG_BIN="$d"
  done < <(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V)
  [[ -n "$PG_BIN" ]]
}

PSQL=""
find_psql() {
  PSQL=""
  if [[ -x "$PG_BIN/psql" ]]; then PSQL="$PG_BIN/psql"; else PSQL=$(command -v psql 2>/dev/null) || return 1; fi
}

# The server module's source: schema/postgresql/v12/... come from there.
MODULE_DIR=""
find_module_dir() {
  local cache
  if [[ -n "${NACHFASS_TEMPORAL_SERVER_MODULE_DIR:-}" ]]; then
    MODULE_DIR="$NACHFASS_TEMPORAL_SERVER_MODULE_DIR"
  else
    command -v go >/dev/null 2>&1 \
      || die "Go is needed to find the Temporal server's schema files (the module source in Go's module cache); or set NACHFASS_TEMPORAL_SERVER_MODULE_DIR to a checkout of $SERVER_MODULE $SERVER_VERSION"
    cache=$(go env GOMODCACHE)
    MODULE_DIR="$cache/$SERVER_MODULE@$SERVER_VERSION"
    if [[ ! -d "$MODULE_DIR/schema" ]]; then
      say "downloading the module source of $SERVER_MODULE@$SERVER_VERSION (schema files) ..."
      go mod download "$SERVER_MODULE@$SERVER_VERSION" \
        || die "go mod download $SERVER_MODULE@$SERVER_VERSION failed (see above): is the Go module proxy reachable (go env GOPROXY)?"
    fi
  fi
  [[ -d "$MODULE_DIR/schema/postgresql/v12/temporal/versioned" && -d "$MODULE_DIR/schema/postgresql/v12/visibility/versioned" ]] \
    || die "no schema/postgresql/v12/{temporal,visibility}/versioned in $MODULE_DIR"
}

# ----------------------------------------------------------------------------------------------------------
# installing and building

SUDO=()
as_root_or_sudo() {
  SUDO=()
  ((EUID == 0)) && return 0
  command -v sudo >/dev/null 2>&1 || die "not root and no sudo: run as root, or install it yourself: $*"
  SUDO=(sudo)
}

ensure_postgres_installed() {
  if find_pg_bin; then return 0; fi
  command -v apt-get >/dev/null 2>&1 \
    || die "PostgreSQL's server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/*/bin and there is no apt-get: install PostgreSQL 12 or newer and set NACHFASS_POSTGRES_BINDIR to its bin directory"
  as_root_or_sudo "apt-get install postgresql"
  say "PostgreSQL is not installed; apt-get update ..."
  "${SUDO[@]}" apt-get update -q \
    || die "apt-get update failed (see above): are the Debian package mirrors reachable from this machine?"
  say "apt-get install postgresql ..."
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql \
    || die "apt-get install postgresql failed (see above); check 'apt-cache policy postgresql' and that no other apt run holds the dpkg lock"
  # Debian creates and starts a system cluster on port 5432 (unless policy-rc.d forbids it); ours is separate.
  find_pg_bin || die "postgresql was installed but no /usr/lib/postgresql/*/bin/initdb was found"
  say "PostgreSQL installed ($PG_BIN)"
}

SERVER_BIN="" SQL_BIN=""
find_temporal_server() {
  find_go_binary SERVER_BIN NACHFASS_TEMPORAL_SERVER_BIN server && find_go_binary SQL_BIN NACHFASS_TEMPORAL_SQL_BIN sql
}

ensure_temporal_server() {
  local t0=$SECONDS pattern="go install $SERVER_MODULE"
  if ! find_temporal_server; then
    command -v go >/dev/null 2>&1 \
      || die "the Temporal server and its SQL tool ('server' and 'sql' in \$(go env GOPATH)/bin) are missing and there is no Go toolchain to build them. Install Go (a recent release; Debian's golang-go is too old), or build them elsewhere with 'go install $SERVER_MODULE/cmd/server@$SERVER_VERSION $SERVER_MODULE/cmd/tools/sql@$SERVER_VERSION' and set NACHFASS_TEMPORAL_SERVER_BIN and NACHFASS_TEMPORAL_SQL_BIN"
    if pgrep -f "$pattern" >/dev/null 2>&1; then
      # Another build of the same module (an earlier, interrupted run, or someone by hand): wait for it.
      say "a '$pattern' is already running; waiting for it instead of building a second time ..."
      while pgrep -f "$pattern" >/dev/null 2>&1; do
        sleep 5
        (((SECONDS - t0) % 60 < 5)) && say "  still building ($((SECONDS - t0)) s) ..."
      done
    fi
    if ! find_temporal_server; then
      say "building Temporal Server $SERVER_VERSION and its SQL tool: go install $SERVER_MODULE/cmd/server@$SERVER_VERSION $SERVER_MODULE/cmd/tools/sql@$SERVER_VERSION (4-7 minutes on 2 cores, once) ..."
      go install "$SERVER_MODULE/cmd/server@$SERVER_VERSION" "$SERVER_MODULE/cmd/tools/sql@$SERVER_VERSION" \
        || die "go install $SERVER_MODULE/cmd/server@$SERVER_VERSION $SERVER_MODULE/cmd/tools/sql@$SERVER_VERSION failed (see above). It needs the Go module proxy (go env GOPROXY) and a Go release at least as new as the module's go.mod asks for."
      find_temporal_server || die "go install succeeded but 'server' and 'sql' are not in ${GO_BIN_DIR:-\$(go env GOPATH)/bin}"
      say "built in $((SECONDS - t0)) s: $SERVER_BIN, $SQL_BIN"
    fi
  fi
  # The names are generic: make sure they are Temporal's, and the release the config is written for.
  local v
  v=$("$SERVER_BIN" --version 2>/dev/null || true)
  [[ "$v" == *"${SERVER_VERSION#v}"* ]] \
    || die "$SERVER_BIN does not say it is Temporal Server ${SERVER_VERSION#v} ('$SERVER_BIN --version' printed '${v:-nothing}'). Rebuild with 'go install $SERVER_MODULE/cmd/server@$SERVER_VERSION', or set NACHFASS_TEMPORAL_SERVER_BIN."
  v=$("$SQL_BIN" --help 2>/dev/null || true)
  [[ "$v" == *update-schema* ]] \
    || die "$SQL_BIN is not Temporal's SQL tool (no update-schema command). Rebuild with 'go install $SERVER_MODULE/cmd/tools/sql@$SERVER_VERSION', or set NACHFASS_TEMPORAL_SQL_BIN."
}

TEMPORAL_CLI=""
ensure_temporal_cli() {
  TEMPORAL_CLI=$(find_temporal) \
    || die "the temporal CLI (namespace and search attributes) was not found (NACHFASS_TEMPORAL_BIN, PATH, \$(go env GOPATH)/bin): run scripts/provision.sh first"
}

# ----------------------------------------------------------------------------------------------------------
# PostgreSQL

PG_OS_USER=""
# Runs a PostgreSQL program as the user that owns the data: postgres refuses to run as root.
as_pg() {
  if ((EUID == 0)); then
    (cd / && runuser -u "$PG_OS_USER" -- "$@")
  else
    "$@"
  fi
}

set_pg_user() {
  if ((EUID == 0)); then
    PG_OS_USER="${NACHFASS_POSTGRES_OS_USER:-postgres}"
    id "$PG_OS_USER" >/dev/null 2>&1 \
      || die "user '$PG_OS_USER' does not exist (Debian's postgresql package creates 'postgres'); PostgreSQL must not run as root: set NACHFASS_POSTGRES_OS_USER to another user"
    command -v runuser >/dev/null 2>&1 || die "runuser (util-linux) is needed to run PostgreSQL as $PG_OS_USER"
    # PostgreSQL runs as that user, so it must reach the state directory: a checkout under /root (mode 700)
    # is out of its reach. Then the data lives in /var/tmp instead, one directory per state directory.
    local probe="$STACK"
    [[ -d "$probe" ]] || probe=$(dirname "$STACK")
    if ! as_pg test -x "$probe"; then
      pg_paths "/var/tmp/nachfass-postgres-$(printf '%s' "$STACK" | sha256sum | cut -c1-12)"
      [[ "${1:-}" == quiet ]] || say "postgresql: user $PG_OS_USER cannot reach $STACK; its data is in $PG_DIR"
    fi
  else
    PG_OS_USER="$(id -un)"
  fi
}

prepare_pg_dirs() {
  set_pg_user
  mkdir -p "$PG_DIR" "$T_DIR"
  chmod 0755 "$STACK" "$PG_DIR"
  if [[ ! -d "$PG_RUN" ]]; then
    mkdir -p "$PG_RUN"
    ((EUID == 0)) && chown "$PG_OS_USER:" "$PG_RUN"
  fi
  as_pg test -w "$PG_RUN" \
    || die "user $PG_OS_USER cannot write $PG_RUN: every directory above it must be searchable by that user (chmod o+x), or set NACHFASS_PG_STATE_DIR elsewhere"
}

pg_running() { [[ -f "$PG_DATA/postmaster.pid" ]] && as_pg "$PG_BIN/pg_ctl" status -D "$PG_DATA" >/dev/null 2>&1; }

# Settings on the command line (not in postgresql.conf), so that a change here applies at the next start.
PG_OPTS=()
pg_opts() {
  PG_OPTS=(
    -p "$PG_PORT" -k "$PG_RUN" -c listen_addresses=$HOST
    # Temporal opens one pool per service (frontend, history, matching, worker) of up to maxConns each
    # (stack/temporal-postgres/config/nachfass.yaml: 20 + 10 for visibility): ~120, plus the tools.
    -c max_connections=200
    # Durability stays at PostgreSQL's defaults (fsync, synchronous_commit on): a start Temporal confirmed is
    # on disk, which the intake's "move the mail only after the start is durable" relies on.
    -c log_min_duration_statement=1000 # slow statements (>1 s) in postgres.log, to see where time goes
  )
}

pg_up() {
  local t0 pwfile
  t0=$(now_us)
  if [[ ! -f "$PG_DATA/PG_VERSION" ]]; then
    say "postgresql: initdb $PG_DATA (superuser $DB_USER, password auth on $HOST)"
    rm -rf "$PG_DATA"
    mkdir -p "$PG_DATA"
    ((EUID == 0)) && chown "$PG_OS_USER:" "$PG_DATA"
    chmod 0700 "$PG_DATA"
    pwfile="$PG_RUN/initdb-pw"
    printf '%s\n' "$DB_PASSWORD" >"$pwfile"
    ((EUID == 0)) && chown "$PG_OS_USER:" "$pwfile"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$DB_USER" --pwfile="$pwfile" -E UTF8 --no-locale \
      --auth-host=scram-sha-256 --auth-local=peer >"$PG_DIR/initdb.log" 2>&1 \
      || { rm -f "$pwfile"; log_tail "$PG_DIR/initdb.log"; die "initdb failed (log: $PG_DIR/initdb.log)"; }
    rm -f "$pwfile"
  fi
  if pg_running; then
    say "postgresql: already running ($HOST:$PG_PORT, data $PG_DATA)"
    return 0
  fi
  require_port_free "$PG_PORT" "PostgreSQL (NACHFASS_POSTGRES_PORT)"
  pg_opts
  touch "$PG_LOG"
  ((EUID == 0)) && chown "$PG_OS_USER:" "$PG_LOG"
  # pg_ctl -w returns once the server accepts connections; postgres then runs on its own (fd 8: our lock).
  as_pg "$PG_BIN/pg_ctl" start -D "$PG_DATA" -l "$PG_LOG" -w -t "$TIMEOUT" -o "${PG_OPTS[*]}" >/dev/null 8>&- \
    || { log_tail "$PG_LOG"; die "PostgreSQL did not start (log: $PG_LOG)"; }
  say "postgresql: started ($HOST:$PG_PORT, data $PG_DATA, $("$PG_BIN/postgres" --version)) in $(elapsed "$t0") s"
}

pg_down() {
  if ! [[ -f "$PG_DATA/postmaster.pid" ]] || ! pg_running; then
    say "postgresql: not running"
    return 0
  fi
  as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m fast -w -t "$TIMEOUT" >/dev/null \
    || die "pg_ctl stop failed (log: $PG_LOG)"
  say "postgresql: stopped"
}

psql_q() { PGPASSWORD="$DB_PASSWORD" "$PSQL" -h "$HOST" -p "$PG_PORT" -U "$DB_USER" -d postgres -tAq -c "$1"; }

schema_version() {
  PGPASSWORD="$DB_PASSWORD" "$PSQL" -h "$HOST" -p "$PG_PORT" -U "$DB_USER" -d "$1" -tAq \
    -c "SELECT curr_version FROM schema_version" 2>/dev/null || echo '?'
}

sql_tool() {
  SQL_PASSWORD="$DB_PASSWORD" "$SQL_BIN" --plugin postgres12 --endpoint "$HOST" --port "$PG_PORT" \
    --user "$DB_USER" "$@"
}

# Creates the two databases if missing and brings both schemas to this release (each step is a no-op when
# done: setup-schema skips an existing version table, update-schema applies only newer versions).
schema_up() {
  local db dir t0 out
  t0=$(now_us)
  find_psql || die "psql not found (postgresql-client)"
  find_module_dir
  for db in temporal temporal_visibility; do
    if [[ "$(psql_q "SELECT 1 FROM pg_database WHERE datname = '$db'")" != 1 ]]; then
      sql_tool --database "$db" create-database >"$T_DIR/schema.log" 2>&1 \
        || { log_tail "$T_DIR/schema.log"; die "creating database $db failed"; }
      say "schema: database $db created"
    fi
  done
  for db in temporal temporal_visibility; do
    dir="$MODULE_DIR/schema/postgresql/v12/$([[ "$db" == temporal ]] && echo temporal || echo visibility)/versioned"
    out="$T_DIR/schema.log"
    { sql_tool --database "$db" setup-schema -v 0.0 && sql_tool --database "$db" update-schema -d "$dir"; } >"$out" 2>&1 \
      || { log_tail "$out"; die "schema setup of $db failed ($SQL_BIN, schema $dir; log: $out)"; }
  done
  say "schema: temporal v$(schema_version temporal), temporal_visibility v$(schema_version temporal_visibility) (checked in $(elapsed "$t0") s)"
}

# ----------------------------------------------------------------------------------------------------------
# Temporal server

T_PID=""
t_pid() {
  local pid
  T_PID=""
  read_pid pid "$T_PIDFILE"
  [[ -n "$pid" ]] || return 0
  if alive "$pid" && cmdline_has "$pid" "--root $T_ROOT" && cmdline_has "$pid" "--env $T_ENV"; then
    T_PID="$pid"
  else
    rm -f "$T_PIDFILE"
    alive "$pid" || reap_orphans "$pid" temporal-pg
  fi
}

t_serving() {
  local out
  out=$("$TEMPORAL_CLI" operator cluster health --address "$HOST:$T_PORT" 2>/dev/null) || return 1
  [[ "$out" == *SERVING* && "$out" != *NOT_SERVING* ]]
}

# The environment that config/nachfass.yaml reads (its template defaults are the same values).
t_env() {
  export PGT_POSTGRES_PORT="$PG_PORT" PGT_HISTORY_SHARDS="$SHARDS" PGT_LOG_LEVEL="$T_LOG_LEVEL"
  export PGT_METRICS_PORT="${T_PORTS[metrics]}" PGT_DYNAMIC_CONFIG="$T_ROOT/dynamicconfig.yaml"
  export PGT_FRONTEND_PORT="${T_PORTS[frontend]}" PGT_FRONTEND_HTTP_PORT="${T_PORTS[frontend_http]}"
  export PGT_HISTORY_PORT="${T_PORTS[history]}" PGT_MATCHING_PORT="${T_PORTS[matching]}" PGT_WORKER_PORT="${T_PORTS[worker]}"
  export PGT_FRONTEND_MEMBERSHIP_PORT="${T_PORTS[frontend_membership]}" PGT_HISTORY_MEMBERSHIP_PORT="${T_PORTS[history_membership]}"
  export PGT_MATCHING_MEMBERSHIP_PORT="${T_PORTS[matching_membership]}" PGT_WORKER_MEMBERSHIP_PORT="${T_PORTS[worker_membership]}"
}

check_shards() {
  local had
  if [[ -f "$PG_SHARDS_FILE" ]]; then
    read -r had <"$PG_SHARDS_FILE" || true
    [[ "$had" == "$SHARDS" ]] \
      || die "this database was set up with $had history shards, and Temporal cannot change that (NACHFASS_PG_HISTORY_SHARDS=$SHARDS). Use $had, or start afresh with 'bash scripts/postgres.sh purge'."
  fi
}

t_up() {
  local t0 name deadline
  check_shards
  t_pid
  if [[ -n "$T_PID" ]]; then
    if t_serving; then
      say "temporal: already running (pid $T_PID, grpc $HOST:$T_PORT)"
      return 0
    fi
    say "temporal: running (pid $T_PID) but not serving on $HOST:$T_PORT; restarting it"
    t_down
  fi
  t0=$(now_us)
  for name in "${!T_PORTS[@]}"; do require_port_free "${T_PORTS[$name]}" "Temporal ($name)"; done
  t_env
  printf '\n[postgres] %(%FT%T%z)T starting %s (%s history shards)\n' -1 "$SERVER_BIN" "$SHARDS" >>"$T_LOG"
  # In its own process group (setsid), so that down stops all of it; without our lock (fd 8).
  (cd "$T_DIR" && exec setsid "$SERVER_BIN" --root "$T_ROOT" --config config --env "$T_ENV" --allow-no-auth start \
    >>"$T_LOG" 2>&1 </dev/null 8>&-) &
  T_PID=$!
  printf '%s\n' "$T_PID" >"$T_PIDFILE"
  deadline=$((SECONDS + TIMEOUT))
  until t_serving; do
    if ! group_alive "$T_PID"; then
      log_tail "$T_LOG"
      die "the Temporal server exited during start-up (log: $T_LOG)"
    fi
    if ((SECONDS >= deadline)); then
      log_tail "$T_LOG"
      die "the Temporal server did not serve on $HOST:$T_PORT within ${TIMEOUT}s (log: $T_LOG)"
    fi
    sleep 0.25
  done
  [[ -f "$PG_SHARDS_FILE" ]] || printf '%s\n' "$SHARDS" >"$PG_SHARDS_FILE"
  say "temporal: started (pid $T_PID, grpc $HOST:$T_PORT, metrics http://$HOST:${T_PORTS[metrics]}/metrics, $SHARDS history shards) in $(elapsed "$t0") s"
}

t_down() {
  local pid
  t_pid
  pid="$T_PID"
  if [[ -z "$pid" ]]; then
    say "temporal: not running"
    return 0
  fi
  stop_group "$pid" "temporal server" 20
  rm -f "$T_PIDFILE"
  T_PID=""
  say "temporal: stopped (was pid $pid)"
}

# ----------------------------------------------------------------------------------------------------------
# namespace and search attributes

# KEYWORD_LIST, KeywordList, INDEXED_VALUE_TYPE_KEYWORD_LIST -> KEYWORDLIST
norm_type() {
  local t="${1^^}"
  t="${t#INDEXED_VALUE_TYPE_}"
  printf '%s' "${t//_/}"
}

# WANTED: the Name=Type lines of stack/search-attributes.txt (blank lines and # comments left out).
WANTED=()
read_wanted() {
  local line n=0
  WANTED=()
  [[ -r "$SEARCH_ATTRIBUTES" ]] || die "cannot read $SEARCH_ATTRIBUTES"
  while IFS= read -r line || [[ -n "$line" ]]; do
    n=$((n + 1))
    line="${line//[$'\t\r ']/}"
    [[ -z "$line" || "$line" == '#'* ]] && continue
    [[ "$line" =~ ^[A-Za-z][A-Za-z0-9_]*=(Text|Keyword|Int|Double|Bool|Datetime|KeywordList)$ ]] \
      || die "$SEARCH_ATTRIBUTES:$n: '$line' is not Name=Type (Type one of Text Keyword Int Double Bool Datetime KeywordList)"
    WANTED+=("$line")
  done <"$SEARCH_ATTRIBUTES"
  ((${#WANTED[@]} > 0)) || die "no search attributes in $SEARCH_ATTRIBUTES"
}

cli() { "$TEMPORAL_CLI" "$@" --address "$HOST:$T_PORT" --namespace "$NAMESPACE"; }

# HAVE: the namespace's custom search attributes, as Name=TYPE (normalised).
declare -A HAVE=()
read_have() {
  local out body re='"([A-Za-z][A-Za-z0-9_]*)"[[:space:]]*:[[:space:]]*"([A-Za-z_]+)"'
  HAVE=()
  out=$(cli operator search-attribute list --output json 2>&1) || { printf '%s\n' "$out" >&2; return 1; }
  # {"customAttributes": {"Name": "INDEXED_VALUE_TYPE_KEYWORD", ...}, "systemAttributes": {...}, ...}
  [[ "$out" =~ \"customAttributes\"[[:space:]]*:[[:space:]]*\{([^\}]*)\} ]] || return 0
  body="${BASH_REMATCH[1]}"
  while [[ "$body" =~ $re ]]; do
    HAVE["${BASH_REMATCH[1]}"]=$(norm_type "${BASH_REMATCH[2]}")
    body="${body#*"${BASH_REMATCH[0]}"}"
  done
}

# The frontend and history cache namespaces and their search attributes (refreshed every 10-60 s): after
# creating either, a restart makes every service load them at once, instead of the next call (or a first
# case) failing on them. The server is up again in about a second.
restart_for() {
  say "temporal: restarting so that every service loads the new $1"
  t_down
  t_up
}

# Creates the namespace if missing.
namespace_up() {
  cli operator namespace describe >/dev/null 2>&1 && return 0
  cli operator namespace create --retention "$RETENTION" >"$T_DIR/setup.log" 2>&1 \
    || cli operator namespace describe >/dev/null 2>&1 \
    || { log_tail "$T_DIR/setup.log"; die "could not create namespace $NAMESPACE"; }
  say "namespace $NAMESPACE: created (retention $RETENTION)"
  restart_for namespace
}

# Registers the search attributes of stack/search-attributes.txt that the namespace lacks.
search_attributes_up() {
  local want name type args=() added=()
  read_wanted
  read_have || die "could not list the search attributes of namespace $NAMESPACE (see above)"
  for want in "${WANTED[@]}"; do
    name="${want%%=*}" type="${want#*=}"
    if [[ -z "${HAVE[$name]:-}" ]]; then
      args+=(--name "$name" --type "$type")
      added+=("$want")
    elif [[ "${HAVE[$name]}" != "$(norm_type "$type")" ]]; then
      die "search attribute $name exists in namespace $NAMESPACE as ${HAVE[$name]}, but stack/search-attributes.txt says $type (remove it: $TEMPORAL_CLI operator search-attribute remove --address $HOST:$T_PORT --namespace $NAMESPACE --name $name)"
    fi
  done
  if ((${#added[@]} > 0)); then
    # SQL visibility keeps custom attributes in a fixed set of columns per type (e.g. 10 Keyword, 3 Int).
    cli operator search-attribute create "${args[@]}" >"$T_DIR/setup.log" 2>&1 \
      || { log_tail "$T_DIR/setup.log"; die "could not register the search attributes ${added[*]} (PostgreSQL visibility has 10 Keyword, 3 Int, 3 Datetime, 3 Bool, 3 Double, 3 Text and 3 KeywordList columns per namespace)"; }
    say "search attributes registered: ${added[*]}"
    restart_for "search attributes"
  fi
  say "namespace $NAMESPACE: ${#WANTED[@]} search attributes of stack/search-attributes.txt present"
}

# ----------------------------------------------------------------------------------------------------------
# commands

take_lock() {
  mkdir -p "$STACK"
  chmod 0755 "$STACK"
  exec 8>"$STACK/.postgres.lock"
  # Long: the first up may be building the server for minutes.
  flock -w 900 8 || die "another scripts/postgres.sh has held $STACK/.postgres.lock for over 15 minutes"
}

cmd_up() {
  local t0
  t0=$(now_us)
  check_common
  take_lock
  ensure_postgres_installed
  ensure_temporal_server
  ensure_temporal_cli
  prepare_pg_dirs
  pg_up
  schema_up
  t_up
  namespace_up
  search_attributes_up
  say "up in $(elapsed "$t0") s: TEMPORAL_ADDRESS=$HOST:$T_PORT TEMPORAL_NAMESPACE=$NAMESPACE (state in $PG_DIR, logs $T_LOG and $PG_LOG)"
}

cmd_down() {
  check_common
  take_lock
  t_down
  if find_pg_bin; then
    prepare_pg_dirs
    pg_down
  else
    say "postgresql: not installed"
  fi
}

cmd_purge() {
  cmd_down
  rm -rf "$PG_DIR" "$T_DIR"
  say "purged $PG_DIR and $T_DIR"
}

cmd_status() {
  local rc=0
  if find_pg_bin && set_pg_user quiet && pg_running; then
    printf '%-11s running   %s:%s  data %s\n' postgresql "$HOST" "$PG_PORT" "$PG_DATA"
  else
    printf '%-11s stopped   %s:%s  data %s\n' postgresql "$HOST" "$PG_PORT" "$PG_DATA"
    rc=3
  fi
  t_pid
  if [[ -n "$T_PID" ]] && port_held_by_group "$T_PORT" "$T_PID"; then
    printf '%-11s running   pid %-7s grpc %s:%s  log %s\n' temporal-pg "$T_PID" "$HOST" "$T_PORT" "$T_LOG"
  elif [[ -n "$T_PID" ]]; then
    printf '%-11s unhealthy pid %-7s (not listening on %s:%s; log %s)\n' temporal-pg "$T_PID" "$HOST" "$T_PORT" "$T_LOG"
    rc=3
  else
    printf '%-11s stopped   %-11s grpc %s:%s\n' temporal-pg "" "$HOST" "$T_PORT"
    rc=3
  fi
  return "$rc"
}

cmd_env() {
  cat <<EOF
export TEMPORAL_ADDRESS=$HOST:$T_PORT
export TEMPORAL_NAMESPACE=$NAMESPACE
export NACHFASS_PG_TEMPORAL_PID_FILE=$T_PIDFILE
EOF
}

# The comment at the top of this file.
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
(($# == 0)) || die "'$cmd' takes no arguments"
case "$cmd" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  purge) cmd_purge ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
