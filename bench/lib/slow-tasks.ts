/**
 * The workflow tasks of a benchmark's cases that took longer than a bound, read from their histories (the server's
 * WorkflowTaskStarted -> WorkflowTaskCompleted): how many, and when in the run they started. The SDK's histogram
 * (temporal_workflow_task_execution_latency) counts the same from the worker's side but cannot say when: a few slow
 * tasks while the burst is still being submitted read differently from slow ones throughout.
 */
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { EventType } = proto.temporal.api.enums.v1;

const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined): number =>
  Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

export interface SlowTasks {
  /** Workflow tasks completed, over all cases. */
  tasks: number;
  /** Those that took longer than the bound. */
  slow: number;
  /** Seconds from t0 at which each slow task started, ascending (the first 20). */
  startedAtS: number[];
  /** The longest task, in ms. */
  maxMs: number;
  /**
   * The run's first tasks by start (the first 40), to read the run's first seconds: "start s:took ms", and for a
   * case's first task "+waited ms" before it, from the case's start to its task's pickup.
   */
  first: string[];
}

export async function slowTasks(client: Client, query: string, t0: number, overMs: number): Promise<SlowTasks> {
  // The raw service, not client.workflow.list: a case's memo and payloads are encrypted, and none of them is needed.
  const svc = client.workflowService;
  const { namespace } = client.options;
  const runs: Array<{ workflowId: string; runId: string }> = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await svc.listWorkflowExecutions({ namespace, query, nextPageToken, pageSize: 1000 });
    for (const e of page.executions) runs.push({ workflowId: e.execution!.workflowId!, runId: e.execution!.runId! });
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  const res: SlowTasks = { tasks: 0, slow: 0, startedAtS: [], maxMs: 0, first: [] };
  const starts: number[] = [];
  const all: Array<[number, number, number | undefined]> = [];
  // Ten histories at a time: the server answers each in milliseconds, and the run is over.
  for (let i = 0; i < runs.length; i += 10) {
    const histories = await Promise.all(
      runs.slice(i, i + 10).map((execution) => svc.getWorkflowExecutionHistory({ namespace, execution })),
    );
    for (const h of histories) {
      let started: number | undefined;
      let caseStart: number | undefined;
      for (const e of h.history?.events ?? []) {
        if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED) caseStart = ms(e.eventTime);
        if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED) started = ms(e.eventTime);
        if (e.eventType !== EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED || started === undefined) continue;
        const took = ms(e.eventTime) - started;
        res.tasks += 1;
        res.maxMs = Math.max(res.maxMs, Math.round(took));
        all.push([(started - t0) / 1000, took, caseStart === undefined ? undefined : started - caseStart]);
        caseStart = undefined;
        if (took > overMs) starts.push((started - t0) / 1000);
        started = undefined;
      }
    }
  }
  starts.sort((a, b) => a - b);
  res.slow = starts.length;
  res.startedAtS = starts.slice(0, 20).map((s) => Math.round(s * 10) / 10);
  all.sort((a, b) => a[0] - b[0]);
  res.first = all
    .slice(0, 40)
    .map(
      ([at, took, waited]) =>
        `${at.toFixed(2)}:${Math.round(took)}${waited === undefined ? '' : `+${Math.round(waited)}`}`,
    );
  return res;
}
