# shellcheck shell=bash
# Postfix (SMTP, DSN SMTP) of the local stack; sourced by scripts/stack.sh after its settings.

POSTFIX_ETC="$STACK/postfix/etc"
POSTFIX_SPOOL="$STACK/postfix/spool"
POSTFIX_DATA="$STACK/postfix/data"
POSTFIX_PIDFILE="$POSTFIX_SPOOL/pid/master.pid"
POSTFIX_PGIDFILE="$STACK/postfix/start-fg.pgid"
POSTFIX_LOG="$STACK/postfix.log"


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

# The main.cf template: the stack's own, plus the hand-off to the worker's
# LMTP intake when NACHFASS_INTAKE_LMTP_PORT is set (with its two regexp maps
# installed). Unset: exactly the stack's own template, so nothing changes.
POSTFIX_MAIN_TEMPLATE="$TEMPLATES/postfix-main.cf.in"
postfix_main_template() {
  local port="${NACHFASS_INTAKE_LMTP_PORT:-}" rcpt tmp
  POSTFIX_MAIN_TEMPLATE="$TEMPLATES/postfix-main.cf.in"
  [[ -n "$port" ]] || return 0
  [[ "$port" =~ ^[0-9]+$ ]] || die "NACHFASS_INTAKE_LMTP_PORT must be a number, got '$port'"
  rcpt="${NACHFASS_INTAKE_LMTP_RECIPIENTS:-^support(-[^@]*)?@example\.test\$}"
  tmp="$STACK/postfix/intake"
  mkdir -p "$tmp"
  { cat "$TEMPLATES/postfix-main.cf.in"; sed -e "s|@INTAKE_LMTP_PORT@|$port|g" "$TEMPLATES/postfix-intake.cf.in"; } >"$tmp/main.cf.in"
  sed -e "s|@INTAKE_LMTP_RECIPIENTS@|$(sed_escape "$rcpt")|g" "$TEMPLATES/postfix-intake-bcc.in" >"$tmp/intake_bcc.in"
  sed -e "s|@INTAKE_LMTP_PORT@|$port|g" "$TEMPLATES/postfix-intake-transport.in" >"$tmp/intake_transport.in"
  install_config "$tmp/intake_bcc.in" "$POSTFIX_ETC/intake_bcc"
  install_config "$tmp/intake_transport.in" "$POSTFIX_ETC/intake_transport"
  POSTFIX_MAIN_TEMPLATE="$tmp/main.cf.in"
  say "postfix: support mail (${rcpt}) also handed to the worker's LMTP intake on $HOST:$port"
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
  postfix_main_template
  install_config "$POSTFIX_MAIN_TEMPLATE" "$POSTFIX_ETC/main.cf"
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
  local gone_since=''
  while [[ -z "$POSTFIX_PID" ]]; do
    # start-fg's group gone: its master may still be on its way (setsid forks when it must, and then $! is
    # not the group); give it 3 s before calling the start failed (measured once: master up, check failed).
    if [[ -z "$gone_since" ]] && ! group_alive "$pgid"; then gone_since=$SECONDS; fi
    if ((SECONDS >= deadline)) || { [[ -n "$gone_since" ]] && ((SECONDS - gone_since >= 3)); }; then
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

