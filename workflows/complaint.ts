/**
 * ComplaintWorkflow: one durable case per complaint, told the way a support team works it.
 * Deterministic: only @temporalio/workflow and pure modules.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  patched,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { dueAt, type DurationSpec } from './rules/calendar.js';
import { planCase } from './rules/case-plan.js';
import { type Approver, type CaseState, type ComplaintInput, type TMailKind } from './case.js';
import { caseMailRequest } from './case-mail.js';
import { registerCaseHandlers, type TNotice } from './case-handlers.js';
import { decisionHandlers } from './decision.js';
import { ErrorCode } from './error-codes.js';
import { collectFeedback, registerFeedbackHandlers, type FeedbackContext } from './feedback.js';
import { findApprover } from './ladder.js';
import { caseStateQuery } from './messages.js';
import { publishSearchAttributes } from './search-attributes.js';

/** Change ids of the workflow's command sequence (see patched() in the Temporal docs); never reuse one. */
const FEEDBACK_SURVEY = 'feedback-survey';
const DECISION_RECEIPT = 'decision-receipt';

const { sendCaseMail } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

export async function ComplaintWorkflow(input: ComplaintInput): Promise<CaseState> {
  const { policy } = input;
  const ladder = policy.ladder;
  // Assessment, first level, durations and calendar: one reading of the policy (rules/case-plan.ts).
  const times = planCase(input, policy);
  const { assessment, firstLevel } = times;
  const state: CaseState = {
    caseId: input.caseId,
    status: 'awaiting-decision',
    subject: input.subject,
    text: input.text,
    customer: input.customer,
    language: input.language,
    ...(policy.customerTimeZone ? { customerTimeZone: policy.customerTimeZone } : {}),
    assessment,
    ladder,
    level: firstLevel,
    promisedBy: new Date(dueAt(Date.now(), times.durations.answerPromise, times.calendar)).toISOString(),
    replies: [],
    sent: [],
    timeline: [],
  };
  const note = (event: string, detail?: string): void => {
    state.timeline.push({ at: new Date().toISOString(), event, ...(detail === undefined ? {} : { detail }) });
  };
  const publish = (status: CaseState['status']): void => {
    state.status = status;
    if (input.searchAttributes) publishSearchAttributes(state, input.customerKey);
  };

  let seq = 0;
  const mail = async (kind: TMailKind, to: 'customer' | Approver): Promise<void> => {
    if (to === 'customer' && state.customerUnreachable) {
      note(`mail:${kind}:skipped`, 'the customer address bounced');
      return;
    }
    seq += 1;
    state.sent.push({ seq, kind, to: to === 'customer' ? input.customer.address : to.address });
    try {
      await sendCaseMail(caseMailRequest(kind, seq, to, input, state));
    } catch (err) {
      // A permanent SMTP refusal must not end the case: record it; a refused customer address counts as a bounce.
      const cause = err instanceof ActivityFailure ? err.cause : undefined;
      if (!(cause instanceof ApplicationFailure) || cause.type !== ErrorCode.SmtpRejected) throw err;
      note(`mail:${kind}:refused`, cause.message);
      if (to === 'customer') markUnreachable(new Date().toISOString(), 'refused by our SMTP server');
      return;
    }
    note(`mail:${kind}`, to === 'customer' ? 'customer' : `${to.role} ${to.name}`);
  };
  /** Whoever decides now: the one who decided, or the current level of the ladder. */
  const responsible = (): Approver | undefined =>
    (state.decision && findApprover(ladder, state.decision.decidedBy)) ?? ladder[state.level];

  // Staff notices (a customer reply, a bounce, an unclear mail decision) go out beside the main story, in order.
  const notices: TNotice[] = [];
  let noticing = false;
  void (async () => {
    for (;;) {
      await condition(() => notices.length > 0);
      noticing = true;
      const { kind, to = responsible() } = notices.shift()!;
      if (to) await mail(kind, to);
      noticing = false;
    }
  })();

  function markUnreachable(at: string, status?: string): void {
    if (state.customerUnreachable) return;
    state.customerUnreachable = { at, ...(status ? { status } : {}) };
    notices.push({ kind: 'bounce-notice' });
  }

  setHandler(caseStateQuery, () => state);
  const flags = { forwardRequested: false };
  registerCaseHandlers({
    input,
    state,
    note,
    notify: (n) => notices.push(n),
    markUnreachable,
    recordDecision: decisionHandlers(state, note),
    plan: times,
    flags,
  });
  const feedback: FeedbackContext = {
    state,
    ladder,
    note,
    publish,
    mail,
    due: (from, d) => dueAt(from, d, times.calendar),
    durations: times.durations,
    lowRatingAtMost: policy.feedback?.lowRatingAtMost ?? 2,
  };
  registerFeedbackHandlers(feedback);

  // 1. Assessed and acknowledged at once, with a concrete time the customer will hear from us.
  publish('awaiting-decision');
  note('assessed', `${state.assessment.priority}: ${state.assessment.reasons.join('; ')}`);
  if (input.relatedCaseId) note('follows-up-case', input.relatedCaseId);
  if (input.acknowledge) await mail('acknowledgment', 'customer');
  else note('acknowledgment-withheld', 'sender over the acknowledgment rate limit');

  // 2. The first rung of the ladder is asked to decide.
  const first = ladder[firstLevel];
  if (!first) throw new Error('policy has an empty escalation ladder');
  await mail('approval-request', first);

  // 3. Wait for a decision; remind, escalate and keep the promise to the customer meanwhile.
  // Every due time comes from the business calendar when the policy says "business hours" (e.g. 4bh).
  const { reminderAfter, escalateAfter, answerPromise, followUpAfter } = times.durations;
  const due = (from: number, d: DurationSpec): number => dueAt(from, d, times.calendar);
  let reminderAt = due(Date.now(), reminderAfter);
  let escalateAt: number | undefined = firstLevel < ladder.length - 1 ? due(Date.now(), escalateAfter) : undefined;
  const stopped = (): boolean => state.decision !== undefined || state.withdrawn !== undefined;
  while (!stopped()) {
    // Waiting for the customer's answer to a question: the approver's clock stops meanwhile.
    const question = state.infoRequest;
    if (question && !question.closed) {
      if (!question.sent) {
        question.sent = true;
        await mail('info-request', 'customer');
      }
      const remindAt = due(Date.parse(question.at), times.durations.infoReminderAfter);
      const timeoutAt = Date.parse(question.replyBy);
      const wakeAt = question.reminded ? timeoutAt : Math.min(remindAt, timeoutAt);
      await condition(() => stopped() || question.closed !== undefined, Math.max(wakeAt - Date.now(), 1));
      if (stopped()) break;
      if (!question.closed && Date.now() >= timeoutAt) {
        question.closed = 'timeout';
        note('info-timeout');
        notices.push({
          kind: 'info-timeout',
          ...(findApprover(ladder, question.by) ? { to: findApprover(ladder, question.by)! } : {}),
        });
      } else if (!question.closed && Date.now() >= remindAt && !question.reminded) {
        question.reminded = true;
        await mail('info-reminder', 'customer');
      }
      if (question.closed) {
        // The case resumes: the approver's reminder and escalation clocks start again.
        reminderAt = due(Date.now(), reminderAfter);
        if (escalateAt !== undefined) escalateAt = due(Date.now(), escalateAfter);
      }
      continue;
    }
    const next = Math.min(reminderAt, escalateAt ?? Infinity, Date.parse(state.promisedBy));
    const asked = (): boolean => state.infoRequest !== undefined && !state.infoRequest.closed;
    await condition(() => stopped() || flags.forwardRequested || asked(), Math.max(next - Date.now(), 1));
    if (stopped()) break;
    if (asked()) continue;
    const now = Date.now();
    // Forwarded by the current approver: the next level now, as if its escalation time had come.
    if (flags.forwardRequested) escalateAt = now;
    flags.forwardRequested = false;
    if (now >= Date.parse(state.promisedBy)) {
      state.promisedBy = new Date(due(now, answerPromise)).toISOString();
      publish('awaiting-decision');
      await mail('progress-update', 'customer');
    }
    if (escalateAt !== undefined && now >= escalateAt) {
      state.level += 1;
      const approver = ladder[state.level];
      if (!approver) throw new Error(`no approver at level ${state.level}`);
      publish('awaiting-decision');
      await mail('escalation', approver);
      reminderAt = due(now, reminderAfter);
      escalateAt = state.level < ladder.length - 1 ? due(now, escalateAfter) : undefined;
    } else if (now >= reminderAt) {
      const approver = ladder[state.level];
      if (approver) await mail('reminder', approver);
      reminderAt = due(now, reminderAfter);
    }
  }

  /** Whoever a decision was made in the name of gets a receipt: a forged decision cannot go unnoticed. */
  async function sendReceipt(): Promise<void> {
    const by = state.decision && findApprover(ladder, state.decision.decidedBy);
    if (by && patched(DECISION_RECEIPT)) await mail('decision-receipt', by);
  }

  /** A review after a rejection: the reviewing level decides anew; the outcome goes to the customer. */
  async function reviewCase(level: number): Promise<void> {
    state.decision = undefined;
    state.level = level;
    publish('awaiting-decision');
    const reviewer = ladder[level]!;
    await mail('review-request', reviewer);
    while (!state.decision) {
      const decided = await condition(
        () => state.decision !== undefined,
        Math.max(due(Date.now(), reminderAfter) - Date.now(), 1),
      );
      if (!decided) await mail('reminder', ladder[state.level]!);
    }
    publish('decided');
    await sendReceipt();
    await mail('decision', 'customer');
    publish('awaiting-feedback');
    await sleep(Math.max(due(Date.now(), followUpAfter) - Date.now(), 1));
  }

  // The customer withdrew: confirm politely, tell whoever was deciding, close without a survey.
  if (state.withdrawn) {
    await mail('withdrawal-confirmation', 'customer');
    const to = responsible();
    if (to) await mail('case-withdrawn', to);
    await condition(() => notices.length === 0 && !noticing);
    publish('withdrawn');
    return state;
  }

  // 4. The decision goes to the customer; later we ask how satisfied they were (5. feedback.ts).
  publish('decided');
  await sendReceipt();
  await mail('decision', 'customer');
  publish('awaiting-feedback');
  const reviewAsked = await condition(
    () => state.review !== undefined,
    Math.max(due(Date.now(), followUpAfter) - Date.now(), 1),
  );
  if (reviewAsked && state.review) await reviewCase(state.review.level);
  // Cases that reached this point under the release before the survey (replayed histories) keep their old
  // ending: the follow-up, then done. Every case that gets here now runs the survey (patched() is true).
  if (patched(FEEDBACK_SURVEY)) await collectFeedback(feedback);
  else await mail('follow-up', 'customer');
  await condition(() => notices.length === 0 && !noticing);
  publish('completed');
  log.info('case completed', { caseId: input.caseId, outcome: state.decision?.outcome });
  return state;
}
