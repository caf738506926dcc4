/** Language-aware formatting for messages and pages. Pure. */
import { boundLine } from '../activities/text.js';
import type { TLanguage } from '../workflows/case.js';

const LOCALE: Record<TLanguage, string> = { de: 'de-DE', en: 'en-GB' };

/** Formatters by language, style and zone: an Intl.DateTimeFormat is costly to make (a burst makes thousands). */
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(language: TLanguage, timeZone: string, dateStyle: boolean): Intl.DateTimeFormat {
  const key = `${language} ${timeZone} ${dateStyle}`;
  let f = formatters.get(key);
  if (!f) {
    const style: Intl.DateTimeFormatOptions = dateStyle
      ? { dateStyle: 'full', timeStyle: 'short' }
      : { timeStyle: 'short' };
    f = new Intl.DateTimeFormat(LOCALE[language], { ...style, timeZone });
    formatters.set(key, f);
  }
  return f;
}

/**
 * A date and time as the reader reads it, e.g. "Dienstag, 24. November 2026 um 12:00 Uhr". With `withZone` the
 * zone is named ("… at 11:00 (London time)"), for readers outside the company's zone.
 */
export function formatDateTime(iso: string, language: TLanguage, timeZone: string, withZone = false): string {
  const text = formatter(language, timeZone, true).format(new Date(iso));
  // The zone's city ("Europe/London" → London) reads better than an abbreviation, and is unambiguous.
  const city = withZone ? (timeZone.split('/').pop() ?? timeZone).replace(/_/g, ' ') : undefined;
  const zone = city ? (language === 'de' ? ` (Ortszeit ${city})` : ` (${city} time)`) : '';
  return `${text}${language === 'de' ? ' Uhr' : ''}${zone}`;
}

/** The time of day alone, e.g. "14:05 Uhr" / "14:05": for what falls due within minutes (the undo window). */
export function formatTime(iso: string, language: TLanguage, timeZone: string): string {
  const text = formatter(language, timeZone, false).format(new Date(iso));
  return language === 'de' ? `${text} Uhr` : text;
}

/** A time in a mail, in its reader's zone; named when that is not the company's. */
export function mailTime(
  iso: string,
  c: { language: TLanguage; timeZone?: string; company: { timeZone: string } },
): string {
  const zone = c.timeZone ?? c.company.timeZone;
  return formatDateTime(iso, c.language, zone, zone !== c.company.timeZone);
}

/** The case number as it appears in subjects: "[Fall 7K3M9QXA2B]" / "[Case 7K3M9QXA2B]". */
export function caseTag(caseId: string, language: TLanguage): string {
  return `[${language === 'de' ? 'Fall' : 'Case'} ${caseId}]`;
}

/**
 * Longest customer subject repeated in our subjects (characters). RFC 5322 §2.1.1 allows 998 per line and
 * nodemailer can fold a long subject only at spaces, so a 10,000-character subject without spaces would be one
 * header line that strict MTAs refuse. 200 keeps the whole subject line far below that, tag and prefix included.
 */
export const MAX_SUBJECT_QUOTE_CHARS = 200;

/**
 * Subject of a mail about a case: the case tag, then the customer's subject without a stacked "Re:", on one
 * line (no CR/LF of the customer's can reach our header) and bounded, with a visible "[…]" when cut.
 */
export function caseSubject(caseId: string, subject: string, language: TLanguage, prefix?: string): string {
  const bare =
    boundLine(subject, Number.MAX_SAFE_INTEGER)
      .replace(/^\s*((re|aw|wg|fwd?)\s*:\s*)+/i, '')
      .trim() || (language === 'de' ? '(ohne Betreff)' : '(no subject)');
  const line = `${caseTag(caseId, language)} ${prefix ? `${prefix}: ` : 'Re: '}${boundLine(bare, MAX_SUBJECT_QUOTE_CHARS)}`;
  return boundLine(line, MAX_SUBJECT_QUOTE_CHARS + 100);
}

export function salutation(name: string | undefined, language: TLanguage): string {
  if (language === 'de') return name ? `Guten Tag ${name},` : 'Guten Tag,';
  return name ? `Dear ${name},` : 'Hello,';
}

/**
 * An assessment reason as the reader's language says it. The workflow records reasons in English
 * (`urgency: "sofort"`, `impact: "Erstattung"`, `no rule fired: standard handling`) for the audit trail.
 */
export function reasonText(reason: string, language: TLanguage): string {
  if (language === 'en') return reason;
  const m = reason.match(/^(urgency|impact): "(.*)"$/);
  if (m) return `${m[1] === 'urgency' ? 'Dringlichkeit' : 'Auswirkung'}: „${m[2]}“`;
  const other = reason.match(/^(urgency|impact): (VIP sender|amount|mailbox) (.*)$/);
  if (other) {
    return `${other[1] === 'urgency' ? 'Dringlichkeit' : 'Auswirkung'}: ${{ amount: 'Betrag', mailbox: 'Postfach', 'VIP sender': 'VIP-Absender' }[other[2]!]} ${other[3]}`;
  }
  if (reason === 'no rule fired: standard handling') return 'keine Regel zutreffend: normale Bearbeitung';
  return reason;
}

export function reasonsText(reasons: readonly string[], language: TLanguage): string {
  return reasons.map((r) => reasonText(r, language)).join('; ');
}
