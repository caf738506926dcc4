/**
 * What of a sender's own words our mail to that address repeats. Anyone can put any From on a mail, so our
 * acknowledgment goes to whatever address a sender forged; repeating their display name and subject verbatim would
 * let them use us as a phishing relay ("Dear Customer, your account is locked: https://…" from our address).
 * So a name is used only when it is one plausible line, and the echoed subject is short and carries no link.
 * Pure.
 */
import type { CaseMailContext } from '../workflows/case-mail.js';

/** Longest display name we greet or address someone by. */
export const MAX_NAME_CHARS = 60;
/** Longest piece of the customer's subject repeated in a mail to the customer. */
export const MAX_CUSTOMER_SUBJECT_CHARS = 60;

const URL_LIKE = /(?:[a-z][a-z0-9+.-]*:\/\/|www\.|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:[a-z]{2,})(?:\/|\b))/i;

/** The display name when it is one plausible line of a person's or company's name; undefined otherwise. */
export function plausibleName(name: string | undefined): string | undefined {
  const n = name?.trim();
  if (!n || n.length > MAX_NAME_CHARS) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not pass
  if (/[\u0000-\u001f\u007f@<>]/.test(n) || URL_LIKE.test(n)) return undefined;
  return n;
}

/** The customer's subject as we repeat it to them: links removed, short, with a visible "…" when cut. */
export function customerSubject(subject: string): string {
  const plain = subject
    .replace(/\s+/g, ' ')
    .split(' ')
    .map((w) => (URL_LIKE.test(w) ? '[…]' : w))
    .join(' ')
    .trim();
  return plain.length > MAX_CUSTOMER_SUBJECT_CHARS
    ? `${plain.slice(0, MAX_CUSTOMER_SUBJECT_CHARS - 1).trimEnd()}…`
    : plain;
}

/** The case as a mail to the customer may show it. */
export function customerView(c: CaseMailContext): CaseMailContext {
  const name = plausibleName(c.customer.name);
  return {
    ...c,
    subject: customerSubject(c.subject),
    customer: { address: c.customer.address, ...(name ? { name } : {}) },
  };
}
