/**
 * What this process knows of each mailbox's intake: whether its watcher runs here, whether it holds a live IMAP
 * session, when its last pass over the folder ended, how often the session was lost and rebuilt. Process-wide,
 * like the activities that report to it (they run in the worker process); read by /readyz and /metrics.
 */

export interface IntakeHealth {
  mailbox: string;
  /** The watcher activity runs in this process. */
  active: boolean;
  /** A logged-in IMAP session with the folder open. */
  live: boolean;
  /** When `live` last changed (ms since the epoch). */
  since: number;
  /** When the last pass over the folder ended (ms), if any did in this process. */
  lastPassAt?: number;
  /** Why the last session ended, when it failed. */
  error?: string;
  /** Messages in the folder after the last pass (not yet taken in). */
  waiting?: number;
  /** Since when every pass has ended with mail still in the folder. */
  waitingSince?: number;
  /** Set by the stall alarm (worker/intake-alarm.ts) while the intake is stalled. */
  stalled?: { since: number; reason: string };
  /** Sessions opened in this process. */
  sessions: number;
  /** Sessions opened after one was lost (every session after the first). */
  reconnects: number;
}

const states = new Map<string, IntakeHealth>();

function entry(mailbox: string): IntakeHealth {
  let s = states.get(mailbox);
  if (!s) {
    s = { mailbox, active: false, live: false, since: Date.now(), sessions: 0, reconnects: 0 };
    states.set(mailbox, s);
  }
  return s;
}

/** The hooks intake's watcher calls (activities/intake/watch-mailbox.ts). */
export const intakeHealth = {
  /** The watcher activity started (true) or ended (false) in this process. */
  active(mailbox: string, active: boolean): void {
    const s = entry(mailbox);
    s.active = active;
    if (!active && s.live) Object.assign(s, { live: false, since: Date.now() });
  },
  /** A session logged in and opened the folder. */
  live(mailbox: string): void {
    const s = entry(mailbox);
    if (s.sessions > 0) s.reconnects++;
    s.sessions++;
    delete s.error;
    Object.assign(s, { live: true, since: Date.now() });
  },
  /** The session ended; `error` when it failed (connection refused, dropped, login refused). */
  down(mailbox: string, error?: string): void {
    const s = entry(mailbox);
    if (error) s.error = error;
    if (s.live) Object.assign(s, { live: false, since: Date.now() });
  },
  /** A pass over the folder ended; `waiting`: the messages still in the folder. */
  passed(mailbox: string, waiting?: number): void {
    const s = entry(mailbox);
    s.lastPassAt = Date.now();
    if (waiting === undefined) return;
    s.waiting = waiting;
    if (waiting === 0) delete s.waitingSince;
    else s.waitingSince ??= s.lastPassAt;
  },
  /** The stall alarm's verdict: stalled with a reason, or not (undefined). */
  stalled(mailbox: string, stalled: { since: number; reason: string } | undefined): void {
    const s = entry(mailbox);
    if (stalled) s.stalled = stalled;
    else delete s.stalled;
  },
  get(mailbox: string): IntakeHealth | undefined {
    const s = states.get(mailbox);
    return s && { ...s };
  },
  all(): IntakeHealth[] {
    return [...states.values()].map((s) => ({ ...s }));
  },
};
