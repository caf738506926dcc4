/**
 * Intake's hands on Temporal: starting a case exactly once per mail, and signalling an existing case.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  encodedBytes,
  MailRejectedError,
  MAX_INPUT_BYTES,
  QuarantineCode,
  toComplaintInput,
} from './complaint-input.js';
import { bareAddress, domainOf } from '../address.js';
import { workflowIdFor } from '../identity.js';
import { subkey } from '../keys.js';
import type { MailboxSettings } from './mailbox.js';
import type { RouterDeps, TCaseSignal, TStartOutcome } from './route.js';
import type { ComplaintInput, PolicySnapshot } from '../../workflows/case.js';
import type { ComplaintWorkflow } from '../../workflows/complaint.js';

export interface CaseGatewayOptions {
  client: Client;
  taskQueue: string;
  supportAddress: string;
  linkSecret: string;
  /** LINK_SECRET, then LINK_SECRET_PREVIOUS: our Message-IDs and reply addresses are verified with each. */
  linkSecrets: readonly string[];
  /** The policy snapshot for cases from a mailbox (its team's ladder). */
  policyFor: (box: MailboxSettings) => PolicySnapshot;
  searchAttributes: boolean;
  ackRateLimit: { max: number; windowMs: number };
  ackGlobalRateLimit: { max: number; windowMs: number };
}

/** How often the cluster-wide count of cases started (for the global acknowledgment limit) is read again. */
const GLOBAL_COUNT_EVERY_MS = 5_000;

export function createCaseGateway(o: CaseGatewayOptions): (box: MailboxSettings) => RouterDeps {
  // Counted in Temporal visibility (all replicas) and in this process (visibility lags by milliseconds;
  // without search attributes the process count is all there is: a backstop, not a cluster-wide guarantee).
  // Recorded when a start succeeded, not when asked: a mail retried after a failed start (intake.ts) must
  // not use up its sender's budget.
  const recent = new Map<string, number[]>();
  const startCase = async (input: ComplaintInput): Promise<TStartOutcome> => {
    const memo = { subject: input.subject, mailbox: input.mailbox };
    // Checked here too, as the last step before the start: over the budget is a quarantine, not a failed start.
    const bytes = encodedBytes(input) + encodedBytes(memo);
    if (bytes > MAX_INPUT_BYTES) {
      throw new MailRejectedError(QuarantineCode.InputTooLarge, `start of ${bytes} bytes exceeds ${MAX_INPUT_BYTES}`);
    }
    try {
      await o.client.workflow.start<typeof ComplaintWorkflow>('ComplaintWorkflow', {
        workflowId: workflowIdFor(input.caseId),
        taskQueue: o.taskQueue,
        args: [input],
        memo,
        // Same mail again, running or completed: no second case.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      });
      // Counted once the case exists: a mail that is retried must not use up the budgets (per sender, in all).
      if (input.acknowledge) recordAck(input.customerKey);
      return 'started';
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'duplicate';
      throw err;
    }
  };
  const signalCase = async (caseId: string, s: TCaseSignal): Promise<boolean> => {
    try {
      await o.client.workflow.getHandle(workflowIdFor(caseId)).signal(s.name, s.payload);
      return true;
    } catch (err) {
      // Unknown, or completed: a completed workflow takes no signals.
      if (err instanceof WorkflowNotFoundError) return false;
      throw err;
    }
  };
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
  function recordAck(customerKey: string): void {
    const now = Date.now();
    recent.set(customerKey, [...(recent.get(customerKey) ?? []), now]);
    granted.push(now);
    started.grantedSince += 1;
  }
  const mayAcknowledge = async (customerKey: string): Promise<boolean> =>
    (await perSender(customerKey)) && (await inAll());
  const support = bareAddress(o.supportAddress);
  // Once, not per mail: the router is asked for anew with every mail of a pass.
  const mailIdKeys = o.linkSecrets.map((s) => subkey(s, 'mail-ids'));
  return (box) => ({
    classifyContext: {
      ourDomain: domainOf(support),
      ourAddresses: [support, box.user.toLowerCase()],
      mailIdKeys,
    },
    startCase,
    signalCase,
    mayAcknowledge,
    now: () => new Date(),
    toComplaint: (p, raw, relatedCaseId) =>
      toComplaintInput(
        p,
        raw,
        {
          mailbox: box.key,
          defaultLanguage: box.language,
          policy: o.policyFor(box),
          linkSecret: o.linkSecret,
          searchAttributes: o.searchAttributes,
          now: new Date(),
          archiveFolder: box.processedFolder,
        },
        relatedCaseId,
      ),
  });
}
