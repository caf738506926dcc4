/**
 * Intake's hands on Temporal: starting a case exactly once per mail, and signalling an existing case.
 */
import { type Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import {
  encodedBytes,
  MailRejectedError,
  MAX_INPUT_BYTES,
  QuarantineCode,
  toComplaintInput,
} from './complaint-input.js';
import { createAckLimit, type AckLimitOptions } from './ack-limit.js';
import { bareAddress, domainOf } from '../address.js';
import { workflowIdFor } from '../identity.js';
import { subkey } from '../keys.js';
import type { ClassifyContext } from './classify.js';
import type { MailboxSettings } from './mailbox.js';
import type { RouterDeps, TCaseSignal, TStartOutcome } from './route.js';
import type { ComplaintInput, PolicySnapshot } from '../../workflows/case.js';
import { caseStartMetadata } from '../../workflows/case-story.js';
import type { ComplaintWorkflow } from '../../workflows/complaint.js';

export interface CaseGatewayOptions extends AckLimitOptions {
  /**
   * The Client that starts cases, on the Worker's native connection: starts are then eager (the first workflow task
   * comes back with the start, to this process's Worker). Without it, `client` starts them the usual way.
   */
  starter?: Client;
  supportAddress: string;
  linkSecret: string;
  /** LINK_SECRET, then LINK_SECRET_PREVIOUS: our Message-IDs and reply addresses are verified with each. */
  linkSecrets: readonly string[];
  /** The policy snapshot for cases from a mailbox (its team's ladder). */
  policyFor: (box: MailboxSettings) => PolicySnapshot;
}

/** What classification knows of us for a mailbox: our domain and addresses, and the keys of our Message-IDs. */
export function classifyContextFor(
  supportAddress: string,
  linkSecrets: readonly string[],
): (box: MailboxSettings) => ClassifyContext {
  const support = bareAddress(supportAddress);
  const mailIdKeys = linkSecrets.map((s) => subkey(s, 'mail-ids'));
  return (box) => ({ ourDomain: domainOf(support), ourAddresses: [support, box.user.toLowerCase()], mailIdKeys });
}

export function createCaseGateway(o: CaseGatewayOptions): (box: MailboxSettings) => RouterDeps {
  const { mayAcknowledge, release } = createAckLimit(o);
  const tryStart = async (input: ComplaintInput): Promise<TStartOutcome> => {
    const memo = { subject: input.subject, mailbox: input.mailbox };
    // The Web UI's summary and details (priority, subject, customer): payloads, sealed by the codec like the memo.
    const metadata = caseStartMetadata(input);
    // Checked here too, as the last step before the start: over the budget is a quarantine, not a failed start.
    const bytes = encodedBytes(input) + encodedBytes(memo) + encodedBytes(metadata);
    if (bytes > MAX_INPUT_BYTES) {
      throw new MailRejectedError(QuarantineCode.InputTooLarge, `start of ${bytes} bytes exceeds ${MAX_INPUT_BYTES}`);
    }
    try {
      await (o.starter ?? o.client).workflow.start<typeof ComplaintWorkflow>('ComplaintWorkflow', {
        workflowId: workflowIdFor(input.caseId),
        taskQueue: o.taskQueue,
        args: [input],
        memo,
        ...metadata,
        // Same mail again, running or completed: no second case.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
        // Only a hint: the server answers without the task when no slot is free here (a burst), or does not do it.
        ...(o.starter ? { requestEagerStart: true } : {}),
      });
      return 'started';
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'duplicate';
      throw err;
    }
  };
  // The place mayAcknowledge reserved stays taken only when the case was started: a mail that is retried (or was
  // taken in before) must not use up the budgets (per sender, in all).
  const startCase = async (input: ComplaintInput): Promise<TStartOutcome> => {
    let outcome: TStartOutcome | undefined;
    try {
      outcome = await tryStart(input);
      return outcome;
    } finally {
      if (input.acknowledge && outcome !== 'started') release(input.caseId);
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
  // Once, not per mail: the router is asked for anew with every mail of a pass.
  const classifyContextOf = classifyContextFor(o.supportAddress, o.linkSecrets);
  return (box) => ({
    classifyContext: classifyContextOf(box),
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
