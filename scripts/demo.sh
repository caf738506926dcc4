#!/usr/bin/env bash
# `npm run demo`: installs what is missing, starts the local stack (Temporal dev server with Web UI,
# Dovecot, Postfix), starts the worker and link server, sends a sample complaint, and prints where to look.
# The worker keeps running until Ctrl-C; the stack keeps running until `bash scripts/stack.sh down`.
# Set DEMO_EXIT=1 to stop the worker again right after printing (smoke test).
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
# shellcheck source=scripts/stack/common.sh
source scripts/stack/common.sh

bash scripts/provision.sh
bash scripts/node-deps.sh
bash scripts/stack.sh up
eval "$(bash scripts/stack.sh env)"

# A link secret kept across demo runs, so links in earlier mails stay valid; never printed.
secret_file=.stack/demo-link-secret
[[ -s "$secret_file" ]] || (umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secret_file")
LINK_SECRET="$(cat "$secret_file")"
export LINK_SECRET
export IMAP_USER=support@example.test IMAP_PASSWORD="$MAIL_DEV_PASSWORD"
export SUPPORT_ADDRESS="Kundenservice Muster Versand <support@example.test>"
# The example policy drives the demo; DEMO_POLICY=policy/demo.yaml shows reminders and escalation in minutes.
export POLICY_FILE="$ROOT_DIR/${DEMO_POLICY:-policy/example.yaml}"
export HTTP_PORT="${HTTP_PORT:-3000}" PUBLIC_URL="${PUBLIC_URL:-http://127.0.0.1:${HTTP_PORT:-3000}}"
export TEMPORAL_TASK_QUEUE="${TEMPORAL_TASK_QUEUE:-escalations}"
# Metrics on in the demo (off by default in production): http://127.0.0.1:9464/metrics.
export METRICS_PORT="${METRICS_PORT:-9464}"
# Readable log lines in the demo (production: one JSON line per event).
export LOG_FORMAT="${LOG_FORMAT:-text}"

# PAYLOAD_KEY and CODEC_AUTH_TOKEN come from `stack.sh env` (kept in .stack/, never printed). The Web UI decodes
# only in a browser logged in at the codec endpoint (README, "Security").
printf "[demo] the Web UI shows cases in clear after a login at http://127.0.0.1:%s/login (token: .stack/codec-token)\n" "$CODEC_PORT"
exec npx tsx scripts/demo.ts
