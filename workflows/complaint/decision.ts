/**
 * How a decision reaches a case: the `decide` update (validated, answers) and the `decision` signal
 * (for the Web UI and CLI; a refusal is recorded in the timeline since a signal cannot answer).
 */
import { setHandler } from '@temporalio/workflow';
import {
  DECISION_OUTCOMES,
  type Approver,
  type CaseState,
  type DecisionEvidence,
  type DecisionRecord,
} from '../case.js';
import { caseApprover, supersededBy } from '../ladder.js';
import {
  decideUpdate,
  decisionSignal,
  undoDecisionUpdate,
  type DecisionInput,
  type UndoDecisionInput,
} from '../messages.js';

/**
 * The approver at `address`, when they may act on the case now: it is still open (neither decided nor
 * withdrawn), they are on its ladder, and an escalation has not superseded their level. Shared by every
 * update and signal an approver sends (decide, forward, requestInfo).
 */
export function actingApprover(state: CaseState, address: unknown): Approver {
  requireOpen(state);
  const approver = typeof address === 'string' ? caseApprover(state, address) : undefined;
  if (!approver) throw new Error(`${String(address)} is not an approver of this case`);
  const current = supersededBy(state.ladder, state.level, approver);
  if (current) throw new Error(`superseded: the case has moved on to ${current.name} (${current.role})`);
  return approver;
}

/** Throws unless the case still waits for a decision. */
function requireOpen(state: CaseState): void {
  if (state.decision) throw new Error(`already decided by ${state.decision.decidedByName} at ${state.decision.at}`);
  if (state.withdrawn) throw new Error('withdrawn: the customer withdrew the complaint');
}

function validate(state: CaseState, d: DecisionInput): Approver {
  requireOpen(state);
  if (!DECISION_OUTCOMES.includes(d.outcome)) throw new Error(`unknown outcome "${String(d.outcome)}"`);
  if (d.outcome === 'alternative' && !d.noteToCustomer?.trim()) {
    throw new Error('an alternative offer needs a note to the customer describing it');
  }
  return actingApprover(state, d.decidedBy);
}

const cut = (v: unknown, n: number): string | undefined => (typeof v === 'string' && v ? v.slice(0, n) : undefined);

/** The evidence a decision is recorded with, bounded; whatever the sender claims beyond that is dropped. */
function evidenceOf(d: DecisionInput): DecisionEvidence {
  const e = d.evidence;
  const method = e?.method === 'reply-address' || e?.method === 'link' ? e.method : 'temporal';
  const messageId = cut(e?.messageId, 300);
  const ip = cut(e?.client?.ip, 100);
  const userAgent = cut(e?.client?.userAgent, 300);
  return {
    method,
    ...(method === 'reply-address' && typeof e?.seq === 'number' ? { seq: e.seq } : {}),
    ...(messageId ? { messageId } : {}),
    ...(ip || userAgent ? { client: { ...(ip ? { ip } : {}), ...(userAgent ? { userAgent } : {}) } } : {}),
  };
}

/** The evidence in a line of the timeline (English, as the audit trail is). */
export function evidenceLine(e: DecisionEvidence): string {
  const what =
    e.method === 'reply-address'
      ? `signed reply address of mail ${e.seq ?? '?'}`
      : e.method === 'link'
        ? 'signed decision link'
        : 'sent through Temporal';
  return [what, e.messageId, e.client?.ip && `from ${e.client.ip}`].filter(Boolean).join(', ');
}

/**
 * Who may undo the pending decision now: within its window only, the approver who decided or one of a higher
 * level. Throws the reason otherwise.
 */
function validateUndo(state: CaseState, u: UndoDecisionInput): Approver {
  const d = state.decision;
  if (!d?.pendingUntil) {
    throw new Error(d ? `the decision of ${d.at} stands: its undo window has closed` : 'no decision is pending');
  }
  if (Date.now() >= Date.parse(d.pendingUntil)) throw new Error(`the undo window closed at ${d.pendingUntil}`);
  const approver = typeof u?.by === 'string' ? caseApprover(state, u.by) : undefined;
  if (!approver) throw new Error(`${String(u?.by)} is not an approver of this case`);
  if (approver.address !== d.decidedBy && approver.level <= d.level) {
    throw new Error(`only ${d.decidedByName}, who decided, or a higher level may undo the decision`);
  }
  return approver;
}

/**
 * Registers the decision update and signal, and the undo of a pending decision; returns the recorder for
 * decisions that arrive by mail. `undoWindow` (ms) is the case's decisionUndoWindow when the case runs code that
 * knows it (complaint.ts), else 0: decisions are final at once, as before.
 */
export function decisionHandlers(
  state: CaseState,
  note: (event: string, detail?: string) => void,
  undoWindow: () => number = () => 0,
): (d: DecisionInput) => DecisionRecord {
  const record = (d: DecisionInput): DecisionRecord => {
    const approver = validate(state, d);
    // A review's new decision is final at once: the window is for the first decision of a case.
    const windowMs = state.review ? 0 : undoWindow();
    state.decision = {
      outcome: d.outcome,
      decidedBy: approver.address,
      decidedByName: approver.name,
      level: approver.level,
      at: new Date().toISOString(),
      channel: d.channel ?? 'admin',
      ...(d.noteToCustomer ? { noteToCustomer: String(d.noteToCustomer).slice(0, 4000) } : {}),
      ...(d.internalNote ? { internalNote: String(d.internalNote).slice(0, 4000) } : {}),
      evidence: evidenceOf(d),
      ...(windowMs > 0 ? { pendingUntil: new Date(Date.now() + windowMs).toISOString() } : {}),
    };
    // A deputy decides in the away approver's place: the history names both.
    const d2 = state.delegated;
    const stead = d2 && d2.level === approver.level && d2.to === approver.address ? ` in place of ${d2.fromName}` : '';
    note(
      'decided',
      `${d.outcome} by ${approver.name}${stead} (${state.decision.channel}; ${evidenceLine(state.decision.evidence!)})` +
        (state.decision.pendingUntil ? `; pending until ${state.decision.pendingUntil}` : ''),
    );
    return state.decision;
  };
  setHandler(
    undoDecisionUpdate,
    (u) => {
      const approver = validateUndo(state, u);
      const at = new Date().toISOString();
      const decision = state.decision!;
      state.undone = [...(state.undone ?? []), { decision, at, by: approver.address, byName: approver.name }];
      state.decision = undefined;
      const ip = cut(u.client?.ip, 100);
      const via = u.channel === 'link' ? 'signed undo link' : 'sent through Temporal';
      note(
        'decision-undone',
        `${decision.outcome} of ${decision.at} undone by ${approver.name} (${via}${ip ? `, from ${ip}` : ''})`,
      );
      return { undoneAt: at };
    },
    { validator: (u) => void validateUndo(state, u) },
  );
  setHandler(decideUpdate, record, { validator: (d) => void validate(state, d) });
  setHandler(decisionSignal, (d) => {
    try {
      record(d);
    } catch (err) {
      note('decision-refused', err instanceof Error ? err.message : String(err));
    }
  });
  return record;
}
