/** Until when an out-of-office reply's writer is away, in the forms German and English replies use. */
import { describe, expect, it } from 'vitest';
import { absentAt, awayUntil } from '../../workflows/rules/absence.js';
import type { BusinessCalendar } from '../../workflows/rules/calendar.js';

const hours = { open: 540, close: 1080 };
const cal: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  week: { 1: hours, 2: hours, 3: hours, 4: hours, 5: hours },
  holidays: [],
};
const at = Date.parse('2026-11-23T21:26:05Z'); // Monday evening

describe('awayUntil', () => {
  it.each([
    ['ich bin bis 30.11. nicht im Büro.', '2026-11-30T23:00:00.000Z'],
    ['Ab dem 1.12. bin ich wieder für Sie da.', '2026-11-30T23:00:00.000Z'],
    ['Ich bin bis einschließlich 4. Dezember im Urlaub.', '2026-12-04T23:00:00.000Z'],
    ['I am out of the office until 3 December 2026.', '2026-12-03T23:00:00.000Z'],
    ['I will be back on Monday, December 7th.', '2026-12-06T23:00:00.000Z'],
    ['bis zum 02.01.2027 nicht erreichbar', '2027-01-02T23:00:00.000Z'],
  ])('%s → %s', (text, until) => {
    expect(awayUntil(text, at, cal)).toBe(until);
  });

  it('without a date: until the end of the next business day', () => {
    // Monday 22:26 → next opening Tuesday 09:00 → one business day later: Wednesday, closing 18:00 Berlin.
    expect(awayUntil('Ich bin derzeit nicht im Büro.', at, cal)).toBe('2026-11-25T17:00:00.000Z');
  });

  it('a date in the past does not count', () => {
    expect(awayUntil('bis 01.01.2020 nicht da', at, cal)).toBe('2026-11-25T17:00:00.000Z');
  });
});

describe('absentAt', () => {
  const absent = [{ person: 'Sabine@example.test', from: '2026-12-01T00:00:00Z', until: '2026-12-05T00:00:00Z' }];
  it('finds a declared absence by address, from inclusive, until exclusive', () => {
    expect(absentAt(absent, 'sabine@example.test', Date.parse('2026-12-01T00:00:00Z'))).toBeDefined();
    expect(absentAt(absent, 'sabine@example.test', Date.parse('2026-12-05T00:00:00Z'))).toBeUndefined();
    expect(absentAt(absent, 'other@example.test', Date.parse('2026-12-02T00:00:00Z'))).toBeUndefined();
  });
});
