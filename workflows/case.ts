/**
 * Case model shared by intake, workflow, templates and the link server. Pure: no I/O, no clocks.
 */
import type { DecisionEvidence, FeedbackRecord, LowRatingFollowUp, TimelineEntry } from './case-records.js';
import type { TMailKind } from './mail-kinds.js';
import type { PolicySnapshot } from './policy-snapshot.js';

export type { DecisionEvidence, FeedbackRecord, LowRatingFollowUp, TimelineEntry } from './case-records.js';
export type { PolicySnapshot, TMailDecisions } from './policy-snapshot.js';
export { DECIDING_MAIL_KINDS, type TMailKind } from './mail-kinds.js';

export type TLanguage = 'de' | 'en';
export type TLevel = 'low' | 'high';
export type TPriority = 'P1' | 'P2' | 'P3' | 'P4';

/** Where a case stands; mirrored in the `CaseStatus` search attribute. */
export type TCaseStatus =
  | 'awaiting-decision'
  | 'decided'
  | 'awaiting-feedback'
  /** A low rating opened a follow-up that its owner has not closed yet. */
  | 'feedback-follow-up'
  | 'completed'
  | 'withdrawn';

export interface Person {
  name: string;
  address: string;
  language: TLanguage;
}

/** One rung of the escalation ladder: who decides at this level. */
export interface Approver extends Person {
  level: number;
  role: string;
  /** Who decides in their stead while they are away (policy `deputy`). */
  deputy?: Person;
}

/** The durations a matrix quadrant may set differently from the policy's. */
export type TDurationName = 'answerPromise' | 'reminderAfter' | 'escalateAfter' | 'followUpAfter';

/** The choices an approver has. `alternative`: approved with another solution than asked for, described in the note to the customer. */
export const DECISION_OUTCOMES = ['approved', 'rejected', 'alternative'] as const;
export type TDecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/** Satisfaction is rated 1 (not at all) to 5 (very satisfied). */
export const RATING_MAX = 5;

export interface AttachmentInfo {
  filename: string;
  contentType: string;
  size: number;
}

/** Everything the workflow gets from intake. Bounded: never raw MIME or attachment content. */
export interface ComplaintInput {
  caseId: string;
  /** Mailbox the complaint arrived in, and where the original is archived. */
  mailbox: string;
  receivedAt: string;
  messageId: string;
  references: string[];
  customer: { name?: string; address: string };
  /** Keyed hash of the customer's address, for the CustomerHash search attribute. */
  customerKey: string;
  /**
   * Keyed hashes of the ladder's people by lower-cased address, for the ApproverHash search attribute (each
   * person's queue) and their digest workflows. Absent in cases started before the queue.
   */
  approverKeys?: Record<string, string>;
  subject: string;
  /** Plain text, truncated with a visible marker when too long. */
  text: string;
  language: TLanguage;
  attachments: AttachmentInfo[];
  policy: PolicySnapshot;
  /**
   * False when the sender exceeded the acknowledgment rate limit (a misbehaving peer must not make us send a
   * flood): the case exists and staff are asked as usual, only the automatic acknowledgment is withheld.
   */
  acknowledge: boolean;
  /** Where the original mail is archived (attachments stay there, never in history). */
  archive: { mailbox: string; folder: string; messageId: string };
  /** Set when this case follows up a completed case the customer wrote about again. */
  relatedCaseId?: string;
  /** False when the Temporal server lacks the project's custom search attributes. */
  searchAttributes: boolean;
}

export interface Assessment {
  urgency: TLevel;
  impact: TLevel;
  priority: TPriority;
  /** Human-readable reasons: which rules fired. */
  reasons: string[];
}

export interface DecisionRecord {
  outcome: TDecisionOutcome;
  decidedBy: string;
  decidedByName: string;
  level: number;
  at: string;
  noteToCustomer?: string;
  internalNote?: string;
  channel: 'link' | 'mail' | 'admin';
  evidence?: DecisionEvidence;
  /**
   * Set while the decision is pending (policy `decisionUndoWindow`): until then it may be undone and the
   * customer has not heard of it. Removed when the window closes and the decision stands.
   */
  pendingUntil?: string;
}

/** A pending decision that was undone: what it was, and who undid it when. */
export interface UndoneDecision {
  decision: DecisionRecord;
  at: string;
  by: string;
  byName: string;
}

export interface CaseState {
  caseId: string;
  status: TCaseStatus;
  subject: string;
  /** The complaint text as intake bounded it. */
  text: string;
  customer: { name?: string; address: string };
  language: TLanguage;
  /** The zone the customer reads times in, when not the company's. */
  customerTimeZone?: string;
  assessment: Assessment;
  /** The escalation ladder of this case. */
  ladder: Approver[];
  /** Index into the ladder of who currently must decide. */
  level: number;
  /** When the customer was promised to hear from us next (ISO). */
  promisedBy: string;
  decision?: DecisionRecord;
  /** Pending decisions that were undone inside their window, oldest first (the timeline records both steps). */
  undone?: UndoneDecision[];
  /** The customer's further mails on this case. */
  replies: Array<{ at: string; from: string; subject: string; text: string }>;
  /** Mails we sent: which sequence number went to whom (bounces name the sequence number). */
  sent: Array<{ seq: number; kind: TMailKind; to: string }>;
  /** A review the customer asked for after a rejection: the original decision, and who reviews. */
  review?: { requestedAt: string; phrase: string; original: DecisionRecord; level: number };
  /** The approver's latest question to the customer; open until answered or timed out. */
  infoRequest?: {
    by: string;
    byName: string;
    question: string;
    at: string;
    replyBy: string;
    closed?: 'answered' | 'timeout';
  };
  /** Set when the customer withdrew the complaint before a decision ("hat sich erledigt"). */
  withdrawn?: { at: string; phrase: string };
  /** Set when an approver forwarded the case up the ladder (the escalation mail says so). */
  forwarded?: { by: string; byName: string; note?: string; at: string; toLevel: number };
  /** Why the latest mail from an approver could not be taken as a decision (answered with an explanation). */
  unclear?: { at: string; reason: string };
  /**
   * Set when the top of the ladder had `maxReminders` reminders without deciding: nobody is reminded any more
   * (the Stalled search attribute and the queue page show it); the customer's promises go on.
   */
  stalled?: { at: string; reminders: number };
  /**
   * Set when the approver of `level` is away (their out-of-office reply to our request): their deputy decides
   * the case at that level in their stead. The history names both.
   */
  delegated?: {
    level: number;
    from: string;
    fromName: string;
    to: string;
    toName: string;
    at: string;
    /** Why, in the audit trail's words, e.g. "auto-reply of 2026-12-03T08:12:00.000Z". */
    reason: string;
    /** Until when the approver counts as away (ISO), as their reply named it or the absence declared it. */
    until?: string;
  };
  /** Set when the customer's address bounced: we stop mailing it and tell the approver. */
  customerUnreachable?: { at: string; status?: string };
  /** The follow-up survey: asked, answered (rating, replies in the customer's own words), thanked. */
  feedback?: FeedbackRecord;
  /** A low rating's follow-up: owned by whoever decided, due by the business calendar. */
  lowRating?: LowRatingFollowUp;
  timeline: TimelineEntry[];
}
