/**
 * One pass over a watched folder: every mail in it, oldest first, in batches (watch-mailbox.ts explains the rules).
 * A batch costs a few IMAP commands, not a few per mail: one FETCH of sizes, flags and senders, one STORE per
 * attempt number, FETCHes of the sources bounded in bytes, and one MOVE per destination folder. Its mails are routed
 * concurrently, one sender's mails one after another in order; each mail's failure stays its own. A failed attempt
 * is settled at the end of the pass, when it is known whether Temporal was there.
 */
import { Context, log } from '@temporalio/activity';
import { ATTEMPT_KEYWORD, attemptVerdict, errorText, isUnreachableError } from './attempts.js';
import { QuarantineCode } from './complaint-input.js';
import { BATCH, chunks, groupBy, markAttempts, prepare } from './pass-batch.js';
import { countKey, quarantine, routeItem, type Item, type Pass, type TRouted } from './pass-mail.js';
import { mailsTakenIn } from '../metrics.js';

export type { Pass } from './pass-mail.js';

/** Mails routed at once (each a parse, a classification and a workflow start or signal). */
const ROUTE_CONCURRENCY = 8;
/** After this many unreachable-Temporal failures in a row (and no success since) the rest of the pass waits. */
const UNREACHABLE_STREAK = 3;

interface Failure {
  uid: number;
  attempt: number;
  error: unknown;
  unreachable: boolean;
  index: number;
}

type TResult = TRouted | { error: unknown };

/**
 * Routes a chunk: senders concurrently (at most ROUTE_CONCURRENCY), each sender's mails in order. Once
 * UNREACHABLE_STREAK mails in a row failed because Temporal is unreachable, the rest is not tried (no result).
 */
async function routeChunk(p: Pass, chunk: Item[]): Promise<Map<number, TResult>> {
  const sources = await p.client.fetchAll(
    chunk.map((it) => it.uid).join(','),
    { uid: true, source: true },
    { uid: true },
  );
  for (const m of sources) {
    const it = chunk.find((c) => c.uid === m.uid);
    if (it && m.source) it.source = m.source;
  }
  const queues = [...groupBy(chunk, (it) => it.sender).values()];
  const results = new Map<number, TResult>();
  let streak = 0;
  const lane = async (): Promise<void> => {
    for (let q = queues.shift(); q; q = queues.shift()) {
      for (const it of q) {
        if (streak >= UNREACHABLE_STREAK || p.signal.aborted) return;
        try {
          results.set(it.uid, await routeItem(p, it));
          streak = 0;
        } catch (error) {
          results.set(it.uid, { error });
          streak = isUnreachableError(error) ? streak + 1 : 0;
        }
        it.source = undefined;
        // Per mail: a long pass must not look like a dead worker (heartbeat timeout) and be handed over.
        Context.current().heartbeat();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ROUTE_CONCURRENCY, queues.length) }, lane));
  for (const it of chunk) it.source = undefined;
  return results;
}

/** One MOVE per destination folder for the mails routing left in place. */
async function moveRouted(p: Pass, chunk: Item[], results: Map<number, TResult>): Promise<void> {
  const toMove = chunk.flatMap((it) => {
    const r = results.get(it.uid);
    return r && !('error' in r) && r.moveTo ? [{ uid: it.uid, kind: r.kind ?? 'unknown', folder: r.moveTo }] : [];
  });
  for (const [folder, moved] of groupBy(toMove, (m) => m.folder)) {
    await p.client.messageMove(moved.map((m) => m.uid).join(','), folder, { uid: true });
    for (const m of moved) {
      mailsTakenIn.inc({ mailbox: p.box.key, verdict: m.kind });
      p.counted.delete(countKey(p, m.uid));
    }
  }
}

/** Settles a failed attempt at the end of the pass: withdrawn, counted, or the last one (quarantine). */
async function settle(p: Pass, f: Failure, laterMailReachedTemporal: boolean): Promise<void> {
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

/** Reads every mail in the watched folder, oldest first, in bounded batches; each mail's outcome its own. */
export async function processFolder(p: Pass): Promise<void> {
  const { client, box } = p;
  const lock = await client.getMailboxLock(box.folder);
  try {
    const tried = new Set<number>();
    const failures: Failure[] = [];
    let lastReached = -1;
    let streak = 0;
    pass: for (;;) {
      // Mails tried in this pass are left out: one that stays (failed, to be tried again) cannot loop the pass.
      const uids = ((await client.search({ all: true }, { uid: true })) || []).filter((u) => !tried.has(u));
      if (!uids.length) break;
      const batch = uids.slice(0, BATCH);
      // Checked before every batch and every MOVE: a superseded attempt that went on would race the new one on the
      // same mails, and two MOVEs of one message at once leave two copies (measured in test/chaos).
      if (p.signal.aborted) break;
      const first = tried.size;
      for (const u of batch) tried.add(u);
      for (const chunk of chunks(await prepare(p, batch, first), p.deps.maxAttempts)) {
        if (p.signal.aborted) break pass;
        await markAttempts(p, chunk);
        const results = await routeChunk(p, chunk);
        if (p.signal.aborted) break pass;
        await moveRouted(p, chunk, results);
        for (const it of chunk) {
          const r = results.get(it.uid);
          if (r && !('error' in r)) {
            if (r.reached) lastReached = it.index;
            streak = 0;
            continue;
          }
          // The connection is gone: a matter for the session (reconnect), not for this mail.
          if (r && !client.usable) throw r.error;
          // No result: not tried, as Temporal was unreachable for the mails before it (its attempt is withdrawn).
          const error = r ? r.error : new Error('not tried: Temporal was unreachable for the mails before it');
          const unreachable = !r || isUnreachableError(error);
          failures.push({ uid: it.uid, attempt: it.attempt, error, unreachable, index: it.index });
          streak = unreachable ? streak + 1 : 0;
        }
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
