/**
 * ReconcileWorkflow: one run of the reconciler (activities/reconcile/), started by a Temporal Schedule every
 * RECONCILE_EVERY (worker/reconcile-schedule.ts). Its result is the report (sealed by the payload codec like
 * every payload: it names subjects); its counts are in the worker's log line and the metric.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { ReconcileArgs } from '../activities/reconcile/scan.js';
import type { ReconcileReport } from '../activities/reconcile/account.js';

export interface ReconcileActivities {
  reconcileMailbox(args: ReconcileArgs): Promise<ReconcileReport>;
}

export async function ReconcileWorkflow(args: ReconcileArgs): Promise<ReconcileReport> {
  const { reconcileMailbox } = proxyActivities<ReconcileActivities>({
    startToCloseTimeout: '30 minutes',
    heartbeatTimeout: '2 minutes',
    retry: { initialInterval: '10s', maximumAttempts: 3 },
  });
  return reconcileMailbox(args);
}
