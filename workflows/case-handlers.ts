/**
 * What reaches a running case from outside besides a decision: approvers' mails, forwarding, questions to
 * the customer, the customer's replies (withdrawal, review), auto-replies and delivery reports. Each
 * handler only records and queues; the story in complaint.ts acts on it. Workflow code: deterministic.
 */
import { patched, setHandler } from '@temporalio/workflow';
import { dueAt } from './rules/calendar.js';
import type { CasePlan } from './rules/case-plan.js';
import {
  DECIDING_MAIL_KINDS,
  type Approver,
  type CaseState,
  type ComplaintInput,
  type DecisionRecord,
} from './case.js';
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

/**
 * Change ids (patched()): replies decide only with proof; withdrawal and review only from the customer in our
 * thread; bounces only with our signed envelope id. Histories from before replay their old handling.
 */
export const MAIL_PROOF = 'mail-proof';

/** Customer mails whose signed Message-ID, when a reply names it, shows the writer received our mail. */
const CUSTOMER_KINDS = new Set(['acknowledgment', 'progress-update', 'decision', 'info-request', 'info-reminder']);

/** Our mails whose answer could decide before MAIL_PROOF. */
const LEGACY_DECIDING_KINDS = new Set([
  'approval-request',
  'reminder',
  'escalation',
  'customer-reply',
  'info-timeout',
  'review-request',
]);

const PROOF_FAILURES: Record<NonNullable<InboundMail['proofFailure']>, string> = {
  'bad-signature': 'its reply address was not issued by us for your address',
  expired: 'the reply address of that request has expired',
  'other-case': 'its reply address belongs to another case',
};

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
  /** The case's plan: its reply-by times count with the same durations and calendar as the story. */
  plan: Pick<CasePlan, 'durations' | 'calendar'>;
  /** Set by the `forward` update; the story escalates and clears it. */
  flags: { forwardRequested: boolean };
}

export function registerCaseHandlers(ctx: CaseContext): void {
  const { input, state, note, notify, markUnreachable, recordDecision, plan, flags } = ctx;
  const { policy } = input;
  const ladder = policy.ladder;

  /** An approver's answer by mail: a decision only through the signed reply address of their own request. */
  const staffMail = (a: Approver, m: InboundMail): void => {
    const unclear = (reason: string, event = 'mail-decision-unclear'): void => {
      state.unclear = { at: m.receivedAt, reason };
      note(event, `${a.name}: ${reason} (${m.messageId || 'no Message-ID'})`);
      notify({ kind: 'mail-decision-unclear', to: a });
    };
    if (!patched(MAIL_PROOF)) return legacyStaffMail(a, m, unclear);
    const mode = policy.mailDecisions ?? 'on';
    if (mode === 'off') return unclear('decisions by mail are turned off for this team', 'mail-decision-refused');
    const proof = m.proof;
    if (!proof) {
      const why = m.proofFailure
        ? PROOF_FAILURES[m.proofFailure]
        : 'it did not come through the personal reply address of a request to you';
      return unclear(why, 'mail-decision-refused');
    }
    const request = state.sent.find((s) => s.seq === proof.seq);
    if (!request || request.to !== a.address || !DECIDING_MAIL_KINDS.includes(request.kind)) {
      return unclear('it does not answer a request that was sent to you', 'mail-decision-refused');
    }
    const parsed = parseMailDecision(m.text);
    if (!parsed.ok) return unclear(parsed.reason);
    if (mode === 'reject-only' && parsed.outcome !== 'rejected') {
      return unclear(
        'only a rejection can be sent by mail for this team; approve through the link',
        'mail-decision-refused',
      );
    }
    try {
      recordDecision({
        outcome: parsed.outcome,
        decidedBy: a.address,
        channel: 'mail',
        ...(parsed.note ? { noteToCustomer: parsed.note } : {}),
        evidence: { method: 'reply-address', seq: proof.seq, messageId: m.messageId },
      });
    } catch (err) {
      unclear(err instanceof Error ? err.message : String(err));
    }
  };
  /** The release before MAIL_PROOF, kept for replaying its histories: references and From alone decided. */
  const legacyStaffMail = (a: Approver, m: InboundMail, unclear: (reason: string) => void): void => {
    const ownRequest = (m.answers ?? []).some(
      (r) => LEGACY_DECIDING_KINDS.has(r.kind) && state.sent.find((s) => s.seq === r.seq)?.to === a.address,
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
  /** Withdrawal and review steer the case: only the customer's own address, answering a mail we sent them. */
  const fromCustomerInThread = (m: InboundMail): boolean => {
    if (!patched(MAIL_PROOF)) return true;
    const ours = (m.answers ?? []).some((r) => r.verified === true && CUSTOMER_KINDS.has(r.kind));
    return m.from === input.customer.address && ours;
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
      const replyBy = new Date(dueAt(Date.now(), plan.durations.infoTimeout, plan.calendar)).toISOString();
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
    // Anyone can write a fake bounce: only one that carries our signed envelope id (or returns our signed mail)
    // stops mail to the customer.
    if (r.verified !== true && patched(MAIL_PROOF)) {
      note('delivery-report-unverified', 'not signed by us: recorded, mail to the customer goes on');
      return;
    }
    // A 4.x.x status (RFC 3463) is a delay warning: the address may still work, so we keep writing to it.
    if (aboutCustomer && !r.status?.startsWith('4')) markUnreachable(r.receivedAt, r.status);
  });
}
