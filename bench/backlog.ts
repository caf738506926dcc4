/**
 * Backlog and parked cases. For each size N (default 1000 and 10000): N complaints are already in the support
 * folder when the worker starts (every tenth with a 200 KB attachment). Measured: the drain (until the last mail is
 * in Processed) and until every acknowledgment and approval request went out, with the worker's peak RSS. Then the
 * N cases wait for a decision: the worker's RSS and CPU while idle (sampled over 30 s), the Temporal server's RSS,
 * and, for 20 random cases, the time from the decision POST (the link page's form, as a supervisor submits it) to
 * the decision stored in the customer's Maildir.
 *
 *   npx tsx bench/backlog.ts [N ...]      (npm run build first; BENCH_BACKEND=postgres for the PostgreSQL server)
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { decisionLink, deliverViaLmtp, withImap } from '../scripts/lib/dev-mail.js';
import { storedMails } from './lib/maildir.js';
import { scrape, total } from './lib/prom.js';
import { recordRun, round3, spread } from './lib/results.js';
import {
  backendKind,
  benchPolicyFile,
  complaintMail,
  processUsage,
  startBackend,
  startMail,
  startWorker,
  tagOf,
  type BenchWorker,
} from './lib/setup.js';
import type { PrivateMailStack } from '../test/helpers/private-stack.js';

const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const ATTACHMENT = randomBytes(150 * 1024)
  .toString('base64')
  .replace(/.{76}/g, '$&\r\n');

/** Fills the folder over LMTP straight into Dovecot, eight sessions at once. */
async function fill(mail: PrivateMailStack, n: number, support: string, tag: string): Promise<number> {
  const t0 = Date.now();
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let i = next++; i < n; i = next++) {
      const customer = `k${i}-${tag}@example.test`;
      await deliverViaLmtp(
        customer,
        support,
        complaintMail(i, customer, support, tag, i % 10 === 0 ? ATTACHMENT : undefined).raw,
        mail.ports.lmtp,
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, lane));
  return (Date.now() - t0) / 1000;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Until `done()` holds, sampling the worker's RSS every 250 ms; seconds taken and the peak. */
async function until(
  w: BenchWorker,
  done: () => Promise<boolean>,
  limitMs: number,
): Promise<{ s: number; peak: number }> {
  const t0 = Date.now();
  let peak = 0;
  let last = 0;
  for (;;) {
    peak = Math.max(peak, processUsage(w.w.child.pid)?.rssMb ?? 0);
    if (Date.now() - last > 1000) {
      last = Date.now();
      if (await done()) return { s: (Date.now() - t0) / 1000, peak };
    }
    if (Date.now() - t0 > limitMs) throw new Error(`not done within ${limitMs / 1000} s`);
    await sleep(250);
  }
}

/** A decision by the link page's form: GET (the CSRF cookie and token), then the POST a browser would send. */
async function decideByForm(link: string): Promise<number> {
  const page = await fetch(link);
  const cookie = (page.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]).join('; ');
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!token) throw new Error(`no form on ${link} (${page.status})`);
  const posted = Date.now();
  const res = await fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ _csrf: token, outcome: 'approved', noteToCustomer: 'Wir erstatten den Betrag.' }),
    redirect: 'manual',
  });
  if (res.status >= 400) throw new Error(`decision POST answered ${res.status}`);
  return posted;
}

