/**
 * The current details of a case (Temporal's `setCurrentDetails`, shown by the Web UI on the case's page): whom
 * it waits for and since when, what was promised to the customer, and its last step. Computed from the case
 * state alone, so any state, of any release, gives the same text. Pure (workflow code).
 */
import type { CaseState } from './case.js';
import { at, plainText, who } from './case-story.js';
import { currentApprover } from './ladder.js';

/** Timeline events that hand the decision to someone: "waiting since" counts from the latest. */
// eslint-disable-next-line no-restricted-syntax -- read only: constant event names
const HANDED_OVER = new Set(['mail:approval-request', 'mail:escalation', 'mail:review-request', 'delegated']);
const DETAIL_CHARS = 160;

/** The latest timeline entry among `events`, if any. */
function latest(state: CaseState, events: ReadonlySet<string>): string | undefined {
  for (let i = state.timeline.length - 1; i >= 0; i--) {
    const e = state.timeline[i]!;
    if (events.has(e.event)) return e.at;
  }
  return undefined;
}

/** Whom the case waits for now, and since when (one line, without the leading label). */
function waitingFor(state: CaseState, zone: string): string {
  const { decision, infoRequest, feedback, lowRating } = state;
  switch (state.status) {
    case 'awaiting-decision': {
      if (decision?.pendingUntil) {
        return `nobody: ${decision.outcome} by ${plainText(decision.decidedByName)} stands once the undo window closes at ${at(decision.pendingUntil, zone)}`;
      }
      if (infoRequest && !infoRequest.closed) {
        return `the customer, to answer ${plainText(infoRequest.byName)}'s question, since ${at(infoRequest.at, zone)} (reply by ${at(infoRequest.replyBy, zone)})`;
      }
      const approver = currentApprover(state);
      const since = latest(state, HANDED_OVER);
      const stalled = state.stalled ? `; stalled after ${state.stalled.reminders} reminders` : '';
      return approver
        ? `the decision of ${who(approver)}${since ? ` since ${at(since, zone)}` : ''}${stalled}`
        : 'a decision (nobody on the ladder at this level)';
    }
    case 'decided':
      return `the follow-up to the customer (${decision ? `${decision.outcome} by ${plainText(decision.decidedByName)} at ${at(decision.at, zone)}` : 'decided'})`;
    case 'awaiting-feedback':
      return feedback
        ? `the customer's rating since ${at(feedback.askedAt, zone)} (the survey closes ${at(feedback.closesAt, zone)})`
        : "the customer's rating";
    case 'feedback-follow-up':
      return lowRating
        ? `${plainText(lowRating.ownerName)} to close the follow-up of rating ${lowRating.rating} since ${at(lowRating.openedAt, zone)} (due ${at(lowRating.dueAt, zone)})`
        : 'the follow-up of a low rating';
    case 'completed':
    case 'withdrawn':
      return `nobody: the case is ${state.status}`;
  }
}

/** The case's current details in Temporal markdown: waiting for, promise, last step; times in `zone`. */
export function currentDetails(state: CaseState, zone: string): string {
  const last = state.timeline[state.timeline.length - 1];
  const promise =
    state.status === 'awaiting-decision'
      ? `**Promised to the customer**: by ${at(state.promisedBy, zone)}`
      : `**Promised to the customer**: nothing open (the last promise was ${at(state.promisedBy, zone)})`;
  return [
    `**${state.status}** · ${state.assessment.priority} · ladder level ${state.level + 1} of ${state.ladder.length} (times ${zone})`,
    `**Waiting for**: ${waitingFor(state, zone)}`,
    promise,
    ...(last
      ? [
          `**Last step**: ${at(last.at, zone)} ${last.event}${last.detail ? `: ${plainText(last.detail, DETAIL_CHARS)}` : ''}`,
        ]
      : []),
  ].join('\n');
}
