/**
 * The part of the policy a case carries: snapshotted at intake (worker/policy.ts policySnapshot), so that a policy
 * change never alters running cases. Pure types.
 */
import type { Approver, TDurationName, TLevel, TPriority } from './case.js';
import type { BusinessCalendar, DurationSpec } from './rules/calendar.js';

/**
 * Whether a reply mail can decide: `on`, `reject-only` (a rejection by mail, approval only by link) or `off`.
 * A reply decides only through the signed reply address of a request (see `InboundMail.proof`).
 */
export type TMailDecisions = 'on' | 'reject-only' | 'off';

/** The part of the policy a case needs, snapshotted at intake so a policy change never alters running cases. */
export interface PolicySnapshot {
  company: { name: string; address: string; phone: string; hours: string; timeZone: string };
  ladder: Approver[];
  /**
   * Wall-clock or business-time durations (counted only while open, per `calendar`), as the policy file
   * states them; what it leaves out is defaulted by the case plan (rules/case-plan.ts).
   */
  durations: {
    answerPromise: DurationSpec;
    reminderAfter: DurationSpec;
    escalateAfter: DurationSpec;
    followUpAfter: DurationSpec;
    /** Waiting for the customer's answer to a question: one reminder, then the approver is told. */
    infoReminderAfter?: DurationSpec;
    infoTimeout?: DurationSpec;
    /** After the follow-up: how long ratings and replies count as feedback before the case completes. */
    feedbackWindow?: DurationSpec;
    /** A low rating's follow-up is due this long after the rating (its owner is reminded after the second). */
    lowRatingDue?: DurationSpec;
    lowRatingReminderAfter?: DurationSpec;
  };
  /** Ratings at or below `lowRatingAtMost` open a follow-up owned by whoever decided. */
  feedback?: { lowRatingAtMost: number };
  /** Default `on` (cases started before the setting existed). */
  mailDecisions?: TMailDecisions;
  /**
   * How long a decision stays pending, undoable by whoever made it (or a higher level), before the customer hears
   * of it (ms). 0 or absent (cases started before the setting existed): decisions are final at once.
   */
  decisionUndoWindow?: number;
  /** Declared absences (policy `absent`): a person absent when asked is stood in for by their deputy. */
  absent?: Array<{ person: string; from: string; until: string }>;
  /**
   * Reminders: priorities whose reminders go out alone (the rest are bundled in the approver's digest), and how
   * many reminders the top of the ladder gets before the case is marked stalled. Defaults: none alone, 5.
   */
  reminders?: { alone?: TPriority[]; maxReminders?: number };
  calendar: BusinessCalendar;
  /** The zone customers read times in, when not the company's (policy `mailboxes.<folder>.timeZone`). */
  customerTimeZone?: string;
  rules: {
    urgencyKeywords: string[];
    impactKeywords: string[];
    /** Addresses, or domains as "@domain", whose complaints are urgent and of high impact. */
    vipSenders?: string[];
    /** An amount of money (euros) at or above which the impact is high. */
    amountThreshold?: number;
    /** Set per watched folder (policy `mailboxes`): e.g. every mail to "Rechtsabteilung" is urgent. */
    mailbox?: { name: string; urgency?: TLevel; impact?: TLevel };
  };
  /** Per priority: who decides first (ladder level) and durations that differ from the defaults. */
  matrix?: Partial<
    Record<TPriority, { firstLevel?: number; durations?: Partial<Record<TDurationName, DurationSpec>> }>
  >;
}
