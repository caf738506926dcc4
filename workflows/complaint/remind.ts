/**
 * One reminder to the approver: alone (a case mail, for the priorities the policy names) or as an entry in their
 * digest (workflows/digest.ts), which bundles every case due for a reminder into one mail per window. After
 * `maxReminders` at the top of the ladder the case is marked stalled. Deterministic.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../../activities/index.js';
import type { Approver } from '../case.js';
import { who } from '../case-story.js';
import { digestWorkflowId, type DigestArgs } from '../digest-model.js';
import { reminderRules } from '../rules/reminders.js';
import type { CaseRuntime } from './runtime.js';

export { absenceOf, tellAway };

/** The start arguments of `approver`'s digest, as this case knows them. */
export function digestArgs(rt: CaseRuntime, approver: Approver, key: string): DigestArgs {
  return {
    approver,
    key,
    window: rt.plan.durations.reminderAfter,
    calendar: rt.plan.calendar,
    company: rt.input.policy.company,
  };
}

const { remindInDigest, tellAway, absenceOf } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Reminds `approver` of the case (the `n`th reminder it sends them); `top`: nobody above them on the ladder;
 * `last`: no reminder follows (the case is stalled after it).
 */
export async function remind(
  rt: CaseRuntime,
  approver: Approver,
  n: number,
  top: boolean,
  last: boolean,
): Promise<void> {
  const { state, input } = rt;
  const key = rt.keyOf(approver);
  // The digest lists only cases visibility shows waiting for the person: without search attributes, alone.
  if (!key || !input.searchAttributes || reminderRules(input.policy).alone.includes(state.assessment.priority)) {
    return rt.mail('reminder', approver);
  }
  await remindInDigest.executeWithOptions({ summary: `reminder to ${who(approver)} (in their digest)` }, [
    {
      workflowId: digestWorkflowId(key),
      args: digestArgs(rt, approver, key),
      entry: {
        caseId: state.caseId,
        level: state.level,
        priority: state.assessment.priority,
        subject: state.subject,
        customer: state.customer.name || state.customer.address,
        promisedBy: state.promisedBy,
        reminder: n,
        top,
        ...(last ? { last } : {}),
        at: new Date().toISOString(),
      },
    },
  ]);
  rt.note('reminder-digested', `${approver.role} ${approver.name}`);
}

/** Marks the case stalled: the reminders at the top ran out. */
export function stall(rt: CaseRuntime, approver: Approver, reminders: number): void {
  rt.state.stalled = { at: new Date().toISOString(), reminders };
  rt.note('stalled', `${reminders} reminders to ${approver.name} without a decision; no further reminders`);
  rt.publish('awaiting-decision');
}
