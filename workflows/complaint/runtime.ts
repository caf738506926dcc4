/**
 * The hands of a case: its query-visible state and timeline, its search attributes, its mail, and the queue of
 * staff notices that go out beside the story, in order. The story (complaint.ts), its sub-processes and its
 * handlers act on the case only through this object, so the rules of acting (a refused customer address ends
 * mail to it, never the case) are written once. Workflow code: deterministic.
 */
import { ActivityFailure, ApplicationFailure, condition, patched, setCurrentDetails } from '@temporalio/workflow';
import type { Approver, CaseState, ComplaintInput, TCaseStatus, TMailKind } from '../case.js';
import { currentDetails } from '../case-details.js';
import { caseMailRequest } from '../case-mail.js';
import { mailSummary } from '../case-story.js';
import { ErrorCode } from '../error-codes.js';
import { caseMailActivity } from './mail-activity.js';
import { caseApprover, currentApprover } from '../ladder.js';
import { dueAt, type DurationSpec } from '../rules/calendar.js';
import type { CasePlan } from '../rules/case-plan.js';
import { publishSearchAttributes, type QueueAttributes } from '../search-attributes.js';

/**
 * Change id (patched()): the ApproverHash search attribute (each approver's queue) and Stalled. Cases from before
 * replay their upserts without them; never reuse the id.
 */
export const APPROVER_QUEUE = 'approver-queue';

/** A mail to staff beside the story: to whoever decides now, unless `to` names someone. */
export type TNotice = {
  kind: 'customer-reply' | 'bounce-notice' | 'mail-decision-unclear' | 'info-timeout';
  to?: Approver;
};

export class CaseRuntime {
  readonly state: CaseState;
  readonly ladder: Approver[];
  /**
   * Set by the `forward` update, cleared by awaitDecision when it escalates. A control flag, so it stays out of
   * the query-visible state.
   */
  forwardRequested = false;
  /** Set when an approver's out-of-office reply hands the case to their deputy; awaitDecision mails the deputy. */
  delegateRequested = false;
  /** The approver's absence, learnt from their auto-reply: told to their other waiting cases (awaitDecision). */
  awayToTell: { address: string; until: string; reason: string } | undefined;
  /** The case's decision undo window (ms), when its policy sets one and it runs code that knows it (undo.ts). */
  undoWindowMs = 0;
  /** Set when a pending decision's receipt went out already: announceDecision does not send it again. */
  receiptSent = false;
  private seq = 0;
  private readonly notices: TNotice[] = [];
  private noticing = false;

  constructor(
    readonly input: ComplaintInput,
    readonly plan: CasePlan,
  ) {
    const { policy } = input;
    this.ladder = policy.ladder;
    this.state = {
      caseId: input.caseId,
      status: 'awaiting-decision',
      subject: input.subject,
      text: input.text,
      customer: input.customer,
      language: input.language,
      ...(policy.customerTimeZone ? { customerTimeZone: policy.customerTimeZone } : {}),
      assessment: plan.assessment,
      ladder: this.ladder,
      level: plan.firstLevel,
      promisedBy: new Date(this.due(Date.now(), plan.durations.answerPromise)).toISOString(),
      replies: [],
      sent: [],
      timeline: [],
    };
  }

  /** When duration `d` from `fromMs` falls due, by the case's calendar (business hours where the policy says so). */
  due(fromMs: number, d: DurationSpec): number {
    return dueAt(fromMs, d, this.plan.calendar);
  }

  readonly note = (event: string, detail?: string): void => {
    this.state.timeline.push({ at: new Date().toISOString(), event, ...(detail === undefined ? {} : { detail }) });
    this.tellUi();
  };

  readonly publish = (status: TCaseStatus): void => {
    this.state.status = status;
    this.tellUi();
    if (!this.input.searchAttributes) return;
    publishSearchAttributes(this.state, this.input.customerKey, this.queueAttributes());
  };

  /**
   * The Web UI's current details of the case (whom it waits for, the promise, the last step), after each step and
   * status change. Not a command: replay and determinism are untouched.
   */
  private tellUi(): void {
    setCurrentDetails(currentDetails(this.state, this.input.policy.company.timeZone));
  }

  /** The keyed hash of a person of the ladder, when intake gave the case one (cases from before the queue: none). */
  keyOf(a: Approver | undefined): string | undefined {
    return a && this.input.approverKeys?.[a.address.trim().toLowerCase()];
  }

  /** The queue's search attributes, for cases that have the keys and run this release's code. */
  private queueAttributes(): QueueAttributes | undefined {
    if (!this.input.approverKeys || !patched(APPROVER_QUEUE)) return undefined;
    const key = this.keyOf(currentApprover(this.state));
    return { ...(key ? { approverKey: key } : {}), stalled: this.state.stalled !== undefined };
  }

  /** Sends one mail of the case; a permanent SMTP refusal is recorded (for the customer: as a bounce), not thrown. */
  readonly mail = async (kind: TMailKind, to: 'customer' | Approver): Promise<void> => {
    const { state } = this;
    if (to === 'customer' && state.customerUnreachable) {
      this.note(`mail:${kind}:skipped`, 'the customer address bounced');
      return;
    }
    this.seq += 1;
    state.sent.push({ seq: this.seq, kind, to: to === 'customer' ? this.input.customer.address : to.address });
    try {
      // The activity's summary names the mail in the Web UI's timeline ("reminder to Teamleitung Sabine Schulz").
      await caseMailActivity().executeWithOptions({ summary: mailSummary(kind, to) }, [
        caseMailRequest(kind, this.seq, to, this.input, state),
      ]);
    } catch (err) {
      // An activity's failure comes wrapped in an ActivityFailure; a local activity's is the activity's own error.
      const cause = err instanceof ActivityFailure ? err.cause : err;
      // Over the address's mail budget (a loop with a misbehaving peer): held and recorded, never silently dropped.
      if (cause instanceof ApplicationFailure && cause.type === ErrorCode.MailBudgetExceeded) {
        this.note(`mail:${kind}:held`, cause.message);
        return;
      }
      if (!(cause instanceof ApplicationFailure) || cause.type !== ErrorCode.SmtpRejected) throw err;
      this.note(`mail:${kind}:refused`, cause.message);
      if (to === 'customer') this.markUnreachable(new Date().toISOString(), 'refused by our SMTP server');
      return;
    }
    this.note(`mail:${kind}`, to === 'customer' ? 'customer' : `${to.role} ${to.name}`);
  };

  /** Whoever decides now: the one who decided, or the current level of the ladder. */
  responsible(): Approver | undefined {
    const { decision } = this.state;
    return (decision && caseApprover(this.state, decision.decidedBy)) ?? currentApprover(this.state);
  }

  readonly notify = (n: TNotice): void => {
    this.notices.push(n);
  };

  readonly markUnreachable = (at: string, status?: string): void => {
    if (this.state.customerUnreachable) return;
    this.state.customerUnreachable = { at, ...(status ? { status } : {}) };
    this.notify({ kind: 'bounce-notice' });
  };

  /** Sends queued notices for the life of the case, one at a time, in the order they were queued. */
  startNotices(): void {
    void (async () => {
      for (;;) {
        await condition(() => this.notices.length > 0);
        this.noticing = true;
        const { kind, to = this.responsible() } = this.notices.shift()!;
        if (to) await this.mail(kind, to);
        this.noticing = false;
      }
    })();
  }

  /** Resolves once every queued notice has gone out (a case ends only after them). */
  noticesSent(): Promise<void> {
    return condition(() => this.notices.length === 0 && !this.noticing);
  }
}
