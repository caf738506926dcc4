/**
 * Sending exactly once, as far as SMTP allows: the support mailbox's Sent folder is the durable ledger.
 * - Before a mail is submitted, its exact bytes are APPENDed to Sent with the keyword `$NachfassQueued`: the claim.
 * - Once the SMTP server has accepted it (250), the copy gets `$NachfassSent` and `\Seen`.
 * - A retried activity that finds its Message-ID there marked sent skips the send. One that finds it claimed by an
 *   attempt that may still be running (claimed less than `claimMs` ago) fails retryably and looks again later:
 *   under load an activity can time out while its first attempt is still submitting. One that finds an older
 *   claim, whose attempt died between APPEND and the flag, claims it anew and sends.
 * A submission that provably left nothing with the server (no connection, a 4xx answer) gives its claim up at once.
 * What remains: a crash between the server's 250 and the flag (milliseconds) sends the mail a second time.
 * Staff see every automatic mail in their mail client's Sent folder, as users of a support mailbox expect.
 */
import { log } from '@temporalio/activity';
import type { ImapFlow } from 'imapflow';
import { LedgerConnections } from './sent-ledger-connections.js';
import { SentIndex } from './sent-index.js';
import {
  MailBudgetError,
  notAccepted,
  QUEUED,
  REFUSED,
  SendInProgressError,
  SENT,
  SUPERSEDED,
  type MailBudget,
  type SentLedgerSettings,
  type TSendOutcome,
} from './sent-ledger-terms.js';

export * from './sent-ledger-terms.js';

/** The activity's log when there is one (the ledger is also used outside activities: tests, benches). */
function note(message: string, attrs: Record<string, unknown>): void {
  try {
    log.info(message, attrs);
  } catch {
    // no activity context
  }
}

/** Pauses between tries of the flag after a 250: about 25 s in all, well inside the send activity's minute. */
const FLAG_RETRY_MS = [100, 300, 1_000, 2_000, 4_000, 8_000, 10_000];

/** A claim's copy in Sent: its uid, valid within the folder's UIDVALIDITY when it was appended. */
type TClaim = { uid: number; validity: bigint };

export class SentLedger {
  private readonly imap: LedgerConnections;
  /** Which copies Sent holds, so that a claim need not SEARCH the whole folder (sent-index.ts). */
  private readonly index: SentIndex;

  constructor(private readonly s: SentLedgerSettings) {
    this.imap = new LedgerConnections(s.imap, s.folder, s.keepAliveMs);
    this.index = new SentIndex(
      () => this.imap.lockedLoader(),
      (err) => note('the Sent index could not be loaded; claims search the folder', { error: String(err) }),
    );
  }

  /** How claims looked their Message-ID up: in the index, or (while it loads) with SEARCH in the folder. */
  readonly lookups = { index: 0, search: 0 };

  /** Opens the connections and loads the index now (else the first claims do); rejects when one cannot open. */
  async warm(): Promise<void> {
    await Promise.all([this.imap.open(), this.index.warm()]);
  }

  private flag = (copy: TClaim, flags: string[]): Promise<void> => this.imap.flag(copy.uid, flags, copy.validity);

  /**
   * Submits `raw` through `submit` unless the mail `messageId` went out already; records it around the send. With
   * `budget`, a new mail to `to` is held (MailBudgetError) once that many mails to it went out (or are going out)
   * within its window: counted in Sent, so across workers and restarts.
   */
  async sendOnce(
    messageId: string,
    raw: Buffer,
    submit: () => Promise<void>,
    budget?: { to: string } & MailBudget,
  ): Promise<TSendOutcome> {
    const claim = await this.claim(messageId, raw, budget);
    if (claim === 'sent') return 'skipped';
    try {
      await submit();
    } catch (err) {
      if ((err as { permanent?: boolean }).permanent === true) await this.flag(claim, [REFUSED]).catch(() => undefined);
      // Provably not accepted (no connection, or the server answered 4xx): the retry may send at once instead of
      // waiting `claimMs` for this claim to age. Any other failure (e.g. a timeout after DATA) keeps the claim.
      else if (notAccepted(err)) await this.flag(claim, [SUPERSEDED]).catch(() => undefined);
      throw err;
    }
    await this.flagSent(claim);
    return 'sent';
  }

