#!/bin/sh
# Healthy when Dovecot (IMAP 1143, LMTP 2424) and Postfix (SMTP 2525) listen. Reads
# /proc/net/tcp instead of connecting, so that a check leaves no line in the mail logs.
# Ports in hex: 1143 = 0477, 2424 = 0978, 2525 = 09DD; state 0A = LISTEN.
for port in 0477 0978 09DD; do
  grep -Eq "^ *[0-9]+: [0-9A-F]{8}:$port [0-9A-F]{8}:0000 0A " /proc/net/tcp || {
    echo "nothing listens on port $((0x$port))"
    exit 1
  }
done
echo "imap 1143, lmtp 2424, smtp 2525: listening"
