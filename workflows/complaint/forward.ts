/**
 * Forwarding: the current approver hands the case to the next level ("only management can approve this").
 * The update only records it and raises the runtime's flag; awaitDecision escalates at once. Deterministic.
 */
import { setHandler } from '@temporalio/workflow';
import type { Approver } from '../case.js';
import { forwardUpdate, type ForwardInput } from '../messages.js';
import { actingApprover } from './decision.js';
import type { CaseRuntime } from './runtime.js';

export function registerForward(rt: CaseRuntime): void {
  const { state, ladder } = rt;
  const validate = (f: ForwardInput): Approver => {
    const by = actingApprover(state, f.by);
    // Above the current level one decides rather than forwards.
    if (by.level !== state.level) throw new Error(`only the current level (${ladder[state.level]?.name}) can forward`);
    if (!ladder[state.level + 1]) throw new Error('there is no higher level to forward to');
    if (rt.forwardRequested) throw new Error('already being forwarded');
    return by;
  };
  setHandler(
    forwardUpdate,
    (f) => {
      const by = validate(f);
      rt.forwardRequested = true;
      state.forwarded = {
        by: by.address,
        byName: by.name,
        at: new Date().toISOString(),
        toLevel: state.level + 1,
        ...(f.note ? { note: String(f.note).slice(0, 4000) } : {}),
      };
      rt.note('forwarded', `${by.name}${f.note ? `: ${f.note}` : ''}`);
      return { level: state.level + 1 };
    },
    { validator: (f) => void validate(f) },
  );
}
