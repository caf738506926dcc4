/**
 * The adaptive workflow slot supplier (worker/task-slots.ts) under a real Worker and Temporal server: the SDK hands
 * back the very permits it was given (through its native core), so every task that ran is counted out again, and
 * no more tasks run at once than the limit allows.
 */
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../worker/config.js';
import { adaptiveTuner } from '../../worker/task-slots.js';

describe('workflow task slots that adapt to how long tasks take, under a real Worker', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createFromExistingServer({ address: inject('temporalAddress') });
  });
  afterAll(() => env?.teardown());

  it('counts every task in and out again, and runs no more at once than the limit', async () => {
    const { tuner, slots } = adaptiveTuner({ max: 6 }, 10);
    const taskQueue = `task-slots-${Date.now()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: path.join(PROJECT_ROOT, 'test/fixtures/workflows/ticks.ts'),
      }),
      tuner,
      workflowTaskPollerBehavior: { type: 'autoscaling' },
    });
    let peak = 0;
    let over = 0;
    const watch = setInterval(() => {
      const s = slots.state();
      peak = Math.max(peak, s.running);
      if (s.running > 6) over++; // cached cases' tasks may run beside the limit, never beyond the maximum
    }, 1);
    try {
      const results = await worker.runUntil(
        Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            env.client.workflow.execute('ticks', { taskQueue, workflowId: `${taskQueue}-${i}`, args: [3] }),
          ),
        ),
      );
      expect(results).toEqual(Array(40).fill(3));
    } finally {
      clearInterval(watch);
    }
    const end = slots.state();
    expect(end.running).toBe(0);
    // Polls cut off by the shutdown may keep theirs; never fewer than none.
    expect(end.polling).toBeGreaterThanOrEqual(0);
    expect(end.sticky).toBeGreaterThanOrEqual(0);
    expect(peak).toBeGreaterThanOrEqual(2);
    expect(over).toBe(0);
    // 160 quick tasks: the limit grew from its start of 1 to the maximum.
    expect(end.limit).toBe(6);
    // Every cached case's next task was taken from the Worker's sticky queue: none timed out there, which is what
    // happens when no sticky poll is open (the server hands the task on after its sticky timeout).
    const timedOut = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const history = await env.client.workflow.getHandle(`${taskQueue}-${i}`).fetchHistory();
        return (history.events ?? []).filter((e) => e.workflowTaskTimedOutEventAttributes).length;
      }),
    );
    expect(timedOut.reduce((a, b) => a + b, 0)).toBe(0);
  });
});
