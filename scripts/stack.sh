#!/usr/bin/env bash
# Nachfass local stack: a private Dovecot (IMAP + LMTP), a private Postfix
# (SMTP) and the Temporal dev server, all on 127.0.0.1, all state under
# .stack/ next to scripts/ (gitignored). Install the binaries first with
# scripts/provision.sh; this script installs nothing.
#
# Usage: scripts/stack.sh up [mail|temporal|dovecot|postfix ...]
#        scripts/stack.sh down [mail|temporal|dovecot|postfix ...]
#        scripts/stack.sh status
#        scripts/stack.sh env
# Without components, up/down act on all (mail = dovecot + postfix).
#
# Ports (env overrides): NACHFASS_IMAP_PORT=1143 NACHFASS_LMTP_PORT=2424
#   NACHFASS_SMTP_PORT=2525 NACHFASS_SMTP_DSN_PORT=2526
#   NACHFASS_TEMPORAL_PORT=7233 NACHFASS_TEMPORAL_UI_PORT=8233
# Other env: NACHFASS_STACK_DIR (default <repo>/.stack),
#   NACHFASS_TEMPORAL_BIN (temporal CLI path), NACHFASS_STACK_TIMEOUT (30 s).
# Mail users: any local part @example.test, password "nachfass".
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/lib.sh"

TEMPLATES="$ROOT_DIR/stack"
STACK="${NACHFASS_STACK_DIR:-$ROOT_DIR/.stack}"
IMAP_PORT="${NACHFASS_IMAP_PORT:-1143}"
LMTP_PORT="${NACHFASS_LMTP_PORT:-2424}"
SMTP_PORT="${NACHFASS_SMTP_PORT:-2525}"
SMTP_DSN_PORT="${NACHFASS_SMTP_DSN_PORT:-2526}"
TEMPORAL_PORT="${NACHFASS_TEMPORAL_PORT:-7233}"
TEMPORAL_UI_PORT="${NACHFASS_TEMPORAL_UI_PORT:-8233}"
# The worker's codec endpoint (CODEC_PORT): the Web UI decrypts case payloads through it.
CODEC_PORT="${NACHFASS_CODEC_PORT:-8081}"
TIMEOUT="${NACHFASS_STACK_TIMEOUT:-30}"
HOST=127.0.0.1

DOVECOT_CONF="$STACK/dovecot/dovecot.conf"
DOVECOT_PIDFILE="$STACK/dovecot/run/master.pid"
DOVECOT_LOG="$STACK/dovecot.log"
POSTFIX_ETC="$STACK/postfix/etc"
POSTFIX_SPOOL="$STACK/postfix/spool"
POSTFIX_DATA="$STACK/postfix/data"
POSTFIX_PIDFILE="$POSTFIX_SPOOL/pid/master.pid"
POSTFIX_PGIDFILE="$STACK/postfix/start-fg.pgid"
POSTFIX_LOG="$STACK/postfix.log"
TEMPORAL_DIR="$STACK/temporal"
TEMPORAL_DB="$TEMPORAL_DIR/temporal.db"
TEMPORAL_PIDFILE="$TEMPORAL_DIR/temporal.pid"
TEMPORAL_LOG="$STACK/temporal.log"
SEARCH_ATTRIBUTES="$TEMPLATES/search-attributes.txt"

for p in IMAP_PORT LMTP_PORT SMTP_PORT SMTP_DSN_PORT TEMPORAL_PORT TEMPORAL_UI_PORT TIMEOUT; do
  [[ "${!p}" =~ ^[0-9]+$ ]] || die "$p must be a number, got '${!p}'"
done

# --------------------------------------------------------------------------
# process and port helpers (bash builtins where possible: a fork costs
# 20-30 ms on small VMs, and these run in polling loops)

# Sets STAT_STATE and STAT_PGID from /proc/PID/stat; false if no such process.
STAT_STATE="" STAT_PGID=""
proc_stat() {
  local s="" f
  STAT_STATE="" STAT_PGID=""
  [[ "$1" =~ ^[0-9]+$ ]] || return 1
  { read -r s <"/proc/$1/stat"; } 2>/dev/null || [[ -n "$s" ]] || return 1
  read -r -a f <<<"${s##*) }"
  STAT_STATE="${f[0]}" STAT_PGID="${f[2]}"
}

