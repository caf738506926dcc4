/**
 * Deputies and absence: when the approver who decides now is away (their out-of-office reply to our request,
 * another case's news of it, an admin's `nachfass absent`, or the policy's `absent` list), their deputy (policy
 * `deputy`) decides the case at that level in their stead, at once instead of after `escalateAfter`. The history
 * records it and names both people; the customer's promise is unchanged. Deterministic.
 */
import { patched } from '@temporalio/workflow';
import type { Approver, TMailKind } from '../case.js';
import { who } from '../case-story.js';
import { actingDeputy } from '../ladder.js';
import type { InboundMail } from '../messages.js';
import { absentAt, awayUntil } from '../rules/absence.js';
import { absenceOf } from './remind.js';
import type { CaseRuntime } from './runtime.js';

/** Change id (patched()): deputies and absence; cases from before replay without them. Never reuse the id. */
export const DEPUTIES = 'deputies';

/** Hands the current level to `away`'s deputy; false when there is none or nothing to hand over. */
export function delegate(rt: CaseRuntime, away: Approver, why: string, until: string | undefined): boolean {
  const { state } = rt;
  const current = state.ladder[state.level];
  if (!away.deputy || current?.address.toLowerCase() !== away.address.toLowerCase()) return false;
  if (state.decision || state.withdrawn || state.delegated?.level === state.level) return false;
  state.delegated = {
    level: state.level,
    from: away.address,
    fromName: away.name,
    to: away.deputy.address,
    toName: away.deputy.name,
    at: new Date().toISOString(),
    reason: why,
    ...(until ? { until } : {}),
  };
  const to = until ? `, until ${until}` : '';
  rt.note('delegated', `${away.name} is away (${why}${to}); ${away.deputy.name} decides in their stead`);
  rt.delegateRequested = true;
  return true;
}

/**
 * An auto-reply of the approver who decides now, to a request of ours to them (its signed Message-ID): they are
 * away until the date the reply names (default: the end of the next business day). Their other waiting cases
 * are told too (awaitDecision, `tellAway`).
 */
export function delegateIfAway(rt: CaseRuntime, m: InboundMail): void {
  const { state } = rt;
  const away = state.ladder[state.level];
  if (!away || m.from.trim().toLowerCase() !== away.address.toLowerCase()) return;
  const toThem = (m.answers ?? []).some(
    (r) => r.verified === true && state.sent.some((s) => s.seq === r.seq && s.to === away.address),
  );
  if (!toThem) return;
  const until = awayUntil(m.text, Date.parse(m.receivedAt), rt.plan.calendar);
  const why = `auto-reply of ${m.receivedAt}`;
  if (delegate(rt, away, why, until)) rt.awayToTell = { address: away.address, until, reason: why };
}

/**
 * Mails `kind` to `approver`, or to their deputy when they are absent now: declared in the policy (`absent`),
 * or learnt from their out-of-office reply to another case (their digest remembers it until their return).
 * Cases from before DEPUTIES mail the approver.
 */
export async function ask(rt: CaseRuntime, kind: TMailKind, approver: Approver): Promise<void> {
  if (patched(DEPUTIES) && approver.deputy) {
    const declared = absentAt(rt.input.policy.absent, approver.address, Date.now());
    // An absence another case learnt (the person's out-of-office reply), remembered by their digest.
    const key = rt.keyOf(approver);
    const learnt =
      !declared && key
        ? await absenceOf.executeWithOptions({ summary: `is ${who(approver)} away? (their digest)` }, [{ key }])
        : undefined;
    const absence = declared
      ? { why: `declared absent from ${declared.from}`, until: declared.until }
      : learnt && { why: learnt.reason, until: learnt.until };
    if (absence && delegate(rt, approver, absence.why, absence.until)) {
      rt.delegateRequested = false; // asked here, not again by awaitDecision
      return rt.mail(kind, actingDeputy(rt.state) ?? approver);
    }
  }
  return rt.mail(kind, approver);
}
