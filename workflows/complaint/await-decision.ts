/**
 * Waiting for the decision: the approver is reminded, the next level takes over when the escalation time
 * comes (or at once when the case is forwarded), and the customer gets a progress update whenever the
 * promised time passes. A question to the customer stops the approver's clock until it is answered or times
 * out. Returns once the case is decided or withdrawn. Deterministic.
 */
import { condition } from '@temporalio/workflow';
import { awaitAnswer } from './info-request.js';
import type { CaseRuntime } from './runtime.js';

export async function awaitDecision(rt: CaseRuntime): Promise<void> {
  const { state, ladder } = rt;
  const { reminderAfter, escalateAfter, answerPromise } = rt.plan.durations;
  const topLevel = ladder.length - 1;
  let reminderAt = rt.due(Date.now(), reminderAfter);
  let escalateAt: number | undefined = rt.plan.firstLevel < topLevel ? rt.due(Date.now(), escalateAfter) : undefined;
  const stopped = (): boolean => state.decision !== undefined || state.withdrawn !== undefined;
  const asked = (): boolean => state.infoRequest !== undefined && !state.infoRequest.closed;
  while (!stopped()) {
    const question = state.infoRequest;
    if (question && !question.closed) {
      await awaitAnswer(rt, question, stopped);
      if (stopped()) break;
      // The case resumes: the approver's reminder and escalation clocks start again.
      reminderAt = rt.due(Date.now(), reminderAfter);
      if (escalateAt !== undefined) escalateAt = rt.due(Date.now(), escalateAfter);
      continue;
    }
    const next = Math.min(reminderAt, escalateAt ?? Infinity, Date.parse(state.promisedBy));
    await condition(() => stopped() || rt.forwardRequested || asked(), Math.max(next - Date.now(), 1));
    if (stopped()) break;
    if (asked()) continue;
    const now = Date.now();
    // Forwarded by the current approver: the next level now, as if its escalation time had come.
    if (rt.forwardRequested) escalateAt = now;
    rt.forwardRequested = false;
    if (now >= Date.parse(state.promisedBy)) {
      state.promisedBy = new Date(rt.due(now, answerPromise)).toISOString();
      rt.publish('awaiting-decision');
      await rt.mail('progress-update', 'customer');
    }
    if (escalateAt !== undefined && now >= escalateAt) {
      state.level += 1;
      const approver = ladder[state.level];
      if (!approver) throw new Error(`no approver at level ${state.level}`);
      rt.publish('awaiting-decision');
      await rt.mail('escalation', approver);
      reminderAt = rt.due(now, reminderAfter);
      escalateAt = state.level < topLevel ? rt.due(now, escalateAfter) : undefined;
    } else if (now >= reminderAt) {
      const approver = ladder[state.level];
      if (approver) await rt.mail('reminder', approver);
      reminderAt = rt.due(now, reminderAfter);
    }
  }
}
