/**
 * Absence: until when an out-of-office reply says its writer is away ("bis 30.11.", "ab dem 1.12. wieder",
 * "until 3 December", "back on December 4"), and the policy's declared absences. Pure and deterministic (Luxon).
 */
import { DateTime } from 'luxon';
import { addBusinessDays, addBusinessTime, type BusinessCalendar } from './calendar.js';

const MONTHS: Record<string, number> = {
  jan: 1,
  januar: 1,
  january: 1,
  feb: 2,
  februar: 2,
  february: 2,
  mär: 3,
  märz: 3,
  maerz: 3,
  mar: 3,
  march: 3,
  apr: 4,
  april: 4,
  mai: 5,
  may: 5,
  jun: 6,
  juni: 6,
  june: 6,
  jul: 7,
  juli: 7,
  july: 7,
  aug: 8,
  august: 8,
  sep: 9,
  sept: 9,
  september: 9,
  okt: 10,
  oktober: 10,
  oct: 10,
  october: 10,
  nov: 11,
  november: 11,
  dez: 12,
  dezember: 12,
  dec: 12,
  december: 12,
};

type TDay = { day: number; month: number; year?: number };

/** The first date in `text` after one of `cues`, in the forms 30.11.(2026), 30. November, 30 November, November 30. */
function dateAfter(text: string, cues: string): TDay | undefined {
  const month = Object.keys(MONTHS)
    .sort((a, b) => b.length - a.length)
    .join('|');
  const forms = [
    `(?<d>\\d{1,2})\\.\\s?(?<m>\\d{1,2})\\.(?<y>\\d{4}|\\d{2})?`,
    `(?<d2>\\d{1,2})(?:\\.|st|nd|rd|th)?\\s+(?<mn>${month})\\.?(?:\\s+(?<y2>\\d{4}))?`,
    `(?<mn3>${month})\\.?\\s+(?<d3>\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(?<y3>\\d{4}))?`,
  ];
  const re = new RegExp(
    `(?:${cues})\\s+(?:(?:dem|den|zum|einschließlich|inklusive|on|the|monday|tuesday|wednesday|thursday|friday|montag|dienstag|mittwoch|donnerstag|freitag),?\\s+)*(?:${forms.join('|')})`,
    'iu',
  );
  const g = text.match(re)?.groups;
  if (!g) return undefined;
  const day = Number(g.d ?? g.d2 ?? g.d3);
  const m = g.m ? Number(g.m) : MONTHS[(g.mn ?? g.mn3 ?? '').toLowerCase()];
  const y = g.y ?? g.y2 ?? g.y3;
  if (!m || !day || day > 31 || m > 12) return undefined;
  return { day, month: m, ...(y ? { year: Number(y.length === 2 ? `20${y}` : y) } : {}) };
}

/** The next occurrence of day.month at or after `from` (a date without a year is the coming one). */
function resolve(d: TDay, from: DateTime): DateTime | undefined {
  let at = DateTime.fromObject({ year: d.year ?? from.year, month: d.month, day: d.day }, { zone: from.zone });
  if (!at.isValid) return undefined;
  if (d.year === undefined && at < from.startOf('day')) at = at.plus({ years: 1 });
  return at;
}

/**
 * Until when the writer of an out-of-office reply counts as away (ISO): the end of the last day they name as
 * away ("bis 30.11." → 30.11. 24:00), or the start of the day they are back ("ab dem 1.12. wieder", "back on
 * 4 December"); otherwise (or for a date in the past) the end of the next business day.
 */
export function awayUntil(text: string, receivedAtMs: number, cal: BusinessCalendar): string {
  const from = DateTime.fromMillis(receivedAtMs, { zone: cal.timeZone });
  const back = dateAfter(text, 'ab|wieder am|zurück am|back on|back|return on|returning on');
  const last = dateAfter(text, 'bis|until|till|through');
  const backAt = back && resolve(back, from)?.startOf('day');
  const lastAt = last && resolve(last, from)?.plus({ days: 1 }).startOf('day');
  const named = [backAt, lastAt].find((d): d is DateTime => d !== undefined && d.toMillis() > receivedAtMs);
  if (named) return named.toUTC().toISO()!;
  // The end of the next business day: the closing time of the open day after the next opening.
  const next = addBusinessDays(addBusinessTime(receivedAtMs, 0, cal), 1, cal);
  const day = DateTime.fromMillis(next, { zone: cal.timeZone });
  const hours = cal.week[day.weekday as 1];
  const close = hours ? day.startOf('day').plus({ minutes: hours.close }) : day.endOf('day');
  return close.toUTC().toISO()!;
}

/** A declared absence (policy `absent`), as the snapshot carries it. */
export interface Absence {
  person: string;
  from: string;
  until: string;
}

/** The declared absence of `address` at `nowMs`, if any. */
export function absentAt(
  absences: readonly Absence[] | undefined,
  address: string,
  nowMs: number,
): Absence | undefined {
  const who = address.trim().toLowerCase();
  return absences?.find(
    (a) => a.person.trim().toLowerCase() === who && Date.parse(a.from) <= nowMs && nowMs < Date.parse(a.until),
  );
}
