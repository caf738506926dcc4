/**
 * Duplicate sends under CPU starvation: a burst of N complaints while CPU hogs (one per core, bounded in time)
 * starve the worker, with second-scale reminders and escalations, so that send activities run late and are
 * retried. Afterwards every real mailbox involved is read and mails that arrived twice with the same
 * Message-ID are counted. Runs with the Sent ledger (SEND_LEDGER=true) and, with --compare, without it.
 *
 *   npx tsx bench/duplicates.ts [N] [--seconds S] [--compare]     (default N=200, S=90; mail stack must run)
 *
 * Prints a table and writes bench/results/duplicates.json. Figures, not assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp } from '../worker/app.js';
import { loadConfig, PROJECT_ROOT } from '../worker/config.js';
import { startDevServer } from '../worker/dev-server.js';
import { parsePolicy } from '../worker/policy.js';
import { deliverViaLmtp, withImap } from '../scripts/lib/dev-mail.js';
import { freePort } from '../scripts/lib/ports.js';
import { benchEnv } from './bench-env.js';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

/** Message-IDs of every mail in a mailbox's INBOX (envelopes only). */
async function messageIds(user: string): Promise<string[]> {
  return withImap(user, async (c) => {
    const lock = await c.getMailboxLock('INBOX');
    try {
      const ids: string[] = [];
      if ((c.mailbox && c.mailbox.exists) === 0) return ids;
      for await (const m of c.fetch('1:*', { envelope: true })) ids.push(m.envelope?.messageId ?? '');
      return ids;
    } finally {
      lock.release();
    }
  });
}

function hog(seconds: number): ChildProcess {
  return spawn(process.execPath, ['-e', `const end = Date.now() + ${seconds * 1000}; while (Date.now() < end) {}`], {
    stdio: 'ignore',
  });
}

async function run(n: number, seconds: number, ledger: boolean, temporal: string): Promise<Record<string, number>> {
  const tag = randomBytes(3).toString('hex');
  const support = `dup-support-${tag}@example.test`;
  const supervisor = `dup-sup-${tag}@example.test`;
  const manager = `dup-man-${tag}@example.test`;
  const customers = Array.from({ length: n }, (_, i) => `dup-kunde${i}-${tag}@example.test`);
  const config = loadConfig(
    await benchEnv(
      { temporal, taskQueue: `dup-${tag}`, support },
      { ACK_GLOBAL_RATE_LIMIT: '100000/1h', INTAKE_RECHECK: '2s', SEND_LEDGER: String(ledger) },
    ),
  );
  const policy = parsePolicy(
    `
company: { name: Bench GmbH, address: "Weg 1, Berlin", phone: "+49 30 1", hours: "Mo–Fr 9–18", timeZone: Europe/Berlin }
ladder: [{ role: Teamleitung, name: Sup, address: ${supervisor} }, { role: GL, name: Man, address: ${manager} }]
durations: { answerPromise: 20s, reminderAfter: 12s, escalateAfter: 25s, followUpAfter: 1h, linkValidity: 1d }
rules: { urgencyKeywords: [sofort], impactKeywords: [Erstattung] }
`,
    'bench policy',
  );
  const app = await startApp(config, policy, { log: () => undefined });
  const hogs = os.cpus().map(() => hog(seconds));
  const t0 = Date.now();
  try {
    for (const [i, from] of customers.entries()) {
      const raw = [
        `From: Kunde ${i} <${from}>`,
        `To: ${support}`,
        `Subject: Beschwerde Nr. ${i}`,
        `Message-ID: <dup-${i}-${tag}@kunden.example.test>`,
        'Date: Mon, 23 Nov 2026 10:00:00 +0100',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Mein Gerät ist defekt. Ich bitte um Erstattung.',
        '',
      ].join('\r\n');
      await deliverViaLmtp(from, support, raw);
    }
    while (Date.now() - t0 < seconds * 1000) await new Promise((r) => setTimeout(r, 1000));
  } finally {
    for (const h of hogs) h.kill('SIGKILL');
    await app.stop();
  }
  let mails = 0;
  let duplicates = 0;
  let acknowledged = 0;
  for (const box of [supervisor, manager, ...customers]) {
    const ids = await messageIds(box);
    mails += ids.length;
    duplicates += ids.length - new Set(ids).size;
    if (customers.includes(box) && ids.length > 0) acknowledged += 1;
  }
  return {
    complaints: n,
    seconds,
    ledger: ledger ? 1 : 0,
    mailsDelivered: mails,
    duplicates,
    customersAcknowledged: acknowledged,
  };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2]) > 0 ? Number(process.argv[2]) : 200;
  const seconds = arg('--seconds', 90);
  const modes = process.argv.includes('--compare') ? [true, false] : [true];
  const server = await startDevServer({ port: await freePort(), uiPort: await freePort() });
  const rows: Array<Record<string, number>> = [];
  try {
    for (const ledger of modes) {
      const row = await run(n, seconds, ledger, server.address);
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    await server.stop();
  }
  console.table(rows);
  mkdirSync(path.join(PROJECT_ROOT, 'bench/results'), { recursive: true });
  const out = path.join(PROJECT_ROOT, 'bench/results/duplicates.json');
  const commit = process.env.GIT_COMMIT ?? '';
  writeFileSync(
    out,
    JSON.stringify(
      { at: new Date().toISOString(), commit, node: process.version, cpus: os.cpus().length, rows },
      null,
      2,
    ) + '\n',
  );
  console.log(`written to ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
