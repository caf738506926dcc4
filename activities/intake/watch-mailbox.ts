/**
 * The mailbox watcher: a long-running, heart-beating activity that holds one IMAP connection (imapflow).
 * IDLE is only a wake-up: every pass reads whatever is in the watched folder. Folder state is the
 * checkpoint: a mail leaves the folder only after its workflow start is durable (to Processed), or with a
 * logged reason (to Quarantine). A crash in between leaves it in place; the next pass starts the same
 * workflow id, which is a no-op. Nothing is ever deleted.
 *
 * Per-mail isolation. Each mail is handled on its own: whatever goes wrong with one mail is logged and the
 * pass goes on with the next, so one hostile mail can never hold up the folder. A mail that can never become
 * a case as it is (too large, no sender, unparseable, its input over the budget) is quarantined at once.
 * Any other failure is an attempt, counted durably on the message itself, and the rule is:
 *   1. Before the work on a mail starts, the attempt is marked with the IMAP keyword `$NachfassAttempt<n>`
 *      (a keyword survives a crash, a restart and a hand-over to another worker; a count in memory would not).
 *      Marked before, not after, so that a mail that crashes or hangs the worker is counted too.
 *   2. A failure because Temporal (or the network to it) is unreachable says nothing about the mail. Such an
 *      attempt is withdrawn (the keyword removed) unless a later mail of the same pass reached Temporal, which
 *      shows the service was there. Temporal down for an hour therefore quarantines nothing; after three such
 *      failures in a row the pass ends early, as the rest would fail the same way.
 *   3. Every other failure (Temporal refused, our code threw) keeps its attempt. At INTAKE_MAX_ATTEMPTS
 *      (default 5) the mail goes to Quarantine with the code `failed`, and the last error in the log line.
 *   4. A mail found with INTAKE_MAX_ATTEMPTS marks already (the worker died on it each time) is quarantined
 *      before it is tried again.
 * The quarantined mail carries `$NachfassQuarantine-<code>` (complaint-input.ts QuarantineCode) so a person
 * sees why in any mail client; the marks of earlier attempts stay on it as its record. Kept deliberately:
 * a mail taken in keeps its `$NachfassAttempt1` too (removing it would be one more command per mail).
 * A lost IMAP connection ends the session (reconnect); an attempt marked just before stays counted, which
 * INTAKE_MAX_ATTEMPTS leaves room for. Never an IMAP command inside `for await (… of client.fetch())`
 * (EMAIL-NOTES: it deadlocks): each mail is read with fetchOne.
 */
import { Context, log } from '@temporalio/activity';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { ParsedMail } from 'mailparser';
import type { TLanguage } from '../../workflows/case.js';
import type { IntakeArgs } from '../../workflows/messages.js';
import {
  MailRejectedError,
  QuarantineCode,
  quarantineCodeOf,
  quarantineKeyword,
  type TQuarantineCode,
} from './complaint-input.js';
import { boundLine, parseRaw } from './parse.js';
import { routeMail, type RouterDeps, type TFolder } from './route.js';

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

export interface IntakeDeps {
  mailboxes: ReadonlyMap<string, MailboxSettings>;
  /** What to do with each mail of a mailbox (classify, start or signal a case). */
  router: (mailbox: MailboxSettings) => RouterDeps;
  /** Safety re-check while IDLE is quiet (ms). */
  recheckMs: number;
  /** Failed attempts at one mail before it goes to Quarantine (INTAKE_MAX_ATTEMPTS). */
  maxAttempts: number;
}

const BATCH = 50;

/** Capped exponential backoff with jitter between reconnects. Pure apart from Math.random. */
export function reconnectDelay(attempt: number, baseMs = 1000, capMs = 60_000): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(exp / 2 + (Math.random() * exp) / 2);
}

/** Creates whichever of `paths` the account lacks (one LIST for all). */
async function ensureFolders(client: ImapFlow, paths: readonly string[]): Promise<void> {
  const existing = new Set((await client.list()).map((m) => m.path));
  for (const path of paths) if (!existing.has(path)) await client.mailboxCreate(path);
}

const ATTEMPT_KEYWORD = '$NachfassAttempt';

/** Attempts marked on a mail: the highest `$NachfassAttempt<n>` among its flags. Pure. */
export function attemptsOf(flags: Iterable<string> | undefined): number {
  let most = 0;
  for (const flag of flags ?? []) {
    const n = flag.startsWith(ATTEMPT_KEYWORD) ? Number(flag.slice(ATTEMPT_KEYWORD.length)) : NaN;
    if (Number.isInteger(n) && n > most) most = n;
  }
  return most;
}

/** gRPC status codes that say the service is unreachable or overloaded, not that the request was wrong. */
const UNREACHABLE_GRPC = new Set([
  1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */,
]);
const UNREACHABLE_ERRNO = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Whether an error says Temporal (or the network to it) is unreachable rather than anything about the mail.
 * The client wraps the gRPC error (`code` a number) in a ServiceError, so the causes are searched too. Pure.
 */
