/** When the next reminder is due: gaps double at the top of the ladder, at most one business day, in business hours. */
import { describe, expect, it } from 'vitest';
import { alwaysOpen, type BusinessCalendar } from '../../workflows/rules/calendar.js';
import { nextReminderAt, reminderRules, staffHours } from '../../workflows/rules/reminders.js';

const open = alwaysOpen('Europe/Berlin');
const office: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  week: {
    1: { open: 540, close: 1080 },
    2: { open: 540, close: 1080 },
    3: { open: 540, close: 1080 },
    4: { open: 540, close: 1080 },
    5: { open: 540, close: 1080 },
  },
  holidays: [],
};
const t0 = Date.parse('2026-12-01T10:00:00+01:00'); // a Tuesday, 10:00 in Berlin
const HOUR = 3_600_000;

describe('reminder rules', () => {
  it('below the top and for the first reminder at the top: one reminder interval', () => {
    expect(nextReminderAt(t0, { ms: 12_000, business: false }, open, 0)).toBe(t0 + 12_000);
  });

  it('doubles each gap at the top of the ladder', () => {
    const r = { ms: 12_000, business: false };
    expect([1, 2, 3].map((n) => nextReminderAt(t0, r, open, n) - t0)).toEqual([24_000, 48_000, 96_000]);
  });

  it('never waits more than one business day', () => {
    const r = { ms: 4 * HOUR, business: false };
    expect(nextReminderAt(t0, r, open, 5) - t0).toBe(24 * HOUR);
    // In an office calendar: the same time on the next business day (Tuesday 10:00 → Wednesday 10:00).
    expect(nextReminderAt(t0, { ms: 4 * HOUR, business: true }, office, 5)).toBe(
      Date.parse('2026-12-02T10:00:00+01:00'),
    );
  });

  it('a reminder due at night goes at opening time', () => {
    const night = Date.parse('2026-12-01T03:00:00+01:00');
    expect(staffHours(night, office)).toBe(Date.parse('2026-12-01T09:00:00+01:00'));
    const evening = Date.parse('2026-12-04T17:59:00+01:00'); // Friday: a wall-clock hour later is after closing
    expect(nextReminderAt(evening, { ms: HOUR, business: false }, office, 0)).toBe(
      Date.parse('2026-12-07T09:00:00+01:00'),
    );
  });

  it('defaults: every priority in the digest, five reminders at the top', () => {
    expect(reminderRules({} as never)).toEqual({ alone: [], maxReminders: 5 });
  });
});
