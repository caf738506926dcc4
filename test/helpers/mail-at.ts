/**
 * Variants of test/helpers/mail.ts for a mail stack on other ports (a private instance, test/helpers/private-stack.ts):
 * the same reading and sending, with the port given.
 */
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { ReadMail } from './mail.js';
import { STACK_PASSWORD } from './ports.js';

export async function withImapAt<T>(port: number, address: string, fn: (client: ImapFlow) => Promise<T>): Promise<T> {
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

/** Every mail in a folder, parsed (as `readFolder`). A folder that does not exist yet is empty. */
export async function readFolderAt(port: number, address: string, folder = 'INBOX'): Promise<ReadMail[]> {
  return withImapAt(port, address, async (client) => {
    if (!(await client.list()).some((m) => m.path === folder)) return [];
    const lock = await client.getMailboxLock(folder);
    try {
      const mb = client.mailbox;
      if (mb && mb.exists === 0) return [];
      const raw = await client.fetchAll('1:*', { uid: true, source: true });
      return Promise.all(
        raw.filter((r) => r.source).map(async (r) => ({ uid: r.uid, parsed: await simpleParser(r.source!) })),
      );
    } finally {
      lock.release();
    }
  });
}

/** What counting needs of a mail, read from its header only (cheap for hundreds of mailboxes). */
export interface MailHeaders {
  uid: number;
  messageId: string | undefined;
  inReplyTo: string | undefined;
  /** X-Nachfass-Kind: acknowledgment, approval-request, … */
  kind: string | undefined;
  /** X-Nachfass-Case. */
  caseId: string | undefined;
  subject: string | undefined;
  flags: string[];
  /** INTERNALDATE (ms since the epoch; whole seconds): when the mail was stored or appended. */
  at: number;
}

/** The headers of every mail in each of `folders` (missing folders are empty), on one connection. */
export async function readHeadersAt(
  port: number,
  address: string,
  folders: string[] = ['INBOX'],
): Promise<Record<string, MailHeaders[]>> {
  return withImapAt(port, address, async (client) => {
    const existing = new Set((await client.list()).map((m) => m.path));
    const out: Record<string, MailHeaders[]> = {};
    for (const folder of folders) {
      out[folder] = [];
      if (!existing.has(folder)) continue;
      const lock = await client.getMailboxLock(folder);
      try {
        if (client.mailbox && client.mailbox.exists === 0) continue;
        const rows = await client.fetchAll('1:*', {
          uid: true,
          flags: true,
          internalDate: true,
          headers: ['message-id', 'in-reply-to', 'x-nachfass-kind', 'x-nachfass-case', 'subject'],
        });
        for (const r of rows) {
          const h = (await simpleParser(r.headers ?? Buffer.alloc(0))).headers;
          const str = (k: string): string | undefined => {
            const v = h.get(k);
            return v === undefined ? undefined : String(v);
          };
          out[folder].push({
            uid: r.uid,
            messageId: str('message-id'),
            inReplyTo: str('in-reply-to'),
            kind: str('x-nachfass-kind'),
            caseId: str('x-nachfass-case'),
            subject: str('subject'),
            flags: [...(r.flags ?? [])],
            at: new Date(r.internalDate ?? 0).getTime(),
          });
        }
      } finally {
        lock.release();
      }
    }
    return out;
  });
}

/** How many mails a folder holds (STATUS), 0 when it does not exist. */
export async function countFolderAt(port: number, address: string, folder: string): Promise<number> {
  return withImapAt(port, address, async (client) => {
    if (!(await client.list()).some((m) => m.path === folder)) return 0;
    const status = await client.status(folder, { messages: true });
    return status ? (status.messages ?? 0) : 0;
  });
}

/** One SMTP submission to 127.0.0.1:port (as `sendViaSmtp`). */
export async function sendViaSmtpAt(port: number, mail: SendMailOptions): Promise<void> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    await t.sendMail(mail);
  } finally {
    t.close();
  }
}
