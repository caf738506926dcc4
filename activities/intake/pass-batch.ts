/**
 * The shape of a batch of a pass (pass.ts): its metadata in one FETCH, what may not be tried quarantined at once,
 * the rest in chunks whose sources are fetched together, and each chunk's attempts marked before its work.
 */
import { ATTEMPT_KEYWORD, attemptsOf } from './attempts.js';
import { QuarantineCode } from './complaint-input.js';
import { countKey, quarantine, type Item, type Pass } from './pass-mail.js';

/** Groups `items` by `key`, each group in the items' order. */
export function groupBy<T, K>(items: Iterable<T>, key: (it: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    const group = groups.get(k);
    if (group) group.push(it);
    else groups.set(k, [it]);
  }
  return groups;
}

/** Mails per batch: one FETCH of their metadata, then their sources in chunks of SOURCE_BYTES. */
export const BATCH = 50;
/** Sources fetched at once: bounds the memory of a pass whatever the folder holds (one larger mail goes alone). */
const SOURCE_BYTES = 8 * 1024 * 1024;
/** The batch's metadata in one FETCH, in uid order; quarantines what may not be tried (too large, too many attempts). */
export async function prepare(p: Pass, uids: number[], firstIndex: number): Promise<Item[]> {
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
export function chunks(items: Item[], maxAttempts: number): Item[][] {
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
export async function markAttempts(p: Pass, chunk: Item[]): Promise<void> {
  for (const [attempt, group] of groupBy(chunk, (it) => it.attempt)) {
    for (const it of group) p.counted.set(countKey(p, it.uid), attempt);
    // False when the server refuses keywords (no \* in PERMANENTFLAGS): the count in memory carries on then.
    const uids = group.map((it) => it.uid).join(',');
    await p.client.messageFlagsAdd(uids, [`${ATTEMPT_KEYWORD}${attempt}`], { uid: true });
  }
}
