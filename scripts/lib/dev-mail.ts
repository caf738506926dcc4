/** Real mail on the local stack, for the demo, dev scripts and tests: send through Postfix, read real mailboxes over IMAP. */
import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { MailboxSettings } from '../../activities/intake/mailbox.js';
import { mailPorts, STACK_PASSWORD } from './ports.js';

/** A fresh mailbox: any local part at example.test exists on the local stack. */
export function uniqueAddress(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.test`;
}

/**
 * A support mailbox of `user` on a local stack's Dovecot (the shared one unless `port` says otherwise), with the
 * folders and limits the worker uses by default: what tests and benches hand the intake or the Sent ledger.
 */
export function stackMailbox(user: string, o: Partial<MailboxSettings> = {}): MailboxSettings {
  return {
    key: 'stack',
    host: '127.0.0.1',
    port: mailPorts.imap,
    secure: false,
    user,
    password: STACK_PASSWORD,
    tlsInsecure: false,
    requireTLS: false,
    folder: 'INBOX',
    processedFolder: 'Processed',
    ignoredFolder: 'Ignored',
    quarantineFolder: 'Quarantine',
    maxMailBytes: 1_000_000,
    language: 'de',
    ...o,
  };
}

export async function sendViaSmtp(mail: SendMailOptions): Promise<void> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: mailPorts.smtp, secure: false, ignoreTLS: true });
  try {
    await t.sendMail(mail);
  } finally {
    t.close();
  }
}

/** Raw RFC 5322 bytes, sent unchanged (same Message-ID every time). */
export async function sendRawViaSmtp(from: string, to: string, raw: string | Buffer): Promise<void> {
  await sendViaSmtp({ envelope: { from, to }, raw });
}

/**
 * Raw bytes straight into Dovecot over LMTP, as delivered, untouched: Postfix would add the headers a
 * broken mail lacks (From, Date, Message-ID) for local clients.
 */
export async function deliverViaLmtp(
  from: string,
  to: string,
  raw: string | Buffer,
  port = mailPorts.lmtp,
): Promise<void> {
  const t = nodemailer.createTransport({ lmtp: true, host: '127.0.0.1', port, ignoreTLS: true });
  try {
    await t.sendMail({ envelope: { from, to }, raw });
  } finally {
    t.close();
  }
}

export interface ReadMail {
  uid: number;
  parsed: ParsedMail;
}

export async function withImap<T>(
  address: string,
  fn: (client: ImapFlow) => Promise<T>,
  port: number = mailPorts.imap,
): Promise<T> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port,
    secure: false,
    auth: { user: address, pass: STACK_PASSWORD },
    logger: false,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** Every mail in a folder of a mailbox, parsed. A folder that does not exist yet is empty. */
export async function readFolder(address: string, folder = 'INBOX'): Promise<ReadMail[]> {
  return withImap(address, async (client) => {
    const exists = (await client.list()).some((m) => m.path === folder);
    if (!exists) return [];
    const lock = await client.getMailboxLock(folder);
    try {
      const raw: Array<{ uid: number; source: Buffer }> = [];
      for await (const m of client.fetch('1:*', { uid: true, source: true })) {
        if (m.source) raw.push({ uid: m.uid, source: m.source });
      }
      return Promise.all(raw.map(async (r) => ({ uid: r.uid, parsed: await simpleParser(r.source) })));
    } catch (err) {
      if ((err as { responseText?: string }).responseText?.includes('No messages')) return [];
      throw err;
    } finally {
      lock.release();
    }
  });
}

/** Polls a mailbox until `count` mails match, or fails naming what it saw. */
export async function waitForMail(
  address: string,
  match: (m: ParsedMail) => boolean,
  opts: { count?: number; timeoutMs?: number; folder?: string } = {},
): Promise<ParsedMail[]> {
  const count = opts.count ?? 1;
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const seen = (await readFolder(address, opts.folder)).map((m) => m.parsed);
    const hits = seen.filter(match);
    if (hits.length >= count) return hits;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${count} mail(s) in ${address}; it holds: ${seen.map((m) => m.subject).join(' | ') || '(nothing)'}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The decision link in an approval mail's text part. */
export function decisionLink(m: ParsedMail): string {
  const link = m.text?.match(/https?:\/\/\S+\/decide\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/)?.[0];
  if (!link) throw new Error(`no decision link in mail "${m.subject}"`);
  return link;
}
