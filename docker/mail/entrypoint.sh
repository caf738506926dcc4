#!/bin/sh
# Nachfass test mail server: Dovecot (IMAP 1143, LMTP 2424 inside) and Postfix (SMTP 2525)
# in one container. Dovecot runs in the background (-F: it keeps its log on the container's
# stderr); Postfix replaces this shell as PID 1 (`postfix start-fg` runs `master -i`, which
# also reaps orphans), so `docker stop` stops Postfix cleanly; Dovecot's Maildir survives
# the final kill.
set -eu

# The mailboxes (a volume): Dovecot, running as "mail", creates one directory per address.
mkdir -p /var/vmail
chown mail:mail /var/vmail
chmod 0750 /var/vmail

# A restarted container keeps its old pid file; Dovecot would refuse to start if another
# process happened to get that pid.
rm -f /run/dovecot/master.pid

doveconf -n >/dev/null
dovecot -F &

exec postfix start-fg
