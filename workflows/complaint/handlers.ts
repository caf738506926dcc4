/**
 * What reaches a running case from outside: decisions, forwarding, questions to the customer, ratings, and the
 * mails intake matches to the case (the customer's replies, which may withdraw or ask for a review; approvers'
 * answers; auto-replies and delivery reports). Each handler only records and queues; the story acts on it.
 * Workflow code: deterministic.
 */
import { patched, setHandler } from '@temporalio/workflow';
import { caseApprover } from '../ladder.js';
import {
  approverAwaySignal,
  autoReplySignal,
  caseStateQuery,
  customerReplySignal,
  deliveryFailedSignal,
  type InboundMail,
} from '../messages.js';
import { reviewPhrase } from '../review.js';
import { withdrawalPhrase } from '../withdrawal.js';
import { decisionHandlers } from './decision.js';
import { delegate, delegateIfAway, DEPUTIES } from './delegate.js';
import { registerFeedbackHandlers } from './feedback.js';
import { registerForward } from './forward.js';
import { registerInfoRequest } from './info-request.js';
import type { CaseRuntime } from './runtime.js';
import { MAIL_PROOF, staffMail } from './staff-mail.js';

/** Customer mails whose signed Message-ID, when a reply names it, shows the writer received our mail. */
// eslint-disable-next-line no-restricted-syntax -- read only: constant mail kinds
const CUSTOMER_KINDS = new Set(['acknowledgment', 'progress-update', 'decision', 'info-request', 'info-reminder']);

/** Registers every query, update and signal of the case, before the story's first step. */
export function registerCaseHandlers(rt: CaseRuntime): void {
  setHandler(caseStateQuery, () => rt.state);
  const recordDecision = decisionHandlers(rt.state, rt.note, () => rt.undoWindowMs);
  registerForward(rt);
  registerInfoRequest(rt);
  registerInboundMail(rt, recordDecision);
  registerFeedbackHandlers(rt);
}

function registerInboundMail(rt: CaseRuntime, recordDecision: ReturnType<typeof decisionHandlers>): void {
  const { input, state, ladder, note, notify } = rt;
  /**
   * Withdrawal, review and the answer to a question steer the case: only the customer's own address, answering a
   * mail we sent them (its keyed Message-ID). Anything else is forwarded to whoever decides, and steers nothing.
   */
  const fromCustomerInThread = (m: InboundMail): boolean => {
    if (!patched(MAIL_PROOF)) return true;
    const ours = (m.answers ?? []).some((r) => r.verified === true && CUSTOMER_KINDS.has(r.kind));
    return m.from.trim().toLowerCase() === input.customer.address.trim().toLowerCase() && ours;
  };
  setHandler(customerReplySignal, (m) => {
    const staff = caseApprover(state, m.from);
    if (staff) return staffMail(rt, recordDecision, staff, m);
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
    const review = state.decision?.outcome === 'rejected' && !state.review ? reviewPhrase(m.text) : undefined;
    const steering = (phrase ?? review) !== undefined && fromCustomerInThread(m);
    if ((phrase ?? review) !== undefined && !steering) {
      note('steering-refused', `${m.from}: "${phrase ?? review}" counts only from the customer answering our mail`);
    }
    if (phrase && steering) {
      state.withdrawn = { at: m.receivedAt, phrase };
      note('withdrawn', phrase);
      return;
    }
    if (review && steering && state.decision) {
      // The next level reviews (the top level reviews its own decision again when there is none above).
      const level = Math.min(state.decision.level + 1, ladder.length - 1);
      state.review = { requestedAt: m.receivedAt, phrase: review, original: state.decision, level };
      note('review-requested', review);
      return;
    }
    if (state.infoRequest && !state.infoRequest.closed) {
      if (fromCustomerInThread(m)) {
        state.infoRequest.closed = 'answered';
        note('info-answered', m.messageId);
      } else note('steering-refused', `${m.from}: an answer to the question counts only from the customer`);
    }
    notify({ kind: 'customer-reply' });
  });
  setHandler(autoReplySignal, (m) => {
    note('auto-reply-received', `${m.from}: ${m.reasons.join('; ')}`);
    if (patched(DEPUTIES)) delegateIfAway(rt, m);
  });
  // Another case had the approver's out-of-office reply, or an admin declared them absent (`nachfass absent`).
  setHandler(approverAwaySignal, (a) => {
    if (!patched(DEPUTIES)) return;
    const away = state.ladder[state.level];
    if (away && typeof a?.address === 'string' && a.address.trim().toLowerCase() === away.address.toLowerCase()) {
      delegate(rt, away, String(a.reason ?? 'away').slice(0, 300), typeof a.until === 'string' ? a.until : undefined);
    }
  });
  setHandler(deliveryFailedSignal, (r) => {
    const bounced = state.sent.find((s) => s.seq === r.seq);
    note(
      r.status?.startsWith('4') ? 'delivery-delayed' : 'delivery-failed',
      `${bounced ? `${bounced.kind} to ${bounced.to}` : 'unknown mail'}: ${r.reasons.join('; ')}`,
    );
    const aboutCustomer = bounced ? bounced.to === input.customer.address : true;
    // Anyone can write a fake bounce: only one that carries our signed envelope id (or returns our signed mail)
    // stops mail to the customer.
    if (r.verified !== true && patched(MAIL_PROOF)) {
      note('delivery-report-unverified', 'not signed by us: recorded, mail to the customer goes on');
      return;
    }
    // A 4.x.x status (RFC 3463) is a delay warning: the address may still work, so we keep writing to it.
    if (aboutCustomer && !r.status?.startsWith('4')) rt.markUnreachable(r.receivedAt, r.status);
  });
}
