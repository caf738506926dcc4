/**
 * ComplaintWorkflow: one durable case per complaint, told the way a support team works it.
 * Deterministic: only @temporalio/workflow and pure modules.
 */
import { condition, log, proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import type { createActivities } from '../activities/index.js';
import { assess } from './assessment.js';
import {
  caseMailRequest,
  type Approver,
  type CaseState,
  type ComplaintInput,
  type DecisionRecord,
  type TCaseStatus,
  type TMailKind,
} from './case.js';
import { findApprover } from './ladder.js';
import { caseStateQuery, decideUpdate, decisionSignal, type DecisionInput } from './messages.js';
import {
  CaseStatusKey,
  CustomerHashKey,
  DueAtKey,
  EscalationLevelKey,
  ImpactKey,
  PriorityKey,
  UrgencyKey,
} from './search-attributes.js';

const { sendCaseMail } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export async function ComplaintWorkflow(input: ComplaintInput): Promise<CaseState> {
  const { policy } = input;
  const ladder = policy.ladder;
  const state: CaseState = {
    caseId: input.caseId,
    status: 'awaiting-decision',
    subject: input.subject,
    text: input.text,
    customer: input.customer,
    language: input.language,
    assessment: assess(input, policy.rules),
    ladder,
    level: 0,
    promisedBy: new Date(Date.now() + policy.durations.answerPromise).toISOString(),
    timeline: [],
  };
  const note = (event: string, detail?: string): void => {
    state.timeline.push({ at: new Date().toISOString(), event, ...(detail === undefined ? {} : { detail }) });
  };

  const validateDecision = (d: DecisionInput): Approver => {
    if (state.decision) {
      throw new Error(`already decided by ${state.decision.decidedByName} at ${state.decision.at}`);
    }
    if (d.outcome !== 'approved' && d.outcome !== 'rejected') throw new Error(`unknown outcome "${String(d.outcome)}"`);
    const approver = findApprover(ladder, d.decidedBy);
    if (!approver) throw new Error(`${d.decidedBy} is not an approver of this case`);
    return approver;
  };
  const recordDecision = (d: DecisionInput): DecisionRecord => {
    const approver = validateDecision(d);
    state.decision = {
      outcome: d.outcome,
      decidedBy: approver.address,
      decidedByName: approver.name,
      level: approver.level,
      at: new Date().toISOString(),
      channel: d.channel ?? 'admin',
      ...(d.noteToCustomer ? { noteToCustomer: d.noteToCustomer } : {}),
      ...(d.internalNote ? { internalNote: d.internalNote } : {}),
    };
    note('decided', `${d.outcome} by ${approver.name} (${state.decision.channel})`);
    return state.decision;
  };

  setHandler(caseStateQuery, () => state);
  setHandler(decideUpdate, recordDecision, { validator: (d) => void validateDecision(d) });
  setHandler(decisionSignal, (d) => {
    try {
      recordDecision(d);
    } catch (err) {
      // A signal cannot be refused to its sender; the refusal is kept in the audit trail instead.
      note('decision-refused', err instanceof Error ? err.message : String(err));
    }
  });

  let seq = 0;
  const mail = async (kind: TMailKind, to: 'customer' | Approver): Promise<void> => {
    seq += 1;
    await sendCaseMail(caseMailRequest(kind, seq, to, input, state));
    note(`mail:${kind}`, to === 'customer' ? 'customer' : `${to.role} ${to.name}`);
  };
  const publish = (status: TCaseStatus): void => {
    state.status = status;
    if (!input.searchAttributes) return;
    const pairs: SearchAttributeUpdatePair[] = [
      { key: CaseStatusKey, value: status },
      { key: PriorityKey, value: state.assessment.priority },
      { key: UrgencyKey, value: state.assessment.urgency },
      { key: ImpactKey, value: state.assessment.impact },
      { key: EscalationLevelKey, value: state.level },
      { key: DueAtKey, value: status === 'awaiting-decision' ? new Date(state.promisedBy) : null },
      { key: CustomerHashKey, value: input.customerKey },
    ];
    upsertSearchAttributes(pairs);
  };

  // 1. Assessed and acknowledged at once, with a concrete time the customer will hear from us.
  publish('awaiting-decision');
  note('assessed', `${state.assessment.priority}: ${state.assessment.reasons.join('; ')}`);
  await mail('acknowledgment', 'customer');

  // 2. The first rung of the ladder is asked to decide.
  const first = ladder[0];
  if (!first) throw new Error('policy has an empty escalation ladder');
  await mail('approval-request', first);

  // 3. Wait for a decision; remind, escalate and keep the promise to the customer meanwhile.
  const { reminderAfter, escalateAfter, answerPromise, followUpAfter } = policy.durations;
  let reminderAt = Date.now() + reminderAfter;
  let escalateAt: number | undefined = ladder.length > 1 ? Date.now() + escalateAfter : undefined;
  for (;;) {
    const next = Math.min(reminderAt, escalateAt ?? Infinity, Date.parse(state.promisedBy));
    const decided = await condition(() => state.decision !== undefined, Math.max(next - Date.now(), 1));
    if (decided) break;
    const now = Date.now();
    if (now >= Date.parse(state.promisedBy)) {
      state.promisedBy = new Date(now + answerPromise).toISOString();
      publish('awaiting-decision');
      await mail('progress-update', 'customer');
    }
    if (escalateAt !== undefined && now >= escalateAt) {
      state.level += 1;
      const approver = ladder[state.level];
      if (!approver) throw new Error(`no approver at level ${state.level}`);
      publish('awaiting-decision');
      await mail('escalation', approver);
      reminderAt = now + reminderAfter;
      escalateAt = state.level < ladder.length - 1 ? now + escalateAfter : undefined;
    } else if (now >= reminderAt) {
      const approver = ladder[state.level];
      if (approver) await mail('reminder', approver);
      reminderAt = now + reminderAfter;
    }
    if (state.decision) break;
  }

  // 4. The decision goes to the customer; later we ask how satisfied they were.
  publish('decided');
  await mail('decision', 'customer');
  publish('awaiting-feedback');
  await sleep(followUpAfter);
  await mail('follow-up', 'customer');
  publish('completed');
  log.info('case completed', { caseId: input.caseId, outcome: state.decision?.outcome });
  return state;
}
