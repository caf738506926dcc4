/**
 * Per-mail isolation on the real stack (issue 12): a hostile mail never holds up the folder. The poison mail
 * of the issue becomes a bounded case; a mail whose processing throws is retried, counted in IMAP keywords and
 * quarantined after INTAKE_MAX_ATTEMPTS; Temporal being unreachable quarantines nothing.
 */
import { randomBytes } from 'node:crypto';
import { ServiceError } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import { caseIdFor, workflowIdFor } from '../../activities/identity.js';
import type { RouterDeps } from '../../activities/intake/route.js';
import { startApp } from '../../worker/app.js';
import { loadConfig } from '../../worker/config.js';
import { countCases, testEnv, testPeople, testPolicy, workflowBundle, type TestApp } from '../helpers/app.js';
import { deliverViaLmtp, readFolder, sendViaSmtp, waitForMail, withImap } from '../helpers/mail.js';
import { deepMultipartMail, poisonMail } from '../fixtures/hostile/generate.js';

const running: TestApp[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.stop()));
});

/** Small attempt budget and a fast re-check, so that retries happen within seconds. */
async function start(
  people: ReturnType<typeof testPeople>,
  wrapRouter?: (deps: RouterDeps) => RouterDeps,
): Promise<TestApp> {
  const config = loadConfig(await testEnv(people, { INTAKE_MAX_ATTEMPTS: '3', INTAKE_RECHECK: '1s' }));
  const app = await startApp(config, testPolicy(people), {
    workflowBundle: await workflowBundle(),
    log: (line) => /error/i.test(line) && console.error(line),
    ...(wrapRouter ? { wrapRouter } : {}),
  });
  const testApp = { ...app, config };
  running.push(testApp);
  return testApp;
}

const newId = (tag: string): string => `<${tag}-${randomBytes(6).toString('hex')}@kunden.example.test>`;

async function complain(people: ReturnType<typeof testPeople>, subject: string): Promise<string> {
  const messageId = newId('echt');
  await sendViaSmtp({ from: people.customer, to: people.support, subject, text: 'Bitte helfen Sie mir.', messageId });
  return messageId;
}

