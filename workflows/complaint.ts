/**
 * ComplaintWorkflow: one durable case per complaint, told the way a support team works it.
 * Deterministic: only @temporalio/workflow and pure modules.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  log,
  proxyActivities,
  setHandler,
  sleep,
} from '@temporalio/workflow';
import type { createActivities } from '../activities/index.js';
import { assess } from './assessment.js';
import { dueAt, type DurationSpec } from './calendar.js';
import { caseMailRequest, type Approver, type CaseState, type ComplaintInput, type TMailKind } from './case.js';
import { decisionHandlers } from './decision.js';
import { ErrorCode } from './error-codes.js';
import { findApprover, supersededBy } from './ladder.js';
import { parseMailDecision } from './mail-decision.js';
import {
  autoReplySignal,
  caseStateQuery,
  customerReplySignal,
  deliveryFailedSignal,
  forwardUpdate,
  requestInfoUpdate,
  type ForwardInput,
  type InfoRequestInput,
  type InboundMail,
} from './messages.js';
import { publishSearchAttributes } from './search-attributes.js';
import { withdrawalPhrase } from './withdrawal.js';

const { sendCaseMail } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Our mails whose answer may carry a decision: they went to an approver, with the decision link. */
const DECIDING_KINDS = new Set(['approval-request', 'reminder', 'escalation', 'customer-reply', 'info-timeout']);

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
    promisedBy: new Date(dueAt(Date.now(), policy.durations.answerPromise, policy.calendar)).toISOString(),
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
  const notices: Array<{
    kind: 'customer-reply' | 'bounce-notice' | 'mail-decision-unclear' | 'info-timeout';
    to?: Approver;
  }> = [];
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
  const recordDecision = decisionHandlers(state, note);
  /** An approver's answer to their request by mail: a decision when its first line says so clearly. */
  const staffMail = (a: Approver, m: InboundMail): void => {
    const unclear = (reason: string): void => {
      state.unclear = { at: m.receivedAt, reason };
      note('mail-decision-unclear', `${a.name}: ${reason}`);
      notices.push({ kind: 'mail-decision-unclear', to: a });
    };
    const ownRequest = (m.answers ?? []).some(
      (r) => DECIDING_KINDS.has(r.kind) && state.sent.find((s) => s.seq === r.seq)?.to === a.address,
    );
    if (!ownRequest) return unclear('it does not answer a request that was sent to you');
    const parsed = parseMailDecision(m.text);
    if (!parsed.ok) return unclear(parsed.reason);
    try {
      recordDecision({
        outcome: parsed.outcome,
        decidedBy: a.address,
        channel: 'mail',
        ...(parsed.note ? { noteToCustomer: parsed.note } : {}),
      });
    } catch (err) {
      unclear(err instanceof Error ? err.message : String(err));
    }
  };
  let forwardRequested = false;
  const validateForward = (f: ForwardInput): Approver => {
    if (state.decision) throw new Error(`already decided by ${state.decision.decidedByName} at ${state.decision.at}`);
    if (state.withdrawn) throw new Error('withdrawn: the customer withdrew the complaint');
    const by = findApprover(ladder, f.by);
    if (!by) throw new Error(`${String(f.by)} is not an approver of this case`);
    if (by.level !== state.level) throw new Error(`only the current level (${ladder[state.level]?.name}) can forward`);
    if (!ladder[state.level + 1]) throw new Error('there is no higher level to forward to');
    if (forwardRequested) throw new Error('already being forwarded');
    return by;
  };
  setHandler(
    forwardUpdate,
    (f) => {
      const by = validateForward(f);
      forwardRequested = true;
      state.forwarded = {
        by: by.address,
        byName: by.name,
        at: new Date().toISOString(),
        toLevel: state.level + 1,
        ...(f.note ? { note: String(f.note).slice(0, 4000) } : {}),
      };
      note('forwarded', `${by.name}${f.note ? `: ${f.note}` : ''}`);
      return { level: state.level + 1 };
    },
    { validator: (f) => void validateForward(f) },
  );
  const validateInfoRequest = (r: InfoRequestInput): Approver => {
    if (state.decision) throw new Error(`already decided by ${state.decision.decidedByName} at ${state.decision.at}`);
    if (state.withdrawn) throw new Error('withdrawn: the customer withdrew the complaint');
    const by = findApprover(ladder, r.by);
    if (!by) throw new Error(`${String(r.by)} is not an approver of this case`);
    const current = supersededBy(ladder, state.level, by);
    if (current) throw new Error(`superseded: the case has moved on to ${current.name} (${current.role})`);
    if (!String(r.question ?? '').trim()) throw new Error('a question to the customer is needed');
    if (state.infoRequest && !state.infoRequest.closed) throw new Error('a question to the customer is already open');
    return by;
  };
  setHandler(
    requestInfoUpdate,
    (r) => {
      const by = validateInfoRequest(r);
      const replyBy = new Date(dueAt(Date.now(), policy.durations.infoTimeout, policy.calendar)).toISOString();
      state.infoRequest = {
        by: by.address,
        byName: by.name,
        question: String(r.question).trim().slice(0, 4000),
        at: new Date().toISOString(),
        replyBy,
      };
      note('info-requested', by.name);
      return { replyBy };
    },
    { validator: (r) => void validateInfoRequest(r) },
  );
  setHandler(customerReplySignal, (m) => {
    const staff = findApprover(ladder, m.from);
    if (staff) return staffMail(staff, m);
    state.replies.push({ at: m.receivedAt, from: m.from, subject: m.subject, text: m.text });
    note('customer-replied', m.messageId);
    const phrase = state.decision || state.withdrawn ? undefined : withdrawalPhrase(m.text);
    if (phrase) {
      state.withdrawn = { at: m.receivedAt, phrase };
      note('withdrawn', phrase);
      return;
    }
    if (state.infoRequest && !state.infoRequest.closed) {
      state.infoRequest.closed = 'answered';
      note('info-answered', m.messageId);
    }
    notices.push({ kind: 'customer-reply' });
  });
  setHandler(autoReplySignal, (m) => note('auto-reply-received', `${m.from}: ${m.reasons.join('; ')}`));
  setHandler(deliveryFailedSignal, (r) => {
    const bounced = state.sent.find((s) => s.seq === r.seq);
    note(
      r.status?.startsWith('4') ? 'delivery-delayed' : 'delivery-failed',
      `${bounced ? `${bounced.kind} to ${bounced.to}` : 'unknown mail'}: ${r.reasons.join('; ')}`,
    );
    const aboutCustomer = bounced ? bounced.to === input.customer.address : true;
    // A 4.x.x status (RFC 3463) is a delay warning: the address may still work, so we keep writing to it.
    if (aboutCustomer && !r.status?.startsWith('4')) markUnreachable(r.receivedAt, r.status);
  });

  // 1. Assessed and acknowledged at once, with a concrete time the customer will hear from us.
  publish('awaiting-decision');
  note('assessed', `${state.assessment.priority}: ${state.assessment.reasons.join('; ')}`);
  if (input.relatedCaseId) note('follows-up-case', input.relatedCaseId);
  if (input.acknowledge) await mail('acknowledgment', 'customer');
  else note('acknowledgment-withheld', 'sender over the acknowledgment rate limit');

  // 2. The first rung of the ladder is asked to decide.
  const first = ladder[0];
  if (!first) throw new Error('policy has an empty escalation ladder');
  await mail('approval-request', first);

  // 3. Wait for a decision; remind, escalate and keep the promise to the customer meanwhile.
  // Every due time comes from the business calendar when the policy says "business hours" (e.g. 4bh).
  const { reminderAfter, escalateAfter, answerPromise, followUpAfter } = policy.durations;
  const due = (from: number, d: DurationSpec): number => dueAt(from, d, policy.calendar);
  let reminderAt = due(Date.now(), reminderAfter);
  let escalateAt: number | undefined = ladder.length > 1 ? due(Date.now(), escalateAfter) : undefined;
  const stopped = (): boolean => state.decision !== undefined || state.withdrawn !== undefined;
  while (!stopped()) {
    // Waiting for the customer's answer to a question: the approver's clock stops meanwhile.
    const question = state.infoRequest;
    if (question && !question.closed) {
      if (!question.sent) {
        question.sent = true;
        await mail('info-request', 'customer');
      }
      const remindAt = due(Date.parse(question.at), policy.durations.infoReminderAfter);
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
    await condition(() => stopped() || forwardRequested || asked(), Math.max(next - Date.now(), 1));
    if (stopped()) break;
    if (asked()) continue;
    const now = Date.now();
    // Forwarded by the current approver: the next level now, as if its escalation time had come.
    if (forwardRequested) escalateAt = now;
    forwardRequested = false;
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

  // The customer withdrew: confirm politely, tell whoever was deciding, close without a survey.
  if (state.withdrawn) {
    await mail('withdrawal-confirmation', 'customer');
    const to = responsible();
    if (to) await mail('case-withdrawn', to);
    await condition(() => notices.length === 0 && !noticing);
    publish('withdrawn');
    return state;
  }

  // 4. The decision goes to the customer; later we ask how satisfied they were.
  publish('decided');
  await mail('decision', 'customer');
  publish('awaiting-feedback');
  await sleep(Math.max(due(Date.now(), followUpAfter) - Date.now(), 1));
  await mail('follow-up', 'customer');
  await condition(() => notices.length === 0 && !noticing);
  publish('completed');
  log.info('case completed', { caseId: input.caseId, outcome: state.decision?.outcome });
  return state;
}
