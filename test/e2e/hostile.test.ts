/**
 * The hostile and broken mail corpus (test/fixtures/hostile) through the real intake on the real stack: each
 * mail ends as a case (Processed), set aside (Ignored) or in Quarantine with its reason keyword, the worker
 * neither crashes nor stalls (a plain complaint after the corpus is still acknowledged), and no CR/LF of a
 * customer's reaches one of our outgoing headers.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { deliverViaLmtp, readFolder, sendViaSmtp, waitForMail, withImap } from '../helpers/mail.js';
import * as generate from '../fixtures/hostile/generate.js';

const dir = path.join(PROJECT_ROOT, 'test/fixtures/hostile');

/** Where each mail of the corpus must end, and with which reason keyword when quarantined. */
const EXPECTED: Record<string, string> = {
  'bare-lf': 'Processed',
  'broken-boundary': 'Processed',
  'crlf-in-headers': 'Processed',
  'html-script': 'Processed',
  'invalid-charset': 'Processed',
  'message-id-path': 'Processed',
  'missing-date': 'Processed',
  'missing-from': 'Quarantine $NachfassQuarantine-no-sender',
  'missing-message-id': 'Processed',
  'nul-and-controls': 'Processed',
  'spoofed-support': 'Ignored',
  // Generated (test/fixtures/hostile/generate.ts): too big to commit.
  poisonMail: 'Processed',
  longSubjectMail: 'Processed',
  longLineMail: 'Processed',
  nestedRfc822Mail: 'Processed',
  deepMultipartMail: 'Quarantine $NachfassQuarantine-unparseable',
  manyRecipientsMail: 'Processed',
  bigAttachmentMail: 'Quarantine $NachfassQuarantine-too-large',
};

/** Folder (and quarantine keyword) of every corpus mail in the mailbox, by its X-Hostile-Case header. */
async function whereIs(address: string): Promise<Record<string, string>> {
  return withImap(address, async (client) => {
    const out: Record<string, string> = {};
    for (const folder of ['INBOX', 'Processed', 'Ignored', 'Quarantine']) {
      if (!(await client.list()).some((m) => m.path === folder)) continue;
      const lock = await client.getMailboxLock(folder);
      try {
        const seen: Array<{ name: string; flags: string[] }> = [];
        // Headers and flags only: the big mails are not downloaded. Collected first, no command inside the loop.
        for await (const m of client.fetch('1:*', { headers: ['x-hostile-case'], flags: true })) {
          const name =
            m.headers
              ?.toString('utf8')
              .replace(/^x-hostile-case:\s*/i, '')
              .trim() ?? '';
          seen.push({ name, flags: [...(m.flags ?? [])] });
        }
        for (const { name, flags } of seen) {
          const reason = flags.filter((f) => f.startsWith('$NachfassQuarantine-'));
          out[name] = [folder, ...reason].join(' ');
        }
      } catch (err) {
        if (!(err as { responseText?: string }).responseText?.includes('No messages')) throw err;
      } finally {
        lock.release();
      }
    }
    return out;
  });
}

describe('hostile and broken mail', () => {
  const people = testPeople();
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(people, testPolicy(people), {
      INTAKE_MAX_ATTEMPTS: '3',
      INTAKE_RECHECK: '1s',
      ACK_RATE_LIMIT: '100/1h',
    });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('every mail of the corpus ends as a case, set aside or quarantined with its reason, and intake goes on', async () => {
    const tag = randomBytes(4).toString('hex');
    const fill = (raw: string): string =>
      raw
        .replaceAll('{{customer}}', people.customer)
        .replaceAll('{{support}}', people.support)
        .replaceAll('{{tag}}', tag);
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const file of files) {
      // latin1 both ways keeps every byte as it is (the corpus has invalid UTF-8 on purpose).
      const raw = Buffer.from(fill(readFileSync(path.join(dir, file), 'latin1')), 'latin1');
      await deliverViaLmtp(people.customer, people.support, raw);
    }
    for (const [name, make] of Object.entries(generate)) {
      const raw = make({
        from: people.customer,
        to: people.support,
        messageId: `<${name}-${tag}@kunden.example.test>`,
      });
      await deliverViaLmtp(people.customer, people.support, `X-Hostile-Case: ${name}\r\n${raw}`);
    }
    const plainId = `<danach-${tag}@kunden.example.test>`;
    await sendViaSmtp({
      from: people.customer,
      to: people.support,
      subject: 'Nach dem Korpus',
      text: 'Noch da?',
      messageId: plainId,
    });

    // Not stalled: the complaint behind the whole corpus is acknowledged.
    await waitForMail(people.customer, (m) => m.inReplyTo === plainId, { timeoutMs: 180_000 });
    const deadline = Date.now() + 180_000;
    let where = await whereIs(people.support);
    while (Object.values(where).some((f) => f === 'INBOX') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      where = await whereIs(people.support);
    }
    const { '': plain, ...corpus } = where;
    expect(plain).toBe('Processed');
    expect(corpus).toEqual(EXPECTED);

    // The intake is still the same running workflow (never failed).
    expect((await app.client.workflow.getHandle(app.intakeWorkflowId).describe()).status.name).toBe('RUNNING');

    // Our acknowledgments: no injected header, and a subject far below RFC 5322's 998 characters.
    const acks = (await readFolder(people.customer)).map((m) => m.parsed);
    expect(acks.length).toBeGreaterThanOrEqual(12);
    for (const ack of acks) {
      expect(ack.headers.has('x-injected')).toBe(false);
      expect(ack.headers.has('bcc')).toBe(false);
      expect((ack.subject ?? '').length).toBeLessThan(400);
      expect(ack.subject ?? '').not.toMatch(/[\r\n]/);
    }
    const longAck = acks.find((m) => m.subject?.includes('Beschwerde-AAAA'));
    // Cut visibly (templates/customer-view.ts repeats at most 60 characters of it to the customer).
    expect(longAck?.subject).toMatch(/…\]?$/);
  });
});