# True if PID exists and is not a zombie. A killed daemon can linger as a
# zombie (here PID 1 reaps orphans only now and then) and still "exists"
# for kill -0, which makes a pid file look alive.
alive() { proc_stat "$1" && [[ "$STAT_STATE" != Z ]]; }

# True if PID's command line contains STRING.
cmdline_has() {
  local -a a=()
  { mapfile -d '' a <"/proc/$1/cmdline"; } 2>/dev/null || return 1
  [[ " ${a[*]} " == *"$2"* ]]
}

# True if PID's environment has exactly the entry NAME=VALUE.
environ_has() {
  local -a a=()
  local e
  { mapfile -d '' a <"/proc/$1/environ"; } 2>/dev/null || return 1
  for e in "${a[@]}"; do [[ "$e" == "$2" ]] && return 0; done
  return 1
}

# read_pid VAR FILE: the number in FILE (or "") into VAR.
read_pid() {
  local v=""
  if [[ -f "$2" ]]; then { read -r v <"$2"; } 2>/dev/null || true; fi
  v="${v//[^0-9]/}"
  printf -v "$1" '%s' "$v"
}

# Sets PORT_PIDS (array) to the processes listening on TCP PORT; false if
# nothing listens there.
PORT_PIDS=()
port_pids() {
  local out re='pid=([0-9]+)'
  PORT_PIDS=()
  out=$(ss -Hltnp "sport = :$1" 2>/dev/null) || true
  [[ -n "$out" ]] || return 1
  while [[ "$out" =~ $re ]]; do
    PORT_PIDS+=("${BASH_REMATCH[1]}")
    out="${out#*"${BASH_REMATCH[0]}"}"
  done
  return 0
}

# True if TCP PORT is listened on by PGID itself or a member of its group.
port_held_by_group() {
  local port="$1" pgid="$2" p
  port_pids "$port" || return 1
  for p in "${PORT_PIDS[@]}"; do
    [[ "$p" == "$pgid" ]] && return 0
    proc_stat "$p" && [[ "$STAT_PGID" == "$pgid" ]] && return 0
  done
  return 1
}

# Fails with a clear message if PORT is taken by something else.
require_port_free() {
  local port="$1" what="$2" p who=""
  port_pids "$port" || return 0
  for p in "${PORT_PIDS[@]}"; do
    who+=" pid $p ($(ps -o args= -p "$p" 2>/dev/null | tr '\n' ' ' | cut -c1-100));"
  done
  die "port $port (for $what) is already in use by:${who:- an unknown process}. Stop it, or choose another port with the NACHFASS_*_PORT variables."
}

