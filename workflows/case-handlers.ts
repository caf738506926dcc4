/**
 * What reaches a running case from outside besides a decision: approvers' mails, forwarding, questions to
 * the customer, the customer's replies (withdrawal, review), auto-replies and delivery reports. Each
 * handler only records and queues; the story in complaint.ts acts on it. Workflow code: deterministic.
 */
import { setHandler } from '@temporalio/workflow';
import { caseTimes, dueAt } from './calendar.js';
import type { Approver, CaseState, ComplaintInput, DecisionRecord } from './case.js';
import { actingApprover } from './decision.js';
import { findApprover } from './ladder.js';
import { parseMailDecision } from './mail-decision.js';
import {
  autoReplySignal,
  customerReplySignal,
  deliveryFailedSignal,
  forwardUpdate,
  requestInfoUpdate,
  type DecisionInput,
  type ForwardInput,
  type InfoRequestInput,
  type InboundMail,
} from './messages.js';
import { reviewPhrase } from './review.js';
import { withdrawalPhrase } from './withdrawal.js';

/** Our mails whose answer may carry a decision: they went to an approver, with the decision link. */
const DECIDING_KINDS = new Set([
  'approval-request',
  'reminder',
  'escalation',
  'customer-reply',
  'info-timeout',
  'review-request',
]);

export type TNotice = {
  kind: 'customer-reply' | 'bounce-notice' | 'mail-decision-unclear' | 'info-timeout';
  to?: Approver;
};

export interface CaseContext {
  input: ComplaintInput;
  state: CaseState;
  note: (event: string, detail?: string) => void;
  /** Queues a notice to staff (to whoever decides, unless `to` says otherwise). */
  notify: (n: TNotice) => void;
  markUnreachable: (at: string, status?: string) => void;
  recordDecision: (d: DecisionInput) => DecisionRecord;
  /** Set by the `forward` update; the story escalates and clears it. */
  flags: { forwardRequested: boolean };
}

export function registerCaseHandlers(ctx: CaseContext): void {
  const { input, state, note, notify, markUnreachable, recordDecision, flags } = ctx;
  const { policy } = input;
  const ladder = policy.ladder;

  /** An approver's answer to their request by mail: a decision when its first line says so clearly. */
  const staffMail = (a: Approver, m: InboundMail): void => {
    const unclear = (reason: string): void => {
      state.unclear = { at: m.receivedAt, reason };
      note('mail-decision-unclear', `${a.name}: ${reason}`);
      notify({ kind: 'mail-decision-unclear', to: a });
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
  const validateForward = (f: ForwardInput): Approver => {
    const by = actingApprover(state, f.by);
    // Above the current level one decides rather than forwards.
    if (by.level !== state.level) throw new Error(`only the current level (${ladder[state.level]?.name}) can forward`);
    if (!ladder[state.level + 1]) throw new Error('there is no higher level to forward to');
    if (flags.forwardRequested) throw new Error('already being forwarded');
    return by;
  };
  setHandler(
    forwardUpdate,
    (f) => {
      const by = validateForward(f);
      flags.forwardRequested = true;
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
    const by = actingApprover(state, r.by);
    if (!String(r.question ?? '').trim()) throw new Error('a question to the customer is needed');
    if (state.infoRequest && !state.infoRequest.closed) throw new Error('a question to the customer is already open');
    return by;
  };
  setHandler(
    requestInfoUpdate,
    (r) => {
      const by = validateInfoRequest(r);
      const { durations, calendar } = caseTimes(policy);
      const replyBy = new Date(dueAt(Date.now(), durations.infoTimeout, calendar)).toISOString();
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
    // An answer to the follow-up survey is feedback in the customer's own words (whoever decided reads it too).
    if (state.feedback && !state.feedback.closedAt) {
      state.feedback.comments.push({ at: m.receivedAt, text: m.text.slice(0, 4000) });
      note('feedback-reply', m.messageId);
      notify({ kind: 'customer-reply' });
      return;
    }
    const phrase = state.decision || state.withdrawn ? undefined : withdrawalPhrase(m.text);
    if (phrase) {
      state.withdrawn = { at: m.receivedAt, phrase };
      note('withdrawn', phrase);
      return;
    }
    const review = state.decision?.outcome === 'rejected' && !state.review ? reviewPhrase(m.text) : undefined;
    if (review && state.decision) {
      // The next level reviews (the top level reviews its own decision again when there is none above).
      const level = Math.min(state.decision.level + 1, ladder.length - 1);
      state.review = { requestedAt: m.receivedAt, phrase: review, original: state.decision, level };
      note('review-requested', review);
      return;
    }
    if (state.infoRequest && !state.infoRequest.closed) {
      state.infoRequest.closed = 'answered';
      note('info-answered', m.messageId);
    }
    notify({ kind: 'customer-reply' });
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
}
