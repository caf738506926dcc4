/**
 * One pass over a watched folder: every mail in it, oldest first, each on its own (watch-mailbox.ts explains
 * the rule); a failed attempt is settled at the end of the pass, when it is known whether Temporal was there.
 */
import { Context, log } from '@temporalio/activity';
import type { ImapFlow } from 'imapflow';
import type { ParsedMail } from 'mailparser';
import { ATTEMPT_KEYWORD, attemptsOf, attemptVerdict, errorText, isUnreachableError } from './attempts.js';
import {
  MailRejectedError,
  QuarantineCode,
  quarantineCodeOf,
  quarantineKeyword,
  type TQuarantineCode,
} from './complaint-input.js';
import type { IntakeDeps, MailboxSettings } from './mailbox.js';
import { boundLine, parseRaw } from './parse.js';
import { routeMail, type TFolder } from './route.js';
import { mailsTakenIn } from '../metrics.js';

const BATCH = 50;

/** One connection's pass state: the mailbox, and attempts this process counted (when keywords do not stick). */
export interface Pass {
  client: ImapFlow;
  deps: IntakeDeps;
  box: MailboxSettings;
  counted: Map<string, number>;
  /** Aborted when this attempt must stop: cancelled by Temporal, or superseded by a newer one in this process. */
  signal: AbortSignal;
}

interface Failure {
  uid: number;
  /** The attempt marked before the failure; 0 when it failed before any mark. */
  attempt: number;
  error: unknown;
  unreachable: boolean;
  /** Position in the pass, to tell whether a later mail reached Temporal. */
  index: number;
}

function countKey(p: Pass, uid: number): string {
  return `${p.box.key}/${String(p.client.mailbox && p.client.mailbox.uidValidity)}/${uid}`;
}

/** Moves a mail to Quarantine with its reason: in the log line, and as a keyword on the moved mail. */
async function quarantine(p: Pass, uid: number, code: TQuarantineCode, reason: string): Promise<void> {
  log.warn('mail quarantined', {
    mailbox: p.box.key,
    uid,
    folder: p.box.quarantineFolder,
    code,
    reason: boundLine(reason, 1000),
  });
  // Set before the move: MOVE keeps keywords, and the original's folder is the one we have selected.
  await p.client.messageFlagsAdd(String(uid), [quarantineKeyword(code)], { uid: true });
  await p.client.messageMove(String(uid), p.box.quarantineFolder, { uid: true });
  mailsTakenIn.inc({ mailbox: p.box.key, verdict: 'quarantine' });
  p.counted.delete(countKey(p, uid));
}

/**
 * One mail: read, classify, start or signal its case, move it. Throws when its case cannot be started or
 * signalled for sure (the caller counts the attempt). True when the mail reached Temporal.
 */
async function processOne(p: Pass, uid: number, progress: { attempt: number }): Promise<boolean> {
  const { client, deps, box } = p;
  const id = String(uid);
  const folders: Record<TFolder, string> = {
    processed: box.processedFolder,
    ignored: box.ignoredFolder,
    quarantine: box.quarantineFolder,
  };
  const meta = await client.fetchOne(id, { uid: true, size: true, flags: true }, { uid: true });
  if (!meta) return false; // moved away meanwhile (another pass or a person)
  if ((meta.size ?? 0) > box.maxMailBytes) {
    await quarantine(p, uid, QuarantineCode.TooLarge, `${meta.size} bytes > IMAP_MAX_MAIL_BYTES ${box.maxMailBytes}`);
    return false;
  }
  const key = countKey(p, uid);
  const before = Math.max(attemptsOf(meta.flags), p.counted.get(key) ?? 0);
  if (before >= deps.maxAttempts) {
    await quarantine(
      p,
      uid,
      QuarantineCode.Failed,
      `${before} attempts did not finish (the worker failed or died on it)`,
    );
    return false;
  }
  progress.attempt = before + 1;
  p.counted.set(key, progress.attempt);
  // False when the server refuses keywords (no \* in PERMANENTFLAGS): the count in memory carries on then.
  await client.messageFlagsAdd(id, [`${ATTEMPT_KEYWORD}${progress.attempt}`], { uid: true });

  const msg = await client.fetchOne(id, { uid: true, source: true }, { uid: true });
  if (!msg || !msg.source) return false;
  let parsed: ParsedMail;
  try {
    parsed = await parseRaw(msg.source);
  } catch (err) {
    await quarantine(p, uid, QuarantineCode.Unparseable, errorText(err));
    return false;
  }
  let outcome: Awaited<ReturnType<typeof routeMail>>;
  try {
    outcome = await routeMail(parsed, msg.source, deps.router(box));
  } catch (err) {
    if (!(err instanceof MailRejectedError)) throw err;
    await quarantine(p, uid, err.code, err.message);
    return false;
  }
  const detail = { mailbox: box.key, uid, kind: outcome.verdict.kind, caseId: outcome.caseId, action: outcome.action };
  if (outcome.folder === 'quarantine') {
    const reason = [outcome.action, ...outcome.verdict.reasons.filter((r) => r !== outcome.action)].join('; ');
    await quarantine(p, uid, quarantineCodeOf(outcome.action), reason);
    return false;
  }
  if (outcome.folder === 'processed') log.info('mail taken in', detail);
  else log.warn('mail set aside', { ...detail, folder: folders[outcome.folder], reasons: outcome.verdict.reasons });
  await client.messageMove(id, folders[outcome.folder], { uid: true });
  mailsTakenIn.inc({ mailbox: box.key, verdict: outcome.verdict.kind });
  p.counted.delete(key);
  return outcome.folder === 'processed';
}

