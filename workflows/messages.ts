/**
 * Message definitions of ComplaintWorkflow, shared by the workflow, the link server, the CLI and the README.
 * Names and payloads are part of the external contract: admins send them from the Temporal Web UI or CLI.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CaseState, DecisionEvidence, DecisionRecord, TDecisionOutcome } from './case.js';

// The outcomes are part of this contract; they live in case.ts, which the case model needs without the messages.
export { DECISION_OUTCOMES, type TDecisionOutcome } from './case.js';

/** Payload of the `decide` update and the `decision` signal (JSON). */
export interface DecisionInput {
  outcome: TDecisionOutcome;
  /** Who decides: an approver's address from the case's escalation ladder. */
  decidedBy: string;
  /** Shown to the customer in the decision mail. */
  noteToCustomer?: string;
  /** Stays in the case history only. */
  internalNote?: string;
  /** Where the decision came from, for the audit trail. */
  channel?: 'link' | 'mail' | 'admin';
  /** What proves who decided (set by the link server and intake; recorded on the case). */
  evidence?: DecisionEvidence;
}

/**
 * Update used by the link server: answers with the recorded decision, or is refused
 * by its validator ("already decided", "not an approver of this case").
 */
export const decideUpdate = defineUpdate<DecisionRecord, [DecisionInput]>('decide');

/** Signal with the same payload, for admins deciding from the Temporal Web UI or CLI. */
export const decisionSignal = defineSignal<[DecisionInput]>('decision');

/** Payload of the `undoDecision` update: who takes a pending decision back (the undo page, or an admin). */
export interface UndoDecisionInput {
  /** The approver who decided, or one of a higher level of the ladder. */
  by: string;
  channel?: 'link' | 'admin';
  /** The browser the undo page was posted from, for the timeline. */
  client?: { ip?: string; userAgent?: string };
}

/**
 * Takes back a decision while it is pending (policy `decisionUndoWindow`): the case waits again, with its
 * reminders and promise. Refused by its validator after the window, when nothing is pending, or for anyone but
 * the approver who decided or a higher level. Answers with the time of the undo.
 */
export const undoDecisionUpdate = defineUpdate<{ undoneAt: string }, [UndoDecisionInput]>('undoDecision');

/** Payload of the `forward` update: the current approver hands the case to the next level of the ladder. */
export interface ForwardInput {
  by: string;
  /** Why: shown to the next level. */
  note?: string;
}

/** Forward to the next level ("only management can approve this"); answers with the new level. */
export const forwardUpdate = defineUpdate<{ level: number }, [ForwardInput]>('forward');

/** Payload of the `requestInfo` update: the current approver asks the customer for more information. */
export interface InfoRequestInput {
  by: string;
  /** What the customer is asked; sent to them. */
  question: string;
}

/** Ask the customer for more information; their reply resumes the case. Answers with the reply deadline. */
export const requestInfoUpdate = defineUpdate<{ replyBy: string }, [InfoRequestInput]>('requestInfo');

/** The case as it stands: status, assessment, promises, decision and timeline. */
export const caseStateQuery = defineQuery<CaseState>('caseState');

/** A person's mail that intake matched to this case (In-Reply-To/References, or the case number in the subject). */
export interface InboundMail {
  messageId: string;
  receivedAt: string;
  from: string;
  subject: string;
  /** Bounded text; quoted history trimmed where recognisable. */
  text: string;
  /**
   * Which of our mails of this case it answers (from In-Reply-To/References); `verified` when the Message-ID
   * carries our key's MAC, i.e. the writer received that mail.
   */
  answers?: Array<{ seq: number; kind: string; verified?: boolean }>;
  /**
   * Set by intake when the mail came through the signed reply address of our mail `seq` to an approver, sent
   * from that approver's address: the only proof by which a reply decides (activities/mail-ids.ts).
   */
  proof?: { method: 'reply-address'; seq: number; level: number };
  /** Why a reply address the mail carried did not verify. */
  proofFailure?: 'bad-signature' | 'expired' | 'other-case';
}

/** The customer (or someone on the thread) wrote again: recorded and forwarded to whoever decides. */
export const customerReplySignal = defineSignal<[InboundMail]>('customerReply');

/** An auto-reply (vacation notice) to one of our mails: recorded, never counted as the customer's answer. */
export const autoReplySignal = defineSignal<[InboundMail & { reasons: string[] }]>('autoReply');

/**
 * The approver `address` is away (until `until`, ISO): the case, when it waits for them, goes to their deputy.
 * Sent by the case that received their out-of-office reply, and by `nachfass absent`.
 */
export const approverAwaySignal = defineSignal<[{ address: string; until?: string; reason: string }]>('approverAway');

/**
 * A delivery report (bounce) about one of our mails; `seq` names which, when the report says so. `verified`: the
 * report carries our signed envelope id or the signed Message-ID of the returned mail; only then does it stop
 * mail to the customer (anyone can write a fake bounce).
 */
export const deliveryFailedSignal =
  defineSignal<[{ seq?: number; receivedAt: string; status?: string; reasons: string[]; verified?: boolean }]>(
    'deliveryFailed',
  );

/** Payload of the `rate` update: the customer's satisfaction, from the rating page (or an admin, on their behalf). */
export interface RatingInput {
  /** 1 (not at all satisfied) to 5 (very satisfied). */
  rating: number;
  /** In the customer's own words, optional. */
  comment?: string;
  channel?: 'link' | 'mail' | 'admin';
}

/**
 * Records the customer's rating once, while the feedback window is open; answers with the rating and whether it
 * opened a follow-up. Refused when nothing was asked yet, the window has closed, or a rating is recorded already.
 */
export const rateUpdate = defineUpdate<{ rating: number; followUp: boolean }, [RatingInput]>('rate');

/** Payload of the `closeFollowUp` update: what the owner of a low rating's follow-up did and learned. */
export interface CloseFollowUpInput {
  by: string;
  /** Internal: what was done, what we learn (required). */
  note: string;
  /** Optional: sent to the customer as a personal message closing the loop. */
  messageToCustomer?: string;
}

/** Closes a low rating's follow-up; the case then completes. */
export const closeFollowUpUpdate = defineUpdate<{ closedAt: string }, [CloseFollowUpInput]>('closeFollowUp');

/** Input of IntakeWorkflow (one per watched folder): which mailbox, and how it runs. */
export interface IntakeArgs {
  /** Key of the mailbox in the worker's configuration (never credentials: those stay in the worker). */
  mailbox: string;
  /** How long one activity run holds the mailbox before the workflow continues as new (ms). */
  runFor: number;
  /** Heartbeat timeout (ms): how fast another worker takes over after a crash. */
  heartbeatTimeout: number;
}
