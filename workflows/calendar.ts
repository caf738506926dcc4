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

/** A duration from the policy: wall-clock milliseconds, or business time counted only while open. */
export interface DurationSpec {
  ms: number;
  business: boolean;
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

/** When a duration from `startMs` falls due. */
export function dueAt(startMs: number, d: DurationSpec, cal: BusinessCalendar): number {
  return d.business ? addBusinessTime(startMs, d.ms, cal) : startMs + d.ms;
}
