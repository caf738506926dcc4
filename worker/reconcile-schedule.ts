/**
 * The reconciler's Temporal Schedule: every RECONCILE_EVERY a ReconcileWorkflow on the worker's task queue, over
 * the last RECONCILE_SINCE. Created at start-up, brought up to date when the settings changed; runs never overlap
 * (a slow run makes the next one wait, not pile up). RECONCILE_EVERY=off deletes nothing: it leaves an existing
 * schedule alone, so that `temporal schedule delete` stays the admin's decision.
 */
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { ReconcileWorkflow } from '../workflows/reconcile.js';
import type { TConfig } from './config.js';

export function reconcileScheduleId(taskQueue: string): string {
  return `reconcile-${taskQueue}`;
}

export async function ensureReconcileSchedule(client: Client, config: TConfig): Promise<string | undefined> {
  if (config.reconcile.every === 0) return undefined;
  const taskQueue = config.temporal.taskQueue;
  const scheduleId = reconcileScheduleId(taskQueue);
  const options = {
    scheduleId,
    spec: { intervals: [{ every: config.reconcile.every }] },
    action: {
      type: 'startWorkflow' as const,
      workflowType: 'ReconcileWorkflow',
      workflowId: `reconcile-${taskQueue}`,
      taskQueue,
      args: [{ sinceMs: config.reconcile.since }] as Parameters<typeof ReconcileWorkflow>,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 minute' },
  } satisfies ScheduleOptions;
  try {
    await client.schedule.create(options);
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule
      .getHandle(scheduleId)
      .update((prev) => ({ ...prev, spec: options.spec, action: options.action }));
  }
  return scheduleId;
}
