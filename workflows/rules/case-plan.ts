/**
 * The case plan: what a complaint's policy snapshot means for this one case (its assessment, who decides
 * first, every duration and the calendar they are counted in). One pure reading, shared by the workflow, its
 * update handlers and `nachfass assess`, so the dry run and a running case can never disagree. The policy
 * file's defaults ("infoTimeout defaults to the promise") are filled in here and nowhere else.
 */
import type { Assessment, PolicySnapshot } from '../case.js';
import { assess } from './assessment.js';
import { alwaysOpen, type BusinessCalendar, type DurationSpec } from './calendar.js';

/** Every duration a case counts with, none missing. */
export type TCaseDurations = Required<PolicySnapshot['durations']>;

export interface CasePlan {
  assessment: Assessment;
  /** Index into the ladder of who is asked first (the matrix quadrant's `firstLevel`, clamped to the ladder). */
  firstLevel: number;
  durations: TCaseDurations;
  calendar: BusinessCalendar;
}

/** What of a complaint the plan reads: the text and the sender (VIP rules match the sender). */
export interface PlanInput {
  subject: string;
  text: string;
  customer?: { address: string };
}

/** The plan of one case: assessed with the snapshot's rules, then the matrix quadrant of its priority applied. */
export function planCase(input: PlanInput, policy: PolicySnapshot): CasePlan {
  const assessment = assess(input, policy.rules);
  // The matrix quadrant may name who decides first and its own durations (e.g. P1: management, 4bh).
  const quadrant = policy.matrix?.[assessment.priority];
  const firstLevel = Math.min(Math.max(quadrant?.firstLevel ?? 0, 0), policy.ladder.length - 1);
  return { assessment, firstLevel, ...caseTimes(policy, quadrant?.durations) };
}

/**
 * The durations and calendar of a snapshot with a quadrant's overrides, defaults filled from the case's own
 * values (a P1 case's info timeout defaults to the P1 promise). Cases started by an earlier version carry
 * plain milliseconds, no calendar and no info or survey durations: they keep their wall-clock meaning, so a
 * running case behaves as it did (kept deliberately: inputs outlive code).
 */
export function caseTimes(
  policy: PolicySnapshot,
  overrides: Partial<PolicySnapshot['durations']> = {},
): { durations: TCaseDurations; calendar: BusinessCalendar } {
  const raw = { ...policy.durations, ...overrides } as unknown as Record<string, DurationSpec | number | undefined>;
  const spec = (v: DurationSpec | number | undefined, fallback: DurationSpec): DurationSpec =>
    typeof v === 'number' ? { ms: v, business: false } : (v ?? fallback);
  const answerPromise = spec(raw.answerPromise, { ms: 86_400_000, business: false });
  const reminderAfter = spec(raw.reminderAfter, answerPromise);
  const followUpAfter = spec(raw.followUpAfter, answerPromise);
  return {
    durations: {
      answerPromise,
      reminderAfter,
      escalateAfter: spec(raw.escalateAfter, answerPromise),
      followUpAfter,
      infoReminderAfter: spec(raw.infoReminderAfter, reminderAfter),
      infoTimeout: spec(raw.infoTimeout, answerPromise),
      // Cases from before the feedback survey: the window as long as the wait before the follow-up, the
      // low rating's follow-up in the rhythm of a decision.
      feedbackWindow: spec(raw.feedbackWindow, followUpAfter),
      lowRatingDue: spec(raw.lowRatingDue, answerPromise),
      lowRatingReminderAfter: spec(raw.lowRatingReminderAfter, reminderAfter),
    },
    calendar: policy.calendar ?? alwaysOpen(policy.company.timeZone),
  };
}
