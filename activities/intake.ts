/**
 * The mailbox watcher: a long-running, heart-beating activity that holds one IMAP connection (imapflow).
 * IDLE is only a wake-up: every pass reads whatever is in the watched folder. Folder state is the
 * checkpoint: a mail leaves the folder only after its workflow start is durable (to Processed), or with a
 * logged reason (to Quarantine). A crash in between leaves it in place; the next pass starts the same
 * workflow id, which is a no-op. Nothing is ever deleted.
 */
import { Context, log } from '@temporalio/activity';
import { ImapFlow } from 'imapflow';
import type { ParsedMail } from 'mailparser';
import type { TLanguage } from '../workflows/case.js';
import type { IntakeArgs } from '../workflows/intake.js';
import { parseRaw } from './parse.js';
import { routeMail, type RouterDeps, type TFolder } from './route.js';

export interface MailboxSettings {
  key: string;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  tlsInsecure: boolean;
  folder: string;
  processedFolder: string;
  ignoredFolder: string;
  quarantineFolder: string;
  /** Largest mail accepted (bytes); larger ones are quarantined unread. */
  maxMailBytes: number;
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

async function processOne(client: ImapFlow, deps: IntakeDeps, box: MailboxSettings, uid: number): Promise<void> {
  const id = String(uid);
  const folders: Record<TFolder, string> = {
    processed: box.processedFolder,
    ignored: box.ignoredFolder,
    quarantine: box.quarantineFolder,
  };
  const setAside = async (folder: TFolder, reason: string): Promise<void> => {
    log.warn('mail set aside', { mailbox: box.key, uid, folder: folders[folder], reason });
    await client.messageMove(id, folders[folder], { uid: true });
  };
  const meta = await client.fetchOne(id, { uid: true, size: true }, { uid: true });
  if (!meta) return; // moved away meanwhile (another pass or a person)
  if ((meta.size ?? 0) > box.maxMailBytes)
    return setAside('quarantine', `oversized: ${meta.size} bytes > ${box.maxMailBytes}`);
  const msg = await client.fetchOne(id, { uid: true, source: true }, { uid: true });
  if (!msg || !msg.source) return;
  let parsed: ParsedMail;
  try {
    parsed = await parseRaw(msg.source);
  } catch (err) {
    return setAside('quarantine', `unparseable: ${err instanceof Error ? err.message : String(err)}`);
  }
  // Throws when a case cannot be started or signalled for sure: the mail then stays for the next pass.
  const outcome = await routeMail(parsed, msg.source, deps.router(box));
  const detail = { mailbox: box.key, uid, kind: outcome.verdict.kind, caseId: outcome.caseId, action: outcome.action };
  if (outcome.folder === 'processed') log.info('mail taken in', detail);
  else log.warn('mail set aside', { ...detail, folder: folders[outcome.folder], reasons: outcome.verdict.reasons });
  await client.messageMove(id, folders[outcome.folder], { uid: true });
}

/** Reads every mail in the watched folder, oldest first, in bounded batches. */
async function processFolder(client: ImapFlow, deps: IntakeDeps, box: MailboxSettings): Promise<void> {
  const lock = await client.getMailboxLock(box.folder);
  try {
    for (;;) {
      const uids = (await client.search({ all: true }, { uid: true })) || [];
      for (const uid of uids.slice(0, BATCH)) {
        await processOne(client, deps, box, uid);
        // Per mail: a long pass must not look like a dead worker (heartbeat timeout) and be handed over.
        Context.current().heartbeat();
      }
      if (uids.length <= BATCH) break;
    }
  } finally {
    lock.release();
  }
}

/** One connection's life: connect, then process on every wake-up until it closes or the run ends. */
async function session(deps: IntakeDeps, box: MailboxSettings, until: number, beatMs: number): Promise<void> {
  const ctx = Context.current();
  const client = new ImapFlow({
    host: box.host,
    port: box.port,
    secure: box.secure,
    auth: { user: box.user, pass: box.password },
    tls: { rejectUnauthorized: !box.tlsInsecure },
    logger: false,
    // IDLE soon after each pass (EMAIL-NOTES: the 15 s default delays new-mail events).
    autoIdleDelay: 1000,
  });
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
        await processFolder(client, deps, box);
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
    while (Date.now() < until) {
      try {
        await session(deps, box, until, beatMs);
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
