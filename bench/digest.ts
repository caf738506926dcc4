/**
 * Reminder mails at volume: N complaints (default 200) opened at once with second-scale durations (reminder
 * window 12 s, escalation to the manager after 25 s, as in issue 14's measurement of 950 reminder mails to the
 * manager in four minutes), left undecided for S seconds (default 240). Afterwards the supervisor's and the
 * manager's real mailboxes are read and every mail counted by kind; the digests' cases are counted too.
 *
 *   npx tsx bench/digest.ts [N] [--seconds S]     (mail stack must run: bash scripts/stack.sh up mail)
 *
 * Prints a table and writes bench/results/digest.json. Figures, not assertions.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import { startApp } from '../worker/app.js';
import { loadConfig, PROJECT_ROOT } from '../worker/config.js';
import { startDevServer } from '../worker/dev-server.js';
import { parsePolicy } from '../worker/policy.js';
import { deliverViaLmtp, readFolder } from '../scripts/lib/dev-mail.js';
import { freePort } from '../scripts/lib/ports.js';
import { benchEnv } from './bench-env.js';

const WINDOW_S = 12;

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};

const kindOf = (m: ParsedMail): string => String(m.headers.get('x-nachfass-kind') ?? 'other');
const casesIn = (m: ParsedMail): string[] => [...(m.text ?? '').matchAll(/^Fall ([0-9A-Z]{10}) ·/gm)].map((x) => x[1]!);

/** Mails of one mailbox by kind, the cases its digests listed, and the shortest gap between two digests (s). */
async function count(address: string): Promise<Record<string, number>> {
  const mails = (await readFolder(address)).map((m) => m.parsed);
  const byKind: Record<string, number> = {};
  for (const m of mails) byKind[kindOf(m)] = (byKind[kindOf(m)] ?? 0) + 1;
  const digests = mails.filter((m) => kindOf(m) === 'reminder-digest');
  const listed = new Set(digests.flatMap(casesIn));
  const dates = digests.map((m) => m.date?.getTime() ?? 0).sort((a, b) => a - b);
  const gaps = dates.slice(1).map((d, i) => (d - dates[i]!) / 1000);
  return {
    mails: mails.length,
    approvalRequests: byKind['approval-request'] ?? 0,
    escalations: byKind.escalation ?? 0,
    remindersAlone: byKind.reminder ?? 0,
    digests: digests.length,
    casesInDigests: listed.size,
    entriesInDigests: digests.reduce((n, m) => n + casesIn(m).length, 0),
    shortestDigestGapSeconds: gaps.length ? Math.min(...gaps) : 0,
  };
}

async function run(n: number, seconds: number, temporal: string): Promise<Record<string, unknown>> {
  const tag = randomBytes(3).toString('hex');
  const support = `dig-support-${tag}@example.test`;
  const supervisor = `dig-sup-${tag}@example.test`;
  const manager = `dig-man-${tag}@example.test`;
  const customers = Array.from({ length: n }, (_, i) => `dig-kunde${i}-${tag}@example.test`);
  const config = loadConfig(
    await benchEnv(
      { temporal, taskQueue: `dig-${tag}`, support },
      { ACK_GLOBAL_RATE_LIMIT: '100000/1h', INTAKE_RECHECK: '2s' },
    ),
  );
  const policy = parsePolicy(
    `
company: { name: Bench GmbH, address: "Weg 1, Berlin", phone: "+49 30 1", hours: "Mo–Fr 9–18", timeZone: Europe/Berlin }
ladder: [{ role: Teamleitung, name: Sup, address: ${supervisor} }, { role: GL, name: Man, address: ${manager} }]
durations: { answerPromise: 20s, reminderAfter: ${WINDOW_S}s, escalateAfter: 25s, followUpAfter: 1h, linkValidity: 1d }
rules: { urgencyKeywords: [sofort], impactKeywords: [Erstattung] }
`,
    'bench policy',
  );
  const app = await startApp(config, policy, { log: () => undefined });
  const t0 = Date.now();
  let stalled: number;
  let opened: number;
  try {
    for (const [i, from] of customers.entries()) {
      const raw = [
        `From: Kunde ${i} <${from}>`,
        `To: ${support}`,
        `Subject: Beschwerde Nr. ${i}`,
        `Message-ID: <dig-${i}-${tag}@kunden.example.test>`,
        'Date: Mon, 23 Nov 2026 10:00:00 +0100',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Mein Gerät ist defekt. Ich bitte um Erstattung.',
        '',
      ].join('\r\n');
      await deliverViaLmtp(from, support, raw);
    }
    while (Date.now() - t0 < seconds * 1000) await new Promise((r) => setTimeout(r, 1000));
    stalled = (
      await app.client.workflow
        .count(`TaskQueue = 'dig-${tag}' AND WorkflowType = 'ComplaintWorkflow' AND Stalled = true`)
        .catch(() => ({ count: -1 }))
    ).count;
    opened = (
      await app.client.workflow
        .count(`TaskQueue = 'dig-${tag}' AND WorkflowType = 'ComplaintWorkflow'`)
        .catch(() => ({ count: -1 }))
    ).count;
  } finally {
    await app.stop();
  }
  return {
    complaints: n,
    seconds,
    windowSeconds: WINDOW_S,
    casesOpened: opened,
    casesStalled: stalled,
    manager: await count(manager),
    supervisor: await count(supervisor),
  };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2]) > 0 ? Number(process.argv[2]) : 200;
  const seconds = arg('--seconds', 240);
  const server = await startDevServer({ port: await freePort(), uiPort: await freePort() });
  let row: Record<string, unknown>;
  try {
    row = await run(n, seconds, server.address);
  } finally {
    await server.stop();
  }
  console.log(JSON.stringify(row, null, 2));
  const flat = (who: 'manager' | 'supervisor') => ({ who, ...(row[who] as Record<string, number>) });
  console.table([flat('manager'), flat('supervisor')]);
  mkdirSync(path.join(PROJECT_ROOT, 'bench/results'), { recursive: true });
  const out = path.join(PROJECT_ROOT, 'bench/results/digest.json');
  writeFileSync(
    out,
    JSON.stringify(
      {
        at: new Date().toISOString(),
        commit: process.env.GIT_COMMIT ?? '',
        node: process.version,
        cpus: os.cpus().length,
        row,
      },
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