# Sets GROUP_PIDS (array) to the live (non-zombie) members of process group
# PGID; false if there are none.
GROUP_PIDS=()
group_alive() {
  local pgid="$1" f p
  GROUP_PIDS=()
  [[ "$pgid" =~ ^[0-9]+$ ]] || return 1
  for f in /proc/[0-9]*/stat; do
    p="${f#/proc/}"
    p="${p%/stat}"
    proc_stat "$p" || continue
    [[ "$STAT_PGID" == "$pgid" && "$STAT_STATE" != Z ]] && GROUP_PIDS+=("$p")
  done
  ((${#GROUP_PIDS[@]} > 0))
}

# Sends TERM to process group PGID, waits up to SECS, then KILLs the rest.
stop_group() {
  local pgid="$1" name="$2" secs="${3:-10}" i
  group_alive "$pgid" || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for ((i = 0; i < secs * 20; i++)); do
    group_alive "$pgid" || return 0
    sleep 0.05
  done
  warn "$name (process group $pgid: ${GROUP_PIDS[*]}) did not stop within ${secs}s; killing it"
  kill -KILL -- "-$pgid" 2>/dev/null || true
  for ((i = 0; i < 40; i++)); do
    group_alive "$pgid" || return 0
    sleep 0.05
  done
  die "$name: processes ${GROUP_PIDS[*]} survived SIGKILL"
}

# After a daemon died abruptly (kill -9), its children may outlive it in
# its process group (PGID = the dead leader's pid, which cannot be reused
# while the group has members): stop them.
reap_orphans() {
  if group_alive "$1"; then
    warn "$2: the process that led group $1 is gone but ${GROUP_PIDS[*]} are left; stopping them"
    stop_group "$1" "$2 leftovers" 5
  fi
  return 0
}

log_tail() {
  printf '[stack] --- last lines of %s ---\n' "$1" >&2
  tail -n 30 "$1" >&2 2>/dev/null || true
  printf '[stack] ---\n' >&2
}

# Waits until every PORT is held by process group PGID; on failure prints
# the tail of LOG and exits.
wait_ports() {
  local name="$1" pgid="$2" log="$3"
  shift 3
  local deadline=$((SECONDS + TIMEOUT)) port ok
  while :; do
    ok=1
    for port in "$@"; do
      port_held_by_group "$port" "$pgid" || { ok=0; break; }
    done
    ((ok)) && return 0
    if ! group_alive "$pgid"; then
      log_tail "$log"
      die "$name exited during start-up (log: $log)"
    fi
    if ((SECONDS >= deadline)); then
      log_tail "$log"
      die "$name did not listen on 127.0.0.1 port(s) $* within ${TIMEOUT}s (log: $log)"
    fi
    sleep 0.05
  done
}

# Microsecond clock and elapsed seconds (no fork).
now_us() { printf '%s' "${EPOCHREALTIME/[.,]/}"; }
elapsed() {
  local d=$(($(now_us) - $1))
  printf '%d.%02d' $((d / 1000000)) $((d % 1000000 / 10000))
}

# --------------------------------------------------------------------------
# config generation

sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

# render TEMPLATE > stdout, substituting the placeholders.
render() {
  local mail_uid mail_gid
  mail_uid=$(id -u mail 2>/dev/null || echo 8)
  mail_gid=$(id -g mail 2>/dev/null || echo 8)
  sed -e "s|@STACK_DIR@|$(sed_escape "$STACK")|g" \
    -e "s|@IMAP_PORT@|$IMAP_PORT|g" \
    -e "s|@LMTP_PORT@|$LMTP_PORT|g" \
    -e "s|@SMTP_PORT@|$SMTP_PORT|g" \
    -e "s|@SMTP_DSN_PORT@|$SMTP_DSN_PORT|g" \
    -e "s|@MAIL_UID@|$mail_uid|g" \
    -e "s|@MAIL_GID@|$mail_gid|g" \
    "$1"
}

# Writes the rendered TEMPLATE to DEST only if the content changed: Postfix
# re-reads a config file in 300 ms steps while its mtime is within the last
# second, so needless rewrites slow every start down. Sets CONFIG_CHANGED=1
# when it wrote something.
CONFIG_CHANGED=0
install_config() {
  local template="$1" dest="$2" tmp
  [[ -f "$template" ]] || die "template missing: $template"
  tmp="$dest.tmp.$$"
  render "$template" >"$tmp"
  if [[ -f "$dest" ]] && cmp -s "$tmp" "$dest"; then
    rm -f "$tmp"
  else
    chmod 0644 "$tmp"
    # The file appears atomically (mv), so nothing can read it half-written:
    # date it 2 s back so that Postfix does not wait for it to "settle".
    touch -m -d "@$((EPOCHSECONDS - 2))" "$tmp"
    mv -f "$tmp" "$dest"
    CONFIG_CHANGED=1
  fi
}

# --------------------------------------------------------------------------
# preconditions

need_bin() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found: $2. Run scripts/provision.sh first."
}

check_common() {
  need_bin ss "iproute2 is needed for port checks"
  need_bin setsid "util-linux is needed"
  need_bin ps "procps is needed"
  need_bin flock "util-linux is needed"
}

check_mail_prereqs() {
  ((EUID == 0)) || die "the mail stack (Dovecot, Postfix) must be started as root: Dovecot switches to the 'mail' user per mailbox and Postfix needs its 'postfix' user."
  need_bin dovecot "Dovecot is not installed (dovecot-imapd dovecot-lmtpd dovecot-sieve)"
  need_bin doveadm "Dovecot is not installed"
  need_bin postfix "Postfix is not installed"
  need_bin postconf "Postfix is not installed"
  id mail >/dev/null 2>&1 || die "system user 'mail' is missing (it owns the mailboxes)"
  id postfix >/dev/null 2>&1 || die "system user 'postfix' is missing (reinstall the postfix package)"
  [[ -e /usr/lib/dovecot/modules/lib90_sieve_plugin.so ]] || die "Dovecot's sieve plugin is missing (dovecot-sieve)."
  [[ -x /usr/lib/dovecot/lmtp ]] || die "Dovecot's LMTP server is missing (dovecot-lmtpd)."
  [[ -x /usr/lib/dovecot/imap ]] || die "Dovecot's IMAP server is missing (dovecot-imapd)."
  return 0
}

TEMPORAL_BIN=""
check_temporal_prereqs() {
  if [[ -n "${NACHFASS_TEMPORAL_BIN:-}" && ! -x "${NACHFASS_TEMPORAL_BIN}" ]]; then
    die "NACHFASS_TEMPORAL_BIN=$NACHFASS_TEMPORAL_BIN is not an executable file"
  fi
  TEMPORAL_BIN=$(find_temporal) \
    || die "temporal CLI not found (PATH, \$(go env GOPATH)/bin, ~/go/bin, NACHFASS_TEMPORAL_BIN). Run scripts/provision.sh first."
  [[ -f "$SEARCH_ATTRIBUTES" ]] || die "missing $SEARCH_ATTRIBUTES"
}

prepare_stack_dir() {
  mkdir -p "$STACK"
  chmod 0755 "$STACK"
}

# --------------------------------------------------------------------------
# Dovecot

# Sets DOVECOT_PID to our running Dovecot master, or "". Removes a stale pid
# file (dead or zombie master, or a reused pid), which would otherwise make
# Dovecot refuse to start ("Dovecot is already running with PID ...").
DOVECOT_PID=""
dovecot_pid() {
  local pid
  DOVECOT_PID=""
  read_pid pid "$DOVECOT_PIDFILE"
  [[ -n "$pid" ]] || return 0
  if alive "$pid" && cmdline_has "$pid" "$DOVECOT_CONF"; then
    DOVECOT_PID="$pid"
  else
    rm -f "$DOVECOT_PIDFILE"
    alive "$pid" || reap_orphans "$pid" dovecot
  fi
}

dovecot_healthy() {
  [[ -n "$DOVECOT_PID" ]] && port_held_by_group "$IMAP_PORT" "$DOVECOT_PID" && port_held_by_group "$LMTP_PORT" "$DOVECOT_PID"
}

dovecot_up() {
  local t0 dir deadline
  dovecot_pid
  if [[ -n "$DOVECOT_PID" ]]; then
    if dovecot_healthy; then
      say "dovecot: already running (pid $DOVECOT_PID, imap $HOST:$IMAP_PORT, lmtp $HOST:$LMTP_PORT)"
      return 0
    fi
    say "dovecot: running (pid $DOVECOT_PID) but not listening on $IMAP_PORT/$LMTP_PORT; restarting it"
    dovecot_down
  fi
  t0=$(now_us)
  # Dovecot's UNIX sockets live in base_dir; their paths must fit in 107 bytes.
  local longest="$STACK/dovecot/run/token-login/imap-urlauth"
  ((${#longest} <= 107)) \
    || die "the stack path $STACK is too long for Dovecot's UNIX sockets (${#longest} > 107 bytes for $longest); set NACHFASS_STACK_DIR to a shorter directory"
  mkdir -p "$STACK/dovecot/state" "$STACK/mail"
  # Mailboxes are created by Dovecot running as "mail": it must own mail/
  # and be able to traverse every parent directory.
  chown mail:mail "$STACK/mail"
  chmod 0770 "$STACK/mail"
  if command -v runuser >/dev/null 2>&1 && ! runuser -u mail -- test -w "$STACK/mail" 2>/dev/null; then
    dir="$STACK"
    while [[ "$dir" != "/" ]] && ! runuser -u mail -- test -x "$(dirname "$dir")" 2>/dev/null; do
      dir=$(dirname "$dir")
    done
    die "user 'mail' cannot reach $STACK/mail (check the permissions of $(dirname "$dir") and its parents: each needs o+x). Or set NACHFASS_STACK_DIR to another place."
  fi
  install_config "$TEMPLATES/dovecot.conf.in" "$DOVECOT_CONF"
  if ! doveconf -c "$DOVECOT_CONF" -n >/dev/null 2>"$STACK/dovecot/doveconf.err"; then
    cat "$STACK/dovecot/doveconf.err" >&2
    die "the generated Dovecot config $DOVECOT_CONF is invalid (see above; template: stack/dovecot.conf.in)"
  fi
  require_port_free "$IMAP_PORT" "Dovecot IMAP"
  require_port_free "$LMTP_PORT" "Dovecot LMTP"
  # dovecot daemonizes (fork + setsid): its master leads its own process
  # group and writes base_dir/master.pid.
  if ! dovecot -c "$DOVECOT_CONF" >>"$DOVECOT_LOG" 2>&1 9>&-; then
    log_tail "$DOVECOT_LOG"
    die "dovecot -c $DOVECOT_CONF failed (log: $DOVECOT_LOG)"
  fi
  deadline=$((SECONDS + TIMEOUT))
  dovecot_pid
  while [[ -z "$DOVECOT_PID" ]]; do
    if ((SECONDS >= deadline)); then
      log_tail "$DOVECOT_LOG"
      die "dovecot wrote no pid file ($DOVECOT_PIDFILE) within ${TIMEOUT}s (log: $DOVECOT_LOG)"
    fi
    sleep 0.05
    dovecot_pid
  done
  wait_ports dovecot "$DOVECOT_PID" "$DOVECOT_LOG" "$IMAP_PORT" "$LMTP_PORT"
  say "dovecot: started (pid $DOVECOT_PID, imap $HOST:$IMAP_PORT, lmtp $HOST:$LMTP_PORT) in $(elapsed "$t0") s"
}

dovecot_down() {
  local pid
  dovecot_pid
  pid="$DOVECOT_PID"
  if [[ -z "$pid" ]]; then
    say "dovecot: not running"
    return 0
  fi
  # SIGTERM to the master is what `doveadm -c CONF stop` sends, minus its
  # extra second of polling. The master ends its children (about 1 s).
  kill -TERM "$pid" 2>/dev/null || true
  stop_group "$pid" dovecot 10
  rm -f "$DOVECOT_PIDFILE"
  DOVECOT_PID=""
  say "dovecot: stopped (was pid $pid)"
}

dovecot_status() {
  dovecot_pid
  if [[ -n "$DOVECOT_PID" ]] && dovecot_healthy; then
    printf '%-9s running   pid %-7s imap %s:%s  lmtp %s:%s\n' dovecot "$DOVECOT_PID" "$HOST" "$IMAP_PORT" "$HOST" "$LMTP_PORT"
  elif [[ -n "$DOVECOT_PID" ]]; then
    printf '%-9s unhealthy pid %-7s (not listening on %s:%s and %s:%s)\n' dovecot "$DOVECOT_PID" "$HOST" "$IMAP_PORT" "$HOST" "$LMTP_PORT"
    return 1
  else
    printf '%-9s stopped   %-11s imap %s:%s  lmtp %s:%s\n' dovecot "" "$HOST" "$IMAP_PORT" "$HOST" "$LMTP_PORT"
    return 1
  fi
}

# --------------------------------------------------------------------------
# Postfix

# Sets POSTFIX_PID to our running Postfix master, or "". (`master -s`
# calls setsid(): it leads its own process group, pgid = pid.)
POSTFIX_PID=""
postfix_pid() {
  local pid comm=""
  POSTFIX_PID=""
  read_pid pid "$POSTFIX_PIDFILE"
  [[ -n "$pid" ]] || return 0
  { read -r comm <"/proc/$pid/comm"; } 2>/dev/null || true
  if [[ "$comm" == master ]] && alive "$pid" && environ_has "$pid" "MAIL_CONFIG=$POSTFIX_ETC"; then
    POSTFIX_PID="$pid"
  else
    # Postfix itself ignores a stale master.pid (it locks the file).
    alive "$pid" || reap_orphans "$pid" postfix
  fi
}

postfix_healthy() {
  [[ -n "$POSTFIX_PID" ]] && port_held_by_group "$SMTP_PORT" "$POSTFIX_PID" && port_held_by_group "$SMTP_DSN_PORT" "$POSTFIX_PID"
}

postfix_up() {
  local t0 pgid deadline
  postfix_pid
  if [[ -n "$POSTFIX_PID" ]]; then
    if postfix_healthy; then
      say "postfix: already running (pid $POSTFIX_PID, smtp $HOST:$SMTP_PORT, dsn-smtp $HOST:$SMTP_DSN_PORT)"
      return 0
    fi
    say "postfix: running (pid $POSTFIX_PID) but not listening on $SMTP_PORT/$SMTP_DSN_PORT; restarting it"
    postfix_down
  fi
  t0=$(now_us)
  mkdir -p "$POSTFIX_ETC" "$POSTFIX_SPOOL" "$POSTFIX_DATA"
  # The queue directory belongs to root (Postfix creates its subdirectories
  # with the right owners); the data directory to the postfix user.
  chown root:root "$POSTFIX_SPOOL"
  chmod 0755 "$POSTFIX_SPOOL" "$STACK/postfix"
  chown postfix:postfix "$POSTFIX_DATA"
  chmod 0700 "$POSTFIX_DATA"
  CONFIG_CHANGED=0
  install_config "$TEMPLATES/postfix-main.cf.in" "$POSTFIX_ETC/main.cf"
  install_config "$TEMPLATES/postfix-master.cf.in" "$POSTFIX_ETC/master.cf"
  # A clean `down` leaves spool/quick-start (like `postfix quick-stop`), which
  # makes start-fg skip its ~1 s of integrity checks; a changed config or a
  # fresh spool gets the full checks (they also create the queue directories).
  if ((CONFIG_CHANGED)) || [[ ! -d "$POSTFIX_SPOOL/pid" ]]; then
    rm -f "$POSTFIX_SPOOL/quick-start"
  fi
  require_port_free "$SMTP_PORT" "Postfix SMTP"
  require_port_free "$SMTP_DSN_PORT" "Postfix DSN SMTP"
  # `postfix start` without a terminal exits 1 silently; start-fg works.
  # setsid: the start-fg shell gets its own session and process group
  # (pgid = $!), remembered so that `down` can stop it; the master daemon
  # it runs (as its child) makes itself a session and group leader too.
  setsid postfix -c "$POSTFIX_ETC" start-fg >>"$POSTFIX_LOG" 2>&1 </dev/null 9>&- &
  pgid=$!
  printf '%s\n' "$pgid" >"$POSTFIX_PGIDFILE"
  deadline=$((SECONDS + TIMEOUT))
  postfix_pid
  while [[ -z "$POSTFIX_PID" ]]; do
    if ! group_alive "$pgid" || ((SECONDS >= deadline)); then
      log_tail "$POSTFIX_LOG"
      die "postfix -c $POSTFIX_ETC start-fg did not bring up a master daemon (log: $POSTFIX_LOG)"
    fi
    sleep 0.05
    postfix_pid
  done
  wait_ports postfix "$POSTFIX_PID" "$POSTFIX_LOG" "$SMTP_PORT" "$SMTP_DSN_PORT"
  say "postfix: started (pid $POSTFIX_PID, smtp $HOST:$SMTP_PORT, dsn-smtp $HOST:$SMTP_DSN_PORT) in $(elapsed "$t0") s"
}

postfix_down() {
  local pid pgid
  postfix_pid
  pid="$POSTFIX_PID"
  read_pid pgid "$POSTFIX_PGIDFILE"
  if [[ -z "$pid" ]] && ! group_alive "$pgid"; then
    rm -f "$POSTFIX_PGIDFILE"
    say "postfix: not running"
    return 0
  fi
  if [[ -n "$pid" ]]; then
    # What `postfix stop` does: SIGTERM to the master, which ends its
    # children; then the start-fg shell exits.
    kill -TERM "$pid" 2>/dev/null || true
    stop_group "$pid" postfix 10
  fi
  [[ -z "$pgid" ]] || stop_group "$pgid" "postfix start-fg" 5
  rm -f "$POSTFIX_PGIDFILE"
  # Stopped cleanly from a checked spool: let the next start be quick.
  if [[ -n "$pid" && -d "$POSTFIX_SPOOL/pid" ]]; then touch "$POSTFIX_SPOOL/quick-start"; fi
  POSTFIX_PID=""
  say "postfix: stopped (was pid ${pid:-?})"
}

postfix_status() {
  postfix_pid
  if [[ -n "$POSTFIX_PID" ]] && postfix_healthy; then
    printf '%-9s running   pid %-7s smtp %s:%s  dsn-smtp %s:%s\n' postfix "$POSTFIX_PID" "$HOST" "$SMTP_PORT" "$HOST" "$SMTP_DSN_PORT"
  elif [[ -n "$POSTFIX_PID" ]]; then
    printf '%-9s unhealthy pid %-7s (not listening on %s:%s and %s:%s)\n' postfix "$POSTFIX_PID" "$HOST" "$SMTP_PORT" "$HOST" "$SMTP_DSN_PORT"
    return 1
  else
    printf '%-9s stopped   %-11s smtp %s:%s  dsn-smtp %s:%s\n' postfix "" "$HOST" "$SMTP_PORT" "$HOST" "$SMTP_DSN_PORT"
    return 1
  fi
}

# --------------------------------------------------------------------------
# Temporal dev server

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

# Prints --search-attribute flags, one word per line, from the shared list.
search_attribute_flags() {
  local line
  while IFS= read -r line || [[ -n "$line" ]]; do
    line="${line%%#*}"
    line="${line//[[:space:]]/}"
    [[ -n "$line" ]] || continue
    [[ "$line" =~ ^[A-Za-z_][A-Za-z0-9_]*=(Text|Keyword|Int|Double|Bool|Datetime|KeywordList)$ ]] \
      || die "bad line in $SEARCH_ATTRIBUTES: '$line' (expected Name=Type, Type one of Text Keyword Int Double Bool Datetime KeywordList)"
    printf -- '--search-attribute\n%s\n' "$line"
  done <"$SEARCH_ATTRIBUTES"
}

temporal_up() {
  local t0
  local -a sa_flags
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
  mapfile -t sa_flags < <(search_attribute_flags)
  ((${#sa_flags[@]} > 0)) || die "no search attributes in $SEARCH_ATTRIBUTES (or a bad line, see above)"
  printf '\n[stack] %(%FT%T%z)T starting temporal server start-dev\n' -1 >>"$TEMPORAL_LOG"
  # --ip binds the frontend and, by default, the UI and the random
  # metrics/HTTP/membership ports to loopback; --ui-ip makes the UI explicit.
  # Search attributes are (re-)registered at every start; that is harmless
  # with an existing database.
  setsid "$TEMPORAL_BIN" server start-dev \
    --ip "$HOST" --port "$TEMPORAL_PORT" \
    --ui-ip "$HOST" --ui-port "$TEMPORAL_UI_PORT" \
    --ui-codec-endpoint "http://$HOST:$CODEC_PORT" \
    --db-filename "$TEMPORAL_DB" \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
    --log-level warn \
    "${sa_flags[@]}" \
    >>"$TEMPORAL_LOG" 2>&1 </dev/null 9>&- &
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

# --------------------------------------------------------------------------

# Sets COMPS to the components named (mail = dovecot + postfix; none = all),
# in start order, without duplicates.
COMPS=()
components() {
  local want=" " c
  (($# == 0)) && set -- all
  for c in "$@"; do
    case "$c" in
      mail) want+="dovecot postfix " ;;
      dovecot | postfix | temporal) want+="$c " ;;
      all) want+="dovecot postfix temporal " ;;
      *) die "unknown component '$c' (use: mail, temporal, dovecot, postfix)" ;;
    esac
  done
  COMPS=()
  for c in dovecot postfix temporal; do
    [[ "$want" == *" $c "* ]] && COMPS+=("$c")
  done
  return 0
}

# Serialises concurrent invocations (e.g. parallel test runners). Daemons
# are started with fd 9 closed (9>&-), or they would hold the lock forever.
take_lock() {
  prepare_stack_dir
  exec 9>"$STACK/.lock"
  flock -w 120 9 || die "another scripts/stack.sh is holding $STACK/.lock for over 120 s"
}

# Runs "<component>_<action>" for the components. up: one after the other,
# Dovecot before Postfix (Postfix delivers into it); in parallel it is slower
# on 2 cores, the Temporal start is CPU-bound. down: Temporal in a background
# subshell, in parallel with Postfix then Dovecot (each waits ~1 s for its
# process to exit).
# (Called plainly, never in an `||`/`if` context, so that `set -e` stays in
# force inside the component functions.)
run_components() {
  local action="$1" c tpid=""
  shift
  local -a mail=()
  for c in "$@"; do
    if [[ "$c" == temporal && "$action" == down ]]; then
      "temporal_$action" &
      tpid=$!
    else
      mail+=("$c")
    fi
  done
  if [[ "$action" == down ]] && ((${#mail[@]} == 2)); then mail=(postfix dovecot); fi
  for c in "${mail[@]}"; do "${c}_$action"; done
  if [[ -n "$tpid" ]]; then
    wait "$tpid" || die "stopping temporal failed (see above)"
  fi
  return 0
}

cmd_up() {
  local c t0
  t0=$(now_us)
  components "$@"
  check_common
  for c in "${COMPS[@]}"; do
    case "$c" in
      dovecot | postfix) check_mail_prereqs ;;
      temporal) check_temporal_prereqs ;;
    esac
  done
  take_lock
  run_components up "${COMPS[@]}"
  say "up (${COMPS[*]}) in $(elapsed "$t0") s; state in $STACK"
}

# True if any process (zombies included) is in one of the process groups.
groups_exist() {
  local f p g
  for f in /proc/[0-9]*/stat; do
    p="${f#/proc/}"
    p="${p%/stat}"
    proc_stat "$p" || continue
    for g in "$@"; do [[ "$STAT_PGID" == "$g" ]] && return 0; done
  done
  return 1
}

cmd_down() {
  local t0 c pg i
  local -a groups=()
  t0=$(now_us)
  components "$@"
  check_common
  take_lock
  for c in "${COMPS[@]}"; do
    case "$c" in
      dovecot) dovecot_pid && [[ -n "$DOVECOT_PID" ]] && groups+=("$DOVECOT_PID") ;;
      postfix)
        postfix_pid && [[ -n "$POSTFIX_PID" ]] && groups+=("$POSTFIX_PID")
        read_pid pg "$POSTFIX_PGIDFILE"
        [[ -n "$pg" ]] && groups+=("$pg")
        ;;
      temporal) temporal_pid && [[ -n "$TEMPORAL_PID" ]] && groups+=("$TEMPORAL_PID") ;;
    esac
  done
  run_components down "${COMPS[@]}"
  # The daemons were orphans (their starter exited), so their exit leaves
  # zombies until PID 1 reaps them; wait a little (here ~1-2 s) so that
  # `pgrep` shows nothing afterwards. Zombies hold no ports or files.
  if ((${#groups[@]} > 0)); then
    for ((i = 0; i < 100; i++)); do
      groups_exist "${groups[@]}" || break
      sleep 0.05
    done
    groups_exist "${groups[@]}" && say "note: some stopped processes are still zombies awaiting PID 1 (they hold nothing)"
  fi
  say "down (${COMPS[*]}) in $(elapsed "$t0") s"
}

cmd_status() {
  local rc=0
  dovecot_status || rc=3
  postfix_status || rc=3
  temporal_status || rc=3
  return "$rc"
}

cmd_env() {
  stack_key "$STACK/payload-key"
  stack_key "$STACK/codec-token"
  local q_stack
  printf -v q_stack '%q' "$STACK"
  cat <<EOF
export IMAP_HOST=$HOST
export IMAP_PORT=$IMAP_PORT
export IMAP_SECURE=false
export SMTP_HOST=$HOST
export SMTP_PORT=$SMTP_PORT
export SMTP_SECURE=false
export SMTP_DSN_PORT=$SMTP_DSN_PORT
export LMTP_HOST=$HOST
export LMTP_PORT=$LMTP_PORT
export MAIL_DOMAIN=example.test
export MAIL_DEV_PASSWORD=nachfass
export TEMPORAL_ADDRESS=$HOST:$TEMPORAL_PORT
export TEMPORAL_NAMESPACE=default
export TEMPORAL_UI_URL=http://$HOST:$TEMPORAL_UI_PORT
export CODEC_PORT=$CODEC_PORT
export CODEC_CORS_ORIGINS=http://$HOST:$TEMPORAL_UI_PORT,http://localhost:$TEMPORAL_UI_PORT
export PAYLOAD_KEY="\$(cat $q_stack/payload-key)"
export CODEC_AUTH_TOKEN="\$(cat $q_stack/codec-token)"
EOF
}

# The local stack's payload key and codec token: 32 random bytes as hex, made once and kept in the stack
# directory (mode 600), so cases sealed in an earlier run stay readable. `env` prints where they are, not them.
stack_key() {
  [[ -s "$1" ]] && return 0
  mkdir -p "$STACK"
  (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$1")
}

usage() {
  sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

cmd="${1:-}"
[[ $# -gt 0 ]] && shift
case "$cmd" in
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  status) cmd_status ;;
  env) cmd_env ;;
  -h | --help | help) usage ;;
  *) usage >&2; exit 2 ;;
esac
