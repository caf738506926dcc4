/**
 * The acknowledgment budgets of intake: per sender and in all, so that a flood of mail (or a forged sender)
 * cannot make us send a flood of acknowledgments.
 *
 * Counted over the cases started within each window, as Temporal visibility knows them (every replica and mailbox)
 * and as this process started them (at once; visibility lags). Visibility is read every few seconds, and then only
 * for what started since the last read: a visibility count per mail (as before) cost a round trip for each mail
 * and a query the SQLite store answers by scanning, which a burst or a backlog of thousands pays over and over.
 * What another replica started is therefore seen within VIEW_EVERY_MS: a sender writing to two mailboxes served by
 * two workers could get a few more acknowledgments than the limit within those seconds.
 */
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { workflowIdFor } from '../identity.js';
import { timestampMs } from '../timestamps.js';
import { CustomerHashKey } from '../../workflows/search-attributes.js';

/** How often visibility is read for cases started since the last read. */
const VIEW_EVERY_MS = 5_000;
/** Each read reaches back this much before the last one: visibility indexes a start a moment after it happened. */
const VIEW_OVERLAP_MS = 10_000;

export interface AckLimitOptions {
  client: Client;
  taskQueue: string;
  /** Whether the server knows the case search attributes (CustomerHash): the per-sender count then spans replicas. */
  searchAttributes: boolean;
  ackRateLimit: { max: number; windowMs: number };
  ackGlobalRateLimit: { max: number; windowMs: number };
}

export interface AckLimit {
  /**
   * Whether the new case `caseId` from this sender may be acknowledged: under both budgets. A yes reserves its place
   * in both at once (mails are routed concurrently: checked first and counted later, a burst would pass the limit);
   * `release` gives the place back when the case was not started after all.
   */
  mayAcknowledge(customerKey: string, caseId: string): Promise<boolean>;
  /** Gives back a place `mayAcknowledge` reserved: the start failed, or the case existed already. */
  release(caseId: string): void;
}

interface Started {
  customerKey: string | undefined;
  at: number;
  /** On this task queue: counts for the global budget. */
  ours: boolean;
  /** Reserved here and not seen in visibility yet. */
  local: boolean;
}

export function createAckLimit(o: AckLimitOptions): AckLimit {
  const longest = Math.max(o.ackRateLimit.windowMs, o.ackGlobalRateLimit.windowMs);
  const cases = new Map<string, Started>();
  let readAt = 0;
  let reading: Promise<void> | undefined;
  const readView = async (): Promise<void> => {
    const now = Date.now();
    const from = readAt === 0 ? now - longest : Math.max(now - longest, readAt - VIEW_OVERLAP_MS);
    const query = `WorkflowType = 'ComplaintWorkflow' AND StartTime > '${new Date(from).toISOString()}'`;
    // The raw listing, not client.workflow.list: that one decodes every memo with the codec, and a case sealed with
    // another key (a rotated PAYLOAD_KEY, another deployment on the same namespace) would fail the whole read.
    // Only plain fields are read here: the id, the start, the task queue and the CustomerHash search attribute.
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await o.client.workflowService.listWorkflowExecutions({
        namespace: o.client.options.namespace,
        query,
        pageSize: 1000,
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      for (const wf of page.executions ?? []) {
        const id = wf.execution?.workflowId;
        if (!id) continue;
        const hash = wf.searchAttributes?.indexedFields?.[CustomerHashKey.name];
        const customerKey = hash ? defaultPayloadConverter.fromPayload<unknown>(hash) : undefined;
        cases.set(id, {
          customerKey: typeof customerKey === 'string' ? customerKey : undefined,
          at: timestampMs(wf.startTime) ?? 0,
          ours: wf.taskQueue === o.taskQueue,
          local: false,
        });
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    readAt = now;
    for (const [id, c] of cases) if (c.at <= now - longest) cases.delete(id);
  };
  const fresh = async (): Promise<void> => {
    if (!o.searchAttributes || Date.now() - readAt < VIEW_EVERY_MS) return;
    reading ??= readView().finally(() => (reading = undefined));
    await reading;
  };
  return {
    async mayAcknowledge(customerKey, caseId) {
      await fresh();
      // From here on synchronous: the check and the reservation happen together.
      const now = Date.now();
      let mine = 0;
      let all = 0;
      for (const c of cases.values()) {
        if (c.customerKey === customerKey && c.at > now - o.ackRateLimit.windowMs) mine++;
        if (c.ours && c.at > now - o.ackGlobalRateLimit.windowMs) all++;
      }
      if (mine >= o.ackRateLimit.max || all >= o.ackGlobalRateLimit.max) return false;
      cases.set(workflowIdFor(caseId), { customerKey, at: now, ours: true, local: true });
      return true;
    },
    release(caseId) {
      const id = workflowIdFor(caseId);
      if (cases.get(id)?.local) cases.delete(id);
    },
  };
}
