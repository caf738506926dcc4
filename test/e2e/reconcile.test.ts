/**
 * Proof that intake is complete (issue 16, part 1), on the real stack: 200 complaints, a robot and a mail
 * without sender go through the real intake, and the reconciler accounts for every one of them (also through
 * `npx nachfass reconcile`, as an admin runs it). Then, with the worker stopped, a complaint moved by hand from
 * the watched folder to Processed, a case's original deleted by hand, and a mail left waiting are each found.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseIdFor } from '../../activities/identity.js';
import { classifyContextFor } from '../../activities/intake/case-gateway.js';
import { formatReport } from '../../activities/reconcile/account.js';
import { reconcileMailbox } from '../../activities/reconcile/scan.js';
import { EncryptionCodec } from '../../worker/codec.js';
import { loadConfig, PROJECT_ROOT } from '../../worker/config.js';
import { mailboxesOf } from '../../worker/intakes.js';
import { countCases, startAppWithEnv, testEnv, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { deliverViaLmtp, withImap } from '../helpers/mail.js';

const run = promisify(execFile);
const COMPLAINTS = 200;

function complaint(from: string, to: string, i: number, messageId: string): string {
  return [
    `From: Kunde ${i} <${from}>`,
    `To: ${to}`,
    `Subject: Bestellung ${1000 + i} beschädigt`,
    `Message-ID: ${messageId}`,
    `Date: ${new Date().toUTCString()}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Guten Tag, meine Bestellung ${1000 + i} kam beschädigt an. Bitte um Ersatz.`,
    '',
  ].join('\r\n');
}

async function folderCount(address: string, folder: string): Promise<number> {
  return withImap(address, async (c) => {
    const st = await c.status(folder, { messages: true });
    return st ? (st.messages ?? 0) : 0;
  });
}

describe('the reconciler accounts for every mail and finds what was moved or deleted by hand', () => {
  const people = testPeople();
  const policy = testPolicy(people);
  let env: Record<string, string>;
  let app: TestApp | undefined;
  let connection: Connection | undefined;

  // Its own client: the reconciler runs beside the worker, and also while it is stopped.
  const reconcile = async (waitingAfterMs?: number) => {
    const config = loadConfig(env);
    if (!config.payload.encryption) throw new Error('the test environment seals payloads');
    const boxes = mailboxesOf(config, policy);
    connection ??= await Connection.connect({ address: config.temporal.address! });
    return reconcileMailbox(
      {
        client: new Client({
          connection,
          namespace: config.temporal.namespace,
          dataConverter: { payloadCodecs: [new EncryptionCodec(config.payload.key)] },
        }),
        taskQueue: config.temporal.taskQueue,
        boxes,
        classifyContext: classifyContextFor(config.supportAddress, [config.linkSecret])(boxes[0]!),
      },
      { sinceMs: 86_400_000, ...(waitingAfterMs !== undefined ? { waitingAfterMs } : {}) },
    );
  };

  beforeAll(async () => {
    env = await testEnv(people, { INTAKE_RECHECK: '1s' });
    app = await startAppWithEnv(env, policy);
    for (let i = 0; i < COMPLAINTS; i++) {
      const from = `kunde-${i}-${randomBytes(3).toString('hex')}@example.test`;
      await deliverViaLmtp(
        from,
        people.support,
        complaint(from, people.support, i, `<rec-${i}-${randomBytes(4).toString('hex')}@kunden.example.test>`),
      );
    }
    // A robot (set aside to Ignored) and a mail without sender (Quarantine, no-sender).
    await deliverViaLmtp(
      'noreply@shop.example.test',
      people.support,
      'From: Shop <noreply@shop.example.test>\r\nTo: support\r\nSubject: Ihre Rechnung\r\nAuto-Submitted: auto-generated\r\nMessage-ID: <robot-1@shop.example.test>\r\n\r\nRechnung anbei.\r\n',
    );
    await deliverViaLmtp(
      'x@kunden.example.test',
      people.support,
      'To: support\r\nSubject: ohne Absender\r\nMessage-ID: <nosender-1@kunden.example.test>\r\n\r\nHallo\r\n',
    );
    await eventually(
      'all mail taken in',
      async () =>
        (await folderCount(people.support, 'INBOX')) === 0 && (await countCases(app!)) === COMPLAINTS
          ? true
          : undefined,
      { timeoutMs: 240_000, everyMs: 1_000 },
    );
  }, 300_000);

  afterAll(async () => {
    await app?.stop();
    await connection?.close();
  });

  it('finds no problem in a clean mailbox of 200 complaints, a robot and a quarantined mail', async () => {
    const report = await reconcile();
    expect(report.problems).toEqual([]);
    expect(report.counts).toMatchObject({ case: COMPLAINTS, ignored: 1, quarantine: 1, problems: 0 });
  });

  it('says so through `npx nachfass reconcile`, readable and with exit code 0', async () => {
    const { stdout } = await run('npx', ['nachfass', 'reconcile', '--since', '1d'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env },
      timeout: 120_000,
    });
    expect(stdout).toContain(
      `${COMPLAINTS} started a case, 0 belong to a case, 1 ignored with a reason, 1 in quarantine`,
    );
    expect(stdout).toContain('no problems');
  });

  it('finds a complaint moved by hand to Processed, a deleted original and a mail left waiting', async () => {
    // The worker stopped: intake takes nothing in meanwhile.
    await app!.stop();
    app = undefined;
    const moved = `<moved-${randomBytes(4).toString('hex')}@kunden.example.test>`;
    const waiting = `<waiting-${randomBytes(4).toString('hex')}@kunden.example.test>`;
    const customer = `spaet-${randomBytes(3).toString('hex')}@example.test`;
    const deletedCase = await withImap(people.support, async (c) => {
      // With intake stopped: one mail left in the watched folder, one moved by hand from it to Processed.
      await c.append('INBOX', Buffer.from(complaint(customer, people.support, 900, waiting)));
      await c.append('INBOX', Buffer.from(complaint(customer, people.support, 901, moved)));
      const lock = await c.getMailboxLock('INBOX');
      try {
        const uids = (await c.search({ header: { 'message-id': moved } }, { uid: true })) || [];
        await c.messageMove(uids, 'Processed', { uid: true });
      } finally {
        lock.release();
      }
      // A case's original deleted by hand.
      const p = await c.getMailboxLock('Processed');
      try {
        const first = await c.fetchOne('1', { uid: true, envelope: true });
        if (!first) throw new Error('Processed is empty');
        await c.messageDelete(String(first.uid), { uid: true });
        return caseIdFor(first.envelope?.messageId, Buffer.alloc(0));
      } finally {
        p.release();
      }
    });
    const report = await reconcile(0);
    console.log(formatReport(report)); // what an admin reads (README, "Proof that intake is complete")
    const kinds = report.problems.map((p) => `${p.kind}:${p.folder ?? p.caseId}:${p.subject ?? ''}`).sort();
    expect(kinds).toEqual(
      [
        `original-gone:${deletedCase}:`,
        'unaccounted:Processed:Bestellung 1901 beschädigt',
        'waiting:INBOX:Bestellung 1900 beschädigt',
      ].sort(),
    );
    const unaccounted = report.problems.find((p) => p.kind === 'unaccounted')!;
    expect(unaccounted.todo).toContain(`nachfass replay --from Processed ${unaccounted.uid}`);
    expect(report.counts.case).toBe(COMPLAINTS - 1);
  });
});
