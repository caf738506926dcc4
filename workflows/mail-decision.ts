/**
 * A decision by reply mail: the approver answers the approval request with a keyword on the first line
 * (GENEHMIGT / ABGELEHNT / APPROVED / REJECTED), optionally followed by a note to the customer. Anything
 * else is unclear and answered with an explanation, never guessed. Pure.
 */
import type { TDecisionOutcome } from './case.js';

const KEYWORDS: Array<[RegExp, TDecisionOutcome]> = [
  [/^(genehmigt|genehmigen|freigegeben|approved?)\b[\s.:!,-]*/i, 'approved'],
  [/^(abgelehnt|ablehnen|rejected|reject|declined?)\b[\s.:!,-]*/i, 'rejected'],
];

export type TMailDecision = { ok: true; outcome: TDecisionOutcome; note?: string } | { ok: false; reason: string };

export function parseMailDecision(text: string): TMailDecision {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const firstIndex = lines.findIndex((l) => l.trim() !== '');
  if (firstIndex < 0) return { ok: false, reason: 'the reply is empty' };
  const first = lines[firstIndex]!.trim();
  for (const [re, outcome] of KEYWORDS) {
    const m = first.match(re);
    if (!m) continue;
    const rest = [first.slice(m[0].length), ...lines.slice(firstIndex + 1)].join('\n').trim();
    const otherWord =
      outcome === 'approved'
        ? /\b(abgelehnt|ablehnen|reject(ed)?|declined?)\b/i
        : /\b(genehmigt|genehmigen|approved?)\b/i;
    const restLines = rest.split('\n').map((l) => l.trim());
    if (otherWord.test(first) || KEYWORDS.some(([r, o]) => o !== outcome && restLines.some((l) => r.test(l)))) {
      return { ok: false, reason: 'the reply names both approval and rejection' };
    }
    return { ok: true, outcome, ...(rest ? { note: rest.slice(0, 4000) } : {}) };
  }
  return {
    ok: false,
    reason: `the first line ("${first.slice(0, 60)}") is not GENEHMIGT, ABGELEHNT, APPROVED or REJECTED`,
  };
}
