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
 * (imapflow waits for the fetch to end before it sends the next command: a deadlock): each mail is read with fetchOne.
 */
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorCode } from '../../workflows/error-codes.js';
import { ImapFlow } from 'imapflow';
import type { IntakeArgs } from '../../workflows/messages.js';
import { ensureFolders, imapOptions, reconnectDelay, type IntakeDeps, type MailboxSettings } from './mailbox.js';
import { intakeHealth } from './health.js';
import { processFolder } from './pass.js';

/** Resolves when `signal` aborts; `dispose` removes its listener (a session must not leave one behind). */
function whenAborted(signal: AbortSignal): { promise: Promise<void>; dispose: () => void } {
  let onAbort = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    onAbort = () => resolve();
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}

/** One connection's life: connect, then process on every wake-up until it closes, the run ends or it is stopped. */
async function session(
  deps: IntakeDeps,
  box: MailboxSettings,
  until: number,
  beatMs: number,
  counted: Map<string, number>,
  signal: AbortSignal,
): Promise<void> {
  const ctx = Context.current();
  const stop = whenAborted(signal); // one listener per session, not one per wait
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
    intakeHealth.live(box.key);
    let lastPass = 0;
    while (!closed && !signal.aborted && Date.now() < until) {
      if (pending || Date.now() - lastPass >= deps.recheckMs) {
        pending = false;
        lastPass = Date.now();
        await processFolder({ client, deps, box, counted, signal });
        intakeHealth.passed(box.key, client.mailbox ? client.mailbox.exists : undefined);
      }
      ctx.heartbeat();
      const noop = deps.noopEveryMs ?? 0;
      // IDLE at once after a pass, not autoIdleDelay later: mail that arrives in that second would wait for it
      // (then for Dovecot's own 0.5 s). Ended by the next command (a pass, a NOOP); a wake-up does not wait for it.
      // Not in fast mode, where a NOOP comes sooner than any IDLE notice would (and would end each IDLE at once).
      if (!pending && !closed && noop === 0) void client.idle({ whenFree: true }).catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, Math.min(beatMs, deps.recheckMs, noop || Infinity));
        }),
        stop.promise,
      ]);
      clearTimeout(timer);
      wake = undefined;
      // Fast mode: the server answers a NOOP with mail that arrived (EXISTS, then `pending`) without IDLE's delay.
      if (noop > 0 && !pending && !closed && !signal.aborted) await client.noop();
    }
  } finally {
    stop.dispose();
    intakeHealth.down(box.key, closed ? 'the IMAP server closed the connection' : undefined);
    if (!closed) await client.logout().catch(() => client.close());
  }
}

/** An attempt of the watcher running in this process, per mailbox. */
interface Running {
  stop: AbortController;
  ended: Promise<void>;
}

export function createWatchMailbox(deps: IntakeDeps): (args: IntakeArgs) => Promise<void> {
  const running = new Map<string, Running>();
  return async function watchMailbox(args: IntakeArgs): Promise<void> {
    const box = deps.mailboxes.get(args.mailbox);
    // Retryable: another replica of the worker may have the mailbox configured.
    if (!box)
      throw ApplicationFailure.retryable(
        `this worker has no mailbox "${args.mailbox}" configured`,
        ErrorCode.UnknownMailbox,
      );
    // One watcher per mailbox in this process. A new attempt while an earlier one still runs here means Temporal
    // gave the earlier one up (its heartbeat came late, e.g. under load): that one stops before this one starts.
    const earlier = running.get(box.key);
    if (earlier) {
      log.warn('an earlier intake attempt still runs in this worker: stopping it first', { mailbox: box.key });
      earlier.stop.abort();
      await earlier.ended;
    }
    const stop = new AbortController();
    let end = (): void => undefined;
    running.set(box.key, { stop, ended: new Promise<void>((r) => (end = r)) });
    intakeHealth.active(box.key, true);
    try {
      await watch(deps, box, args, stop.signal);
    } finally {
      intakeHealth.active(box.key, false);
      if (running.get(box.key)?.stop === stop) running.delete(box.key);
      end();
    }
  };
}

/** The watcher's run: sessions, reconnected with backoff, until `runFor` ends or the attempt is stopped. */
async function watch(deps: IntakeDeps, box: MailboxSettings, args: IntakeArgs, superseded: AbortSignal): Promise<void> {
  const ctx = Context.current();
  // The worker stopping (SIGTERM) ends the attempt like being superseded, but hands the mailbox on (below).
  const stopping = deps.stopping ?? new AbortController().signal;
  const signal = AbortSignal.any([ctx.cancellationSignal, superseded, stopping]);
  const stop = whenAborted(signal);
  const until = Date.now() + args.runFor;
  const beatMs = Math.max(500, Math.floor(args.heartbeatTimeout / 3));
  let attempt = 0;
  // Attempts counted in this process, for servers that refuse keywords; lives as long as the activity.
  const counted = new Map<string, number>();
  try {
    while (Date.now() < until && !superseded.aborted && !stopping.aborted) {
      try {
        await session(deps, box, until, beatMs, counted, signal);
        attempt = 0;
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw err;
        intakeHealth.down(box.key, err instanceof Error ? err.message : String(err));
        log.warn('mailbox session ended', {
          mailbox: box.key,
          error: err instanceof Error ? err.message : String(err),
        });
      }
      if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
      if (Date.now() >= until || superseded.aborted || stopping.aborted) break;
      const delay = reconnectDelay(attempt++);
      // Heartbeat through the wait so the server does not hand the mailbox to another worker meanwhile.
      for (let waited = 0; waited < delay && !signal.aborted; waited += beatMs) {
        ctx.heartbeat();
        await Promise.race([ctx.sleep(Math.min(beatMs, delay - waited)), stop.promise]);
      }
    }
  } finally {
    stop.dispose();
  }
  // Failed, not completed: the server retries the attempt at once on a worker that still polls (or on this one
  // after its restart), where a completion would wait for the workflow task on this stopping worker's sticky queue.
  if (stopping.aborted && !superseded.aborted)
    throw ApplicationFailure.retryable('this worker is stopping: the mailbox goes to another worker', 'WorkerStopping');
}
