/**
 * The warm-up before the Worker polls (worker/warm-up.ts), against the real Dovecot and Postfix: the Sent ledger's
 * connections and index are ready before the first case mail, and an IMAP server that does not answer holds the
 * start up only for the bounded wait, with a line that says so.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { imapOptions, type MailboxSettings } from '../../activities/intake/mailbox.js';
import { createMailSender, createSmtpTransport, type OutgoingMail } from '../../activities/mail.js';
import { SentLedger } from '../../activities/sent-ledger.js';
import { PROJECT_ROOT } from '../../worker/config.js';
import { warmUp } from '../../worker/warm-up.js';
import { stackMailbox, uniqueAddress, waitForMail } from '../helpers/mail.js';
import { mailPorts } from '../helpers/ports.js';

const support = uniqueAddress('support');
const box = (port: number): MailboxSettings => stackMailbox(support, { key: 'warm-up-test', port });
const ledgerOn = (port: number, o: { socketTimeout?: number; keepAliveMs?: number } = {}): SentLedger =>
  new SentLedger({
    imap: {
      ...imapOptions(box(port)),
      connectionTimeout: 30_000,
      ...(o.socketTimeout ? { socketTimeout: o.socketTimeout } : {}),
    },
    folder: 'Sent',
    claimMs: 60_000,
    ...(o.keepAliveMs ? { keepAliveMs: o.keepAliveMs } : {}),
  });

/** The support user's IMAP sessions, as Dovecot counts them (`doveadm who`, one line per session with -1). */
function sessions(): number {
  const conf = path.join(process.env.NACHFASS_STACK_DIR ?? path.join(PROJECT_ROOT, '.stack'), 'dovecot/dovecot.conf');
  const out = execFileSync('doveadm', ['-c', conf, 'who', '-1', support], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.startsWith(`${support} `)).length;
}

const mail = (to: string): OutgoingMail => ({
  from: `Kundenservice <${support}>`,
  to,
  subject: 'Ihre Beschwerde',
  text: 'Danke.',
  html: '<p>Danke.</p>',
  messageId: `<warm-${randomBytes(6).toString('hex')}@example.test>`,
  headers: { 'Auto-Submitted': 'auto-replied' },
  envelopeId: `WARM.${randomBytes(2).toString('hex')}`,
});

describe('the warm-up before the Worker polls', () => {
  const transport = createSmtpTransport({
    host: '127.0.0.1',
    port: mailPorts.smtp,
    secure: false,
    tlsInsecure: false,
    requireTLS: false,
  });
  afterAll(() => transport.close());

  it('has the ledger ready: the first mail is looked up in the index of Sent, where a cold one searches the folder', async () => {
    const lines: string[] = [];
    const warm = ledgerOn(mailPorts.imap);
    const cold = ledgerOn(mailPorts.imap);
    try {
      expect(sessions()).toBe(0);
      await warmUp({ ledger: warm, log: (l) => lines.push(l), waitMs: 20_000 });
      expect(lines).toHaveLength(1);
      // Four claim connections and the flag connection stay open; the index's loader logged out after the load.
      await expect.poll(sessions, { timeout: 5_000 }).toBe(5);
      expect(lines[0]).toMatch(/^warm-up in \d+ ms: mail templates ready; Sent ledger ready$/);
      const a = mail(uniqueAddress('kunde'));
      await createMailSender(transport, warm)(a);
      expect(warm.lookups).toEqual({ index: 1, search: 0 });
      const b = mail(uniqueAddress('kunde'));
      await createMailSender(transport, cold)(b);
      expect(cold.lookups).toEqual({ index: 0, search: 1 });
      await waitForMail(a.to, (m) => m.messageId === a.messageId);
      await waitForMail(b.to, (m) => m.messageId === b.messageId);
    } finally {
      await warm.close();
      await cold.close();
    }
  });

  it("keeps the open connections alive while they idle, where imapflow's socket timeout would close them", async () => {
    const log = (): undefined => undefined;
    // Its own interval: a NOOP every 0.8 of imapflow's socketTimeout (here 1.5 s).
    const alive = ledgerOn(mailPorts.imap, { socketTimeout: 1_500 });
    try {
      await warmUp({ ledger: alive, log, waitMs: 20_000 });
      await expect.poll(sessions, { timeout: 5_000 }).toBe(5);
      await new Promise((r) => setTimeout(r, 4_500)); // three socket timeouts
      expect(sessions()).toBe(5);
    } finally {
      await alive.close();
    }
    await expect.poll(sessions, { timeout: 5_000 }).toBe(0);
    // The same without the NOOP (its interval far away): the connections time out, and the next claims reopen them.
    const idle = ledgerOn(mailPorts.imap, { socketTimeout: 1_500, keepAliveMs: 3_600_000 });
    try {
      await warmUp({ ledger: idle, log, waitMs: 20_000 });
      await expect.poll(sessions, { timeout: 5_000 }).toBe(5);
      await expect.poll(sessions, { timeout: 10_000 }).toBe(0);
    } finally {
      await idle.close();
    }
  });

  it('says why when the IMAP server refuses, and does not throw', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r())); // nothing listens there now
    const lines: string[] = [];
    const ledger = ledgerOn(port);
    try {
      await warmUp({ ledger, log: (l) => lines.push(l), waitMs: 20_000 });
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/mail templates ready; Sent ledger not ready \(.*ECONNREFUSED.*\); the first mails/);
    } finally {
      await ledger.close();
    }
  });

  it('lets the Worker poll after the bounded wait when the IMAP server never answers, and reports the rest later', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((s) => sockets.add(s)); // accepts, never greets
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const lines: string[] = [];
    const ledger = ledgerOn((silent.address() as net.AddressInfo).port);
    try {
      await warmUp({ ledger, log: (l) => lines.push(l), waitMs: 300 });
      expect(lines).toEqual(['warm-up: still under way after 300 ms; the worker polls now']);
      for (const s of sockets) s.destroy(); // the server goes away: the warm-up ends, and says how
      await expect.poll(() => lines.length, { timeout: 20_000 }).toBe(2);
      expect(lines[1]).toMatch(/Sent ledger not ready/);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
      await ledger.close();
    }
  });
});
