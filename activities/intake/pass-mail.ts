/**
 * One mail of a pass (pass.ts): its checks before any work, its quarantine with a reason, and its routing (read,
 * classify, start or signal its case). Mails of a batch are routed concurrently; this module decides nothing about
 * order, only what becomes of one mail.
 */
import { log } from '@temporalio/activity';
import type { ImapFlow } from 'imapflow';
import type { ParsedMail } from 'mailparser';
import { errorText } from './attempts.js';
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

/** One connection's pass state: the mailbox, and attempts this process counted (when keywords do not stick). */
export interface Pass {
  client: ImapFlow;
  deps: IntakeDeps;
  box: MailboxSettings;
  counted: Map<string, number>;
  /** Aborted when this attempt must stop: cancelled by Temporal, or superseded by a newer one in this process. */
  signal: AbortSignal;
}

/** A mail of the batch in hand: what the batch's one FETCH told of it, and its source once fetched. */
export interface Item {
  uid: number;
  /** Position in the pass, to tell whether a later mail reached Temporal. */
  index: number;
  size: number;
  /** The envelope sender, lower-cased: one sender's mails are routed one after another, in order. */
  sender: string;
  /** The attempt this try marks before its work: one more than the marks it has. */
  attempt: number;
  source?: Buffer;
}

/** What routing did with a mail that stays in the batch: moved already, or to be moved with the others. */
export type TRouted = { reached: boolean; moveTo?: string; kind?: string };

export function countKey(p: Pass, uid: number): string {
  return `${p.box.key}/${String(p.client.mailbox && p.client.mailbox.uidValidity)}/${uid}`;
}

/** Moves a mail to Quarantine with its reason: in the log line, and as a keyword on the moved mail. */
export async function quarantine(p: Pass, uid: number, code: TQuarantineCode, reason: string): Promise<void> {
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
 * Reads, classifies and starts or signals the case of one mail whose attempt is marked. Quarantined and signalled
 * mails are moved here; any other is left to the batch's MOVE (`moveTo`). Throws when its case cannot be started
 * or signalled for sure (the caller counts the attempt).
 */
export async function routeItem(p: Pass, item: Item): Promise<TRouted> {
  const { client, deps, box } = p;
  const { uid, source } = item;
  if (!source) return { reached: false }; // moved away meanwhile (another pass or a person)
  const folders: Record<TFolder, string> = {
    processed: box.processedFolder,
    ignored: box.ignoredFolder,
    quarantine: box.quarantineFolder,
  };
  let parsed: ParsedMail;
  try {
    parsed = await parseRaw(source);
  } catch (err) {
    await quarantine(p, uid, QuarantineCode.Unparseable, errorText(err));
    return { reached: false };
  }
  let outcome: Awaited<ReturnType<typeof routeMail>>;
  try {
    outcome = await routeMail(parsed, source, deps.router(box));
  } catch (err) {
    if (!(err instanceof MailRejectedError)) throw err;
    await quarantine(p, uid, err.code, err.message);
    return { reached: false };
  }
  const detail = { mailbox: box.key, uid, kind: outcome.verdict.kind, caseId: outcome.caseId, action: outcome.action };
  if (outcome.folder === 'quarantine') {
    const reason = [outcome.action, ...outcome.verdict.reasons.filter((r) => r !== outcome.action)].join('; ');
    await quarantine(p, uid, quarantineCodeOf(outcome.action), reason);
    return { reached: false };
  }
  if (outcome.folder === 'processed') log.info('mail taken in', detail);
  else log.warn('mail set aside', { ...detail, folder: folders[outcome.folder], reasons: outcome.verdict.reasons });
  const reached = outcome.folder === 'processed';
  if (!outcome.signalled) return { reached, moveTo: folders[outcome.folder], kind: outcome.verdict.kind };
  await client.messageMove(String(uid), folders[outcome.folder], { uid: true });
  mailsTakenIn.inc({ mailbox: box.key, verdict: outcome.verdict.kind });
  p.counted.delete(countKey(p, uid));
  return { reached };
}
