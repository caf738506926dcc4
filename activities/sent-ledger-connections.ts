/**
 * The Sent ledger's IMAP connections (sent-ledger.ts): claims (NOOP, SEARCH, APPEND) on a few (CLAIM_CONNECTIONS,
 * each claim always on the same one for the same key: see SentLedger.claim), flags on another, which keeps the Sent
 * folder selected. On one shared connection the flag after a 250 queued behind every claim of a burst: measured in
 * test/chaos, a worker SIGKILLed then left dozens of accepted mails unflagged, and their retries sent them again.
 * Flags asked for while a STORE is under way go out together in the next one. One claim connection made every send
 * of the process wait for the claims before it: in a burst of 300 complaints the send activity took 1.5 s on
 * average, nearly all of it waiting (bench/burst.ts).
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';

/** Claim connections per process: claims on different ones run side by side. */
export const CLAIM_CONNECTIONS = 4;

/** The flag connection, or claim connection `n` (0 ≤ n < CLAIM_CONNECTIONS). */
export type TSlot = 'flag' | number;

export class LedgerConnections {
  private readonly clients = new Map<TSlot, ImapFlow>();
  private readonly connecting = new Map<TSlot, Promise<ImapFlow>>();
  private readonly flags: Array<{ uid: number; flags: string[]; done: (err?: unknown) => void }> = [];
  private flushing = false;

  constructor(
    private readonly imap: ImapFlowOptions,
    private readonly folder: string,
  ) {}

  async close(): Promise<void> {
    const open = [...this.clients.values()];
    this.clients.clear();
    for (const c of open) if (c.usable) await c.logout().catch(() => c.close());
  }

  /**
   * Adds `flags` to the copy `uid`. Flags asked for while a STORE is under way go out together in the next one
   * (one NOOP and one STORE per set of flags for the whole batch): in a burst, the flag after a 250 waits for at
   * most one round trip, not behind every other mail's flag.
   */
  flag(uid: number, flags: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.flags.push({ uid, flags, done: (err) => (err === undefined ? resolve() : reject(err)) });
      void this.flushFlags();
    });
  }

  private async flushFlags(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.flags.length > 0) {
        const batch = this.flags.splice(0);
        try {
          const c = await this.connection('flag');
          const lock = await c.getMailboxLock(this.folder);
          try {
            // The claims were appended on the other connection: this session sees their uids once announced.
            await c.noop();
            const bySet = new Map<string, number[]>();
            for (const f of batch) bySet.set(f.flags.join(' '), [...(bySet.get(f.flags.join(' ')) ?? []), f.uid]);
            for (const [set, uids] of bySet) await c.messageFlagsAdd(uids.join(','), set.split(' '), { uid: true });
          } finally {
            lock.release();
          }
          for (const f of batch) f.done();
        } catch (err) {
          for (const f of batch) f.done(err ?? new Error('flag failed'));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** One connection per slot and process, made again after it closed (imapflow never reconnects an instance). */
  async connection(slot: TSlot): Promise<ImapFlow> {
    const open = this.clients.get(slot);
    if (open?.usable) return open;
    const known = this.connecting.get(slot);
    if (known) return known;
    const pending = (async () => {
      const c = new ImapFlow({ ...this.imap, disableAutoIdle: true });
      c.on('error', () => undefined); // reported by the failing call; a dead socket must not crash the process
      c.on('close', () => {
        if (this.clients.get(slot) === c) this.clients.delete(slot);
      });
      await c.connect();
      const exists = (await c.list()).some((m) => m.path === this.folder);
      if (!exists) await c.mailboxCreate(this.folder).catch(() => undefined); // another process may have made it
      // The flag connection keeps Sent selected, so a flag is one STORE with nothing queued before it.
      if (slot === 'flag') await c.mailboxOpen(this.folder);
      this.clients.set(slot, c);
      return c;
    })().finally(() => {
      this.connecting.delete(slot);
    });
    this.connecting.set(slot, pending);
    return pending;
  }
}
