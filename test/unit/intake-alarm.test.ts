/** When an intake counts as stalled (worker/intake-alarm.ts stallReason): pure rules over the session registry. */
import { describe, expect, it } from 'vitest';
import type { IntakeHealth } from '../../activities/intake/health.js';
import { stallReason } from '../../worker/intake-alarm.js';

const T = 1_800_000_000_000;
const STALL = 300_000;
const RECHECK = 30_000;
const base: IntakeHealth = {
  mailbox: 'support@x/INBOX',
  active: true,
  live: true,
  since: T,
  sessions: 1,
  reconnects: 0,
};
const at = (h: Partial<IntakeHealth>, now: number): string | undefined =>
  stallReason({ ...base, ...h }, now, STALL, RECHECK);

describe('stallReason', () => {
  it('is well while passes end and the folder empties', () => {
    expect(at({ lastPassAt: T + 1000, waiting: 0 }, T + 20_000)).toBeUndefined();
    // Passes come at least every re-check: silence up to STALL + RECHECK is not yet a hang.
    expect(at({ lastPassAt: T }, T + STALL + RECHECK - 1)).toBeUndefined();
  });

  it('counts a session down for INTAKE_STALL_AFTER, with its error', () => {
    expect(at({ live: false, since: T, error: 'connect ECONNREFUSED' }, T + STALL - 1)).toBeUndefined();
    expect(at({ live: false, since: T, error: 'connect ECONNREFUSED' }, T + STALL)).toBe(
      'no working IMAP session for 300 s (connect ECONNREFUSED)',
    );
  });

  it('counts a live session without a pass for INTAKE_STALL_AFTER beyond the re-check as a hang', () => {
    expect(at({ lastPassAt: T }, T + STALL + RECHECK)).toMatch(/^no pass over the folder has ended for 330 s/);
  });

  it('counts mail left in the folder at every pass for INTAKE_STALL_AFTER', () => {
    const h = { lastPassAt: T + STALL, waiting: 3, waitingSince: T };
    expect(at(h, T + STALL)).toBe('3 mail(s) waiting in the folder, not taken in for 300 s');
    expect(at({ ...h, waitingSince: T + 1 }, T + STALL)).toBeUndefined();
  });

  it('leaves a folder watched by another replica to that replica', () => {
    expect(at({ active: false, live: false, since: T }, T + 10 * STALL)).toBeUndefined();
  });
});
