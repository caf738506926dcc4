#!/usr/bin/env bash
# `npm run bench`: every benchmark on the real local stack, each on a private Dovecot + Postfix and the worker as
# `npm start` runs it (compiled, prebuilt workflow bundle), first on the Temporal dev server, then on Temporal with
# PostgreSQL (scripts/postgres.sh; left out with BENCH_POSTGRES=off). Each benchmark prints its figures and appends
# them, with the commit and the machine, to bench/results/<name>.json; bench/report.ts then writes the README's
# table. Figures, not assertions: nothing here fails because the machine is slow.
#   BENCH_QUICK=1 smaller sizes (a minute or two each), for trying the scripts.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
# shellcheck source=scripts/stack/common.sh
source scripts/stack/common.sh

bash scripts/provision.sh
bash scripts/node-deps.sh
say "npm run build (the worker the benchmarks start is the compiled one) ..."
npm run build >/dev/null

# Sizes: the default fits about 20 minutes on 2 cores; BENCH_FULL=1 runs the issue's full sizes (a backlog of 10,000
# mails alone drains for about 20 minutes here); BENCH_QUICK=1 small ones, to try the scripts.
if [[ -n "${BENCH_QUICK:-}" ]]; then
  LATENCY=30 BURST=200 BACKLOG=(300 600) STARTUP=1 PG_LATENCY=30 PG_BURST=200 PG_PARKED=300 SENT=(300 1000)
elif [[ -n "${BENCH_FULL:-}" ]]; then
  LATENCY=200 BURST=1000 BACKLOG=(1000 10000) STARTUP=3 PG_LATENCY=200 PG_BURST=1000 PG_PARKED=2000 SENT=(1000 5000 20000)
else
  LATENCY=200 BURST=1000 BACKLOG=(1000 2000) STARTUP=2 PG_LATENCY=100 PG_BURST=1000 PG_PARKED=1000 SENT=(1000 5000 20000)
fi
t0=$SECONDS
step() {
  local name="$1"
  shift
  say "bench: $name ..."
  local s=$SECONDS
  npx tsx "$@"
  say "bench: $name took $((SECONDS - s)) s"
}

step "latency (dev server)" bench/latency.ts "$LATENCY"
step "burst (dev server)" bench/burst.ts "$BURST"
step "backlog and parked cases (dev server)" bench/backlog.ts "${BACKLOG[@]}"
step "start-up and crash recovery (dev server)" bench/startup.ts "$STARTUP" --no-compare
# The Sent ledger against the Sent folder's size (IMAP only, no Temporal): --expose-gc for the index's heap figure.
NODE_OPTIONS="${NODE_OPTIONS:-} --expose-gc" step "Sent ledger against the Sent folder's size" bench/sent-ledger.ts "${SENT[@]}"

if [[ "${BENCH_POSTGRES:-on}" != off ]]; then
  # Left as found: stopped again at the end when this run started it (it holds ports 15432 and 17233).
  if ! bash scripts/postgres.sh status >/dev/null 2>&1; then
    trap 'bash scripts/postgres.sh down >/dev/null 2>&1 || true' EXIT
  fi
  bash scripts/postgres.sh up
  eval "$(bash scripts/postgres.sh env)"
  export BENCH_BACKEND=postgres
  step "latency (PostgreSQL)" bench/latency.ts "$PG_LATENCY"
  step "burst (PostgreSQL)" bench/burst.ts "$PG_BURST"
  step "backlog and parked cases (PostgreSQL)" bench/backlog.ts "$PG_PARKED"
  step "start-up and crash recovery (PostgreSQL)" bench/startup.ts "$STARTUP" --no-compare
  unset BENCH_BACKEND TEMPORAL_ADDRESS TEMPORAL_NAMESPACE
fi

npx tsx bench/report.ts
say "all benchmarks in $((SECONDS - t0)) s"
