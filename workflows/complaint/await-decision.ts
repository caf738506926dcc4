/**
 * Waiting for the decision: the approver is reminded, the next level takes over when the escalation time
 * comes (or at once when the case is forwarded), and the customer gets a progress update whenever the
 * promised time passes. A question to the customer stops the approver's clock until it is answered or times
 * out. Returns once the case is decided or withdrawn. Deterministic.
 */
import { condition, patched } from '@temporalio/workflow';
import { actingDeputy, currentApprover } from '../ladder.js';
import { nextReminderAt, reminderRules } from '../rules/reminders.js';
import { awaitAnswer } from './info-request.js';
import { ask } from './delegate.js';
import { digestArgs, remind, stall, tellAway } from './remind.js';
import type { Approver } from '../case.js';
import { waitSummary, who } from '../case-story.js';
import type { CaseRuntime } from './runtime.js';
import { holdPending, pendingDecision } from './undo.js';

/**
 * Change id (patched()): reminders bundled in the approver's digest, in staff business hours, backing off at the
 * top of the ladder and ending after `maxReminders`. Cases from before replay their plain reminders; never
 * reuse the id.
 */
export const REMINDER_DIGEST = 'reminder-digest';

export async function awaitDecision(rt: CaseRuntime): Promise<void> {
  const { state, ladder } = rt;
  const { reminderAfter, escalateAfter, answerPromise } = rt.plan.durations;
  const topLevel = ladder.length - 1;
  const bounded = patched(REMINDER_DIGEST);
  /** Reminders sent to the current level (the top's back off and run out). */
  let reminded = 0;
  const nextReminder = (from: number, count = reminded): number =>
    bounded
      ? nextReminderAt(from, reminderAfter, rt.plan.calendar, state.level === topLevel ? count : 0)
      : rt.due(from, reminderAfter);
  let reminderAt = nextReminder(Date.now());
  let escalateAt: number | undefined = rt.plan.firstLevel < topLevel ? rt.due(Date.now(), escalateAfter) : undefined;
  // A pending decision (undo window) has not stopped the wait yet: it may still be undone.
  const stopped = (): boolean =>
    (state.decision !== undefined && !pendingDecision(rt)) || state.withdrawn !== undefined;
  const pending = (): boolean => pendingDecision(rt) !== undefined;
  const asked = (): boolean => state.infoRequest !== undefined && !state.infoRequest.closed;
  while (!stopped()) {
    // Decided, pending: reminders and escalation wait (their times stay as they were), the promise is kept.
    if (pending()) {
      if (await holdPending(rt)) break;
      continue;
    }
    const question = state.infoRequest;
    if (question && !question.closed) {
      await awaitAnswer(rt, question, stopped);
      if (stopped()) break;
      // The case resumes: the approver's reminder and escalation clocks start again.
      reminderAt = state.stalled ? Infinity : nextReminder(Date.now());
      if (escalateAt !== undefined) escalateAt = rt.due(Date.now(), escalateAfter);
      continue;
    }
    const next = Math.min(reminderAt, escalateAt ?? Infinity, Date.parse(state.promisedBy));
    await condition(
      () => stopped() || pending() || rt.forwardRequested || rt.delegateRequested || asked(),
      Math.max(next - Date.now(), 1),
      { summary: waitingSummary(rt, reminderAt, escalateAt) },
    );
    if (stopped()) break;
    if (pending()) continue;
    if (asked()) continue;
    const now = Date.now();
    // Forwarded by the current approver: the next level now, as if its escalation time had come.
    if (rt.forwardRequested) escalateAt = now;
    rt.forwardRequested = false;
    // The approver is away: their deputy is asked now (only cases with DEPUTIES set the flag).
    const deputy = rt.delegateRequested ? actingDeputy(state) : undefined;
    rt.delegateRequested = false;
    if (deputy) {
      await handToDeputy(rt, deputy);
      reminded = 0;
      reminderAt = nextReminder(now);
    }
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
      await ask(rt, 'escalation', approver);
      reminded = 0;
      reminderAt = nextReminder(now);
      escalateAt = state.level < topLevel ? rt.due(now, escalateAfter) : undefined;
    } else if (now >= reminderAt) {
      ({ reminded, at: reminderAt } = await remindDue(rt, bounded, reminded, (count) => nextReminder(now, count)));
    }
  }
}

/** What the wait for the decision runs out to: the promise, a reminder or the escalation, whichever comes first. */
function waitingSummary(rt: CaseRuntime, reminderAt: number, escalateAt: number | undefined): string {
  const { state } = rt;
  const now = currentApprover(state);
  const above = state.ladder[state.level + 1];
  return waitSummary([
    [Date.parse(state.promisedBy), 'promise due: progress update to the customer'],
    [now ? reminderAt : undefined, now ? `reminder to ${who(now)}` : ''],
    [above ? escalateAt : undefined, above ? `escalation to ${who(above)}` : ''],
  ]);
}

/** The approver is away: their deputy is asked now, and the approver's other waiting cases learn of it. */
async function handToDeputy(rt: CaseRuntime, deputy: Approver): Promise<void> {
  const { state } = rt;
  rt.publish('awaiting-decision');
  await rt.mail('approval-request', deputy);
  // The approver's other waiting cases learn of the absence too (their own auto-reply comes once a day).
  const away = rt.awayToTell;
  rt.awayToTell = undefined;
  const person = state.ladder[state.level];
  const key = rt.keyOf(person);
  if (away && person && key) {
    const told = await tellAway.executeWithOptions({ summary: `${who(person)}'s absence to their other cases` }, [
      { key, except: state.caseId, ...away, digest: digestArgs(rt, person, key) },
    ]);
    rt.note('absence-told', `${person.name} is away until ${away.until}: ${told} other waiting case(s) told`);
  }
}

/**
 * A reminder is due: the current level is reminded. Bounded (REMINDER_DIGEST): at the top of the ladder the gaps
 * back off and after `maxReminders` the case is stalled instead of reminded forever. Returns the reminders sent to
 * this level and when the next one falls due (`next` of that count).
 */
async function remindDue(
  rt: CaseRuntime,
  bounded: boolean,
  reminded: number,
  next: (count: number) => number,
): Promise<{ reminded: number; at: number }> {
  const { state, ladder } = rt;
  if (!bounded) {
    const approver = ladder[state.level];
    if (approver) await rt.mail('reminder', approver);
    return { reminded, at: next(reminded) };
  }
  const approver = currentApprover(state);
  const top = state.level === ladder.length - 1;
  const count = reminded + 1;
  const last = top && count >= reminderRules(rt.input.policy).maxReminders;
  if (approver) await remind(rt, approver, count, top, last);
  if (approver && last) {
    stall(rt, approver, count);
    return { reminded: count, at: Infinity };
  }
  return { reminded: count, at: next(count) };
}
