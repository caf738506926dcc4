/**
 * The LMTP intake (INTAKE_LMTP_PORT) on the real stack: a private Postfix + Dovecot (test/helpers/private-stack.ts)
 * configured by scripts/stack.sh to hand support mail to the worker's LMTP listener besides storing it in the
 * mailbox, the real Temporal dev server of the global setup, and the whole app. Temporal is made unreachable
 * through a TCP relay in front of it that the test closes and opens again.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { caseIdFor, workflowIdFor } from '../../activities/identity.js';
import { startLmtpIntake } from '../../activities/intake/lmtp.js';
import { loadConfig } from '../../worker/config.js';
import { mailboxesOf } from '../../worker/intakes.js';
import { countCases, startAppWithEnv, testEnv, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { countFolderAt, sendViaSmtpAt } from '../helpers/mail-at.js';
import { freePort } from '../helpers/ports.js';
import { startPrivateMailStack, type PrivateMailStack } from '../helpers/private-stack.js';

const run = promisify(execFile);

/** A TCP relay to Temporal that can be closed (every connection cut, new ones refused) and opened again. */
async function temporalRelay(
  target: string,
): Promise<{ address: string; close(): Promise<void>; open(): Promise<void> }> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listenPort = await freePort();
  const open = (): Promise<void> => new Promise((resolve) => server.listen(listenPort, '127.0.0.1', () => resolve()));
  await open();
  return {
    address: `127.0.0.1:${listenPort}`,
    open,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

describe('the LMTP intake', () => {
  const people = testPeople();
  let stack: PrivateMailStack;
  let lmtpPort: number;
  let env: Record<string, string>;
  let app: TestApp | undefined;
  let relay: Awaited<ReturnType<typeof temporalRelay>>;
  const policy = testPolicy(people);

  const postqueue = async (...args: string[]): Promise<string> =>
    (await run('postqueue', ['-c', path.join(stack.dir, 'postfix', 'etc'), ...args])).stdout;
  /** Deliveries Postfix made to the worker's listener and had answered 250 (its log, one line each). */
  const acceptedByWorker = (): number =>
    readFileSync(path.join(stack.dir, 'postfix.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes(`relay=127.0.0.1[127.0.0.1]:${lmtpPort},`) && l.includes('status=sent (250 ')).length;
  const intakeQueued = async (): Promise<number> =>
    (await postqueue('-p')).split('\n').filter((l) => l.includes('nachfass-intake@lmtp-intake.example.test')).length;

  const complaint = (tag: string): { id: string; raw: string } => {
    const id = `<${tag}-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    const raw = [
      `From: Kundin <${people.customer}>`,
      `To: ${people.support}`,
      `Subject: Beschwerde ${tag}`,
      `Message-ID: ${id}`,
      'Date: Mon, 23 Nov 2026 10:00:00 +0100',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Mein Gerät ist defekt (${tag}). Ich bitte um Erstattung.`,
      '',
    ].join('\r\n');
    return { id, raw };
  };
  const viaPostfix = (raw: string): Promise<void> =>
    sendViaSmtpAt(stack.ports.smtp, { envelope: { from: people.customer, to: people.support }, raw });
  /** Straight to an LMTP listener (the worker's), as Postfix would hand it over (no mailbox copy): the answer. */
  const viaLmtp = async (raw: string, port = lmtpPort): Promise<string> => {
    const t = nodemailer.createTransport({ lmtp: true, host: '127.0.0.1', port, ignoreTLS: true });
    try {
      // LMTP: a refused recipient is in `rejected` with its answer, not a thrown error.
      return (await t.sendMail({ envelope: { from: people.customer, to: people.support }, raw })).response;
    } finally {
      t.close();
    }
  };
  const caseOf = (messageId: string): string => workflowIdFor(caseIdFor(messageId, Buffer.alloc(0)));
  const status = async (messageId: string): Promise<string> =>
    (await app!.client.workflow.getHandle(caseOf(messageId)).describe()).status.name;

  beforeAll(async () => {
    lmtpPort = await freePort();
    stack = await startPrivateMailStack('nfl-', { NACHFASS_INTAKE_LMTP_PORT: String(lmtpPort) });
    relay = await temporalRelay(inject('temporalAddress'));
    env = await testEnv(people, {
      TEMPORAL_ADDRESS: relay.address,
      IMAP_PORT: String(stack.ports.imap),
      SMTP_PORT: String(stack.ports.smtp),
      INTAKE_LMTP_PORT: String(lmtpPort),
      ACK_RATE_LIMIT: '100/1h',
    });
  });
  afterAll(async () => {
    await app?.stop();
    await relay?.close();
    await stack?.destroy();
  });

  it('while the worker is down Postfix queues the mails; started again, every mail is exactly one case', async () => {
    const mails = ['eins', 'zwei', 'drei'].map(complaint);
    for (const m of mails) await viaPostfix(m.raw);
    // The mailbox has its copies; the worker's copies wait in Postfix's queue (connection refused).
    await eventually('3 copies in the mailbox', async () =>
      (await countFolderAt(stack.ports.imap, people.support, 'INBOX')) === 3 ? true : undefined,
    );
    await eventually('3 hand-offs queued for the worker', async () =>
      (await intakeQueued()) === 3 ? true : undefined,
    );

    app = await startAppWithEnv(env, policy);
    expect(app.lmtpAddress).toEqual({ host: '127.0.0.1', port: lmtpPort });
    await postqueue('-f'); // retry now rather than at the next queue run
    await eventually(
      'Postfix handed every queued mail to the worker (250)',
      async () => {
        if ((await intakeQueued()) > 0) {
          await postqueue('-f');
          return undefined;
        }
        return acceptedByWorker() >= 3 ? true : undefined;
      },
      { everyMs: 1000 },
    );
    for (const m of mails) expect(await status(m.id)).toBe('RUNNING');
    // The mailbox copies went through IMAP intake too: to Processed, without a second case.
    await eventually('the mailbox copies processed', async () =>
      (await countFolderAt(stack.ports.imap, people.support, 'Processed')) === 3 &&
      (await countFolderAt(stack.ports.imap, people.support, 'INBOX')) === 0
        ? true
        : undefined,
    );
    await eventually('3 cases in visibility', async () => ((await countCases(app!)) === 3 ? true : undefined));
    expect(await countCases(app)).toBe(3);
  });

  it('a 250 means the case exists; the same mail through Postfix (mailbox copy and hand-off) is still one case', async () => {
    const m = complaint('direkt');
    const before = acceptedByWorker();
    expect(await viaLmtp(m.raw)).toMatch(/^250 2\.0\.0 case started/);
    // No waiting: the answer came only once the start was durable.
    expect(await status(m.id)).toBe('RUNNING');
    expect(await viaLmtp(m.raw)).toMatch(/^250 2\.0\.0 case existed already/);

    await viaPostfix(m.raw);
    await eventually('the hand-off answered', async () => (acceptedByWorker() > before ? true : undefined));
    await eventually('the mailbox copy processed', async () =>
      (await countFolderAt(stack.ports.imap, people.support, 'Processed')) === 4 ? true : undefined,
    );
    await eventually('4 cases in visibility', async () => ((await countCases(app!)) === 4 ? true : undefined));
    expect(await countCases(app!)).toBe(4);
  });

  it('leaves a mail without a Message-ID to the mailbox copy (its identity is the stored mail)', async () => {
    const raw = complaint('ohne-id').raw.replace(/^Message-ID: .*\r\n/m, '');
    expect(await viaLmtp(raw)).toMatch(/^250 2\.0\.0 no Message-ID: left to the mailbox copy/);
    expect(await countCases(app!)).toBe(4);
  });

  it('answers 552 over IMAP_MAX_MAIL_BYTES', async () => {
    const box = mailboxesOf(loadConfig(env), policy)[0]!;
    const notReached = (): never => {
      throw new Error('an oversized mail is not routed');
    };
    const small = await startLmtpIntake({ host: '127.0.0.1', port: 0, box, router: notReached, maxMailBytes: 100_000 });
    try {
      const big = complaint('gross').raw + `${'x'.repeat(78)}\r\n`.repeat(2000);
      expect(await viaLmtp(big, small.port)).toMatch(/^552 5\.3\.4 message exceeds IMAP_MAX_MAIL_BYTES 100000/);
    } finally {
      await small.close();
    }
  });

  it('answers 451 while Temporal is unreachable: Postfix keeps the mail and hands it over once Temporal is back', async () => {
    const m = complaint('temporal-weg');
    const deferred = (): boolean =>
      readFileSync(path.join(stack.dir, 'postfix.log'), 'utf8')
        .split('\n')
        .some(
          (l) =>
            l.includes(`relay=127.0.0.1[127.0.0.1]:${lmtpPort},`) && /status=deferred \(host .* said: 451 /.test(l),
        );
    expect(deferred()).toBe(false);
    await relay.close();
    try {
      await viaPostfix(m.raw);
      await eventually('Postfix told 451 by the worker', async () => (deferred() ? true : undefined));
      expect(await intakeQueued()).toBe(1);
    } finally {
      await relay.open();
    }
    await eventually(
      'the queued hand-off delivered',
      async () => {
        if ((await intakeQueued()) === 0) return true;
        await postqueue('-f');
        return undefined;
      },
      { everyMs: 1000 },
    );
    expect(await status(m.id)).toBe('RUNNING');
    await eventually('5 cases in visibility', async () => ((await countCases(app!)) === 5 ? true : undefined));
    await eventually('the mailbox copy processed', async () =>
      (await countFolderAt(stack.ports.imap, people.support, 'Processed')) === 5 ? true : undefined,
    );
    expect(await countCases(app!)).toBe(5);
  });
});