export function isUnreachableError(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Object; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number' && UNREACHABLE_GRPC.has(code)) return true;
    if (typeof code === 'string' && UNREACHABLE_ERRNO.has(code)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export type TAttemptVerdict = 'withdraw' | 'count' | 'quarantine';

/** What becomes of a failed attempt, at the end of the pass (rule 2 and 3 of the file header). Pure. */
export function attemptVerdict(
  f: { attempt: number; unreachable: boolean; laterMailReachedTemporal: boolean },
  maxAttempts: number,
): TAttemptVerdict {
  if (f.unreachable && !f.laterMailReachedTemporal) return 'withdraw';
  return f.attempt >= maxAttempts ? 'quarantine' : 'count';
}

function message(err: unknown): string {
  return boundLine(err instanceof Error ? `${err.name}: ${err.message}` : String(err), 500);
}

/** One connection's pass state: the mailbox, and attempts this process counted (when keywords do not stick). */
interface Pass {
  client: ImapFlow;
  deps: IntakeDeps;
  box: MailboxSettings;
  counted: Map<string, number>;
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
    await quarantine(p, uid, QuarantineCode.Unparseable, message(err));
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
  p.counted.delete(key);
  return outcome.folder === 'processed';
}

/** Settles a failed attempt at the end of the pass: withdrawn, counted, or the last one (quarantine). */
async function settle(p: Pass, f: Failure, laterMailReachedTemporal: boolean): Promise<void> {
  if (f.attempt === 0) return; // failed before its attempt was marked: nothing to count
  const verdict = attemptVerdict({ ...f, laterMailReachedTemporal }, p.deps.maxAttempts);
  const where = { mailbox: p.box.key, uid: f.uid, attempt: f.attempt, of: p.deps.maxAttempts, error: message(f.error) };
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
async function processFolder(p: Pass): Promise<void> {
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
        log.warn('could not settle a failed attempt', { mailbox: box.key, uid: f.uid, error: message(err) });
      }
    }
  } finally {
    lock.release();
  }
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

/** One connection's life: connect, then process on every wake-up until it closes or the run ends. */
async function session(
  deps: IntakeDeps,
  box: MailboxSettings,
  until: number,
  beatMs: number,
  counted: Map<string, number>,
): Promise<void> {
  const ctx = Context.current();
  const client = new ImapFlow(imapOptions(box));
  let wake: (() => void) | undefined;
  let pending = true;
  let closed = false;
  client.on('error', (err: Error) => log.warn('IMAP error', { mailbox: box.key, error: err.message }));
  client.on('close', () => {
    closed = true;
    wake?.();
  });
  client.on('exists', () => {
    pending = true;
    wake?.();
  });
  try {
    await client.connect();
    await ensureFolders(client, [box.processedFolder, box.ignoredFolder, box.quarantineFolder]);
    await client.mailboxOpen(box.folder);
    let lastPass = 0;
    while (!closed && Date.now() < until) {
      if (pending || Date.now() - lastPass >= deps.recheckMs) {
        pending = false;
        lastPass = Date.now();
        await processFolder({ client, deps, box, counted });
      }
      ctx.heartbeat();
      await Promise.race([
        new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(beatMs, deps.recheckMs));
        }),
        ctx.cancelled,
      ]);
      wake = undefined;
    }
  } finally {
    if (!closed) await client.logout().catch(() => client.close());
  }
}

export function createWatchMailbox(deps: IntakeDeps): (args: IntakeArgs) => Promise<void> {
  return async function watchMailbox(args: IntakeArgs): Promise<void> {
    const ctx = Context.current();
    const box = deps.mailboxes.get(args.mailbox);
    if (!box) throw new Error(`this worker has no mailbox "${args.mailbox}" configured`);
    const until = Date.now() + args.runFor;
    const beatMs = Math.max(500, Math.floor(args.heartbeatTimeout / 3));
    let attempt = 0;
    // Attempts counted in this process, for servers that refuse keywords; lives as long as the activity.
    const counted = new Map<string, number>();
    while (Date.now() < until) {
      try {
        await session(deps, box, until, beatMs, counted);
        attempt = 0;
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw err;
        log.warn('mailbox session ended', {
          mailbox: box.key,
          error: err instanceof Error ? err.message : String(err),
        });
      }
      if (Date.now() >= until) break;
      const delay = reconnectDelay(attempt++);
      // Heartbeat through the wait so the server does not hand the mailbox to another worker meanwhile.
      for (let waited = 0; waited < delay; waited += beatMs) {
        ctx.heartbeat();
        await Promise.race([ctx.sleep(Math.min(beatMs, delay - waited)), ctx.cancelled]);
      }
    }
  };
}
