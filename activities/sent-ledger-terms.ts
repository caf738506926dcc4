/**
 * The Sent ledger's terms (sent-ledger.ts): the keywords its copies carry, its settings, the mail budget, the errors
 * a send can end with, and which SMTP failures certainly left no mail with the server.
 */
import type { ImapFlowOptions } from 'imapflow';

export const QUEUED = '$NachfassQueued';
export const SENT = '$NachfassSent';
/** A claim given up for a newer one (its attempt died before the mail was accepted, or it was never sent). */
export const SUPERSEDED = '$NachfassSuperseded';
/** The SMTP server refused the mail for good. */
export const REFUSED = '$NachfassRefused';

export interface SentLedgerSettings {
  imap: ImapFlowOptions;
  /** The Sent folder (created when missing). */
  folder: string;
  /** How long a claim counts as an attempt still in progress (ms); above the send activity's timeout. */
  claimMs: number;
  /** False: every claim searches the folder, as before the index (bench/sent-ledger.ts compares the two). */
  indexed?: boolean;
  /** How often idle connections get a NOOP (default: 4 minutes, under imapflow's socketTimeout); for tests. */
  keepAliveMs?: number;
}

/** At most `max` automatic mails to one external address within `windowMs` (one budget for every kind). */
export interface MailBudget {
  max: number;
  windowMs: number;
}

/** Thrown when a mail to an external address would exceed its budget: the mail is held, not sent. */
export class MailBudgetError extends Error {
  override name = 'MailBudgetError';
}

/** Thrown when an earlier attempt of the same send may still be running: retry later (the activity's policy). */
export class SendInProgressError extends Error {
  override name = 'SendInProgressError';
}

export type TSendOutcome = 'sent' | 'skipped';

/**
 * Whether a failed submission certainly left no mail with the server: nodemailer failed to connect (`command`
 * CONN, e.g. ECONNREFUSED while the server is down), or the server answered with a 4xx code (a refusal, never an
 * acceptance). Measured in test/chaos: without this, every mail that met a 30 s SMTP outage waited the whole claim
 * time (2 minutes) for its retry.
 */
export function notAccepted(err: unknown): boolean {
  const e = err as { command?: string; responseCode?: number } | undefined;
  if (e?.command === 'CONN') return true;
  return typeof e?.responseCode === 'number' && e.responseCode >= 400 && e.responseCode < 500;
}
