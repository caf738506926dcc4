/**
 * Open cases by status and priority, and those past their promised time, for /metrics: read from Temporal
 * visibility (the running ComplaintWorkflows of this task queue and their search attributes), at most every 30 s
 * per process, so that a scrape every few seconds costs the server one listing per half minute.
 */
import type { Client } from '@temporalio/client';
import { caseGauges, type CaseCounts } from '../activities/metrics.js';
import { CaseStatusKey, DueAtKey, PriorityKey } from '../workflows/search-attributes.js';

const CACHE_MS = 30_000;

/** Counts from one listing (status and priority as their search attributes say; `unknown` when unset). */
export async function countOpenCases(client: Client, taskQueue: string, now = Date.now()): Promise<CaseCounts> {
  const open = new Map<string, { status: string; priority: string; count: number }>();
  let overdue = 0;
  const query = `WorkflowType = 'ComplaintWorkflow' AND ExecutionStatus = 'Running' AND TaskQueue = '${taskQueue}'`;
  for await (const wf of client.workflow.list({ query })) {
    const status = wf.typedSearchAttributes.get(CaseStatusKey) ?? 'unknown';
    const priority = wf.typedSearchAttributes.get(PriorityKey) ?? 'unknown';
    const key = `${status}|${priority}`;
    const entry = open.get(key) ?? { status, priority, count: 0 };
    entry.count++;
    open.set(key, entry);
    const due = wf.typedSearchAttributes.get(DueAtKey);
    if (due && due.getTime() < now) overdue++;
  }
  return { open: [...open.values()], overdue };
}

/** Makes the case gauges (activities/metrics.ts) read this client's visibility, cached. */
export function installCaseGauges(client: Client, taskQueue: string): void {
  let cached: { at: number; counts: Promise<CaseCounts> } | undefined;
  caseGauges.source = () => {
    if (!cached || Date.now() - cached.at >= CACHE_MS) {
      const counts = countOpenCases(client, taskQueue);
      cached = { at: Date.now(), counts };
      // A failed listing is asked again at the next scrape, not after 30 s.
      counts.catch(() => (cached = undefined));
    }
    return cached.counts;
  };
}
