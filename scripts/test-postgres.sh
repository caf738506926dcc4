#!/usr/bin/env bash
# `npm run test:postgres`: the end-to-end core on Temporal Server with PostgreSQL instead of the dev server:
# happy path, nobody decides, the same mail twice, and intake across crashes and replicas (a worker killed
# between the workflow start and the mail's move). Installs and builds what is missing (scripts/provision.sh,
# scripts/node-deps.sh, scripts/postgres.sh), starts the mail stack and the PostgreSQL-backed server unless
# they run, and stops afterwards what it started. Results: test-results/vitest-postgres.json.
# Extra arguments go to vitest (e.g. -t 'one case').
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
# shellcheck source=scripts/stack/common.sh
source scripts/stack/common.sh

FILES=(
  test/e2e/happy-path.test.ts
  test/e2e/nobody-decides.test.ts
  test/e2e/duplicate.test.ts
  test/e2e/intake-failover.test.ts
)
t0=$SECONDS

bash scripts/provision.sh
bash scripts/node-deps.sh

# Start what does not run yet; stop afterwards only that.
# (The status is read whole first: `grep -q` in a pipe ends it early, and with pipefail that reads as "not up".)
mail_was_up=yes
mail_status=$(bash scripts/stack.sh status || true)
[[ "$mail_status" =~ (^|$'\n')dovecot\ +running ]] || mail_was_up=no
[[ "$mail_status" =~ (^|$'\n')postfix\ +running ]] || mail_was_up=no
pg_was_up=yes
bash scripts/postgres.sh status >/dev/null || pg_was_up=no
cleanup() {
  [[ "$pg_was_up" == no ]] && { bash scripts/postgres.sh down >/dev/null 2>&1 || true; }
  [[ "$mail_was_up" == no ]] && { bash scripts/stack.sh down mail >/dev/null 2>&1 || true; }
  return 0
}
trap cleanup EXIT
bash scripts/stack.sh up mail
bash scripts/postgres.sh up

# TEMPORAL_ADDRESS is not exported: the tests give each worker its address themselves (test/helpers/app.ts).
address=$(bash scripts/postgres.sh env | sed -n 's/^export TEMPORAL_ADDRESS=//p')
[[ -n "$address" ]] || die "scripts/postgres.sh env printed no TEMPORAL_ADDRESS"
say "set-up took $((SECONDS - t0)) s; the end-to-end core on Temporal with PostgreSQL at $address ..."

mkdir -p test-results
rm -f test-results/vitest-postgres.json
t1=$SECONDS
set +e
NACHFASS_TEST_TEMPORAL_ADDRESS="$address" npx vitest run --project stack \
  --reporter=default --reporter=json --outputFile.json=test-results/vitest-postgres.json "${FILES[@]}" "$@"
rc=$?
set -e
say "PostgreSQL core: tests $((SECONDS - t1)) s, all $((SECONDS - t0)) s (exit $rc)"
exit "$rc"
