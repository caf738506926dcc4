/**
 * The business-hours calendar: opening hours per weekday in the company's time zone, public holidays,
 * daylight-saving changes (Luxon does the zone arithmetic). Pure and deterministic, so workflow code can
 * compute due times; the holiday list is computed outside (date-holidays) and carried in the policy snapshot.
 */
import { DateTime } from 'luxon';

export interface BusinessCalendar {
  timeZone: string;
  /** Opening hours by ISO weekday (1 = Monday … 7 = Sunday) as minutes since midnight; absent = closed. */
  week: Partial<Record<1 | 2 | 3 | 4 | 5 | 6 | 7, { open: number; close: number }>>;
  /** Closed days (public holidays), `YYYY-MM-DD` in the calendar's time zone. */
  holidays: string[];
}

/**
 * A duration from the policy: wall-clock milliseconds, business time counted only while open, or
 * (`days`) whole business days: the same time of day that many business days later ("3 business days").
 */
export interface DurationSpec {
  ms: number;
  business: boolean;
  days?: number;
}

const MAX_DAYS = 400;

function openingOf(day: DateTime, cal: BusinessCalendar): { open: DateTime; close: DateTime } | undefined {
  if (cal.holidays.includes(day.toISODate() ?? '')) return undefined;
  const hours = cal.week[day.weekday as 1];
  if (!hours) return undefined;
  const at = (minutes: number): DateTime =>
    day.startOf('day').set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
  return { open: at(hours.open), close: at(hours.close) };
}

/** `start` plus `ms` of opening time: time outside opening hours, on weekends and holidays does not count. */
export function addBusinessTime(startMs: number, ms: number, cal: BusinessCalendar): number {
  let cursor = DateTime.fromMillis(startMs, { zone: cal.timeZone });
  let remaining = ms;
  for (let i = 0; i < MAX_DAYS; i++) {
    const day = openingOf(cursor, cal);
    if (day && cursor < day.close) {
      const from = cursor < day.open ? day.open : cursor;
      const available = day.close.toMillis() - from.toMillis();
      if (remaining <= available) return from.toMillis() + remaining;
      remaining -= available;
    }
    cursor = cursor.plus({ days: 1 }).startOf('day');
  }
  throw new Error(`the calendar has no opening hours within ${MAX_DAYS} days`);
}

/**
 * `days` business days after `start`: the same time of day on the `days`-th following open day (an arrival
 * outside opening hours counts from the next opening; a time past that day's closing becomes its closing).
 */
export function addBusinessDays(startMs: number, days: number, cal: BusinessCalendar): number {
  const start = DateTime.fromMillis(addBusinessTime(startMs, 0, cal), { zone: cal.timeZone });
  let day = start;
  for (let n = 0, i = 0; n < days; i++) {
    if (i > MAX_DAYS) throw new Error(`the calendar has no opening hours within ${MAX_DAYS} days`);
    day = day.plus({ days: 1 });
    if (openingOf(day, cal)) n++;
  }
  const hours = openingOf(day, cal);
  const wanted = day.set({ hour: start.hour, minute: start.minute, second: 0, millisecond: 0 });
  if (!hours) return wanted.toMillis();
  if (wanted < hours.open) return hours.open.toMillis();
  return (wanted > hours.close ? hours.close : wanted).toMillis();
}

/** When a duration from `startMs` falls due. */
export function dueAt(startMs: number, d: DurationSpec, cal: BusinessCalendar): number {
  if (d.days !== undefined) return addBusinessDays(startMs, d.days, cal);
  return d.business ? addBusinessTime(startMs, d.ms, cal) : startMs + d.ms;
}

/** Open around the clock: the calendar of a policy without one. */
export function alwaysOpen(timeZone: string): BusinessCalendar {
  const day = { open: 0, close: 24 * 60 };
  return { timeZone, week: { 1: day, 2: day, 3: day, 4: day, 5: day, 6: day, 7: day }, holidays: [] };
}
