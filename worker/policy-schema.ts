/**
 * The escalation policy file's schema (YAML, validated with zod): people, teams, folders, calendar, durations,
 * rules and the matrix. Errors name the field; worker/policy.ts reads the file and makes a case's snapshot of it.
 */
import { z } from 'zod';
import type { DurationSpec } from '../workflows/rules/calendar.js';
import { ZDuration } from './config-values.js';

const ZPerson = z.object({
  role: z.string().min(1),
  name: z.string().min(1),
  address: z.email(),
  language: z.enum(['de', 'en']).default('de'),
  /** Who decides in this person's stead while they are away (their out-of-office reply reroutes at once). */
  deputy: z
    .object({ name: z.string().min(1), address: z.email(), language: z.enum(['de', 'en']).default('de') })
    .optional(),
});

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** "09:00-18:00" → minutes since midnight. */
const ZHours = z.string().transform((v, ctx) => {
  const m = v.match(/^(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})$/);
  const open = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  const close = m ? Number(m[3]) * 60 + Number(m[4]) : NaN;
  if (!m || !(open < close) || close > 24 * 60) {
    ctx.addIssue({ code: 'custom', message: `"${v}" is not opening hours like 09:00-18:00` });
    return z.NEVER;
  }
  return { open, close };
});

/** "30s", "4h" (wall clock), "4bh" (business hours: counted only while open) or "3bd" (business days). */
const ZDurationSpec = z.string().transform((v, ctx): DurationSpec => {
  const days = v.trim().match(/^(\d+)\s*bd$/i);
  if (days) return { ms: 0, business: true, days: Number(days[1]) };
  const business = /^\s*\d+(\.\d+)?\s*bh\s*$/i.test(v);
  const parsed = ZDuration.safeParse(business ? `${parseFloat(v)}h` : v);
  if (!parsed.success) {
    ctx.addIssue({
      code: 'custom',
      message: `"${v}" is not a duration like 30s, 4h, 3d, 4bh (business hours) or 3bd (business days)`,
    });
    return z.NEVER;
  }
  return { ms: parsed.data, business };
});

const ZTimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'is not an IANA time zone like Europe/Berlin');

export const ZPolicy = z.object({
  company: z.object({
    name: z.string().min(1),
    address: z.string().min(1),
    phone: z.string().min(1),
    hours: z.string().min(1),
    timeZone: ZTimeZone,
  }),
  ladder: z.array(ZPerson).min(1, 'needs at least one approver'),
  /** Further escalation ladders by team name; a watched folder may name its team (`mailboxes`). */
  teams: z.record(z.string(), z.array(ZPerson).min(1, 'needs at least one approver')).default({}),
  /** Defaults per watched IMAP folder: the language customers there are answered in, and the team. */
  mailboxes: z
    .record(
      z.string(),
      z.object({
        language: z.enum(['de', 'en']).optional(),
        team: z.string().optional(),
        /** The zone customers writing here read times in (default: the company's). */
        timeZone: ZTimeZone.optional(),
        /** Every complaint in this folder counts as urgent / of high impact. */
        urgency: z.enum(['low', 'high']).optional(),
        impact: z.enum(['low', 'high']).optional(),
      }),
    )
    .default({}),
  /** Opening hours and public holidays; without it every hour counts (open around the clock). */
  calendar: z
    .object({
      hours: z.partialRecord(z.enum(WEEKDAYS), ZHours),
      holidays: z.object({ country: z.string().length(2), state: z.string().optional() }).optional(),
    })
    .optional(),
  durations: z.object({
    answerPromise: ZDurationSpec,
    reminderAfter: ZDurationSpec,
    escalateAfter: ZDurationSpec,
    followUpAfter: ZDurationSpec,
    /** Defaults: reminderAfter and answerPromise. */
    infoReminderAfter: ZDurationSpec.optional(),
    infoTimeout: ZDurationSpec.optional(),
    /** Defaults: followUpAfter, answerPromise and reminderAfter. */
    feedbackWindow: ZDurationSpec.optional(),
    lowRatingDue: ZDurationSpec.optional(),
    lowRatingReminderAfter: ZDurationSpec.optional(),
    linkValidity: ZDuration,
  }),
  /**
   * Whether an approver's reply mail can decide (through the signed reply address of their request only):
   * `on`, `reject-only` (approvals by link only), or `off` (every decision by link).
   */
  mailDecisions: z.enum(['on', 'reject-only', 'off']).default('on'),
  /**
   * How long a decision (by link, reply or Temporal) stays pending before the customer hears of it: the approver
   * gets the receipt with an undo link at once, and may undo it until then. Wall clock, e.g. 2m; 0 turns it off.
   */
  decisionUndoWindow: z
    .union([z.literal(0), z.literal('0'), ZDuration])
    .transform((v) => (typeof v === 'number' && v > 0 ? v : 0))
    .default(120_000),
  /**
   * Reminders: `alone` names the priorities reminded by a mail of their own (e.g. [P1]); every other case is
   * listed in its approver's digest, at most one mail per person per reminder window. At the top of the ladder the
   * gaps double (at most one business day) and after `maxReminders` the case is marked stalled.
   */
  reminders: z
    .object({
      alone: z.array(z.enum(['P1', 'P2', 'P3', 'P4'])).default([]),
      maxReminders: z.number().int().min(1).max(100).default(5),
    })
    .default({ alone: [], maxReminders: 5 }),
  /**
   * Declared absences: while `person` (an address) is absent, their deputy is asked in their place. `from` and
   * `until` are ISO dates or times in the company's zone; a date alone for `until` means to the end of that day.
   */
  absent: z
    .array(
      z.object({
        person: z.email(),
        from: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO date or time'),
        until: z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO date or time'),
      }),
    )
    .default([]),
  /** The follow-up survey: a rating at or below `lowRatingAtMost` (of 5) opens a follow-up with an owner. */
  feedback: z.object({ lowRatingAtMost: z.number().int().min(0).max(4).default(2) }).default({ lowRatingAtMost: 2 }),
  rules: z.object({
    urgencyKeywords: z.array(z.string().min(1)).default([]),
    impactKeywords: z.array(z.string().min(1)).default([]),
    /** Full addresses, or whole domains written as "@grosskunde.example". */
    vipSenders: z.array(z.string().min(3)).default([]),
    /** Euros: an amount at or above it in the complaint makes the impact high. */
    amountThreshold: z.number().positive().optional(),
  }),
  /** Per priority (P1–P4): who decides first (ladder level) and durations that differ from the defaults. */
  matrix: z
    .partialRecord(
      z.enum(['P1', 'P2', 'P3', 'P4']),
      z.object({
        firstLevel: z.number().int().min(0).optional(),
        answerPromise: ZDurationSpec.optional(),
        reminderAfter: ZDurationSpec.optional(),
        escalateAfter: ZDurationSpec.optional(),
        followUpAfter: ZDurationSpec.optional(),
      }),
    )
    .default({}),
});
export type TPolicy = z.infer<typeof ZPolicy>;
