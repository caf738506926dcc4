/**
 * The sorted time window of the acknowledgment budgets (activities/intake/time-window.ts) against a plain list,
 * through random operations, and the budgets themselves (activities/intake/ack-limit.ts) without visibility.
 */
import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { createAckLimit } from '../../activities/intake/ack-limit.js';
import { TimeWindow } from '../../activities/intake/time-window.js';

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('TimeWindow', () => {
  it('counts, moves, deletes and drops as a plain list of (id, time) does', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = random(seed);
      const w = new TimeWindow();
      const model = new Map<string, number>();
      for (let step = 0; step < 3000; step++) {
        const id = `c${Math.floor(next() * 200)}`;
        const time = Math.floor(next() * 100); // many equal times
        const op = next();
        if (op < 0.5) {
          w.set(id, time);
          model.set(id, time);
        } else if (op < 0.75) {
          w.delete(id);
          model.delete(id);
        } else if (op < 0.8) {
          // A page of a listing: some new, some already there (with a new time), maybe twice in one page.
          const page: Array<[string, number]> = Array.from({ length: Math.floor(next() * 30) }, () => [
            `c${Math.floor(next() * 200)}`,
            Math.floor(next() * 100),
          ]);
          w.setMany(page);
          for (const [i, t] of page) model.set(i, t);
        } else if (op < 0.83) {
          const dropped = w.dropUpTo(time).sort();
          const gone = [...model].filter(([, t]) => t <= time).map(([i]) => i);
          for (const i of gone) model.delete(i);
          expect(dropped).toEqual(gone.sort());
        }
        const after = Math.floor(next() * 110) - 5;
        expect(w.countAfter(after)).toBe([...model.values()].filter((t) => t > after).length);
        expect(w.size).toBe(model.size);
        expect(w.has(id)).toBe(model.has(id));
      }
    }
  });
});

describe('the acknowledgment budgets', () => {
  // Without case search attributes the budgets count only what this process started: no visibility is read.
  const noVisibility = {} as Client;
  const limit = (perSender: number, inAll: number) =>
    createAckLimit({
      client: noVisibility,
      taskQueue: 'q',
      searchAttributes: false,
      ackRateLimit: { max: perSender, windowMs: 3_600_000 },
      ackGlobalRateLimit: { max: inAll, windowMs: 3_600_000 },
    });

  it('holds a sender at its budget and gives a released place back', async () => {
    const l = limit(2, 100);
    expect(await l.mayAcknowledge('a', 'A-1')).toBe(true);
    expect(await l.mayAcknowledge('a', 'A-2')).toBe(true);
    expect(await l.mayAcknowledge('a', 'A-3')).toBe(false);
    expect(await l.mayAcknowledge('b', 'B-1')).toBe(true); // another sender has its own budget
    l.release('A-2'); // that case was not started after all
    expect(await l.mayAcknowledge('a', 'A-4')).toBe(true);
    expect(await l.mayAcknowledge('a', 'A-5')).toBe(false);
  });

  it('holds everyone at the budget in all, over thousands of cases', async () => {
    const l = limit(5, 3000);
    let yes = 0;
    for (let i = 0; i < 4000; i++) if (await l.mayAcknowledge(`s${i % 1000}`, `C-${i}`)) yes++;
    // 1,000 senders, 4 each: none reaches 5, so only the budget in all holds them.
    expect(yes).toBe(3000);
  });
});
