#!/usr/bin/env bash
# `npm test`: installs whatever is missing, starts the local mail stack (Dovecot + Postfix on loopback),
# type-checks, lints, and runs every test (unit + real Temporal dev server, mail servers and Chromium).
# The test run starts its own in-memory Temporal dev server (test/global-setup.ts).
# Ends with one plain line "N passed, N failed"; exits non-zero when anything failed.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT_DIR"
# shellcheck source=scripts/stack/common.sh
source scripts/stack/common.sh

bash scripts/provision.sh
bash scripts/node-deps.sh
TEMPORAL_CLI="$(find_temporal)" || die "temporal CLI not found after provisioning"
export TEMPORAL_CLI

# Start the mail stack unless it already runs; stop it afterwards only if we started it.
# (The status is read whole first: `grep -q` stops at the first match, and under pipefail the writer's SIGPIPE
# would count as "not running".)
mail_was_up=yes
stack_status="$(bash scripts/stack.sh status 2>/dev/null || true)"
grep -qE '^dovecot +running' <<<"$stack_status" || mail_was_up=no
grep -qE '^postfix +running' <<<"$stack_status" || mail_was_up=no
bash scripts/stack.sh up mail
if [[ "$mail_was_up" == no ]]; then
  trap 'bash scripts/stack.sh down mail >/dev/null 2>&1 || true' EXIT
fi

say "type check and lint ..."
npx tsc --noEmit -p .
npx eslint .

mkdir -p test-results
rm -f test-results/vitest.json test-results/vitest-chaos.json test-results/vitest-postgres.json test-results/totals.txt
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@"
rc=$?
# The chaos test (test/chaos/chaos.test.ts, several minutes) runs alone after the others, on a private mail stack
# and dev server: beside them its worker kills and server restarts would measure the other tests' load. It runs
# when the whole suite does (no file filter given).
if [[ $# -eq 0 ]]; then
  say "chaos test (300 complaints through worker kills and server restarts) ..."
  npx vitest run --config test/chaos/vitest.chaos.config.ts \
    --reporter=default --reporter=json --outputFile.json=test-results/vitest-chaos.json
  chaos_rc=$?
  [[ $chaos_rc -ne 0 ]] && rc=$chaos_rc
  # The end-to-end core once more on Temporal with PostgreSQL (scripts/postgres.sh; the first run builds the
  # server, 3-7 minutes), after the others, so that its server does not compete with their dev server.
  say "the end-to-end core on Temporal with PostgreSQL (npm run test:postgres) ..."
  bash scripts/test-postgres.sh
  pg_rc=$?
  [[ $pg_rc -ne 0 ]] && rc=$pg_rc
fi
set -e
node -e '
  const fs = require("node:fs");
  const read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")); } catch { return {}; } };
  const runs = ["test-results/vitest.json", "test-results/vitest-chaos.json", "test-results/vitest-postgres.json"].map(read);
  const sum = (k) => runs.reduce((s, r) => s + (r[k] ?? 0), 0);
  const passed = sum("numPassedTests"), failed = sum("numFailedTests");
  const skipped = sum("numPendingTests") + sum("numTodoTests");
  // The failed tests by name, right above the totals: the end of a long log is what a CI page shows.
  for (const r of runs) for (const f of r.testResults ?? []) for (const t of f.assertionResults ?? [])
    if (t.status === "failed") {
      console.log(`FAILED: ${f.name.replace(process.cwd() + "/", "")} > ${t.fullName}`);
      // What was expected and measured: without it a failure seen only in the log'"'"'s tail cannot be told apart.
      const why = String((t.failureMessages ?? [])[0] ?? "").split("\n").filter((l) => l.trim()).slice(0, 3);
      for (const l of why) console.log(`  ${l.slice(0, 300)}`);
    }
  // The chaos test'"'"'s counts, when it failed (its table is far above the tail).
  if ((runs[1].numFailedTests ?? 0) > 0) {
    try { console.log(`chaos counts: ${JSON.stringify(JSON.parse(fs.readFileSync("test-results/chaos.json", "utf8")))}`.slice(0, 3000)); } catch {}
  }
  for (const r of runs) for (const f of r.testResults ?? [])
    if (f.status === "failed" && !(f.assertionResults ?? []).some((t) => t.status === "failed"))
      console.log(`FAILED: ${f.name.replace(process.cwd() + "/", "")}: ${String(f.message ?? "").split("\n")[0]}`);
  const line = `${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : "");
  fs.writeFileSync("test-results/totals.txt", line + "\n");
  console.log(line);
  if (!runs[0].numTotalTests) { console.error("no test was executed"); process.exit(1); }
' || rc=1
exit "$rc"
