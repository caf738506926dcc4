/**
 * ComplaintWorkflow: one durable case per complaint, told the way a support team works it. The case's hands
 * (state, mail, notices) live in complaint/runtime.ts, each step of the story in its own module.
 * Deterministic: only @temporalio/workflow and pure modules.
 */
import { log, patched } from '@temporalio/workflow';
import type { CaseState, ComplaintInput } from './case.js';
import { announceDecision } from './complaint/announce.js';
import { awaitDecision } from './complaint/await-decision.js';
import { ask } from './complaint/delegate.js';
import { collectFeedback } from './complaint/feedback.js';
import { registerCaseHandlers } from './complaint/handlers.js';
import { reviewIfAsked } from './complaint/review.js';
import { CaseRuntime } from './complaint/runtime.js';
import { UNDO_WINDOW } from './complaint/undo.js';
import { planCase } from './rules/case-plan.js';

/** Change id (patched()): cases from before the survey end with the plain follow-up; never reuse the id. */
const FEEDBACK_SURVEY = 'feedback-survey';
/**
 * Change id (patched()): the acknowledgment and the first approval request go out side by side, not one after the
 * other. Neither mail says anything of the other, and with case mail as local activities the case's first workflow
 * task then lasts about one SMTP submission instead of two. Cases from before replay them in turn; never reuse it.
 */
const FIRST_MAILS_TOGETHER = 'first-mails-together';

export async function ComplaintWorkflow(input: ComplaintInput): Promise<CaseState> {
  // Assessment, first level, durations and calendar: one reading of the policy (rules/case-plan.ts).
  const rt = new CaseRuntime(input, planCase(input, input.policy));
  const { state } = rt;
  // Decisions pending for an undo window: only where the policy sets one (0 keeps the commands as before).
  const undoWindow = input.policy.decisionUndoWindow ?? 0;
  if (undoWindow > 0 && patched(UNDO_WINDOW)) rt.undoWindowMs = undoWindow;
  rt.startNotices();
  registerCaseHandlers(rt);

  // 1. Assessed and acknowledged at once, with a concrete time the customer will hear from us.
  rt.publish('awaiting-decision');
  rt.note('assessed', `${state.assessment.priority}: ${state.assessment.reasons.join('; ')}`);
  if (input.relatedCaseId) rt.note('follows-up-case', input.relatedCaseId);
  const together = patched(FIRST_MAILS_TOGETHER);
  let acknowledged: Promise<void> | undefined;
  if (input.acknowledge) acknowledged = rt.mail('acknowledgment', 'customer');
  else rt.note('acknowledgment-withheld', 'sender over the acknowledgment rate limit');
  if (!together) await acknowledged;

  // 2. The first rung of the ladder is asked to decide, beside the acknowledgment (FIRST_MAILS_TOGETHER).
  const first = rt.ladder[rt.plan.firstLevel];
  if (!first) throw new Error('policy has an empty escalation ladder'); // the policy's schema needs one (min 1)
  await Promise.all([acknowledged, ask(rt, 'approval-request', first)]);

  // 3. Wait for a decision; remind, escalate and keep the promise to the customer meanwhile.
  await awaitDecision(rt);
  if (state.withdrawn) return closeWithdrawn(rt);

  // 4. The decision goes to the customer; a rejection may be reviewed before the follow-up.
  await announceDecision(rt);
  await reviewIfAsked(rt);

  // 5. How satisfied was the customer? Cases that reached this point under the release before the survey
  // (replayed histories) keep their old ending: the follow-up, then done.
  if (patched(FEEDBACK_SURVEY)) await collectFeedback(rt);
  else await rt.mail('follow-up', 'customer');
  await rt.noticesSent();
  rt.publish('completed');
  log.info('case completed', { caseId: input.caseId, outcome: state.decision?.outcome });
  return state;
}

/** The customer withdrew: confirm politely, tell whoever was deciding, close without a survey. */
async function closeWithdrawn(rt: CaseRuntime): Promise<CaseState> {
  await rt.mail('withdrawal-confirmation', 'customer');
  const to = rt.responsible();
  if (to) await rt.mail('case-withdrawn', to);
  await rt.noticesSent();
  rt.publish('withdrawn');
  return rt.state;
}
