/** Escalation-ladder look-ups. Pure. */
import type { Approver } from './case.js';

/** The ladder entry whose address matches (case-insensitive), if any. */
export function findApprover(ladder: readonly Approver[], address: string): Approver | undefined {
  const wanted = address.trim().toLowerCase();
  return ladder.find((a) => a.address.toLowerCase() === wanted);
}

/**
 * After an escalation the lower levels are superseded: the approver now responsible for `level`, when
 * `approver` sits below it; undefined when `approver` may decide (their level or above).
 */
export function supersededBy(ladder: readonly Approver[], level: number, approver: Approver): Approver | undefined {
  return approver.level < level ? ladder[level] : undefined;
}
