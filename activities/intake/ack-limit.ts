/**
 * The acknowledgment budgets of intake: per sender and in all, so that a flood of mail (or a forged sender)
 * cannot make us send a flood of acknowledgments.
 */
import type { Client } from '@temporalio/client';

/** How often the cluster-wide count of cases started (for the global acknowledgment limit) is read again. */
const GLOBAL_COUNT_EVERY_MS = 5_000;

export interface AckLimitOptions {
  client: Client;
  taskQueue: string;
  /** Whether the server knows the case search attributes (CustomerHash): the per-sender count then spans replicas. */
  searchAttributes: boolean;
  ackRateLimit: { max: number; windowMs: number };
  ackGlobalRateLimit: { max: number; windowMs: number };
}

export interface AckLimit {
  /** Whether a new case from this sender may be acknowledged: under both budgets. */
  mayAcknowledge(customerKey: string): Promise<boolean>;
  /** Counts an acknowledged case, once it exists. */
  recordAck(customerKey: string): void;
}

export function createAckLimit(o: AckLimitOptions): AckLimit {
  // Counted in Temporal visibility (all replicas) and in this process (visibility lags by milliseconds;
  // without search attributes the process count is all there is: a backstop, not a cluster-wide guarantee).
  // Recorded when a start succeeded, not when asked: a mail retried after a failed start (pass.ts) must
  // not use up its sender's budget.
  const recent = new Map<string, number[]>();
  const perSender = async (customerKey: string): Promise<boolean> => {
    const since = Date.now() - o.ackRateLimit.windowMs;
    const mine = (recent.get(customerKey) ?? []).filter((t) => t > since);
    recent.set(customerKey, mine);
    let seen = mine.length;
    if (o.searchAttributes) {
      const query = `WorkflowType = 'ComplaintWorkflow' AND CustomerHash = '${customerKey}' AND StartTime > '${new Date(since).toISOString()}'`;
      seen = Math.max(seen, (await o.client.workflow.count(query)).count);
    }
    return seen < o.ackRateLimit.max;
  };
  // All acknowledgments together: counted in this process, and as cases started in the window by visibility
  // (every replica), read at most every few seconds so that a burst costs one query per interval, not per mail.
  const granted: number[] = [];
  let started = { at: 0, count: 0, grantedSince: 0 };
  const inAll = async (): Promise<boolean> => {
    const now = Date.now();
    const since = now - o.ackGlobalRateLimit.windowMs;
    while (granted.length > 0 && granted[0]! <= since) granted.shift();
    if (now - started.at > GLOBAL_COUNT_EVERY_MS) {
      const query = `WorkflowType = 'ComplaintWorkflow' AND TaskQueue = '${o.taskQueue}' AND StartTime > '${new Date(since).toISOString()}'`;
      started = { at: now, count: (await o.client.workflow.count(query)).count, grantedSince: 0 };
    }
    return Math.max(granted.length, started.count + started.grantedSince) < o.ackGlobalRateLimit.max;
  };
  return {
    mayAcknowledge: async (customerKey) => (await perSender(customerKey)) && (await inAll()),
    recordAck(customerKey) {
      const now = Date.now();
      recent.set(customerKey, [...(recent.get(customerKey) ?? []), now]);
      granted.push(now);
      started.grantedSince += 1;
    },
  };
}
