/**
 * Urgency × impact assessment (the 2×2 matrix of complaint handling). Pure and deterministic.
 */
import type { Assessment, PolicySnapshot, TLevel, TPriority } from '../case.js';

const PRIORITY: Record<TLevel, Record<TLevel, TPriority>> = {
  high: { high: 'P1', low: 'P2' },
  low: { high: 'P3', low: 'P4' },
};

function firedKeywords(keywords: readonly string[], text: string): string[] {
  const haystack = text.toLocaleLowerCase('de');
  return keywords.filter((k) => haystack.includes(k.toLocaleLowerCase('de')));
}

/**
 * The largest amount of money named in a text, in euros: "499 €", "€ 1.200,50", "2.392,00 EUR", "300 Euro".
 * German digit grouping (1.200,50) and English (1,200.50) are both read.
 */
export function largestAmount(text: string): number | undefined {
  const re = /(?:€|EUR)\s?(\d[\d.,]*)|(\d[\d.,]*)\s?(?:€|EUR\b|Euro\b)/gi;
  let max: number | undefined;
  for (const m of text.matchAll(re)) {
    const raw = (m[1] ?? m[2] ?? '').replace(/[.,]$/, '');
    const decimal = raw.match(/[.,](\d{1,2})$/);
    const whole = (decimal ? raw.slice(0, -decimal[0].length) : raw).replace(/[.,]/g, '');
    const value = Number(whole) + (decimal ? Number(`0.${decimal[1]}`) : 0);
    if (Number.isFinite(value)) max = Math.max(max ?? 0, value);
  }
  return max;
}

/** Whether a sender matches the policy's VIP list (full addresses, or domains written as "@domain"). */
function isVip(sender: string | undefined, vips: readonly string[]): string | undefined {
  const from = sender?.toLowerCase() ?? '';
  return vips.find((v) => (v.startsWith('@') ? from.endsWith(v.toLowerCase()) : from === v.toLowerCase()));
}

/** Assesses a complaint from its subject, text and sender with the policy's rules. */
export function assess(
  mail: { subject: string; text: string; customer?: { address: string } },
  rules: PolicySnapshot['rules'],
): Assessment {
  const text = `${mail.subject}\n${mail.text}`;
  const urgent = firedKeywords(rules.urgencyKeywords, text).map((k) => `urgency: "${k}"`);
  const impactful = firedKeywords(rules.impactKeywords, text).map((k) => `impact: "${k}"`);
  const vip = isVip(mail.customer?.address, rules.vipSenders ?? []);
  if (vip) {
    urgent.push(`urgency: VIP sender ${vip}`);
    impactful.push(`impact: VIP sender ${vip}`);
  }
  const amount = rules.amountThreshold !== undefined ? largestAmount(text) : undefined;
  if (amount !== undefined && rules.amountThreshold !== undefined && amount >= rules.amountThreshold) {
    impactful.push(`impact: amount ${amount} € ≥ ${rules.amountThreshold} €`);
  }
  const box = rules.mailbox;
  if (box?.urgency === 'high') urgent.push(`urgency: mailbox ${box.name}`);
  if (box?.impact === 'high') impactful.push(`impact: mailbox ${box.name}`);
  const urgency: TLevel = urgent.length > 0 ? 'high' : 'low';
  const impact: TLevel = impactful.length > 0 ? 'high' : 'low';
  const reasons = [...urgent, ...impactful];
  if (reasons.length === 0) reasons.push('no rule fired: standard handling');
  return { urgency, impact, priority: PRIORITY[urgency][impact], reasons };
}
