/**
 * The hostile corpus (test/fixtures/hostile: the committed .eml files and the generated big ones) through intake's
 * own steps for each mail: parse (mailparser), facts and verdict (classify), the bounded summary and the workflow
 * input (toComplaintInput). Prints the time and the peak RSS growth per mail and the input's size.
 *
 *   npx tsx --expose-gc bench/hostile.ts        (no servers needed: the IMAP and Temporal parts are the e2e test's)
 *
 * Writes bench/results/hostile.json. Figures, not assertions.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { classify } from '../activities/intake/classify.js';
import { toComplaintInput } from '../activities/intake/complaint-input.js';
import { mailFacts } from '../activities/intake/mail-facts.js';
import { parseRaw, summarize } from '../activities/intake/parse.js';
import { PROJECT_ROOT } from '../worker/config.js';
import { parsePolicy, policySnapshot } from '../worker/policy.js';
import * as generate from '../test/fixtures/hostile/generate.js';

const dir = path.join(PROJECT_ROOT, 'test/fixtures/hostile');
const env = { from: 'kunde@kunden.example.test', to: 'support@example.test' };
const policy = policySnapshot(
  parsePolicy(readFileSync(path.join(PROJECT_ROOT, 'policy/example.yaml'), 'utf8'), 'example'),
);

function corpus(): Array<[string, Buffer]> {
  const fill = (raw: string): string =>
    raw.replaceAll('{{customer}}', env.from).replaceAll('{{support}}', env.to).replaceAll('{{tag}}', 'bench');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f): [string, Buffer] => [f, Buffer.from(fill(readFileSync(path.join(dir, f), 'latin1')), 'latin1')]);
  const made = Object.entries(generate).map(([name, make]): [string, Buffer] => [
    name,
    Buffer.from(make({ ...env, messageId: `<${name}-${randomBytes(3).toString('hex')}@kunden.example.test>` })),
  ]);
  return [...files, ...made];
}

async function measure(name: string, raw: Buffer): Promise<Record<string, string | number>> {
  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const t0 = performance.now();
  let outcome: string;
  let inputBytes = 0;
  try {
    const parsed = await parseRaw(raw);
    const verdict = classify(mailFacts(parsed), { ourDomain: 'example.test', ourAddresses: [env.to] });
    const input = toComplaintInput(summarize(parsed), raw, {
      mailbox: 'bench',
      defaultLanguage: 'de',
      policy,
      linkSecret: 'ab'.repeat(32),
      searchAttributes: false,
      now: new Date(),
      archiveFolder: 'Processed',
    });
    inputBytes = typeof input === 'string' ? 0 : Buffer.byteLength(JSON.stringify(input));
    outcome = typeof input === 'string' ? `quarantine: ${input}` : verdict.kind;
  } catch (err) {
    outcome = `throws: ${err instanceof Error ? err.message.slice(0, 60) : String(err)}`;
  }
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  return {
    mail: name,
    rawKiB: Math.round(raw.length / 1024),
    ms: Math.round(ms * 10) / 10,
    peakGrowthMiB: Math.round(((peak - before) / 2 ** 20) * 10) / 10,
    inputKiB: Math.round((inputBytes / 1024) * 10) / 10,
    outcome,
  };
}

async function main(): Promise<void> {
  const rows: Array<Record<string, string | number>> = [];
  for (const [name, raw] of corpus()) rows.push(await measure(name, raw));
  console.table(rows);
  mkdirSync(path.join(PROJECT_ROOT, 'bench/results'), { recursive: true });
  const out = path.join(PROJECT_ROOT, 'bench/results/hostile.json');
  writeFileSync(
    out,
    JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, rows }, null, 2) +
      '\n',
  );
  console.log(`written to ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