  /**
   * The flag after the server's 250, tried again through a short IMAP outage (a Dovecot restart takes about a
   * second): given up, the claim would age and its retry send the accepted mail a second time.
   */
  private async flagSent(copy: TClaim): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.flag(copy, [SENT, '\\Seen']);
      } catch (err) {
        if (attempt >= FLAG_RETRY_MS.length) throw err;
        await new Promise((r) => setTimeout(r, FLAG_RETRY_MS[attempt]));
      }
    }
  }

  close(): Promise<void> {
    return this.imap.close();
  }

  /**
   * The uid of a fresh claim in Sent, or 'sent' when the mail went out already. Atomic within this process: the
   * claims of one Message-ID, and the budgeted claims of one address (its count), run one at a time
   * (LedgerConnections.claimSession).
   */
  private async claim(messageId: string, raw: Buffer, budget?: { to: string } & MailBudget): Promise<TClaim | 'sent'> {
    const key = budget ? `to:${budget.to.toLowerCase()}` : `id:${messageId}`;
    const { client: c, release } = await this.imap.claimSession(key);
    try {
      // Another worker's APPEND becomes part of this session's view only once the server announced it.
      await c.noop();
      const indexed = this.s.indexed !== false && (await this.index.catchUp(c));
      this.lookups[indexed ? 'index' : 'search']++;
      const found = indexed
        ? this.index.copiesOf(messageId)
        : (await c.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
      if (found.length > 0) {
        // SEARCH HEADER matches substrings, and the index's hashes may collide: only exact Message-IDs count.
        const copies = (
          await c.fetchAll(found, { uid: true, flags: true, internalDate: true, envelope: true }, { uid: true })
        ).filter((m) => m.envelope?.messageId === messageId);
        const sent = copies.find((m) => m.flags?.has(SENT));
        if (sent) {
          note('send skipped: the Sent ledger has it as sent', { messageId, uid: sent.uid });
          return 'sent';
        }
        const live = copies.filter((m) => !m.flags?.has(SUPERSEDED) && !m.flags?.has(REFUSED));
        const recent = live.find((m) => Date.now() - new Date(m.internalDate ?? 0).getTime() < this.s.claimMs);
        if (recent) throw new SendInProgressError(`${messageId}: an earlier attempt is sending it (claimed in Sent)`);
        if (live.length > 0) {
          note('send retried: an earlier attempt died before the mail was accepted', { messageId, uids: live.length });
          await c.messageFlagsAdd(
            live.map((m) => m.uid),
            [SUPERSEDED],
            { uid: true },
          );
        }
      }
      if (budget) await this.checkBudget(c, budget, indexed);
      const selected = c.mailbox === false ? undefined : c.mailbox.uidValidity;
      const appended = await c.append(this.s.folder, raw, [QUEUED]);
      if (appended && appended.uid !== undefined) {
        const copy = { uid: appended.uid, validity: appended.uidValidity ?? selected ?? 0n };
        if (selected === undefined || copy.validity === selected) return copy;
        // The folder was deleted and made again under this session, which looked into the old one: the new copy
        // is withdrawn, the session ended, and the retry looks again on a new one.
        await this.flag(copy, [SUPERSEDED]).catch(() => undefined);
        await c.logout().catch(() => c.close());
        throw new Error(`${this.s.folder} was made anew while this claim looked into it; try again`);
      }
      // Without UIDPLUS: the copy we just appended is the newest one with this Message-ID.
      const again = (await c.search({ header: { 'message-id': messageId } }, { uid: true })) || [];
      const uid = again.at(-1);
      if (uid === undefined || selected === undefined) {
        throw new Error(`${messageId}: appended to ${this.s.folder} but not found there`);
      }
      return { uid, validity: selected };
    } finally {
      release();
    }
  }

  /** Throws MailBudgetError when `budget.max` mails to `budget.to` were sent within its window. */
  private async checkBudget(c: ImapFlow, budget: { to: string } & MailBudget, indexed: boolean): Promise<void> {
    const since = Date.now() - budget.windowMs;
    // The index names every copy to the address in the window, sent or not; fewer than the budget need no look.
    // Without it: SINCE is a date without time (RFC 3501), so search from the day before, then count by INTERNALDATE.
    const uids = indexed
      ? this.index.copiesTo(budget.to, since)
      : (await c.search({ to: budget.to, since: new Date(since - 86_400_000) }, { uid: true })) || [];
    if (uids.length < budget.max) return;
    const copies = await c.fetchAll(uids, { uid: true, flags: true, internalDate: true }, { uid: true });
    // Sent, or being sent: a claim of another send that may still be submitting (measured: ten sends to one address
    // at once all went out under a budget of three while only the sent ones were counted).
    const counts = (m: (typeof copies)[number]): boolean => {
      const at = new Date(m.internalDate ?? 0).getTime();
      if (at <= since || m.flags?.has(SUPERSEDED) || m.flags?.has(REFUSED)) return false;
      return m.flags?.has(SENT) === true || Date.now() - at < this.s.claimMs;
    };
    const recent = copies.filter(counts).length;
    if (recent >= budget.max) {
      throw new MailBudgetError(`${recent} automatic mails to this address within the budget's window (${budget.max})`);
    }
  }
}
