/**
 * `nachfass absent ADDRESS [--until ISO] [--reason TEXT]`: an admin declares a staff member absent now. Every
 * case waiting for their decision (Temporal visibility, by their keyed hash) gets the `approverAway` signal and
 * goes to their deputy (policy `deputy`) at once. Unlike the file commands it talks to Temporal, configured from
 * the worker's environment (TEMPORAL_*, LINK_SECRET, PAYLOAD_KEY). Prints what it did as JSON.
 */
import { approverKey } from '../activities/identity.js';
import { announceAbsence } from '../activities/digest.js';
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
    const told = await announceAbsence(client, approverKey(config.linkSecret, address), {
      address,
      ...(until ? { until } : {}),
      reason,
    });
    console.log(JSON.stringify({ address, ...(until ? { until } : {}), reason, casesTold: told }));
    return 0;
  });
}
