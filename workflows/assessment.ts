/**
 * Urgency × impact assessment (the 2×2 matrix of complaint handling). Pure and deterministic.
 */
import type { Assessment, PolicySnapshot, TLevel, TPriority } from './case.js';

const PRIORITY: Record<TLevel, Record<TLevel, TPriority>> = {
  high: { high: 'P1', low: 'P2' },
  low: { high: 'P3', low: 'P4' },
};

function firedKeywords(keywords: readonly string[], text: string): string[] {
  const haystack = text.toLocaleLowerCase('de');
  return keywords.filter((k) => haystack.includes(k.toLocaleLowerCase('de')));
}

/** Assesses a complaint from its subject and text with the policy's keyword rules. */
export function assess(mail: { subject: string; text: string }, rules: PolicySnapshot['rules']): Assessment {
  const text = `${mail.subject}\n${mail.text}`;
  const urgent = firedKeywords(rules.urgencyKeywords, text);
  const impactful = firedKeywords(rules.impactKeywords, text);
  const urgency: TLevel = urgent.length > 0 ? 'high' : 'low';
  const impact: TLevel = impactful.length > 0 ? 'high' : 'low';
  const reasons = [...urgent.map((k) => `urgency: "${k}"`), ...impactful.map((k) => `impact: "${k}"`)];
  if (reasons.length === 0) reasons.push('no rule fired: standard handling');
  return { urgency, impact, priority: PRIORITY[urgency][impact], reasons };
}
