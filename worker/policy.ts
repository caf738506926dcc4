/**
 * The escalation policy file (YAML), validated with zod. Errors name the file, the field and the problem.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import Holidays from 'date-holidays';
import { alwaysOpen, type BusinessCalendar, type DurationSpec } from '../workflows/rules/calendar.js';
import type { PolicySnapshot } from '../workflows/case.js';
import { ZDuration } from './config-values.js';

const ZPerson = z.object({
  role: z.string().min(1),
  name: z.string().min(1),
  address: z.email(),
  language: z.enum(['de', 'en']).default('de'),
});

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

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

function checkTeams(p: TPolicy): string[] {
  const errors = Object.entries(p.mailboxes)
    .filter(([, m]) => m.team !== undefined && !(m.team in p.teams))
    .map(([folder, m]) => `  mailboxes.${folder}.team: no team "${m.team}" under teams`);
  for (const [priority, q] of Object.entries(p.matrix)) {
    if (q.firstLevel !== undefined && q.firstLevel >= p.ladder.length) {
      errors.push(`  matrix.${priority}.firstLevel: the ladder has levels 0 to ${p.ladder.length - 1}`);
    }
  }
  const h = p.calendar?.holidays;
  if (h && businessCalendar(p).holidays.length === 0) {
    errors.push(
      `  calendar.holidays: no public holidays known for ${h.country}${h.state ? `-${h.state}` : ''} (date-holidays codes, e.g. DE and BE)`,
    );
  }
  return errors;
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

export function parsePolicy(text: string, file: string): TPolicy {
  let data: unknown;
  try {
    data = parse(text);
  } catch (err) {
    throw new PolicyError(`${file}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const result = ZPolicy.safeParse(data);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new PolicyError(`${file}: invalid policy:\n${lines.join('\n')}`);
  }
  const teamErrors = checkTeams(result.data);
  if (teamErrors.length > 0) throw new PolicyError(`${file}: invalid policy:\n${teamErrors.join('\n')}`);
  return result.data;
}

export function loadPolicy(file: string): TPolicy {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new PolicyError(`POLICY_FILE ${file}: cannot be read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parsePolicy(text, file);
}

/** The part of the policy a case carries in its input; `team` picks a ladder from `teams`. */
export function policySnapshot(p: TPolicy, team?: string, now = new Date(), folder?: string): PolicySnapshot {
  const box = folder !== undefined ? p.mailboxes[folder] : undefined;
  const mailboxRule =
    folder !== undefined && (box?.urgency || box?.impact)
      ? {
          mailbox: {
            name: folder,
            ...(box.urgency ? { urgency: box.urgency } : {}),
            ...(box.impact ? { impact: box.impact } : {}),
          },
        }
      : {};
  const ladder = (team !== undefined ? p.teams[team] : undefined) ?? p.ladder;
  return {
    company: p.company,
    ladder: ladder.map((person, level) => ({ ...person, level })),
    // As the file states them: the case plan (workflows/rules/case-plan.ts) fills in what it leaves out.
    durations: {
      answerPromise: p.durations.answerPromise,
      reminderAfter: p.durations.reminderAfter,
      escalateAfter: p.durations.escalateAfter,
      followUpAfter: p.durations.followUpAfter,
      // Optional ones stay unset (undefined vanishes from the JSON input) rather than defaulted here.
      infoReminderAfter: p.durations.infoReminderAfter,
      infoTimeout: p.durations.infoTimeout,
      feedbackWindow: p.durations.feedbackWindow,
      lowRatingDue: p.durations.lowRatingDue,
      lowRatingReminderAfter: p.durations.lowRatingReminderAfter,
    },
    feedback: p.feedback,
    mailDecisions: p.mailDecisions,
    calendar: businessCalendar(p, now),
    ...(box?.timeZone ? { customerTimeZone: box.timeZone } : {}),
    rules: { ...p.rules, ...mailboxRule },
    matrix: Object.fromEntries(
      Object.entries(p.matrix).map(([priority, { firstLevel, ...durations }]) => [
        priority,
        { ...(firstLevel !== undefined ? { firstLevel } : {}), durations },
      ]),
    ),
  };
}

const holidayCache = new Map<string, string[]>();

/** The calendar a case carries: opening hours, and the public holidays of this year and the next two. */
export function businessCalendar(p: TPolicy, now = new Date()): BusinessCalendar {
  const tz = p.company.timeZone;
  if (!p.calendar) return alwaysOpen(tz);
  const week: BusinessCalendar['week'] = {};
  WEEKDAYS.forEach((day, i) => {
    const hours = p.calendar?.hours[day];
    if (hours) week[(i + 1) as 1] = hours;
  });
  const h = p.calendar.holidays;
  const year = now.getUTCFullYear();
  const key = `${h?.country}/${h?.state}/${year}`;
  let holidays = holidayCache.get(key);
  if (!holidays) {
    const hd = h ? (h.state ? new Holidays(h.country, h.state) : new Holidays(h.country)) : undefined;
    holidays = hd
      ? [year, year + 1, year + 2].flatMap((y) =>
          hd
            .getHolidays(y)
            .filter((d) => d.type === 'public')
            .map((d) => d.date.slice(0, 10)),
        )
      : [];
    holidayCache.set(key, holidays);
  }
  return { timeZone: tz, week, holidays };
}
