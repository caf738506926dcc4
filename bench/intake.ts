/**
 * Intake benchmark: fills a fresh support mailbox with N complaints (every tenth with a 1 MiB attachment)
 * over LMTP, then runs the whole app against it and measures how fast the mailbox drains into cases and
 * how the worker's memory behaves. Run for several N to see whether memory stays flat with mailbox size.
 *
 *   npx tsx bench/intake.ts [N ...] [--compare-encryption]
 *       (default: 100 400; the mail stack must run: scripts/stack.sh up mail; --compare-encryption runs each N
 *       also with PAYLOAD_ENCRYPTION=false, to show what sealing the payloads costs)
 *
 * Prints a table and writes bench/results/intake.json. Figures, not assertions: these machines are noisy.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startApp } from '../worker/app.js';
import { loadConfig, PROJECT_ROOT } from '../worker/config.js';
import { startDevServer } from '../worker/dev-server.js';
import { parsePolicy } from '../worker/policy.js';
import { deliverViaLmtp, withImap } from '../scripts/lib/dev-mail.js';
import { freePort } from '../scripts/lib/ports.js';
import { complaintMail } from './lib/setup.js';
import { benchEnv } from './bench-env.js';

const ATTACHMENT = randomBytes(1024 * 1024)
  .toString('base64')
  .replace(/.{76}/g, '$&\r\n');

async function folderCount(user: string, folder: string): Promise<number> {
  return withImap(user, async (c) => {
    if (!(await c.list()).some((m) => m.path === folder)) return 0;
    const status = await c.status(folder, { messages: true });
    return status ? (status.messages ?? 0) : 0;
  });
}

async function run(n: number, temporalAddress: string, encryption: boolean): Promise<Record<string, number>> {
  const tag = randomBytes(3).toString('hex');
  const support = `bench-support-${tag}@example.test`;
  const people = { supervisor: `bench-sup-${tag}@example.test`, manager: `bench-man-${tag}@example.test` };
  const fillStart = Date.now();
  for (let i = 1; i <= n; i++)
    await deliverViaLmtp(
      `kunde${i}-${tag}@example.test`,
      support,
      complaintMail(i, `kunde${i}-${tag}@example.test`, support, tag, i % 10 === 0 ? ATTACHMENT : undefined).raw,
    );
  const fillS = (Date.now() - fillStart) / 1000;

  const config = loadConfig(
    await benchEnv(
      { temporal: temporalAddress, taskQueue: `bench-${tag}`, support },
      { PAYLOAD_ENCRYPTION: String(encryption) },
    ),
  );
  const policy = parsePolicy(
    `
company: { name: Bench GmbH, address: "Weg 1, Berlin", phone: "+49 30 1", hours: "Mo–Fr 9–18", timeZone: Europe/Berlin }
ladder: [{ role: Teamleitung, name: Sup, address: ${people.supervisor} }, { role: GL, name: Man, address: ${people.manager} }]
durations: { answerPromise: 1h, reminderAfter: 1h, escalateAfter: 2h, followUpAfter: 1h, linkValidity: 1d }
rules: { urgencyKeywords: [sofort], impactKeywords: [Erstattung] }
`,
    'bench policy',
  );

  global.gc?.();
  const rssStart = process.memoryUsage().rss;
  let rssPeak = rssStart;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100);
  const t0 = Date.now();
  const app = await startApp(config, policy, { log: () => undefined });
  let processed: number;
  while ((processed = await folderCount(support, 'Processed')) < n) await new Promise((r) => setTimeout(r, 500));
  const drainS = (Date.now() - t0) / 1000;
  await app.stop();
  clearInterval(sampler);
  return {
    mails: n,
    encrypted: encryption ? 1 : 0,
    fillSeconds: fillS,
    drainSeconds: drainS,
    mailsPerSecond: Math.round((processed / drainS) * 10) / 10,
    rssStartMiB: Math.round(rssStart / 2 ** 20),
    rssPeakMiB: Math.round(rssPeak / 2 ** 20),
    rssGrowthMiB: Math.round((rssPeak - rssStart) / 2 ** 20),
  };
}

async function main(): Promise<void> {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const modes = process.argv.includes('--compare-encryption') ? [true, false] : [true];
  const server = await startDevServer({ port: await freePort(), uiPort: await freePort() });
  const rows: Array<Record<string, number>> = [];
  try {
    for (const n of sizes.length ? sizes : [100, 400]) {
      for (const encryption of modes) {
        const row = await run(n, server.address, encryption);
        rows.push(row);
        console.log(JSON.stringify(row));
      }
    }
  } finally {
    await server.stop();
  }
  console.table(rows);
  mkdirSync(path.join(PROJECT_ROOT, 'bench/results'), { recursive: true });
  const out = path.join(PROJECT_ROOT, 'bench/results/intake.json');
  writeFileSync(
    out,
    JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: 2, rows }, null, 2) + '\n',
  );
  console.log(`written to ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
