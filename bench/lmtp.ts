/**
 * Latency of the direct hand-off (LMTP intake) against the IMAP path, in the same run: a private Postfix + Dovecot
 * (scripts/stack.sh, Postfix configured to hand support mail to the worker's LMTP listener besides the mailbox),
 * a private Temporal dev server, and the whole app twice: once with INTAKE_LMTP_PORT (mail to `support-…`, which
 * Postfix hands over), once without (mail to `imap-…`, which only the mailbox gets: IDLE, then a pass).
 *
 *   npx tsx bench/lmtp.ts [N]      (default 30 mails per path, one after the other)
 *
 * Measured per mail: from SMTP acceptance (Postfix's 250 to our submission) to the acknowledgment stored in the
 * customer's Maildir (Dovecot's file name carries the delivery time to the microsecond). Prints p50/p95 and writes
 * bench/results/lmtp.json. Figures, not assertions: these machines are shared and noisy.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { startApp } from '../worker/app.js';
import { loadConfig, PROJECT_ROOT } from '../worker/config.js';
import { startDevServer } from '../worker/dev-server.js';
import { parsePolicy } from '../worker/policy.js';
import { freePort } from '../scripts/lib/ports.js';
import { startPrivateMailStack, type PrivateMailStack } from '../test/helpers/private-stack.js';
import { benchEnv } from './bench-env.js';

const policy = (tag: string): ReturnType<typeof parsePolicy> =>
  parsePolicy(
    `
company: { name: Bench GmbH, address: "Weg 1, Berlin", phone: "+49 30 1", hours: "Mo–Fr 9–18", timeZone: Europe/Berlin }
ladder: [{ role: Teamleitung, name: Sup, address: bench-sup-${tag}@example.test }, { role: GL, name: Man, address: bench-man-${tag}@example.test }]
durations: { answerPromise: 1h, reminderAfter: 1h, escalateAfter: 2h, followUpAfter: 1h, linkValidity: 1d }
rules: { urgencyKeywords: [sofort], impactKeywords: [Erstattung] }
`,
    'bench policy',
  );

/** Delivery time (ms since the epoch, µs precision) of the first mail in `user`'s Maildir whose text matches. */
function storedAt(stack: PrivateMailStack, address: string, match: (text: string) => boolean): number | undefined {
  const [user, domain] = address.split('@') as [string, string];
  for (const sub of ['new', 'cur']) {
    const dir = path.join(stack.dir, 'mail', domain, user, 'Maildir', sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      const m = /^(\d+)\.M(\d+)P/.exec(f);
      if (m && match(readFileSync(path.join(dir, f), 'utf8'))) return Number(m[1]) * 1000 + Number(m[2]) / 1000;
    }
  }
  return undefined;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function measure(
  stack: PrivateMailStack,
  temporalAddress: string,
  mode: 'lmtp' | 'imap',
  n: number,
  lmtpPort: number,
): Promise<Record<string, number | string>> {
  const tag = randomBytes(3).toString('hex');
  // Only `support-…` matches the stack's hand-off map (scripts/stack/postfix.sh): `imap-…` reaches the mailbox only.
  const support = `${mode === 'lmtp' ? 'support' : 'imap'}-${tag}@example.test`;
  const config = loadConfig(
    await benchEnv(
      {
        temporal: temporalAddress,
        taskQueue: `bench-${tag}`,
        support,
        imapPort: stack.ports.imap,
        smtpPort: stack.ports.smtp,
      },
      mode === 'lmtp' ? { INTAKE_LMTP_PORT: String(lmtpPort) } : {},
    ),
  );
  const app = await startApp(config, policy(tag), { log: () => undefined });
  const smtp = nodemailer.createTransport({
    host: '127.0.0.1',
    port: stack.ports.smtp,
    secure: false,
    ignoreTLS: true,
  });
  const latencies: number[] = [];
  try {
    // One warm-up mail (the very first delivery of a fresh Postfix and the first case are slow), not counted.
    for (let i = 0; i <= n; i++) {
      const customer = `kunde${i}-${tag}@example.test`;
      const id = `<bench-${mode}-${i}-${tag}@kunden.example.test>`;
      const raw = [
        `From: Kunde ${i} <${customer}>`,
        `To: ${support}`,
        `Subject: Beschwerde Nr. ${i}: Gerät defekt`,
        `Message-ID: ${id}`,
        'Date: Mon, 23 Nov 2026 10:00:00 +0100',
        'Content-Type: text/plain; charset=utf-8',
        '',
        `Guten Tag, mein Gerät (Bestellung ${i}) ist defekt. Ich bitte um Erstattung.`,
        '',
      ].join('\r\n');
      await smtp.sendMail({ envelope: { from: customer, to: support }, raw });
      const accepted = Date.now();
      const deadline = accepted + 60_000;
      let at: number | undefined;
      while (!(at = storedAt(stack, customer, (t) => t.includes(`In-Reply-To: ${id}`)))) {
        if (Date.now() > deadline) throw new Error(`${mode}: no acknowledgment for mail ${i} within 60 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      if (i > 0) latencies.push((at - accepted) / 1000);
    }
  } finally {
    smtp.close();
    await app.stop();
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const delays = mode === 'lmtp' ? handOffDelays(stack, lmtpPort).slice(-n) : [];
  const handOff = delays.map((d) => d.total).sort((a, b) => a - b);
  const inWorker = delays.map((d) => d.transmission).sort((a, b) => a - b);
  return {
    path: mode,
    mails: n,
    p50Seconds: round(quantile(sorted, 0.5)),
    p95Seconds: round(quantile(sorted, 0.95)),
    minSeconds: round(sorted[0]!),
    maxSeconds: round(sorted[sorted.length - 1]!),
    // Postfix's own figure: the mail's arrival to the worker's 250 (the case durable in Temporal).
    ...(handOff.length
      ? {
          handOffP50Seconds: round(quantile(handOff, 0.5)),
          handOffP95Seconds: round(quantile(handOff, 0.95)),
          // Of that, the LMTP session's data phase: the message sent, parsed, routed, the start confirmed.
          inWorkerP50Seconds: round(quantile(inWorker, 0.5)),
          inWorkerP95Seconds: round(quantile(inWorker, 0.95)),
        }
      : {}),
  };
}

const round = (s: number): number => Math.round(s * 1000) / 1000;

/**
 * Postfix's figures for every hand-off the worker's listener answered with 250, in log order: `delay=` (arrival to
 * the 250) and the last of `delays=a/b/c/d` (the transmission, which ends with the worker's answer).
 */
function handOffDelays(stack: PrivateMailStack, lmtpPort: number): Array<{ total: number; transmission: number }> {
  return readFileSync(path.join(stack.dir, 'postfix.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes(`relay=127.0.0.1[127.0.0.1]:${lmtpPort},`) && l.includes('status=sent (250 '))
    .map((l) => {
      const m = / delay=([\d.]+), delays=[\d.]+\/[\d.]+\/[\d.]+\/([\d.]+)/.exec(l);
      return { total: Number(m?.[1]), transmission: Number(m?.[2]) };
    })
    .filter((d) => Number.isFinite(d.total) && Number.isFinite(d.transmission));
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 30) || 30;
  const lmtpPort = await freePort();
  const stack = await startPrivateMailStack('nfb-', { NACHFASS_INTAKE_LMTP_PORT: String(lmtpPort) });
  const server = await startDevServer({ port: await freePort(), uiPort: await freePort() });
  const rows: Array<Record<string, number | string>> = [];
  try {
    for (const mode of ['lmtp', 'imap'] as const) {
      const row = await measure(stack, server.address, mode, n, lmtpPort);
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  } finally {
    await server.stop();
    await stack.destroy();
  }
  console.table(rows);
  mkdirSync(path.join(PROJECT_ROOT, 'bench/results'), { recursive: true });
  const out = path.join(PROJECT_ROOT, 'bench/results/lmtp.json');
  const what = 'SMTP acceptance -> acknowledgment stored in the customer Maildir';
  writeFileSync(
    out,
    JSON.stringify({ at: new Date().toISOString(), node: process.version, cpus: 2, what, rows }, null, 2) + '\n',
  );
  console.log(`written to ${out}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
