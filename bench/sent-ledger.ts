/**
 * The Sent ledger's cost per mail against the size of the Sent folder, on a private Dovecot (scripts/stack.sh):
 * the two SEARCHes a claim paid before the index (`SEARCH HEADER Message-ID` in the whole folder, and the budget's
 * `SEARCH TO … SINCE`), `SentLedger.sendOnce` with SEARCH (`indexed: false`) and with its index of Sent
 * (activities/sent-index.ts), the index's load time and its heap.
 *
 *   NODE_OPTIONS=--expose-gc npx tsx bench/sent-ledger.ts [sizes…]      (default 1000 5000 20000 mails in Sent)
 *
 * The SMTP submission is left out (a no-op), so the figures are the ledger's own: claim (NOOP, index catch-up or
 * SEARCH, APPEND) and flag (NOOP + STORE). p50/p95 of 40 sends each, three kinds: a new mail, a budgeted one, a retry of a sent one (skipped). Writes bench/results/sent-ledger.json.
 * Figures, not assertions.
 */
import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { imapOptions, type MailboxSettings } from '../activities/intake/mailbox.js';
import { SentLedger } from '../activities/sent-ledger.js';
import { stackMailbox } from '../scripts/lib/dev-mail.js';
import { startPrivateMailStack } from '../test/helpers/private-stack.js';
import { recordRun } from './lib/results.js';

const SAMPLES = 40;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const ms = (xs: number[], q: number): number => Number(quantile([...xs].sort((a, b) => a - b), q).toFixed(2));

function copy(from: string, to: string, messageId: string): Buffer {
  return Buffer.from(
    `From: ${from}\r\nTo: ${to}\r\nSubject: Ihre Beschwerde\r\nMessage-ID: ${messageId}\r\n` +
      `Date: ${new Date().toUTCString()}\r\nAuto-Submitted: auto-replied\r\n\r\nDanke für Ihre Nachricht.\r\n`,
  );
}

/** Heap in use after a full collection (NODE_OPTIONS=--expose-gc, as bench/run.sh sets it; else a noisy figure). */
function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await f();
  return performance.now() - t;
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  if (sizes.length === 0) sizes.push(1_000, 5_000, 20_000);
  const stack = await startPrivateMailStack('nfs-');
  const rows: Array<Record<string, number | string>> = [];
  try {
    for (const size of sizes) {
      const support = `support-${randomBytes(4).toString('hex')}@example.test`;
      const box: MailboxSettings = stackMailbox(support, { key: 'bench', port: stack.ports.imap });
      // Sent filled as months of sending leave it: every copy flagged sent, to a few hundred customers.
      const c = new ImapFlow({ ...imapOptions(box), disableAutoIdle: true });
      c.on('error', () => undefined);
      await c.connect();
      await c.mailboxCreate('Sent').catch(() => undefined);
      const ids: string[] = [];
      const fillStart = performance.now();
      for (let i = 0; i < size; i++) {
        const id = `<fill-${i}-${randomBytes(4).toString('hex')}@example.test>`;
        ids.push(id);
        await c.append('Sent', copy(support, `kunde-${i % 300}@example.test`, id), ['$NachfassSent', '\\Seen']);
      }
      const fillS = (performance.now() - fillStart) / 1000;
      // What each claim paid before the index: the two SEARCHes over the whole folder.
      const lock = await c.getMailboxLock('Sent');
      const searchId: number[] = [];
      const searchBudget: number[] = [];
      try {
        for (let i = 0; i < SAMPLES; i++) {
          const id = ids[Math.floor(Math.random() * ids.length)]!;
          searchId.push(await timed(() => c.search({ header: { 'message-id': id } }, { uid: true })));
          const to = `kunde-${i % 300}@example.test`;
          const since = new Date(Date.now() - 2 * 86_400_000);
          searchBudget.push(await timed(() => c.search({ to, keyword: '$NachfassSent', since }, { uid: true })));
        }
      } finally {
        lock.release();
      }
      await c.logout();

      const budget = { to: 'kunde-7@example.test', max: 1_000_000, windowMs: 86_400_000 };
      /** sendOnce's time for a new mail, a budgeted one, and a retry of a sent one (skipped), `SAMPLES` each. */
      const sends = async (ledger: SentLedger): Promise<Record<'plain' | 'budgeted' | 'retried', number[]>> => {
        const send = (id: string, withBudget: boolean): Promise<unknown> =>
          ledger.sendOnce(id, copy(support, budget.to, id), async () => undefined, withBudget ? budget : undefined);
        await send(`<warm-${randomBytes(4).toString('hex')}@example.test>`, false); // connections open
        const t = { plain: [] as number[], budgeted: [] as number[], retried: [] as number[] };
        for (let i = 0; i < SAMPLES; i++) {
          const id = `<bench-${i}-${randomBytes(4).toString('hex')}@example.test>`;
          t.plain.push(await timed(() => send(id, false)));
          t.budgeted.push(await timed(() => send(`<b-${id.slice(1)}`, true)));
          t.retried.push(await timed(() => send(id, false))); // skipped
        }
        return t;
      };
      const unindexed = new SentLedger({ imap: imapOptions(box), folder: 'Sent', claimMs: 120_000, indexed: false });
      const before = await sends(unindexed).finally(() => unindexed.close());
      const ledger = new SentLedger({ imap: imapOptions(box), folder: 'Sent', claimMs: 120_000 });
      try {
        const heapBefore = heapAfterGc();
        const warmMs = await timed(() => ledger.warm());
        const heapIndex = heapAfterGc() - heapBefore;
        const now = await sends(ledger);
        const row = {
          'mails in Sent': size,
          'fill s': Number(fillS.toFixed(1)),
          'SEARCH Message-ID p50 ms': ms(searchId, 0.5),
          'SEARCH budget p50 ms': ms(searchBudget, 0.5),
          'index load ms': Number(warmMs.toFixed(0)),
          'index heap MB': Number((heapIndex / 2 ** 20).toFixed(1)),
          'SEARCH: sendOnce p50 / p95 ms': `${ms(before.plain, 0.5)} / ${ms(before.plain, 0.95)}`,
          'SEARCH: budgeted p50 ms': ms(before.budgeted, 0.5),
          'SEARCH: retry skipped p50 ms': ms(before.retried, 0.5),
          'index: sendOnce p50 / p95 ms': `${ms(now.plain, 0.5)} / ${ms(now.plain, 0.95)}`,
          'index: budgeted p50 ms': ms(now.budgeted, 0.5),
          'index: retry skipped p50 ms': ms(now.retried, 0.5),
          'lookups in index / SEARCH': `${ledger.lookups.index} / ${ledger.lookups.search}`,
        };
        rows.push(row);
        console.log(JSON.stringify(row));
      } finally {
        await ledger.close();
      }
    }
  } finally {
    await stack.destroy();
  }
  recordRun(
    'sent-ledger',
    'Sent ledger per mail (no SMTP) against the Sent folder size: SEARCH before the index, sendOnce with it',
    rows,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
