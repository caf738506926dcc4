/**
 * An approver's answer by mail: it decides only through the signed reply address of a request of ours to that
 * approver (mail senders and references can be forged); anything else is answered with the reason. Workflow
 * code: deterministic.
 */
import { patched } from '@temporalio/workflow';
import { DECIDING_MAIL_KINDS, type Approver, type DecisionRecord } from '../case.js';
import { parseMailDecision } from '../mail-decision.js';
import type { DecisionInput, InboundMail } from '../messages.js';
import type { CaseRuntime } from './runtime.js';

/**
 * Change id (patched()): replies decide only with proof; withdrawal and review only from the customer in our
 * thread; bounces only with our signed envelope id. Histories from before replay their old handling.
 */
export const MAIL_PROOF = 'mail-proof';

/**
 * Our mails whose answer could decide before MAIL_PROOF. Kept deliberately as its own frozen list, not derived from
 * DECIDING_MAIL_KINDS: replayed histories must see exactly the old rule, whatever that list becomes.
 */
// eslint-disable-next-line no-restricted-syntax -- read only: constant mail kinds
const LEGACY_DECIDING_KINDS = new Set([
  'approval-request',
  'reminder',
  'escalation',
  'customer-reply',
  'info-timeout',
  'review-request',
]);

const PROOF_FAILURES: Record<NonNullable<InboundMail['proofFailure']>, string> = {
  'bad-signature': 'its reply address was not issued by us for your address',
  expired: 'the reply address of that request has expired',
  'other-case': 'its reply address belongs to another case',
};

type TRecordDecision = (d: DecisionInput) => DecisionRecord;

/** Takes approver `a`'s mail `m` as a decision when it proves itself; otherwise tells them why not. */
export function staffMail(rt: CaseRuntime, record: TRecordDecision, a: Approver, m: InboundMail): void {
  const { state, note } = rt;
  const unclear = (reason: string, event = 'mail-decision-unclear'): void => {
    state.unclear = { at: m.receivedAt, reason };
    note(event, `${a.name}: ${reason} (${m.messageId || 'no Message-ID'})`);
    rt.notify({ kind: 'mail-decision-unclear', to: a });
  };
  if (!patched(MAIL_PROOF)) return legacyStaffMail(rt, record, a, m, unclear);
  const mode = rt.input.policy.mailDecisions ?? 'on';
  if (mode === 'off') return unclear('decisions by mail are turned off for this team', 'mail-decision-refused');
  const proof = m.proof;
  if (!proof) {
    const why = m.proofFailure
      ? PROOF_FAILURES[m.proofFailure]
      : 'it did not come through the personal reply address of a request to you';
    return unclear(why, 'mail-decision-refused');
  }
  const request = state.sent.find((s) => s.seq === proof.seq);
  if (!request || request.to !== a.address || !DECIDING_MAIL_KINDS.includes(request.kind)) {
    return unclear('it does not answer a request that was sent to you', 'mail-decision-refused');
  }
  const parsed = parseMailDecision(m.text);
  if (!parsed.ok) return unclear(parsed.reason);
  if (mode === 'reject-only' && parsed.outcome !== 'rejected') {
    return unclear(
      'only a rejection can be sent by mail for this team; approve through the link',
      'mail-decision-refused',
    );
  }
  try {
    record({
      outcome: parsed.outcome,
      decidedBy: a.address,
      channel: 'mail',
      ...(parsed.note ? { noteToCustomer: parsed.note } : {}),
      evidence: { method: 'reply-address', seq: proof.seq, messageId: m.messageId },
    });
  } catch (err) {
    unclear(err instanceof Error ? err.message : String(err));
  }
}

/** The release before MAIL_PROOF, kept for replaying its histories: references and From alone decided. */
function legacyStaffMail(
  rt: CaseRuntime,
  record: TRecordDecision,
  a: Approver,
  m: InboundMail,
  unclear: (reason: string) => void,
): void {
  const ownRequest = (m.answers ?? []).some(
    (r) => LEGACY_DECIDING_KINDS.has(r.kind) && rt.state.sent.find((s) => s.seq === r.seq)?.to === a.address,
  );
  if (!ownRequest) return unclear('it does not answer a request that was sent to you');
  const parsed = parseMailDecision(m.text);
  if (!parsed.ok) return unclear(parsed.reason);
  try {
    record({
      outcome: parsed.outcome,
      decidedBy: a.address,
      channel: 'mail',
      ...(parsed.note ? { noteToCustomer: parsed.note } : {}),
    });
  } catch (err) {
    unclear(err instanceof Error ? err.message : String(err));
  }
}