/** The flags of every mail in a folder, by Message-ID. */
async function flagsIn(address: string, folder: string): Promise<Map<string, string[]>> {
  return withImap(address, async (client) => {
    const lock = await client.getMailboxLock(folder);
    try {
      const out = new Map<string, string[]>();
      for await (const m of client.fetch('1:*', { envelope: true, flags: true })) {
        out.set(m.envelope?.messageId ?? '', [...(m.flags ?? [])].sort());
      }
      return out;
    } finally {
      lock.release();
    }
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('per-mail isolation', () => {
  it('the 2.8 MB poison mail (900 attachments, 3,000-character names) becomes a bounded case, and the complaint behind it is acknowledged', async () => {
    const people = testPeople();
    const app = await start(people);
    const poisonId = newId('gift');
    const raw = poisonMail({ from: people.customer, to: people.support, messageId: poisonId });
    expect(raw.length).toBeGreaterThan(2_700_000);

    const baseRss = process.memoryUsage().rss;
    let peakRss = baseRss;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const began = Date.now();
    await deliverViaLmtp(people.customer, people.support, raw);
    const plainId = await complain(people, 'Gerät defekt');

    try {
      await waitForMail(people.customer, (m) => m.inReplyTo === plainId, { timeoutMs: 120_000 });
      const [poisonAck] = await waitForMail(people.customer, (m) => m.inReplyTo === poisonId, { timeoutMs: 120_000 });
      // Time and memory of the whole process (worker and test) from delivery to the poison mail's acknowledgment.
      console.log(
        `poison mail: acknowledged ${((Date.now() - began) / 1000).toFixed(1)} s after delivery, peak RSS ${(peakRss / 2 ** 20).toFixed(0)} MiB (${(baseRss / 2 ** 20).toFixed(0)} MiB before)`,
      );
      expect(poisonAck!.subject).toContain('Rechnung anbei');
    } finally {
      clearInterval(sampler);
    }
    expect(await readFolder(people.support, 'INBOX')).toHaveLength(0);
    expect((await readFolder(people.support, 'Processed')).map((m) => m.parsed.messageId).sort()).toEqual(
      [plainId, poisonId].sort(),
    );
    expect(await countCases(app)).toBe(2);

    // What the case holds is bounded: 50 attachments listed and one entry counting the other 850.
    const handle = app.client.workflow.getHandle(workflowIdFor(caseIdFor(poisonId, Buffer.alloc(0))));
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const size = (started?.input?.payloads ?? []).reduce((n, p) => n + (p.data?.length ?? 0), 0);
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThan(256 * 1024);
  });

  it('a mail the MIME parser throws on (multipart nested 1,000 deep) is quarantined as unparseable, and the complaint behind it is acknowledged', async () => {
    const people = testPeople();
    await start(people);
    const badId = newId('tief');
    await deliverViaLmtp(
      people.customer,
      people.support,
      deepMultipartMail({ from: people.customer, to: people.support, messageId: badId }),
    );
    const plainId = await complain(people, 'Paket beschädigt');

    await waitForMail(people.customer, (m) => m.inReplyTo === plainId, { timeoutMs: 120_000 });
    await until('the mail is in Quarantine', async () => (await flagsIn(people.support, 'Quarantine')).has(badId));
    expect((await flagsIn(people.support, 'Quarantine')).get(badId)).toContain('$NachfassQuarantine-unparseable');
    expect(await readFolder(people.support, 'INBOX')).toHaveLength(0);
  });

  it('a mail whose processing throws is retried, counted in keywords, quarantined after 3 attempts, and the complaint behind it goes on', async () => {
    const people = testPeople();
    let faults = 0;
    await start(people, (deps) => ({
      ...deps,
      startCase: async (input) => {
        if (input.subject.includes('Giftköder')) {
          faults++;
          throw new Error('injected fault: this mail breaks the start');
        }
        return deps.startCase(input);
      },
    }));
    const badId = newId('gift');
    await sendViaSmtp({
      from: people.customer,
      to: people.support,
      subject: 'Giftköder',
      text: 'Diese Mail lässt den Start scheitern.',
      messageId: badId,
    });
    const plainId = await complain(people, 'Lieferung fehlt');

    await waitForMail(people.customer, (m) => m.inReplyTo === plainId, { timeoutMs: 120_000 });
    await waitForMail(people.support, (m) => m.messageId === badId, { folder: 'Quarantine', timeoutMs: 120_000 });
    expect(faults).toBe(3);
    expect((await flagsIn(people.support, 'Quarantine')).get(badId)).toEqual(
      expect.arrayContaining([
        '$NachfassAttempt1',
        '$NachfassAttempt2',
        '$NachfassAttempt3',
        '$NachfassQuarantine-failed',
      ]),
    );
    expect(await readFolder(people.support, 'INBOX')).toHaveLength(0);
    // Never acknowledged: no case was started for it.
    expect((await readFolder(people.customer)).filter((m) => m.parsed.inReplyTo === badId)).toHaveLength(0);
  });

  it('Temporal unreachable for longer than the attempt budget quarantines nothing; the mail is a case once it is back', async () => {
    const people = testPeople();
    let down = true;
    let failed = 0;
    await start(people, (deps) => ({
      ...deps,
      startCase: async (input) => {
        if (down) {
          failed++;
          // What the client throws when the frontend does not answer: a ServiceError around gRPC UNAVAILABLE.
          throw new ServiceError('Failed to start Workflow', {
            cause: Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }),
          });
        }
        return deps.startCase(input);
      },
    }));
    const messageId = await complain(people, 'Rechnung falsch');
    await until('the start failed more often than INTAKE_MAX_ATTEMPTS', async () => failed >= 6);
    expect(await readFolder(people.support, 'Quarantine')).toHaveLength(0);
    // Each attempt was withdrawn again: at most the one in flight is marked.
    const marks = (await flagsIn(people.support, 'INBOX')).get(messageId) ?? [];
    expect(marks.filter((f) => f.startsWith('$NachfassAttempt')).length).toBeLessThanOrEqual(1);

    down = false;
    await waitForMail(people.customer, (m) => m.inReplyTo === messageId, { timeoutMs: 120_000 });
    expect(await readFolder(people.support, 'Quarantine')).toHaveLength(0);
    expect(await readFolder(people.support, 'INBOX')).toHaveLength(0);
  });
});
