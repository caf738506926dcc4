/**
 * What the Temporal Web UI tells of a case, in Temporal's user metadata: the one-line summary and the details
 * given at its start (intake), and the summaries of its mails (activities) and waits (timers). The current
 * details the workflow keeps up to date are in case-details.ts. All of it travels as payloads, sealed by the
 * payload codec like the case's inputs (worker/codec.ts); none of it is a search attribute. Pure: intake,
 * workflow code and tests use the same texts.
 */
import type { Approver, ComplaintInput, TMailKind } from './case.js';
import { planCase, type CasePlan } from './rules/case-plan.js';

/** The Web UI shows a summary on one line; longer customer text is cut with a visible marker. */
const SUBJECT_CHARS = 80;
const NAME_CHARS = 60;

/**
 * Customer text in Temporal markdown: one line, markup characters escaped. Kept deliberately strict: a subject
 * such as `[hier klicken](https://…)` must show as text, never as a link in an admin's browser.
 */
export function plainText(s: string, max = Infinity): string {
  const line = s.replace(/\s+/g, ' ').trim();
  const cut = line.length > max ? `${line.slice(0, max - 1)}…` : line;
  return cut.replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`);
}

/** One formatter per zone: creating one is the costly part (luxon made several per call, a tenth of a case's CPU). */
// eslint-disable-next-line no-restricted-syntax -- shared on purpose: Intl formatters per time zone, no case data
const minuteFormats = new Map<string, Intl.DateTimeFormat | null>();
function minuteFormat(zone: string): Intl.DateTimeFormat | null {
  let f = minuteFormats.get(zone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      f = null; // not a zone: the time is shown as given
    }
    minuteFormats.set(zone, f);
  }
  return f;
}

/** A time as admins read it: the company's zone, to the minute ("2026-12-01 09:12"). */
export function at(iso: string | number, zone: string): string {
  const ms = typeof iso === 'number' ? iso : Date.parse(iso);
  const f = minuteFormat(zone);
  if (!Number.isFinite(ms) || !f) return String(iso);
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(ms)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** Who a person of the ladder is, in the UI's words: "Teamleitung Sabine Schulz". */
export const who = (a: Pick<Approver, 'role' | 'name'>): string => `${a.role} ${plainText(a.name, NAME_CHARS)}`;

const customerName = (c: ComplaintInput['customer']): string => plainText(c.name || c.address, NAME_CHARS);

/** The start's one-line summary: priority, subject, customer ("P1 · Toaster defekt · Erika Müller"). */
export function caseSummary(input: ComplaintInput, plan: CasePlan): string {
  return [plan.assessment.priority, plainText(input.subject, SUBJECT_CHARS), customerName(input.customer)].join(' · ');
}

/** The start's details (Temporal markdown, several lines): what the case is and who was asked first. */
export function caseDetails(input: ComplaintInput, plan: CasePlan): string {
  const { assessment: a } = plan;
  const zone = input.policy.company.timeZone;
  const first = input.policy.ladder[plan.firstLevel];
  return [
    `**Case ${input.caseId}**: ${plainText(input.subject, SUBJECT_CHARS)}`,
    `**Priority ${a.priority}**: urgency ${a.urgency}, impact ${a.impact}${a.reasons.length ? ` (${plainText(a.reasons.join('; '), 300)})` : ''}`,
    `**Customer**: ${customerName(input.customer)}, writes in ${input.language}`,
    `**Received** ${at(input.receivedAt, zone)} (${zone}) in ${plainText(input.mailbox)}`,
    ...(first ? [`**First asked**: ${who(first)}`] : []),
    ...(input.relatedCaseId ? [`**Follows up** case ${input.relatedCaseId}`] : []),
  ].join('\n');
}

/**
 * The summary and details a case starts with (intake, activities/intake/case-gateway.ts): assessed by the same
 * plan the workflow reads, so the start's priority is the case's.
 */
export function caseStartMetadata(input: ComplaintInput): { staticSummary: string; staticDetails: string } {
  const plan = planCase(input, input.policy);
  return { staticSummary: caseSummary(input, plan), staticDetails: caseDetails(input, plan) };
}

/** A mail of the case as its activity's summary: "acknowledgment to the customer", "reminder to Teamleitung …". */
export function mailSummary(kind: TMailKind, to: 'customer' | Approver): string {
  const what = kind.replace(/-/g, ' ').replace('follow up', 'follow-up');
  return `${what} to ${to === 'customer' ? 'the customer' : who(to)}`;
}

/**
 * A wait's summary for its timer: what happens when it runs out. Of `next` (when, what; undefined when never),
 * the earliest; several at the same time are named together ("promise due · reminder to Teamleitung …").
 */
export function waitSummary(next: ReadonlyArray<readonly [at: number | undefined, what: string]>): string {
  const timed = next.filter(([t]) => t !== undefined && Number.isFinite(t)) as Array<readonly [number, string]>;
  const soonest = Math.min(...timed.map(([t]) => t));
  return (
    timed
      .filter(([t]) => t === soonest)
      .map(([, what]) => what)
      .join(' · ') || 'wait'
  );
}
