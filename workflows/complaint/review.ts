/**
 * A review after a rejection: until the follow-up is due the customer may object ("Widerspruch"); then the
 * next level (the handlers chose it) decides anew, is reminded until it does, and the new decision goes to the
 * customer. Deterministic.
 */
import { condition, sleep } from '@temporalio/workflow';
import { who } from '../case-story.js';
import { announceDecision } from './announce.js';
import type { CaseRuntime } from './runtime.js';

/** Waits until the follow-up is due for a review request, and runs the review when one came. */
export async function reviewIfAsked(rt: CaseRuntime): Promise<void> {
  const { followUpAfter } = rt.plan.durations;
  const reviewAsked = await condition(
    () => rt.state.review !== undefined,
    Math.max(rt.due(Date.now(), followUpAfter) - Date.now(), 1),
    { summary: 'follow-up due (until then the customer may ask for a review)' },
  );
  if (reviewAsked && rt.state.review) await reviewCase(rt, rt.state.review.level);
}

async function reviewCase(rt: CaseRuntime, level: number): Promise<void> {
  const { state, ladder } = rt;
  const { reminderAfter, followUpAfter } = rt.plan.durations;
  state.decision = undefined;
  state.level = level;
  rt.publish('awaiting-decision');
  await rt.mail('review-request', ladder[level]!);
  while (!state.decision) {
    const decided = await condition(
      () => state.decision !== undefined,
      Math.max(rt.due(Date.now(), reminderAfter) - Date.now(), 1),
      { summary: `review: reminder to ${who(ladder[state.level]!)}` },
    );
    if (!decided) await rt.mail('reminder', ladder[state.level]!);
  }
  await announceDecision(rt);
  // The follow-up of a reviewed case waits its own interval after the new decision.
  await sleep(Math.max(rt.due(Date.now(), followUpAfter) - Date.now(), 1), { summary: 'follow-up due' });
}
