/**
 * The set-aside mail, for an admin: the list of what is in Quarantine with its reason codes, and replay, which
 * sends mails back through the same intake path once the cause is fixed (e.g. IMAP_MAX_MAIL_BYTES raised).
 * Replay deletes nothing: it removes the marks of the failed attempts (with them the mail would count as failed
 * already), adds `$NachfassReplayed`, keeps the quarantine code as the mail's record, and moves the mail back
 * to the watched folder. Intake then treats it like new mail; the case id is the mail's, so replaying a mail
 * twice (or two copies of it) yields one case.
 */
import { ATTEMPT_KEYWORD } from '../intake/attempts.js';
import { withMailbox, type MailboxSettings } from '../intake/mailbox.js';
import { boundLine } from '../intake/parse.js';

export const REPLAYED = '$NachfassReplayed';
const QUARANTINE_PREFIX = '$NachfassQuarantine-';

export interface QuarantinedMail {
  uid: number;
  storedAt: string;
  from: string;
  subject: string;
  /** Reason codes (complaint-input.ts QuarantineCode), from the `$NachfassQuarantine-<code>` keywords. */
  codes: string[];
  attempts: number;
  replayed: boolean;
}

/** Every mail in `folder` (default: the Quarantine folder), oldest first, with its codes. */
export async function listQuarantine(box: MailboxSettings, folder = box.quarantineFolder): Promise<QuarantinedMail[]> {
  return withMailbox(box, async (c) => {
    if (!(await c.list()).some((m) => m.path === folder)) return [];
    const lock = await c.getMailboxLock(folder, { readOnly: true });
    try {
      const uids = (await c.search({ all: true }, { uid: true })) || [];
      if (uids.length === 0) return [];
      const mails = await c.fetchAll(
        uids,
        { uid: true, flags: true, internalDate: true, envelope: true },
        { uid: true },
      );
      return mails.map((m) => {
        const flags = [...(m.flags ?? [])];
        const from = m.envelope?.from?.[0];
        return {
          uid: m.uid,
          storedAt: new Date(m.internalDate ?? 0).toISOString(),
          from: boundLine(from?.address ?? '', 200),
          subject: boundLine(m.envelope?.subject ?? '', 120),
          codes: flags.filter((f) => f.startsWith(QUARANTINE_PREFIX)).map((f) => f.slice(QUARANTINE_PREFIX.length)),
          attempts: flags.filter((f) => f.startsWith(ATTEMPT_KEYWORD)).length,
          replayed: flags.includes(REPLAYED),
        };
      });
    } finally {
      lock.release();
    }
  });
}

export interface ReplayResult {
  replayed: number[];
  /** Asked-for UIDs that are not in the folder (replayed already, or never there). */
  missing: number[];
}

/** Moves `uids` (or every mail, with 'all') from `from` back to `box`'s watched folder, for intake to take in. */
export async function replay(
  box: MailboxSettings,
  uids: readonly number[] | 'all',
  from = box.quarantineFolder,
): Promise<ReplayResult> {
  return withMailbox(box, async (c) => {
    if (!(await c.list()).some((m) => m.path === from))
      return { replayed: [], missing: uids === 'all' ? [] : [...uids] };
    const lock = await c.getMailboxLock(from);
    try {
      const present = new Set((await c.search({ all: true }, { uid: true })) || []);
      const wanted = uids === 'all' ? [...present] : uids.filter((u) => present.has(u));
      const missing = uids === 'all' ? [] : uids.filter((u) => !present.has(u));
      for (const uid of wanted) {
        const m = await c.fetchOne(String(uid), { uid: true, flags: true }, { uid: true });
        if (!m) continue;
        const attempts = [...(m.flags ?? [])].filter((f) => f.startsWith(ATTEMPT_KEYWORD));
        if (attempts.length > 0) await c.messageFlagsRemove(String(uid), attempts, { uid: true });
        await c.messageFlagsAdd(String(uid), [REPLAYED], { uid: true });
        await c.messageMove(String(uid), box.folder, { uid: true });
      }
      return { replayed: wanted, missing };
    } finally {
      lock.release();
    }
  });
}
