# shellcheck shell=bash
# Dovecot (IMAP + LMTP) of the local stack; sourced by scripts/stack.sh after its settings.

DOVECOT_CONF="$STACK/dovecot/dovecot.conf"
DOVECOT_PIDFILE="$STACK/dovecot/run/master.pid"
DOVECOT_LOG="$STACK/dovecot.log"


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

