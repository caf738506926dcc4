import { describe, expect, it } from 'vitest';
import { addBusinessTime, dueAt, type BusinessCalendar } from '../../workflows/rules/calendar.js';

const nineToSix = { open: 9 * 60, close: 18 * 60 };
const berlin: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  week: { 1: nineToSix, 2: nineToSix, 3: nineToSix, 4: nineToSix, 5: nineToSix },
  holidays: ['2026-12-25', '2026-12-26', '2027-01-01', '2026-10-03'],
};
const h = 3_600_000;
const at = (iso: string): number => Date.parse(iso);

describe('addBusinessTime (Mo–Fr 09:00–18:00 Europe/Berlin)', () => {
  it.each([
    ['within the day', '2026-11-24T09:00:00+01:00', 4, '2026-11-24T13:00:00+01:00'],
    ['arrival before opening starts at opening', '2026-11-24T07:30:00+01:00', 1, '2026-11-24T10:00:00+01:00'],
    ['arrival after closing counts from the next morning', '2026-11-24T20:00:00+01:00', 2, '2026-11-25T11:00:00+01:00'],
    ['Friday afternoon runs into Monday', '2026-11-27T17:00:00+01:00', 4, '2026-11-30T12:00:00+01:00'],
    ['a weekend arrival counts from Monday', '2026-11-28T12:00:00+01:00', 8, '2026-11-30T17:00:00+01:00'],
    ['Christmas holidays are skipped', '2026-12-24T17:00:00+01:00', 2, '2026-12-28T10:00:00+01:00'],
    ['exactly at closing is the next morning', '2026-11-24T18:00:00+01:00', 1, '2026-11-25T10:00:00+01:00'],
    ['a full day ends at closing', '2026-11-24T09:00:00+01:00', 9, '2026-11-24T18:00:00+01:00'],
    ['across the spring DST switch (29 March 2026)', '2026-03-27T17:00:00+01:00', 2, '2026-03-30T10:00:00+02:00'],
    ['across the autumn DST switch (25 October 2026)', '2026-10-23T17:30:00+02:00', 1, '2026-10-26T09:30:00+01:00'],
    [
      'a holiday in the week (3 October 2026 is a Saturday; 2 October Friday)',
      '2026-10-02T17:00:00+02:00',
      2,
      '2026-10-05T10:00:00+02:00',
    ],
  ])('%s', (_name, start, hours, expected) => {
    expect(new Date(addBusinessTime(at(start), hours * h, berlin)).toISOString()).toBe(
      new Date(expected).toISOString(),
    );
  });

  it('wall-clock durations ignore the calendar', () => {
    expect(dueAt(at('2026-11-28T12:00:00Z'), { ms: h, business: false }, berlin)).toBe(at('2026-11-28T13:00:00Z'));
  });

  it('refuses a calendar that is never open', () => {
    expect(() => addBusinessTime(0, h, { timeZone: 'UTC', week: {}, holidays: [] })).toThrowError(/no opening hours/);
  });
});

describe('business days', () => {
  it.each([
    ['next business day, same time', '2026-11-24T11:00:00+01:00', 1, '2026-11-25T11:00:00+01:00'],
    ['Friday + 1 is Monday', '2026-11-27T15:00:00+01:00', 1, '2026-11-30T15:00:00+01:00'],
    [
      '3 business days over Christmas (24th open, 25th–27th closed)',
      '2026-12-23T10:00:00+01:00',
      3,
      '2026-12-29T10:00:00+01:00',
    ],
    ['an evening arrival counts from the next opening', '2026-11-24T20:00:00+01:00', 1, '2026-11-26T09:00:00+01:00'],
    ['across the spring DST switch, same wall time', '2026-03-27T10:00:00+01:00', 1, '2026-03-30T10:00:00+02:00'],
  ])('%s', async (_n, start, days, expected) => {
    const { addBusinessDays } = await import('../../workflows/rules/calendar.js');
    expect(new Date(addBusinessDays(at(start), days, berlin)).toISOString()).toBe(new Date(expected).toISOString());
    expect(dueAt(at(start), { ms: 0, business: true, days }, berlin)).toBe(addBusinessDays(at(start), days, berlin));
  });
});
