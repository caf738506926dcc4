/**
 * Acknowledgment latency: N complaints one after the other (default 200), each from its own customer, measured from
 * Postfix's acceptance (the 250 to our submission) to the acknowledgment stored in the customer's Maildir (Dovecot's
 * delivery time in the file name). Beside each complaint, the same mail goes to the floor pipeline (bench/lib/floor.ts:
 * IDLE → fetch → parse → pooled send, no Temporal) on the same servers, so the ratio compares like with like.
 * Twice: with IMAP IDLE alone (the default), and in fast mode (INTAKE_NOOP_EVERY=100ms; the floor then NOOPs too).
 *
 *   npx tsx bench/latency.ts [N]        (npm run build first; BENCH_BACKEND=postgres for the PostgreSQL server)
 */
import { startFloor } from './lib/floor.js';
import { waitForReply } from './lib/maildir.js';
import { recordRun, round3, spread } from './lib/results.js';
import {
  backendKind,
  benchPolicyFile,
  complaintMail,
  customerSmtp,
  startBackend,
  startMail,
  startWorker,
  tagOf,
  type Backend,
} from './lib/setup.js';
import type { PrivateMailStack } from '../test/helpers/private-stack.js';

const n = Number(process.argv[2] ?? 200) || 200;

async function measure(
  backend: Backend,
  mail: PrivateMailStack,
  fast: boolean,
): Promise<Record<string, number | string>> {
  const tag = tagOf();
  const support = `support-${tag}@example.test`;
  const floorBox = `floor-${tag}@example.test`;
  const worker = await startWorker(
    { backend, mail, support, taskQueue: `bench-${tag}`, policyFile: benchPolicyFile(tag) },
    fast ? { INTAKE_NOOP_EVERY: '100ms' } : {},
  );
  const floor = await startFloor({ imapPort: mail.ports.imap, smtpPort: mail.ports.smtp, address: floorBox, fast });
  const smtp = customerSmtp(mail);
  const ours: number[] = [];
  const floors: number[] = [];
  try {
    // One warm-up mail each (a fresh Postfix's first delivery and the first case are slow), not counted.
    for (let i = 0; i <= n; i++) {
      const customer = `kunde${i}-${tag}@example.test`;
      const toUs = complaintMail(i, customer, support, `${tag}u`);
      const toFloor = complaintMail(i, customer, floorBox, `${tag}f`);
      const [a, b] = await Promise.all(
        [
          { to: support, m: toUs },
          { to: floorBox, m: toFloor },
        ].map(async ({ to, m }) => {
          await smtp.sendMail({ envelope: { from: customer, to }, raw: m.raw });
          const accepted = Date.now();
          return (await waitForReply(mail.dir, customer, m.id)) - accepted;
        }),
      );
      if (i === 0) continue;
      ours.push(a! / 1000);
      floors.push(b! / 1000);
    }
  } finally {
    smtp.close();
    await floor.stop();
    await worker.stop();
  }
  const us = spread('ours', ours);
  const fl = spread('floor', floors);
  return {
    backend: backend.kind,
    mode: fast ? 'fast (NOOP every 100 ms)' : 'IDLE',
    complaints: n,
    ...us,
    ...fl,
    ratioP50: round3(us.oursP50! / fl.floorP50!),
    ratioP95: round3(us.oursP95! / fl.floorP95!),
  };
}

const backend = await startBackend(backendKind());
const mail = await startMail();
const rows: Array<Record<string, number | string>> = [];
try {
  for (const fast of [false, true]) {
    const row = await measure(backend, mail, fast);
    console.log(JSON.stringify(row));
    rows.push(row);
  }
} finally {
  await mail.destroy();
  await backend.stop();
}
recordRun(
  'latency',
  'SMTP acceptance of a complaint -> acknowledgment stored in the customer Maildir (seconds), sequential, ours and the floor pipeline side by side',
  rows,
);
