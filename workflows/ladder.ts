/** Escalation-ladder look-ups. Pure. */
import type { Approver, CaseState } from './case.js';

/** The ladder entry whose address matches (case-insensitive), if any. */
export function findApprover(ladder: readonly Approver[], address: string): Approver | undefined {
  const wanted = address.trim().toLowerCase();
  return ladder.find((a) => a.address.toLowerCase() === wanted);
}

/**
 * The person at `address` among the ladder and its deputies: a deputy stands at the level (and in the role) of
 * the person they stand in for, e.g. as the owner of a low rating's follow-up on a case they decided.
 */
export function findPerson(ladder: readonly Approver[], address: string): Approver | undefined {
  const onLadder = findApprover(ladder, address);
  if (onLadder) return onLadder;
  const wanted = address.trim().toLowerCase();
  const stoodInFor = ladder.find((a) => a.deputy?.address.toLowerCase() === wanted);
  return stoodInFor?.deputy ? { ...stoodInFor.deputy, level: stoodInFor.level, role: stoodInFor.role } : undefined;
}

/**
 * After an escalation the lower levels are superseded: the approver now responsible for `level`, when
 * `approver` sits below it; undefined when `approver` may decide (their level or above).
 */
export function supersededBy(ladder: readonly Approver[], level: number, approver: Approver): Approver | undefined {
  return approver.level < level ? ladder[level] : undefined;
}

/** The deputy deciding the current level in the away approver's stead, as an approver of that level. */
export function actingDeputy(state: Pick<CaseState, 'ladder' | 'level' | 'delegated'>): Approver | undefined {
  const d = state.delegated;
  const away = state.ladder[state.level];
  if (!d || d.level !== state.level || !away?.deputy) return undefined;
  return { ...away.deputy, level: d.level, role: away.role };
}

/** Whoever decides the current level now: the ladder's approver, or their deputy while they are away. */
export function currentApprover(state: Pick<CaseState, 'ladder' | 'level' | 'delegated'>): Approver | undefined {
  return actingDeputy(state) ?? state.ladder[state.level];
}

/** The person of the case at `address`: someone on its ladder, or the deputy now acting for the current level. */
export function caseApprover(
  state: Pick<CaseState, 'ladder' | 'level' | 'delegated'>,
  address: string,
): Approver | undefined {
  const deputy = actingDeputy(state);
  if (deputy && deputy.address.trim().toLowerCase() === address.trim().toLowerCase()) return deputy;
  return findApprover(state.ladder, address);
}
