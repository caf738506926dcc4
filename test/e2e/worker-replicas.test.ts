/**
 * Several worker processes, as operators run them (`node --import tsx worker/main.ts`), against one Temporal server
 * and one support mailbox: they share the work, a SIGKILL of one in the middle of 50 complaints loses nothing
 * (each complaint one case and one acknowledgment, counted in the real mailboxes), SIGTERM of the other ends it
 * cleanly within SHUTDOWN_GRACE (exit code 0; past the grace main.ts exits with 1), and a restart resumes.
 */
import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { EncryptionCodec, FAILURE_CONVERTER_PATH } from '../../worker/codec.js';
import { intakeWorkflowId } from '../../worker/intakes.js';
import { testEnv, testPeople, testPolicyYaml } from '../helpers/app.js';
import { SENT, SUPERSEDED } from '../../activities/sent-ledger-terms.js';
import { mailPorts } from '../../scripts/lib/ports.js';
import { readFolder, sendViaSmtp, waitForMail } from '../helpers/mail.js';
import { readHeadersAt, type MailHeaders } from '../helpers/mail-at.js';
import { freePort } from '../helpers/ports.js';
import { killWorker, spawnWorker, type WorkerProcess } from '../helpers/worker-process.js';

const workers: WorkerProcess[] = [];
let connection: Connection;
beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
});
afterAll(async () => {
  await Promise.all(workers.map(killWorker));
  await connection.close();
});

async function complain(support: string, customer: string, n: number): Promise<string> {
  const messageId = `<replica-${n}-${randomBytes(6).toString('hex')}@kunden.example.test>`;
  await sendViaSmtp({
    from: customer,
    to: support,
    subject: `Bestellung ${n} ${randomBytes(3).toString('hex')} kam nicht an`,
    text: `Meine Bestellung Nummer ${n} ist nicht angekommen. Bitte prüfen.`,
    messageId,
  });
  return messageId;
}

/** The acknowledgments in the customer's mailbox, by the complaint they answer. */
async function acknowledgments(customer: string): Promise<Map<string, number>> {
  const acks = (await readFolder(customer)).filter((m) => m.parsed.headers.get('x-nachfass-kind') === 'acknowledgment');
  const by = new Map<string, number>();
  for (const m of acks) by.set(m.parsed.inReplyTo ?? '', (by.get(m.parsed.inReplyTo ?? '') ?? 0) + 1);
  return by;
}

/** The copies in `support`'s Sent of the acknowledgment that answers `complaintId`. */
async function sentAcks(support: string, complaintId: string): Promise<MailHeaders[]> {
  const { Sent = [] } = await readHeadersAt(mailPorts.imap, support, ['Sent']);
  return Sent.filter((m) => m.inReplyTo === complaintId);
}

const isAckOf =
  (ids: string[]) =>
  (m: ParsedMail): boolean =>
    ids.includes(m.inReplyTo ?? '') && m.headers.get('x-nachfass-kind') === 'acknowledgment';

