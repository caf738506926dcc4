/**
 * The undo window (policy `decisionUndoWindow`): a decision first stands pending. The approver has their receipt
 * at once (with the undo link), the customer hears nothing until the window closes; an undo returns the case to
 * waiting with the reminders and promise it had, and the customer's promise is kept meanwhile. Deterministic.
 */
import { condition } from '@temporalio/workflow';
import type { DecisionRecord } from '../case.js';
import { waitSummary } from '../case-story.js';
import { caseApprover } from '../ladder.js';
import type { CaseRuntime } from './runtime.js';

/**
 * Change id (patched()): decisions pending for the case's undo window. Asked only by cases whose policy sets a
 * window (complaint.ts), so a window of 0 leaves the command sequence exactly as before; never reuse the id.
 */
export const UNDO_WINDOW = 'undo-window';

/** The case's decision while it is pending. */
export function pendingDecision(rt: CaseRuntime): (DecisionRecord & { pendingUntil: string }) | undefined {
  const d = rt.state.decision;
  return d?.pendingUntil ? (d as DecisionRecord & { pendingUntil: string }) : undefined;
}

/**
 * Holds the pending decision: sends its receipt, then waits for an undo or the end of the window, sending the
 * customer a progress update whenever the promised time passes. True when the decision stands (it is final
 * now), false when it was undone (the case waits again).
 */
export async function holdPending(rt: CaseRuntime): Promise<boolean> {
  const { state } = rt;
  const d = pendingDecision(rt);
  if (!d) return state.decision !== undefined;
  const by = caseApprover(state, d.decidedBy);
  if (by) await rt.mail('decision-receipt', by);
  const until = Date.parse(d.pendingUntil);
  const undone = (): boolean => state.decision !== d;
  for (;;) {
    const promised = Date.parse(state.promisedBy);
    await condition(undone, Math.max(Math.min(until, promised) - Date.now(), 1), {
      summary: waitSummary([
        [until, `undo window closes: the ${d.outcome} stands`],
        [promised, 'promise due: progress update to the customer'],
      ]),
    });
    if (undone()) return false;
    const now = Date.now();
    if (now >= until) {
      const final: DecisionRecord = { ...d };
      delete final.pendingUntil;
      state.decision = final;
      rt.receiptSent = true;
      rt.note('decision-final', `${d.outcome} by ${d.decidedByName}: the undo window closed`);
      return true;
    }
    if (now >= Date.parse(state.promisedBy)) {
      state.promisedBy = new Date(rt.due(now, rt.plan.durations.answerPromise)).toISOString();
      rt.publish('awaiting-decision');
      await rt.mail('progress-update', 'customer');
    }
  }
}
