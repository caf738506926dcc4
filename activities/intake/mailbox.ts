/**
 * A watched mailbox as intake sees it: the account, one folder of it, the connection settings, and the
 * reconnect discipline (imapflow never reconnects an instance: a fresh one per session, after capped backoff).
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { TLanguage } from '../../workflows/case.js';
import type { RouterDeps } from './route.js';

/** The IMAP account intake reads (worker/config.ts builds it from IMAP_*). */
export interface MailboxAccount {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  tlsInsecure: boolean;
  /** STARTTLS must succeed on a plain port (worker/config.ts: IMAP_REQUIRE_TLS). */
  requireTLS: boolean;
  processedFolder: string;
  ignoredFolder: string;
  quarantineFolder: string;
  /** Largest mail accepted (bytes); larger ones are quarantined unread. */
  maxMailBytes: number;
}

/** One watched folder of the account: what one intake workflow reads. */
export interface MailboxSettings extends MailboxAccount {
  /** `user/folder`: the intake's identity (its workflow id). */
  key: string;
  folder: string;
  /** Language customers writing to this folder are answered in, when their mail does not tell. */
  language: TLanguage;
  /** Team (escalation ladder) of this folder; the policy's main ladder when unset. */
  team?: string;
}

/** What the watcher is given: the mailboxes it may watch, and what to do with each mail. */
export interface IntakeDeps {
  mailboxes: ReadonlyMap<string, MailboxSettings>;
  /** What to do with each mail of a mailbox (classify, start or signal a case). */
  router: (mailbox: MailboxSettings) => RouterDeps;
  /** Safety re-check while IDLE is quiet (ms). */
  recheckMs: number;
  /** Fast mode (INTAKE_NOOP_EVERY): a NOOP this often beside IDLE; 0 is off. */
  noopEveryMs?: number;
  /** Failed attempts at one mail before it goes to Quarantine (INTAKE_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** Aborted when the worker stops (SIGTERM): the watcher finishes the mail in hand and hands the mailbox over. */
  stopping?: AbortSignal;
}

/** Capped exponential backoff with jitter between reconnects. Pure apart from Math.random. */
export function reconnectDelay(attempt: number, baseMs = 1000, capMs = 60_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(exp / 2 + (Math.random() * exp) / 2);
}

/** Creates whichever of `paths` the account lacks (one LIST for all). */
export async function ensureFolders(client: ImapFlow, paths: readonly string[]): Promise<void> {
  const existing = new Set((await client.list()).map((m) => m.path));
  for (const path of paths) if (!existing.has(path)) await client.mailboxCreate(path);
}

/** The connection settings of a mailbox (TLS verified unless a setting says otherwise). */
export function imapOptions(box: MailboxSettings): ImapFlowOptions {
  return {
    host: box.host,
    port: box.port,
    secure: box.secure,
    auth: { user: box.user, pass: box.password },
    tls: { rejectUnauthorized: !box.tlsInsecure },
    // Required STARTTLS: a server (or a man in the middle) that does not offer it gets no password.
    ...(box.requireTLS && !box.secure ? { doSTARTTLS: true } : {}),
    logger: false,
    // IDLE soon after each pass (the 15 s default delays new-mail events).
    autoIdleDelay: 1000,
  };
}

/** One short IMAP session on `box`'s account for an admin task (no IDLE), logged out however `fn` ends. */
export async function withMailbox<T>(box: MailboxSettings, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const c = new ImapFlow({ ...imapOptions(box), disableAutoIdle: true });
  c.on('error', () => undefined); // reported by the failing call
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout().catch(() => c.close());
  }
}
