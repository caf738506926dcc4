/**
 * The escalation policy file (YAML), validated with zod. Errors name the file, the field and the problem.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { alwaysOpen, type BusinessCalendar } from '../workflows/rules/calendar.js';
import type { PolicySnapshot } from '../workflows/case.js';
import { WEEKDAYS, ZPolicy, type TPolicy } from './policy-schema.js';

export { ZPolicy, type TPolicy } from './policy-schema.js';

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
    decisionUndoWindow: p.decisionUndoWindow,
    reminders: p.reminders,
    ...(p.absent.length > 0 ? { absent: p.absent.map((a) => absenceIn(a, p.company.timeZone)) } : {}),
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

/** A declared absence in UTC: dates and times read in the company's zone; a date alone for `until` ends that day. */
export function absenceIn(
  a: { person: string; from: string; until: string },
  timeZone: string,
): { person: string; from: string; until: string } {
  const at = (v: string, endOfDay: boolean): string => {
    const t = DateTime.fromISO(v, { zone: timeZone });
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(v.trim());
    return (dateOnly && endOfDay ? t.plus({ days: 1 }).startOf('day') : t).toUTC().toISO()!;
  };
  return { person: a.person, from: at(a.from, false), until: at(a.until, true) };
}
