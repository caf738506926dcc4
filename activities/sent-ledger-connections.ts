/**
 * The Sent ledger's IMAP connections (sent-ledger.ts): claims (NOOP, lookup, APPEND) on a few, CLAIM_CONNECTIONS,
 * each on the least busy one and one per key at a time (claimSession); flags on another, which keeps Sent selected.
 * Measured before: on one shared connection the flag after a 250 queued behind every claim of a burst, and a worker
 * SIGKILLed then left dozens of accepted mails unflagged, sent again by their retries (test/chaos); with one claim
 * connection the send activity took 1.5 s on average in a burst of 300, nearly all of it waiting (bench/burst.ts).
 * Flags asked for while a STORE is under way go out together in the next one.
 */
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import { KeyedTurns } from './keyed-turns.js';

/** Claim connections per process: claims on different ones run side by side. */
export const CLAIM_CONNECTIONS = 4;

/**
 * A NOOP on every open connection this often. Else imapflow closes one idle for its `socketTimeout` (5 min; no IDLE
 * here), and a burst's first cases opened them again in their tasks: 0.5-0.8 s each (bench/burst.ts).
 */
const KEEP_ALIVE_MS = 4 * 60_000;

/** The flag connection, the Sent index's loader (sent-index.ts), or claim connection `n` (0 ≤ n < CLAIM_CONNECTIONS). */
export type TSlot = 'flag' | 'loader' | number;

/** A copy to flag: its uid within the folder's UIDVALIDITY at its APPEND. */
type TFlagRequest = { uid: number; flags: string[]; validity: bigint; done: (err?: unknown) => void };

export class LedgerConnections {
  private readonly clients = new Map<TSlot, ImapFlow>();
  private readonly connecting = new Map<TSlot, Promise<ImapFlow>>();
  /** Claims on each claim connection, running or waiting for its lock; and the claims of one key, one at a time. */
  private readonly claims: number[] = Array<number>(CLAIM_CONNECTIONS).fill(0);
  private readonly keys = new KeyedTurns();
  private readonly flags: TFlagRequest[] = [];
  private flushing = false;
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(
    private readonly imap: ImapFlowOptions,
    private readonly folder: string,
    /** How often idle connections get a NOOP: below imapflow's socketTimeout, which would close them. */
    private readonly keepAliveMs = Math.min(KEEP_ALIVE_MS, (imap.socketTimeout ?? 5 * 60_000) * 0.8),
  ) {}

  async close(): Promise<void> {
    clearInterval(this.keepAlive);
    this.keepAlive = undefined;
    const open = [...this.clients.values()];
    this.clients.clear();
    for (const c of open) if (c.usable) await c.logout().catch(() => c.close());
  }

  /**
   * Adds `flags` to the copy `uid` of the folder whose UIDVALIDITY was `validity` when it was appended. Flags asked
   * for while a STORE is under way go out together in the next one (one NOOP and one STORE per set of flags for the
   * whole batch): in a burst, the flag after a 250 waits for at most one round trip, not behind every other mail's.
   */
  flag(uid: number, flags: string[], validity: bigint): Promise<void> {
    return new Promise((resolve, reject) => {
      this.flags.push({ uid, flags, validity, done: (err) => (err === undefined ? resolve() : reject(err)) });
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
          const stale = await this.storeFlags(batch, false);
          for (const f of batch)
            f.done(stale.includes(f) ? new Error(`the folder of copy ${f.uid} is gone`) : undefined);
        } catch (err) {
          for (const f of batch) f.done(err ?? new Error('flag failed'));
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /**
   * Stores the batch's flags; returns the entries whose folder is not the one selected. A folder deleted and made
   * again under a session is not always reported to it (Dovecot answers a STORE there with OK, and the flag is lost):
   * when a copy's UIDVALIDITY is not the selected one's, the session is ended and the folder selected anew, once.
   */
  private async storeFlags(batch: TFlagRequest[], again: boolean): Promise<TFlagRequest[]> {
    const c = await this.connection('flag');
    const lock = await c.getMailboxLock(this.folder);
    let stale: TFlagRequest[];
    try {
      // The claims were appended on the other connections: this session sees their uids once announced.
      await c.noop();
      const selected = c.mailbox === false ? undefined : c.mailbox.uidValidity;
      stale = batch.filter((f) => f.validity !== selected);
      if (stale.length > 0 && !again) {
        if (this.clients.get('flag') === c) this.clients.delete('flag');
        await c.logout().catch(() => c.close());
        return this.storeFlags(batch, true);
      }
      const bySet = new Map<string, number[]>();
      for (const f of batch) {
        if (stale.includes(f)) continue;
        bySet.set(f.flags.join(' '), [...(bySet.get(f.flags.join(' ')) ?? []), f.uid]);
      }
      for (const [set, uids] of bySet) await c.messageFlagsAdd(uids.join(','), set.split(' '), { uid: true });
    } finally {
      lock.release();
    }
    return stale;
  }

  /**
   * A claim's session: a claim connection with the folder selected and locked, after every earlier claim of `key`
   * has released its own (so the claims of one key run one at a time in this process, whichever connection each
   * gets). The least busy connection: each one was chosen by the key's hash before, and in a burst's first waves
   * claims queued for 0.1-0.7 s behind others on the same connection while another one idled (bench/burst.ts).
   */
  async claimSession(key: string): Promise<{ client: ImapFlow; release: () => void }> {
    const releaseKey = await this.keys.turn(key);
    const n = this.claims.indexOf(Math.min(...this.claims));
    this.claims[n]! += 1;
    try {
      const client = await this.connection(n);
      const lock = await client.getMailboxLock(this.folder);
      return {
        client,
        release: () => {
          lock.release();
          this.claims[n]! -= 1;
          releaseKey();
        },
      };
    } catch (err) {
      this.claims[n]! -= 1;
      releaseKey();
      throw err;
    }
  }

  /** Opens the flag connection and every claim connection now, each with the folder selected (worker/warm-up.ts). */
  async open(): Promise<void> {
    const claim = async (n: number): Promise<void> => {
      const c = await this.connection(n);
      (await c.getMailboxLock(this.folder)).release();
    };
    await Promise.all([this.connection('flag'), ...Array.from({ length: CLAIM_CONNECTIONS }, (_, n) => claim(n))]);
  }

  /**
   * The Sent index's loader connection with the folder locked (selected). `release` unlocks it and logs out: the
   * load happens once per process, and an idle connection would only be one more the server keeps.
   */
  async lockedLoader(): Promise<{ client: ImapFlow; release: () => Promise<void> }> {
    const c = await this.connection('loader');
    const lock = await c.getMailboxLock(this.folder, { readOnly: true });
    return {
      client: c,
      release: async () => {
        lock.release();
        if (this.clients.get('loader') === c) this.clients.delete('loader');
        await c.logout().catch(() => c.close());
      },
    };
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
      // A NOOP keeps the open connections from timing out (not the loader's, which logs out after its load).
      this.keepAlive ??= setInterval(() => {
        for (const [s, open] of this.clients)
          if (s !== 'loader' && open.usable) void open.noop().catch(() => undefined);
      }, this.keepAliveMs).unref();
      return c;
    })().finally(() => {
      this.connecting.delete(slot);
    });
    this.connecting.set(slot, pending);
    return pending;
  }
}
