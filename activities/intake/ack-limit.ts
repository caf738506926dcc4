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
  /**
   * Whether a new case from this sender may be acknowledged: under both budgets. A yes reserves its place in both at
   * once (mails are routed concurrently: checked first and counted later, a burst would pass the limit); `release`
   * gives the place back when the case was not started after all.
   */
  mayAcknowledge(customerKey: string): Promise<boolean>;
  /** Gives back a place `mayAcknowledge` reserved: the start failed, or the case existed already. */
  release(customerKey: string): void;
}

export function createAckLimit(o: AckLimitOptions): AckLimit {
  // Counted in Temporal visibility (all replicas) and in this process (visibility lags by milliseconds;
  // without search attributes the process count is all there is: a backstop, not a cluster-wide guarantee).
  const recent = new Map<string, number[]>();
  const senderSeen = async (customerKey: string, since: number): Promise<number> => {
    if (!o.searchAttributes) return 0;
    const query = `WorkflowType = 'ComplaintWorkflow' AND CustomerHash = '${customerKey}' AND StartTime > '${new Date(since).toISOString()}'`;
    return (await o.client.workflow.count(query)).count;
  };
  // All acknowledgments together: counted in this process, and as cases started in the window by visibility
  // (every replica), read at most every few seconds so that a burst costs one query per interval, not per mail.
  const granted: number[] = [];
  let started = { at: 0, count: 0, grantedSince: 0 };
  const refreshStarted = async (now: number, since: number): Promise<void> => {
    if (now - started.at <= GLOBAL_COUNT_EVERY_MS) return;
    const query = `WorkflowType = 'ComplaintWorkflow' AND TaskQueue = '${o.taskQueue}' AND StartTime > '${new Date(since).toISOString()}'`;
    const count = (await o.client.workflow.count(query)).count;
    started = { at: now, count, grantedSince: 0 };
  };
  return {
    async mayAcknowledge(customerKey) {
      const senderSince = Date.now() - o.ackRateLimit.windowMs;
      const seen = await senderSeen(customerKey, senderSince);
      await refreshStarted(Date.now(), Date.now() - o.ackGlobalRateLimit.windowMs);
      // From here on synchronous: the check and the reservation happen together.
      const now = Date.now();
      const mine = (recent.get(customerKey) ?? []).filter((t) => t > now - o.ackRateLimit.windowMs);
      recent.set(customerKey, mine);
      if (Math.max(mine.length, seen) >= o.ackRateLimit.max) return false;
      while (granted.length > 0 && granted[0]! <= now - o.ackGlobalRateLimit.windowMs) granted.shift();
      if (Math.max(granted.length, started.count + started.grantedSince) >= o.ackGlobalRateLimit.max) return false;
      mine.push(now);
      granted.push(now);
      started.grantedSince += 1;
      return true;
    },
    release(customerKey) {
      recent.get(customerKey)?.pop();
      granted.pop();
      started.grantedSince = Math.max(0, started.grantedSince - 1);
    },
  };
}