/** 20 random cases decided one after another: POST → the decision stored for the customer (seconds). */
async function decisions(
  mail: PrivateMailStack,
  supervisor: string,
  customers: string[],
  count = 20,
): Promise<number[]> {
  const customerOf = new Map<string, string>();
  for (const c of customers) for (const m of storedMails(mail.dir, c)) if (m.caseId) customerOf.set(m.caseId, c);
  const [user, domain] = supervisor.split('@') as [string, string];
  const dir = path.join(mail.dir, 'mail', domain, user, 'Maildir');
  const files = ['new', 'cur'].flatMap((d) => readdirSync(path.join(dir, d)).map((f) => path.join(dir, d, f)));
  const out: number[] = [];
  // Random cases, each once (a second decision on a case is refused: 409).
  for (let i = files.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [files[i], files[j]] = [files[j]!, files[i]!];
  }
  for (const file of files) {
    if (out.length >= count) break;
    const m = await simpleParser(readFileSync(file));
    if (!/Freigabe/.test(m.subject ?? '')) continue;
    const caseId = String(m.headers.get('x-nachfass-case'));
    const customer = customerOf.get(caseId);
    if (!customer) throw new Error(`no customer address in the request for case ${caseId}`);
    const before = storedMails(mail.dir, customer).length;
    const posted = await decideByForm(decisionLink(m));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const mails = storedMails(mail.dir, customer);
      if (mails.length > before) {
        out.push((mails[mails.length - 1]!.at - posted) / 1000);
        break;
      }
      if (Date.now() > deadline) throw new Error(`no decision for case ${caseId} within 60 s`);
      await sleep(5);
    }
  }
  return out;
}

async function run(n: number): Promise<Record<string, number | string>> {
  const backend = await startBackend(backendKind());
  const mail = await startMail();
  const tag = tagOf();
  const support = `support-${tag}@example.test`;
  try {
    const fillS = await fill(mail, n, support, tag);
    const worker = await startWorker({
      backend,
      mail,
      support,
      taskQueue: `backlog-${tag}`,
      policyFile: benchPolicyFile(tag),
    });
    try {
      const processed = async (): Promise<boolean> =>
        (
          (await withImap(support, (c) => c.status('Processed', { messages: true }), mail.ports.imap)) || {
            messages: 0,
          }
        ).messages! >= n;
      const drain = await until(worker, processed, 60 * 60_000);
      const sent = async (): Promise<boolean> => {
        const m = await scrape(worker.metricsUrl!);
        return (
          total(m, 'nachfass_acknowledgments_sent_total') >= n &&
          total(m, 'nachfass_mails_sent_total', { kind: 'approval-request' }) >= n
        );
      };
      const settled = await until(worker, sent, 60 * 60_000);
      await sleep(10_000);
      const a = processUsage(worker.w.child.pid)!;
      let rssMin = a.rssMb;
      let rssMax = a.rssMb;
      for (let i = 0; i < 30; i++) {
        await sleep(1000);
        const u = processUsage(worker.w.child.pid)!;
        rssMin = Math.min(rssMin, u.rssMb);
        rssMax = Math.max(rssMax, u.rssMb);
      }
      const b = processUsage(worker.w.child.pid)!;
      const customers = Array.from({ length: n }, (_, i) => `k${i}-${tag}@example.test`);
      const decided = await decisions(mail, `bench-sup-${tag}@example.test`, customers);
      return {
        backend: backend.kind,
        mails: n,
        fillS: round3(fillS),
        drainS: round3(drain.s),
        perSecond: round3(n / drain.s),
        allSentS: round3(drain.s + settled.s),
        peakRssMb: Math.max(drain.peak, settled.peak),
        idleRssMinMb: rssMin,
        idleRssMaxMb: rssMax,
        // Whether it grew or fell while idle: the window's first and last sample.
        idleRssFirstMb: a.rssMb,
        idleRssLastMb: b.rssMb,
        idleCpuPercent: round3(((b.cpuS - a.cpuS) / 31) * 100),
        serverRssMb: processUsage(backend.pid)?.rssMb ?? -1,
        decisions: decided.length,
        ...spread('decisionToMail', decided),
      };
    } finally {
      await worker.stop();
    }
  } finally {
    await mail.destroy();
    await backend.stop();
  }
}

const rows: Array<Record<string, number | string>> = [];
for (const n of sizes.length ? sizes : [1000, 10000]) {
  const row = await run(n);
  console.log(JSON.stringify(row));
  rows.push(row);
}
recordRun(
  'backlog',
  'N complaints in the folder at start: drain, peak RSS; then N parked cases: idle RSS/CPU, decision POST -> decision in the customer Maildir (s)',
  rows,
);
