/**
 * `nachfass absent ADDRESS [--until ISO] [--reason TEXT]`: an admin declares a staff member absent now. Every
 * case waiting for their decision (Temporal visibility, by their keyed hash) gets the `approverAway` signal and
 * goes to their deputy (policy `deputy`) at once. Unlike the file commands it talks to Temporal, configured from
 * the worker's environment (TEMPORAL_*, LINK_SECRET, PAYLOAD_KEY). Their running digest workflow learns it too, so
 * later cases ask the deputy at once. Prints what it did as JSON.
 */
import { approverKey } from '../activities/identity.js';
import { WorkflowNotFoundError } from '@temporalio/client';
import { announceAbsence } from '../activities/digest.js';
import { awaySignal } from '../workflows/digest.js';
import { digestWorkflowId } from '../workflows/digest-model.js';
import { loadConfig } from './config.js';
import { withTemporalClient } from './temporal-session.js';

export async function absentCommand(
  address: string,
  opts: { until?: string; reason?: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  if (opts.until !== undefined && Number.isNaN(Date.parse(opts.until))) {
    console.error(`--until: "${opts.until}" is not an ISO date or time`);
    return 2;
  }
  const config = loadConfig(env);
  if (!config.temporal.address) {
    console.error('nachfass absent needs TEMPORAL_ADDRESS: the server whose cases it tells');
    return 2;
  }
  return withTemporalClient(config, async (client) => {
    const until = opts.until ? new Date(opts.until).toISOString() : undefined;
    const reason = opts.reason?.trim() || 'declared absent by an admin';
    const key = approverKey(config.linkSecret, address);
    const told = await announceAbsence(client, key, { address, ...(until ? { until } : {}), reason });
    // Their digest remembers the absence too, so that cases which ask them later ask the deputy at once (as after
    // an out-of-office reply). A person who was never reminded has no digest yet: only the waiting cases know.
    const digestTold = await client.workflow
      .getHandle(digestWorkflowId(key))
      .signal(awaySignal, { ...(until ? { until } : {}), reason })
      .then(
        () => true,
        (err: unknown) => {
          if (err instanceof WorkflowNotFoundError) return false;
          throw err;
        },
      );
    console.log(JSON.stringify({ address, ...(until ? { until } : {}), reason, casesTold: told, digestTold }));
    return 0;
  });
}
