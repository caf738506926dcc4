/**
 * `nachfass lists [--ui URL] [--at ISO-TIME] [--policy FILE]`: the Web UI links of the lists an admin opens every
 * day (worker/list-queries.ts), for now (or `--at`): the clock-bound ones need the moment in their query. Reads
 * the policy for the company's time zone and the low-rating mark; touches no server.
 */
import { DEMO_UI, LIST_QUERIES, listClock, listUrl } from './list-queries.js';
import { PROJECT_ROOT } from './config.js';
import { loadPolicy } from './policy.js';

export interface ListsOptions {
  ui?: string | undefined;
  at?: string | undefined;
  policy?: string | undefined;
}

/** The lines `nachfass lists` prints: per list its title, what it holds, and its link. */
export function listLines(o: ListsOptions, env: NodeJS.ProcessEnv = process.env): string[] {
  const policy = loadPolicy(o.policy ?? env.POLICY_FILE ?? `${PROJECT_ROOT}/policy/example.yaml`);
  const at = o.at ? new Date(o.at) : new Date();
  if (Number.isNaN(at.getTime())) throw new Error(`--at ${o.at}: not an ISO time like 2026-11-27T17:00:00+01:00`);
  const clock = listClock(at, policy.company.timeZone);
  const namespace = env.TEMPORAL_NAMESPACE || 'default';
  return LIST_QUERIES.flatMap((l) => [
    `${l.title}${l.dated ? ` (as of ${at.toISOString()})` : ''}: ${l.what}`,
    `  ${listUrl(o.ui ?? DEMO_UI, namespace, l.query(clock, policy.feedback.lowRatingAtMost))}`,
  ]);
}

export function listsCommand(o: ListsOptions): number {
  for (const line of listLines(o)) console.log(line);
  return 0;
}
