/** Escalation-ladder look-ups. Pure. */
import type { Approver } from './case.js';

/** The ladder entry whose address matches (case-insensitive), if any. */
export function findApprover(ladder: readonly Approver[], address: string): Approver | undefined {
  const wanted = address.trim().toLowerCase();
  return ladder.find((a) => a.address.toLowerCase() === wanted);
}
