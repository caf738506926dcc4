/**
 * IntakeWorkflow: one per watched mailbox, with a fixed id. It keeps one long-running, heart-beating
 * activity holding the IMAP connection; when that activity's worker dies, the heartbeat timeout hands
 * the mailbox to another worker. Several worker replicas are therefore safe without leader election.
 */
import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import type { IntakeArgs } from './messages.js';

export async function IntakeWorkflow(args: IntakeArgs): Promise<void> {
  const { watchMailbox } = proxyActivities<ReturnType<typeof createActivities>>({
    startToCloseTimeout: args.runFor + 5 * 60_000,
    heartbeatTimeout: args.heartbeatTimeout,
    // Retried without end: a mailbox that cannot be reached is retried until it can. Kept short, because
    // a handover after a worker stops waits for this interval (reconnect backoff lives in the activity).
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s' },
  });
  await watchMailbox(args);
  await continueAsNew<typeof IntakeWorkflow>(args);
}