describe('several worker processes', () => {
  it('share 50 complaints through a SIGKILL, stop cleanly on SIGTERM, and a restart resumes', async () => {
    const people = testPeople();
    const policyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'nachfass-replicas-')), 'policy.yaml');
    writeFileSync(policyFile, testPolicyYaml(people));
    // 50+ complaints from one customer: above the default acknowledgment limit and mail budget.
    const env = await testEnv(people, {
      POLICY_FILE: policyFile,
      ACK_RATE_LIMIT: '500/1h',
      MAIL_BUDGET: '500/1d',
      SHUTDOWN_GRACE: '10s',
    });
    const start = async (): Promise<WorkerProcess> => {
      // Replicas share PUBLIC_URL (as behind a load balancer); each link server listens on its own port here.
      const w = spawnWorker({ ...env, HTTP_PORT: String(await freePort()) });
      workers.push(w);
      return w;
    };
    const [a, b] = [await start(), await start()];
    await Promise.all([a.line(/link server on/), b.line(/link server on/)]);
    // The workers seal payloads (memo included): the test's client reads with the same key.
    const codec = new EncryptionCodec(Buffer.from(env.PAYLOAD_KEY!, 'hex'));
    const client = new Client({
      connection,
      dataConverter: { payloadCodecs: [codec], failureConverterPath: FAILURE_CONVERTER_PATH },
    });
    const count = async (): Promise<number> =>
      (await client.workflow.count(`TaskQueue = '${env.TEMPORAL_TASK_QUEUE}' AND WorkflowType = 'ComplaintWorkflow'`))
        .count;

    // The first 25; then the worker holding the mailbox's intake is SIGKILLed, and 25 more follow.
    const sent: string[] = [];
    for (let n = 1; n <= 25; n++) sent.push(await complain(people.support, people.customer, n));
    await waitForMail(people.customer, isAckOf(sent), { count: 5, timeoutMs: 120_000 });
    const intake = await client.workflow.getHandle(intakeWorkflowId(`${people.support}/INBOX`)).describe();
    const holder = intake.raw.pendingActivities?.[0]?.lastWorkerIdentity ?? '';
    // The SDK's default identity is pid@host: the one holding the mailbox is the one killed.
    expect([a, b].map((w) => `${w.child.pid}@`)).toContain(holder.replace(/@.*/, '@'));
    const [killed, survivor] = holder.startsWith(`${b.child.pid}@`) ? [b, a] : [a, b];
    const killedAt = Date.now();
    killed.child.kill('SIGKILL');
    expect(await killed.exit).toEqual({ code: null, signal: 'SIGKILL' });
    for (let n = 26; n <= 50; n++) sent.push(await complain(people.support, people.customer, n));

    await waitForMail(people.customer, isAckOf(sent), { count: 50, timeoutMs: 240_000 });
    await waitForMail(people.support, () => true, { folder: 'Processed', count: 50, timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 3_000)); // a duplicate acknowledgment would arrive by now
    const acks = await acknowledgments(people.customer);
    // One double is the Sent ledger's known window (README "Sending once"): the SMTP server accepted the first copy
    // and the worker was SIGKILLed before it flagged it, so that claim (appended just before the kill) was
    // superseded and the retry sent again. Measured once in a fresh-clone CI run. Any other double is a defect.
    const unexplained: string[] = [];
    for (const id of sent.filter((x) => acks.get(x) !== 1)) {
      const copies = await sentAcks(people.support, id);
      const sentOnce = copies.filter((x) => x.flags.includes(SENT)).length === 1;
      const diedAtKill = copies.some(
        (x) =>
          x.flags.includes(SUPERSEDED) &&
          !x.flags.includes(SENT) &&
          x.at >= killedAt - 5_000 &&
          x.at <= killedAt + 1_000, // INTERNALDATE has whole seconds
      );
      if (acks.get(id) === 2 && sentOnce && diedAtKill) console.log(`sent twice in the SIGKILL window: ${id}`);
      else unexplained.push(id);
    }
    expect(unexplained).toEqual([]);
    expect(await count()).toBe(50);
    expect(await readFolder(people.support, 'INBOX')).toHaveLength(0);
    // Both processes ran cases: the identities (pid@host) that started their workflow and activity tasks.
    const ran = new Set<string>();
    for await (const wf of client.workflow.list({
      query: `TaskQueue = '${env.TEMPORAL_TASK_QUEUE}' AND WorkflowType = 'ComplaintWorkflow'`,
    })) {
      for (const e of (await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory()).events ?? []) {
        const identity =
          e.workflowTaskStartedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
        if (identity) ran.add(identity.replace(/@.*/, ''));
      }
    }
    expect([...ran].sort()).toEqual([String(a.child.pid), String(b.child.pid)].sort());

    // SIGTERM while five more are on their way: the survivor stops taking mail and exits cleanly within the grace.
    const more: string[] = [];
    for (let n = 51; n <= 55; n++) more.push(await complain(people.support, people.customer, n));
    await waitForMail(people.customer, isAckOf(more), { timeoutMs: 120_000 });
    const stoppedAt = Date.now();
    survivor.child.kill('SIGTERM');
    expect(await survivor.exit).toEqual({ code: 0, signal: null });
    expect(survivor.lines.some((l) => l.includes('SIGTERM: stopped'))).toBe(true);
    expect(survivor.lines.some((l) => l.includes('still stopping after SHUTDOWN_GRACE'))).toBe(false);

    // Mail that arrives with no worker running waits in the mailbox; a restarted worker takes it and the rest in.
    const late = await complain(people.support, people.customer, 56);
    await waitForMail(people.support, (m) => m.messageId === late, { folder: 'INBOX', timeoutMs: 60_000 });
    const restartedAt = Date.now();
    const restarted = await start();
    await waitForMail(people.customer, isAckOf([...more, late]), { count: 6, timeoutMs: 180_000 });
    await new Promise((r) => setTimeout(r, 3_000));
    const after = await acknowledgments(people.customer);
    // Nothing new for the first 50 (an explained double above stays two), one each for the later six.
    const expected = new Map(sent.map((id) => [id, acks.get(id) ?? 0]));
    for (const id of [...more, late]) expected.set(id, 1);
    const stored = new Map([...expected.keys()].map((id) => [id, after.get(id) ?? 0]));
    for (const [id, n] of expected) {
      if (stored.get(id) === n) continue;
      // What the Sent ledger saw of a mismatch, with its times against the SIGTERM and the restart.
      const copies = (await sentAcks(people.support, id)).map((x) => ({ flags: x.flags, at: x.at }));
      console.log(JSON.stringify({ mismatch: id, stored: stored.get(id), n, stoppedAt, restartedAt, copies }));
    }
    expect(Object.fromEntries(stored)).toEqual(Object.fromEntries(expected));
    expect(await count()).toBe(56);
    restarted.child.kill('SIGTERM');
    expect(await restarted.exit).toEqual({ code: 0, signal: null });
  });
});
