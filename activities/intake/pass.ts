/**
 * One pass over a watched folder: every mail in it, oldest first, in batches (watch-mailbox.ts explains the rules).
 * A batch costs a few IMAP commands, not a few per mail: one FETCH of sizes, flags and senders, one STORE per
 * attempt number, FETCHes of the sources bounded in bytes, and one MOVE per destination folder. Its mails are routed
 * concurrently, one sender's mails one after another in order; each mail's failure stays its own. A failed attempt
 * is settled at the end of the pass, when it is known whether Temporal was there.
 */
import { Context, log } from '@temporalio/activity';
import { ATTEMPT_KEYWORD, attemptsOf, attemptVerdict, errorText, isUnreachableError } from './attempts.js';
import { QuarantineCode } from './complaint-input.js';
import { countKey, quarantine, routeItem, type Item, type Pass, type TRouted } from './pass-mail.js';
import { mailsTakenIn } from '../metrics.js';

export type { Pass } from './pass-mail.js';

/** Mails per batch: one FETCH of their metadata, then their sources in chunks of SOURCE_BYTES. */
const BATCH = 50;
/** Sources fetched at once: bounds the memory of a pass whatever the folder holds (one larger mail goes alone). */
const SOURCE_BYTES = 8 * 1024 * 1024;
/** Mails routed at once (each a classification, a visibility count and a workflow start). */
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

/** The batch's metadata in one FETCH, in uid order; quarantines what may not be tried (too large, too many attempts). */
async function prepare(p: Pass, uids: number[], firstIndex: number): Promise<Item[]> {
  const { client, deps, box } = p;
  const metas = await client.fetchAll(
    uids.join(','),
    { uid: true, size: true, flags: true, envelope: true },
    { uid: true },
  );
  const items: Item[] = [];
  for (const meta of metas.sort((x, y) => x.uid - y.uid)) {
    const { uid } = meta;
    if ((meta.size ?? 0) > box.maxMailBytes) {
      await quarantine(p, uid, QuarantineCode.TooLarge, `${meta.size} bytes > IMAP_MAX_MAIL_BYTES ${box.maxMailBytes}`);
      continue;
    }
    const before = Math.max(attemptsOf(meta.flags), p.counted.get(countKey(p, uid)) ?? 0);
    if (before >= deps.maxAttempts) {
      const reason = `${before} attempts did not finish (the worker failed or died on it)`;
      await quarantine(p, uid, QuarantineCode.Failed, reason);
      continue;
    }
    const sender = meta.envelope?.from?.[0]?.address?.toLowerCase() ?? '';
    items.push({ uid, index: firstIndex + uids.indexOf(uid), size: meta.size ?? 0, sender, attempt: before + 1 });
  }
  return items;
}

/**
 * The batch in chunks, in uid order. Mails never tried before go together, their sources within SOURCE_BYTES. A
 * mail with an earlier attempt goes alone: the worker may have died on it, and its neighbours must not share its
 * count (a crash in a chunk counts one attempt on each of its mails; from then on each is tried on its own).
 */
function chunks(items: Item[], maxAttempts: number): Item[][] {
  const out: Item[][] = [];
  let bytes = Infinity;
  for (const it of items) {
    const alone = it.attempt > 1 || maxAttempts < 2;
    if (alone || bytes + it.size > SOURCE_BYTES) {
      out.push([]);
      bytes = alone ? Infinity : 0;
    }
    out[out.length - 1]!.push(it);
    bytes += it.size;
  }
  return out;
}

/** Marks the attempts of a chunk before its work (rule 1), so that a mail that crashes the worker is counted too. */
async function markAttempts(p: Pass, chunk: Item[]): Promise<void> {
  const byAttempt = new Map<number, Item[]>();
  for (const it of chunk) byAttempt.set(it.attempt, [...(byAttempt.get(it.attempt) ?? []), it]);
  for (const [attempt, group] of byAttempt) {
    for (const it of group) p.counted.set(countKey(p, it.uid), attempt);
    // False when the server refuses keywords (no \* in PERMANENTFLAGS): the count in memory carries on then.
    const uids = group.map((it) => it.uid).join(',');
    await p.client.messageFlagsAdd(uids, [`${ATTEMPT_KEYWORD}${attempt}`], { uid: true });
  }
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
  const bySender = new Map<string, Item[]>();
  for (const it of chunk) bySender.set(it.sender, [...(bySender.get(it.sender) ?? []), it]);
  const queues = [...bySender.values()];
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
  const byFolder = new Map<string, Array<{ uid: number; kind: string }>>();
  for (const it of chunk) {
    const r = results.get(it.uid);
    if (!r || 'error' in r || !r.moveTo) continue;
    byFolder.set(r.moveTo, [...(byFolder.get(r.moveTo) ?? []), { uid: it.uid, kind: r.kind ?? 'unknown' }]);
  }
  for (const [folder, moved] of byFolder) {
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
