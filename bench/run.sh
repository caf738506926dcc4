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

if [[ -n "${BENCH_QUICK:-}" ]]; then
  LATENCY=30 BURST=200 BACKLOG=(300 1000) PARKED_PG=300 STARTUP=1
else
  LATENCY=200 BURST=1000 BACKLOG=(1000 10000) PARKED_PG=2000 STARTUP=3
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
step "start-up and crash recovery (dev server)" bench/startup.ts "$STARTUP"

if [[ "${BENCH_POSTGRES:-on}" != off ]]; then
  bash scripts/postgres.sh up
  eval "$(bash scripts/postgres.sh env)"
  export BENCH_BACKEND=postgres
  step "latency (PostgreSQL)" bench/latency.ts "$LATENCY"
  step "burst (PostgreSQL)" bench/burst.ts "$BURST"
  step "parked cases (PostgreSQL)" bench/backlog.ts "$PARKED_PG"
  unset BENCH_BACKEND TEMPORAL_ADDRESS TEMPORAL_NAMESPACE
fi

npx tsx bench/report.ts
say "all benchmarks in $((SECONDS - t0)) s"