/** Settles a failed attempt at the end of the pass: withdrawn, counted, or the last one (quarantine). */
async function settle(p: Pass, f: Failure, laterMailReachedTemporal: boolean): Promise<void> {
  if (f.attempt === 0) return; // failed before its attempt was marked: nothing to count
  const verdict = attemptVerdict({ ...f, laterMailReachedTemporal }, p.deps.maxAttempts);
  const where = {
    mailbox: p.box.key,
    uid: f.uid,
    attempt: f.attempt,
    of: p.deps.maxAttempts,
    error: errorText(f.error),
  };
  if (verdict === 'withdraw') {
    log.warn('mail not taken in: Temporal unreachable, attempt not counted', where);
    await p.client.messageFlagsRemove(String(f.uid), [`${ATTEMPT_KEYWORD}${f.attempt}`], { uid: true });
    p.counted.set(countKey(p, f.uid), f.attempt - 1);
  } else if (verdict === 'count') {
    log.warn('mail not taken in: attempt counted, it is tried again', where);
  } else {
    await quarantine(p, f.uid, QuarantineCode.Failed, `failed ${f.attempt} times; last error: ${where.error}`);
  }
}

/** After this many unreachable-Temporal failures in a row (and no success since) the rest of the pass waits. */
const UNREACHABLE_STREAK = 3;

/** Reads every mail in the watched folder, oldest first, in bounded batches; each mail on its own. */
export async function processFolder(p: Pass): Promise<void> {
  const { client, box } = p;
  const lock = await client.getMailboxLock(box.folder);
  try {
    const tried = new Set<number>();
    const failures: Failure[] = [];
    let lastReached = -1;
    let index = 0;
    let streak = 0;
    pass: for (;;) {
      // Mails tried in this pass are left out: one that stays (failed, to be tried again) cannot loop the pass.
      const uids = ((await client.search({ all: true }, { uid: true })) || []).filter((u) => !tried.has(u));
      if (!uids.length) break;
      for (const uid of uids.slice(0, BATCH)) {
        // Checked before every mail: a superseded attempt that went on would race the new one on the same mail,
        // and two MOVEs of one message at once leave two copies (measured in test/chaos).
        if (p.signal.aborted) break pass;
        tried.add(uid);
        const progress = { attempt: 0 };
        const i = index++;
        try {
          if (await processOne(p, uid, progress)) lastReached = i;
          streak = 0;
        } catch (err) {
          // The connection is gone: a matter for the session (reconnect), not for this mail.
          if (!client.usable) throw err;
          const unreachable = isUnreachableError(err);
          failures.push({ uid, attempt: progress.attempt, error: err, unreachable, index: i });
          streak = unreachable ? streak + 1 : 0;
        }
        // Per mail: a long pass must not look like a dead worker (heartbeat timeout) and be handed over.
        Context.current().heartbeat();
        if (streak >= UNREACHABLE_STREAK) break pass;
      }
    }
    for (const f of failures) {
      try {
        await settle(p, f, lastReached > f.index);
      } catch (err) {
        if (!client.usable) throw err;
        log.warn('could not settle a failed attempt', { mailbox: box.key, uid: f.uid, error: errorText(err) });
      }
    }
  } finally {
    lock.release();
  }
}
