import { describe, expect, it } from 'vitest';
import type { SlotPermit, SlotReserveContext, WorkflowSlotInfo } from '@temporalio/worker';
import { adaptiveWorkflowSlots, TaskLimit } from '../../worker/task-slots.js';

const law = (): TaskLimit => new TaskLimit({ min: 2, max: 12, targetMs: 700, idleMs: 10_000 });

describe('the limit of workflow tasks at once', () => {
  it('starts at the minimum and grows by about one per round of tasks under the target', () => {
    const l = law();
    let t = 0;
    expect(l.limit(t)).toBe(2);
    for (let i = 0; i < 2; i++) l.done(200, (t += 100)); // one round of two
    expect(l.limit(t)).toBe(2); // 2 + 1/2 + 1/2.5
    l.done(200, (t += 100));
    expect(l.limit(t)).toBe(3);
    for (let i = 0; i < 200; i++) l.done(200, (t += 10));
    expect(l.limit(t)).toBe(12); // never over the maximum
  });

  it('shrinks once per round when tasks take longer than the target, never under the minimum', () => {
    const l = law();
    let t = 0;
    for (let i = 0; i < 200; i++) l.done(100, (t += 10));
    expect(l.limit(t)).toBe(12);
    l.done(900, (t += 10));
    expect(l.limit(t)).toBe(8); // 12 × 0.7
    // The tasks that ran beside it end slow too, within the same round: no further cut.
    l.done(900, (t += 100));
    l.done(950, (t += 100));
    expect(l.limit(t)).toBe(8);
    // A round later they still are.
    l.done(900, (t += 1_000));
    expect(l.limit(t)).toBe(5);
    for (let i = 0; i < 10; i++) l.done(5_000, (t += 6_000));
    expect(l.limit(t)).toBe(2);
  });

  it('starts over from the minimum after an idle spell', () => {
    const l = law();
    let t = 0;
    for (let i = 0; i < 200; i++) l.done(100, (t += 10));
    expect(l.limit(t)).toBe(12);
    expect(l.limit(t + 9_000)).toBe(12);
    expect(l.limit(t + 11_000)).toBe(2);
    expect(l.limit(t + 11_001)).toBe(2); // and grows again only with quick tasks
  });
});

