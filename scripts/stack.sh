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
# shellcheck source=scripts/stack/common.sh
source "$SCRIPT_DIR/stack/common.sh"

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

for f in dovecot postfix temporal; do
  # shellcheck source=/dev/null
  source "$SCRIPT_DIR/stack/$f.sh"
done

for p in IMAP_PORT LMTP_PORT SMTP_PORT SMTP_DSN_PORT TEMPORAL_PORT TEMPORAL_UI_PORT TIMEOUT; do
  [[ "${!p}" =~ ^[0-9]+$ ]] || die "$p must be a number, got '${!p}'"
done

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
