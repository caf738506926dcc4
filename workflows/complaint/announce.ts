/**
 * The decision goes out: a receipt to whoever it was made in the name of (a forged decision cannot go
 * unnoticed), then the decision to the customer. Shared by the first decision and a review's. Deterministic.
 */
import { patched } from '@temporalio/workflow';
import { caseApprover } from '../ladder.js';
import type { CaseRuntime } from './runtime.js';

/** Change id (patched()): cases from before the receipt replay without it; never reuse the id. */
const DECISION_RECEIPT = 'decision-receipt';

export async function announceDecision(rt: CaseRuntime): Promise<void> {
  rt.publish('decided');
  const by = rt.state.decision && caseApprover(rt.state, rt.state.decision.decidedBy);
  // A decision that was pending had its receipt at once (undo.ts).
  if (by && !rt.receiptSent && patched(DECISION_RECEIPT)) await rt.mail('decision-receipt', by);
  rt.receiptSent = false;
  await rt.mail('decision', 'customer');
  rt.publish('awaiting-feedback');
}
