/**
 * A question to the customer: the approver asks (the `requestInfo` update), the customer gets the question
 * with a reply-by time, is reminded once, and when the time passes the approver who asked is told. While the
 * question is open the approver's clock stops (awaitDecision restarts it). Deterministic.
 */
import { condition, setHandler } from '@temporalio/workflow';
import type { Approver, CaseState } from '../case.js';
import { waitSummary } from '../case-story.js';
import { findApprover } from '../ladder.js';
import { requestInfoUpdate, type InfoRequestInput } from '../messages.js';
import { actingApprover } from './decision.js';
import type { CaseRuntime } from './runtime.js';
import { holdPending, pendingDecision } from './undo.js';

type TQuestion = NonNullable<CaseState['infoRequest']>;

export function registerInfoRequest(rt: CaseRuntime): void {
  const { state } = rt;
  const validate = (r: InfoRequestInput): Approver => {
    const by = actingApprover(state, r.by);
    if (!String(r.question ?? '').trim()) throw new Error('a question to the customer is needed');
    if (state.infoRequest && !state.infoRequest.closed) throw new Error('a question to the customer is already open');
    return by;
  };
  setHandler(
    requestInfoUpdate,
    (r) => {
      const by = validate(r);
      // The reply-by time counts with the case's own plan (a P1 case: the P1 durations).
      const replyBy = new Date(rt.due(Date.now(), rt.plan.durations.infoTimeout)).toISOString();
      state.infoRequest = {
        by: by.address,
        byName: by.name,
        question: String(r.question).trim().slice(0, 4000),
        at: new Date().toISOString(),
        replyBy,
      };
      rt.note('info-requested', by.name);
      return { replyBy };
    },
    { validator: (r) => void validate(r) },
  );
}

/**
 * Asks `question` and waits until it is answered or times out, or the case stops (`stopped`: decided or
 * withdrawn). One reminder in between; whether it went out is the wait's own business, not the case's state.
 */
export async function awaitAnswer(rt: CaseRuntime, question: TQuestion, stopped: () => boolean): Promise<void> {
  await rt.mail('info-request', 'customer');
  let reminded = false;
  const remindAt = rt.due(Date.parse(question.at), rt.plan.durations.infoReminderAfter);
  const timeoutAt = Date.parse(question.replyBy);
  do {
    const wakeAt = reminded ? timeoutAt : Math.min(remindAt, timeoutAt);
    const pending = (): boolean => pendingDecision(rt) !== undefined;
    await condition(() => stopped() || pending() || question.closed !== undefined, Math.max(wakeAt - Date.now(), 1), {
      summary: waitSummary([
        [reminded ? undefined : remindAt, 'question: reminder to the customer'],
        [timeoutAt, "question: the customer's answer due"],
      ]),
    });
    if (stopped()) return;
    // Decided while the question was open, pending: held here, so an undo resumes this very wait.
    if (pending()) {
      if (await holdPending(rt)) return;
      continue;
    }
    if (!question.closed && Date.now() >= timeoutAt) {
      question.closed = 'timeout';
      rt.note('info-timeout');
      const asker = findApprover(rt.ladder, question.by);
      rt.notify({ kind: 'info-timeout', ...(asker ? { to: asker } : {}) });
    } else if (!question.closed && Date.now() >= remindAt && !reminded) {
      reminded = true;
      await rt.mail('info-reminder', 'customer');
    }
  } while (!stopped() && !question.closed);
}
