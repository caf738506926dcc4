# shellcheck shell=bash
# Shared helpers of the scripts (sourced by stack.sh, provision.sh, test.sh, demo.sh): messages, the
# temporal CLI finder, process and port checks, config rendering, preconditions. Defines, runs nothing.

# shellcheck disable=SC2034 # used by provision.sh
NACHFASS_TEMPORAL_CLI_MODULE="github.com/temporalio/cli/cmd/temporal"
# Newer tags of the CLI do not build with `go install`; keep this pin.
# shellcheck disable=SC2034
NACHFASS_TEMPORAL_CLI_VERSION="v1.5.1"

say() { printf '[stack] %s\n' "$*"; }
warn() { printf '[stack] WARNING: %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }

# Prints the path of a usable temporal CLI, or nothing (exit 1).
# Order: $NACHFASS_TEMPORAL_BIN, $TEMPORAL_CLI, PATH, $(go env GOBIN), $(go env GOPATH)/bin, ~/go/bin.
find_temporal() {
  local cand gopath gobin
  if [[ -n "${NACHFASS_TEMPORAL_BIN:-}" ]]; then
    [[ -x "$NACHFASS_TEMPORAL_BIN" ]] && { printf '%s\n' "$NACHFASS_TEMPORAL_BIN"; return 0; }
    return 1
  fi
  # The worker (worker/dev-server.ts) honours TEMPORAL_CLI: so do we.
  if [[ -n "${TEMPORAL_CLI:-}" && -x "${TEMPORAL_CLI}" ]]; then
    printf '%s\n' "$TEMPORAL_CLI"; return 0
  fi
  if cand=$(command -v temporal 2>/dev/null); then
    printf '%s\n' "$cand"; return 0
  fi
  if command -v go >/dev/null 2>&1; then
    local -a goenv=()
    mapfile -t goenv < <(go env GOBIN GOPATH 2>/dev/null || true)
    gobin="${goenv[0]:-}"
    gopath="${goenv[1]:-}"
    if [[ -n "$gobin" && -x "$gobin/temporal" ]]; then
      printf '%s\n' "$gobin/temporal"; return 0
    fi
    # GOPATH may be a list; the first entry is where `go install` writes.
    cand="${gopath%%:*}/bin/temporal"
    if [[ -n "$gopath" && -x "$cand" ]]; then
      printf '%s\n' "$cand"; return 0
    fi
  fi
  cand="${HOME:-/root}/go/bin/temporal"
  [[ -x "$cand" ]] && { printf '%s\n' "$cand"; return 0; }
  return 1
}

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

