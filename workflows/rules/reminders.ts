/**
 * When an approver is reminded next, and how: the gaps at the top of the ladder double (never more than one
 * business day), reminders stop after `maxReminders` there, and every reminder falls in staff business hours.
 * Pure and deterministic.
 */
import type { PolicySnapshot, TPriority } from '../case.js';
import { addBusinessTime, dueAt, type BusinessCalendar, type DurationSpec } from './calendar.js';

export const DEFAULT_MAX_REMINDERS = 5;

/** One business day: the longest gap between two reminders at the top of the ladder. */
const ONE_BUSINESS_DAY: DurationSpec = { ms: 0, business: true, days: 1 };

/** The reminder settings of a snapshot, defaults filled in. */
export function reminderRules(policy: PolicySnapshot): { alone: readonly TPriority[]; maxReminders: number } {
  return {
    alone: policy.reminders?.alone ?? [],
    maxReminders: policy.reminders?.maxReminders ?? DEFAULT_MAX_REMINDERS,
  };
}

/** The first moment at or after `ms` when the staff's business is open. */
export function staffHours(ms: number, cal: BusinessCalendar): number {
  return addBusinessTime(ms, 0, cal);
}

/**
 * When the next reminder is due after one at `fromMs`. Below the top a reminder follows every `reminderAfter`
 * (the escalation ends them); at the top the `sentAtTop`-th gap is `reminderAfter` × 2^(sentAtTop−1), at most
 * one business day. Always in business hours.
 */
export function nextReminderAt(
  fromMs: number,
  reminderAfter: DurationSpec,
  cal: BusinessCalendar,
  sentAtTop: number,
): number {
  if (sentAtTop <= 0) return staffHours(dueAt(fromMs, reminderAfter, cal), cal);
  const factor = 2 ** Math.min(sentAtTop, 30);
  const doubled: DurationSpec =
    reminderAfter.days !== undefined
      ? { ...reminderAfter, days: reminderAfter.days * factor }
      : { ...reminderAfter, ms: reminderAfter.ms * factor };
  const at = Math.min(dueAt(fromMs, doubled, cal), dueAt(fromMs, ONE_BUSINESS_DAY, cal));
  return staffHours(at, cal);
}