type TSupplier = ReturnType<typeof adaptiveWorkflowSlots>;
const ctx = (isSticky: boolean): SlotReserveContext => ({
  slotType: 'workflow',
  taskQueue: 'q',
  workerIdentity: 'w',
  workerBuildId: '',
  isSticky,
});
const info: WorkflowSlotInfo = { type: 'workflow', workflowType: 'ComplaintWorkflow', isSticky: false };
const settled = async <T>(p: Promise<T>): Promise<boolean> => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('the workflow slot supplier', () => {
  it('lets one task run after an idle spell unless told otherwise (the default minimum)', () => {
    expect(adaptiveWorkflowSlots({ max: 12 }).state().limit).toBe(1);
  });

  const at = { t: 0 };
  const supplier = (): TSupplier => adaptiveWorkflowSlots({ max: 4, min: 2, now: () => at.t });
  const run = (s: TSupplier, p: SlotPermit): void => s.markSlotUsed({ slotInfo: info, permit: p });
  const end = (s: TSupplier, p: SlotPermit, tookMs: number): void => {
    at.t += tookMs;
    s.releaseSlot({ slotInfo: info, permit: p });
  };
  /** `n` new cases' tasks of 100 ms each, one after another. */
  const quickTasks = async (s: TSupplier, signal: AbortSignal, n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const p = await s.reserveSlot(ctx(false), signal);
      run(s, p);
      end(s, p, 100);
    }
  };

  it('gives polls for new cases slots while running + polling stay under the limit, and the next when one ends', async () => {
    const s = supplier();
    const abort = new AbortController();
    const a = await s.reserveSlot(ctx(false), abort.signal);
    const b = await s.reserveSlot(ctx(false), abort.signal);
    const third = s.reserveSlot(ctx(false), abort.signal);
    expect(await settled(third)).toBe(false);
    expect(s.state()).toEqual({ running: 0, polling: 2, sticky: 0, limit: 2 });
    run(s, a);
    expect(s.state()).toMatchObject({ running: 1, polling: 1 });
    expect(s.tryReserveSlot(ctx(false))).toBeNull(); // no eager start beyond the limit
    end(s, a, 100);
    expect(await settled(third)).toBe(true);
    expect(s.state()).toMatchObject({ running: 0, polling: 2 });
    // A poll that timed out gives its slot back unused.
    s.releaseSlot({ permit: b });
    expect(s.state()).toMatchObject({ running: 0, polling: 1 });
  });

  it('holds sticky polls apart from the limit, at most two, and counts their tasks when they run', async () => {
    const s = supplier();
    const abort = new AbortController();
    const s1 = await s.reserveSlot(ctx(true), abort.signal);
    await s.reserveSlot(ctx(true), abort.signal);
    const third = s.reserveSlot(ctx(true), abort.signal);
    expect(await settled(third)).toBe(false);
    // New cases' polls still get their two.
    await s.reserveSlot(ctx(false), abort.signal);
    await s.reserveSlot(ctx(false), abort.signal);
    expect(s.state()).toEqual({ running: 0, polling: 2, sticky: 2, limit: 2 });
    // The sticky poll that got a task is replaced at once; a poll for new cases waits for the limit.
    run(s, s1);
    expect(await settled(third)).toBe(true);
    expect(await settled(s.reserveSlot(ctx(false), abort.signal))).toBe(false);
    expect(s.state()).toEqual({ running: 1, polling: 2, sticky: 2, limit: 2 });
  });

  it("runs cached cases' tasks beside the limit, but never more tasks in all than the maximum", async () => {
    const s = supplier(); // max 4, limit 2
    const abort = new AbortController();
    for (let i = 0; i < 4; i++) run(s, await s.reserveSlot(ctx(true), abort.signal));
    expect(s.state()).toEqual({ running: 4, polling: 0, sticky: 0, limit: 2 });
    expect(await settled(s.reserveSlot(ctx(true), abort.signal))).toBe(false);
    expect(await settled(s.reserveSlot(ctx(false), abort.signal))).toBe(false);
  });

  it('ends a waiting reservation with the abort reason, and gives nothing to it later', async () => {
    const s = supplier();
    const abort = new AbortController();
    const a = await s.reserveSlot(ctx(false), abort.signal);
    await s.reserveSlot(ctx(false), abort.signal);
    const waiting = s.reserveSlot(ctx(false), abort.signal);
    const reason = new Error('AbortError');
    abort.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    run(s, a);
    end(s, a, 100);
    expect(s.state()).toMatchObject({ running: 0, polling: 1 });
  });

  it('starts again from two after an idle spell, once the polls of the last burst have ended', async () => {
    const s = supplier();
    const abort = new AbortController();
    await quickTasks(s, abort.signal, 40);
    const polls = await Promise.all(Array.from({ length: 4 }, () => s.reserveSlot(ctx(false), abort.signal)));
    expect(s.state()).toMatchObject({ polling: 4, limit: 4 });
    at.t += 11_000; // quiet: the server ends each poll empty
    for (const p of polls) s.releaseSlot({ permit: p });
    await s.reserveSlot(ctx(false), abort.signal);
    await s.reserveSlot(ctx(false), abort.signal);
    expect(await settled(s.reserveSlot(ctx(false), abort.signal))).toBe(false);
    expect(s.state()).toMatchObject({ polling: 2, limit: 2 });
  });

  it('lets fewer tasks run after a slow one, and more again as they are quick', async () => {
    const s = supplier();
    const abort = new AbortController();
    await quickTasks(s, abort.signal, 40);
    expect(s.state().limit).toBe(4);
    const slow = await s.reserveSlot(ctx(false), abort.signal);
    run(s, slow);
    end(s, slow, 2_000);
    expect(s.state().limit).toBe(2);
  });
});
