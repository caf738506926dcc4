/** Turns a parsed mail into the workflow input, or a quarantine reason. Pure apart from hashing. */
import type { ComplaintInput, PolicySnapshot, TLanguage } from '../../workflows/case.js';
import { approverKeys, caseIdFor, customerKey } from '../identity.js';
import { detectLanguage } from './language.js';
import type { ParsedComplaint } from './parse.js';

/** Why a mail went to Quarantine: the code is in the log line and in a keyword on the moved mail. */
export const QuarantineCode = {
  /** Larger than IMAP_MAX_MAIL_BYTES: not even read. */
  TooLarge: 'too-large',
  /** Its bounded workflow input is still over MAX_INPUT_BYTES (a case would fail to start). */
  InputTooLarge: 'input-too-large',
  /** No usable sender address: nobody to answer. */
  NoSender: 'no-sender',
  /** The MIME parser gave up on it. */
  Unparseable: 'unparseable',
  /** Processing failed (or never finished) INTAKE_MAX_ATTEMPTS times while intake otherwise worked. */
  Failed: 'failed',
  /** Classification set it aside for another reason (see the log line). */
  Rejected: 'rejected',
} as const;
export type TQuarantineCode = (typeof QuarantineCode)[keyof typeof QuarantineCode];

/** The IMAP keyword a quarantined mail carries, e.g. `$NachfassQuarantine-too-large` (an IMAP atom). */
export function quarantineKeyword(code: TQuarantineCode): string {
  return `$NachfassQuarantine-${code}`;
}

/** The code of a reason text: `code: detail` as written here, else known phrases of classification. */
export function quarantineCodeOf(reason: string): TQuarantineCode {
  const prefix = reason.match(/^([a-z-]+):/)?.[1];
  const known = Object.values(QuarantineCode).find((c) => c === prefix);
  if (known) return known;
  if (/no sender/i.test(reason)) return QuarantineCode.NoSender;
  return QuarantineCode.Rejected;
}

/** A mail that can never become a case as it is: intake quarantines it at once, without further attempts. */
export class MailRejectedError extends Error {
  override name = 'MailRejectedError';
  constructor(
    readonly code: TQuarantineCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Largest encoded workflow input we start a case with (bytes of its JSON, as Temporal's JSON payload
 * converter writes it). Well below Temporal's 2 MB payload limit (and its 512 KB warning): the payload codec
 * adds about 60 bytes of envelope, the memo repeats the subject, and the history should stay small. A bounded
 * input (see parse.ts BOUNDS) is 10–120 KB, so only a broken bound ever reaches this.
 */
export const MAX_INPUT_BYTES = 256 * 1024;

/** The size of `value` as Temporal's JSON payload converter encodes it (UTF-8 JSON). */
export function encodedBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}

export interface ComplaintInputContext {
  mailbox: string;
  defaultLanguage: TLanguage;
  policy: PolicySnapshot;
  linkSecret: string;
  searchAttributes: boolean;
  now: Date;
  /** Folder the original is moved to once the case exists. */
  archiveFolder: string;
}

export function toComplaintInput(
  p: ParsedComplaint,
  raw: Buffer,
  ctx: ComplaintInputContext,
  relatedCaseId?: string,
): ComplaintInput | string {
  if (!p.from) return `${QuarantineCode.NoSender}: no sender address (From)`;
  const caseId = caseIdFor(p.messageId, raw);
  const input: ComplaintInput = {
    caseId,
    mailbox: ctx.mailbox,
    receivedAt: (p.date && p.date.getTime() <= ctx.now.getTime() ? p.date : ctx.now).toISOString(),
    messageId: p.messageId ?? '',
    references: p.references,
    customer: p.from,
    customerKey: customerKey(ctx.linkSecret, p.from.address),
    approverKeys: approverKeys(
      ctx.linkSecret,
      ctx.policy.ladder.flatMap((a) => (a.deputy ? [a, a.deputy] : [a])),
    ),
    subject: p.subject,
    text: p.text,
    language: detectLanguage(p.contentLanguage, `${p.subject}\n${p.text}`, ctx.defaultLanguage).language,
    attachments: p.attachments,
    policy: ctx.policy,
    searchAttributes: ctx.searchAttributes,
    acknowledge: true,
    archive: { mailbox: ctx.mailbox, folder: ctx.archiveFolder, messageId: p.messageId ?? '' },
    ...(relatedCaseId ? { relatedCaseId } : {}),
  };
  const bytes = encodedBytes(input);
  if (bytes > MAX_INPUT_BYTES) {
    return `${QuarantineCode.InputTooLarge}: workflow input of ${bytes} bytes exceeds ${MAX_INPUT_BYTES}`;
  }
  return input;
}
