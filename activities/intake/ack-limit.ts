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
import { TimeWindow } from './time-window.js';

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

/** The cases started within the longest window: all of them, ours (this task queue), and each sender's. */
class StartedCases {
  private readonly cases = new Map<string, Started>();
  private readonly all = new TimeWindow();
  private readonly ours = new TimeWindow();
  private readonly bySender = new Map<string, TimeWindow>();

  get(id: string): Started | undefined {
    return this.cases.get(id);
  }

  set(id: string, c: Started): void {
    this.delete(id);
    this.cases.set(id, c);
    this.all.set(id, c.at);
    if (c.ours) this.ours.set(id, c.at);
    if (c.customerKey === undefined) return;
    const mine = this.bySender.get(c.customerKey) ?? new TimeWindow();
    mine.set(id, c.at);
    this.bySender.set(c.customerKey, mine);
  }

  /** Sets a page of a listing (one sort per window instead of an insertion per case). */
  setMany(list: Array<[string, Started]>): void {
    for (const [id, c] of list) {
      this.delete(id);
      this.cases.set(id, c);
    }
    this.all.setMany(list.map(([id, c]) => [id, c.at]));
    this.ours.setMany(list.filter(([, c]) => c.ours).map(([id, c]) => [id, c.at]));
    for (const [id, c] of list) {
      if (c.customerKey === undefined) continue;
      const mine = this.bySender.get(c.customerKey) ?? new TimeWindow();
      mine.set(id, c.at);
      this.bySender.set(c.customerKey, mine);
    }
  }

  delete(id: string): void {
    const c = this.cases.get(id);
    if (!c) return;
    this.cases.delete(id);
    this.all.delete(id);
    this.ours.delete(id);
    if (c.customerKey === undefined) return;
    const mine = this.bySender.get(c.customerKey);
    mine?.delete(id);
    if (mine?.size === 0) this.bySender.delete(c.customerKey);
  }

  /** Cases of this sender started after `time`. */
  fromSenderAfter(customerKey: string, time: number): number {
    return this.bySender.get(customerKey)?.countAfter(time) ?? 0;
  }

  /** Cases on this task queue started after `time`. */
  oursAfter(time: number): number {
    return this.ours.countAfter(time);
  }

  /** Forgets the cases started at `time` or earlier. */
  dropUpTo(time: number): void {
    for (const id of this.all.dropUpTo(time)) this.delete(id);
  }
}

export function createAckLimit(o: AckLimitOptions): AckLimit {
  const longest = Math.max(o.ackRateLimit.windowMs, o.ackGlobalRateLimit.windowMs);
  const cases = new StartedCases();
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
      const listed: Array<[string, Started]> = [];
      for (const wf of page.executions ?? []) {
        const id = wf.execution?.workflowId;
        if (!id) continue;
        const hash = wf.searchAttributes?.indexedFields?.[CustomerHashKey.name];
        const customerKey = hash ? defaultPayloadConverter.fromPayload<unknown>(hash) : undefined;
        listed.push([
          id,
          {
            customerKey: typeof customerKey === 'string' ? customerKey : undefined,
            at: timestampMs(wf.startTime) ?? 0,
            ours: wf.taskQueue === o.taskQueue,
            local: false,
          },
        ]);
      }
      cases.setMany(listed);
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    readAt = now;
    cases.dropUpTo(now - longest);
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
      const mine = cases.fromSenderAfter(customerKey, now - o.ackRateLimit.windowMs);
      const all = cases.oursAfter(now - o.ackGlobalRateLimit.windowMs);
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
