/**
 * What a mail needs of a case: the activity input of `sendCaseMail`, built by the workflow from its state.
 * Pure: no I/O, no clocks.
 */
import type {
  Approver,
  Assessment,
  CaseState,
  ComplaintInput,
  DecisionRecord,
  PolicySnapshot,
  TLanguage,
  TMailDecisions,
  TMailKind,
} from './case.js';

/** What a mail template needs of a case: no policy rules, no timeline, the complaint text only for staff. */
export interface CaseMailContext {
  caseId: string;
  subject: string;
  customer: { name?: string; address: string };
  language: TLanguage;
  receivedAt: string;
  messageId: string;
  references: string[];
  company: PolicySnapshot['company'];
  /** The zone the reader reads times in: the customer's for customer mails, else the company's. */
  timeZone?: string;
  assessment: Assessment;
  level: number;
  promisedBy: string;
  decision?: DecisionRecord;
  /** Present in mails to staff only. */
  text?: string;
  /** Whether a reply can decide (staff mails only): mails that may be answered with a decision get a reply address. */
  mailDecisions?: TMailDecisions;
  /** The customer's latest reply, for `customer-reply`. */
  reply?: { at: string; from: string; subject: string; text: string };
  /** Why the customer cannot be reached, for `bounce-notice`. */
  unreachable?: { at: string; status?: string };
  /** Why an approver's mail was not taken as a decision, for `mail-decision-unclear`. */
  unclear?: string;
  /** Set while or after a review: the decision that was reviewed (the new one is `decision`). */
  review?: { original: DecisionRecord };
  /** The open question to the customer, for `info-request`, `info-reminder`, `info-timeout`. */
  infoRequest?: { byName: string; question: string; replyBy: string };
  /** Whom the recipient stands in for, for the `approval-request` to a deputy. */
  delegated?: { fromName: string; reason: string; at: string };
  /** Who forwarded the case and why, for an `escalation` that was asked for. */
  forwarded?: { byName: string; note?: string };
  /** The customer's feedback, for `feedback-thanks` and the `low-rating*` mails. */
  feedback?: { closesAt: string; rating?: number; comment?: string; comments: string[] };
  /** A low rating's follow-up, for `feedback-thanks` (who gets in touch, by when) and `low-rating*`. */
  lowRating?: { ownerName: string; dueAt: string; messageToCustomer?: string };
}

/** Input of the `sendCaseMail` activity. */
export interface CaseMailRequest {
  kind: TMailKind;
  /** Per-case sequence number: makes the Message-ID deterministic across retries. */
  seq: number;
  to: 'customer' | Approver;
  case: CaseMailContext;
}

/** Whether the customer's latest reply answered the follow-up survey (it is recorded as feedback). */
function answersSurvey(state: CaseState): boolean {
  const last = state.replies[state.replies.length - 1];
  return last !== undefined && (state.feedback?.comments.some((c) => c.at === last.at) ?? false);
}

/** The survey's state, for the mails about it. */
function feedbackContext(kind: TMailKind, state: CaseState): Pick<CaseMailContext, 'feedback'> {
  const f = state.feedback;
  const about =
    kind === 'follow-up' ||
    kind === 'feedback-thanks' ||
    kind.startsWith('low-rating') ||
    (kind === 'customer-reply' && answersSurvey(state));
  if (!f || !about) return {};
  return {
    feedback: {
      closesAt: f.closesAt,
      ...(f.rating ? { rating: f.rating.value } : {}),
      ...(f.rating?.comment ? { comment: f.rating.comment } : {}),
      comments: f.comments.map((c) => c.text),
    },
  };
}

/** A low rating's follow-up, for the thanks and the follow-up's own mails. */
function lowRatingContext(kind: TMailKind, state: CaseState): Pick<CaseMailContext, 'lowRating'> {
  const lr = state.lowRating;
  if (!lr || !(kind === 'feedback-thanks' || kind.startsWith('low-rating'))) return {};
  return {
    lowRating: {
      ownerName: lr.ownerName,
      dueAt: lr.dueAt,
      ...(lr.closed?.messageToCustomer ? { messageToCustomer: lr.closed.messageToCustomer } : {}),
    },
  };
}

/** Builds the activity input for one mail. Pure. */
export function caseMailRequest(
  kind: TMailKind,
  seq: number,
  to: 'customer' | Approver,
  input: ComplaintInput,
  state: CaseState,
): CaseMailRequest {
  return {
    kind,
    seq,
    to,
    case: {
      caseId: input.caseId,
      subject: input.subject,
      customer: input.customer,
      language: input.language,
      receivedAt: input.receivedAt,
      messageId: input.messageId,
      references: input.references,
      company: input.policy.company,
      ...(to === 'customer' && input.policy.customerTimeZone ? { timeZone: input.policy.customerTimeZone } : {}),
      assessment: state.assessment,
      level: state.level,
      promisedBy: state.promisedBy,
      // A pending decision (undo window) is for staff only: the customer hears of it when it stands.
      ...(state.decision && !(to === 'customer' && state.decision.pendingUntil) ? { decision: state.decision } : {}),
      ...(to === 'customer' ? {} : { text: input.text, mailDecisions: input.policy.mailDecisions ?? 'on' }),
      ...((kind === 'customer-reply' || kind === 'review-request') && state.replies.length > 0
        ? { reply: state.replies[state.replies.length - 1] }
        : {}),
      ...(state.review ? { review: { original: state.review.original } } : {}),
      ...(kind === 'bounce-notice' && state.customerUnreachable ? { unreachable: state.customerUnreachable } : {}),
      ...(kind === 'mail-decision-unclear' && state.unclear ? { unclear: state.unclear.reason } : {}),
      ...(kind.startsWith('info-') && state.infoRequest
        ? {
            infoRequest: {
              byName: state.infoRequest.byName,
              question: state.infoRequest.question,
              replyBy: state.infoRequest.replyBy,
            },
          }
        : {}),
      ...feedbackContext(kind, state),
      ...lowRatingContext(kind, state),
      ...(to !== 'customer' && state.delegated?.level === state.level && state.delegated.to === to.address
        ? { delegated: { fromName: state.delegated.fromName, reason: state.delegated.reason, at: state.delegated.at } }
        : {}),
      ...(kind === 'escalation' && state.forwarded?.toLevel === state.level
        ? {
            forwarded: {
              byName: state.forwarded.byName,
              ...(state.forwarded.note ? { note: state.forwarded.note } : {}),
            },
          }
        : {}),
    },
  };
}
