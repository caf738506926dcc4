/**
 * What reached a customer, read from Dovecot's Maildir directly: the file name carries the delivery time to the
 * microsecond (`<seconds>.M<microseconds>P<pid>…`), so a latency ends when the mail was stored, not when a watcher
 * happened to look. Files already read are cached by name (Maildir files never change their content).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface StoredMail {
  /** Delivery time, ms since the epoch (µs precision). */
  at: number;
  inReplyTo?: string;
  subject?: string;
  /** X-Nachfass-Case: the case a mail of ours belongs to. */
  caseId?: string;
}

const seen = new Map<string, StoredMail | null>();

function header(text: string, name: string): string | undefined {
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return m?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim();
}

/** Every mail stored for `address` in the mail stack at `stackDir`, oldest first. */
export function storedMails(stackDir: string, address: string): StoredMail[] {
  const [user, domain] = address.split('@') as [string, string];
  const out: StoredMail[] = [];
  for (const sub of ['new', 'cur']) {
    const dir = path.join(stackDir, 'mail', domain, user, 'Maildir', sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) {
      // A mail moved from new/ to cur/ keeps its base name (up to the ':2,' flags).
      const key = `${dir}/${f.split(':')[0]}`;
      let mail = seen.get(key);
      if (mail === undefined) {
        const m = /^(\d+)\.M(\d+)P/.exec(f);
        if (!m) mail = null;
        else {
          const text = readFileSync(path.join(dir, f), 'utf8');
          const inReplyTo = header(text, 'In-Reply-To');
          const subject = header(text, 'Subject');
          const caseId = header(text, 'X-Nachfass-Case');
          mail = {
            at: Number(m[1]) * 1000 + Number(m[2]) / 1000,
            ...(inReplyTo ? { inReplyTo } : {}),
            ...(subject ? { subject } : {}),
            ...(caseId ? { caseId } : {}),
          };
        }
        seen.set(key, mail);
      }
      if (mail) out.push(mail);
    }
  }
  return out.sort((a, b) => a.at - b.at);
}

/** The replies stored for `address` that answer the mail `messageId`. */
export function repliesTo(stackDir: string, address: string, messageId: string): StoredMail[] {
  return storedMails(stackDir, address).filter((m) => m.inReplyTo === messageId);
}

/** Polls until a reply to `messageId` is stored for `address`; resolves with its delivery time. */
export async function waitForReply(
  stackDir: string,
  address: string,
  messageId: string,
  timeoutMs = 60_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [first] = repliesTo(stackDir, address, messageId);
    if (first) return first.at;
    if (Date.now() > deadline) throw new Error(`no reply to ${messageId} for ${address} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
