/**
 * What intake does with each mail, by its verdict: start a case, hand a reply, auto-reply or bounce to
 * its case as a signal, or set it aside with the reason. The IMAP mechanics live in intake.ts.
 */
import type { ParsedMail } from 'mailparser';
import type { ComplaintInput } from '../../workflows/case.js';
import type { InboundMail } from '../../workflows/messages.js';
import { classify, type ClassifyContext, type Verdict } from './classify.js';
import { mailFacts, type MailFacts } from './mail-facts.js';
import { parseOurRefs, verifyReplyAddress } from '../mail-ids.js';
import { boundText, summarize, trimReply, type ParsedComplaint } from './parse.js';

export type TStartOutcome = 'started' | 'duplicate';
export type TFolder = 'processed' | 'ignored' | 'quarantine';

export interface RouteOutcome {
  folder: TFolder;
  verdict: Verdict;
  /** What was done, for the log line. */
  action: string;
  caseId?: string;
  /**
   * A signal reached a running case. Such a mail is moved at once: handled again after a crash, it would signal
   * its case twice (a start is different: the same workflow id again is a no-op).
   */
  signalled?: boolean;
}

export type TCaseSignal =
  | { name: 'customerReply'; payload: InboundMail }
  | { name: 'autoReply'; payload: InboundMail & { reasons: string[] } }
  | {
      name: 'deliveryFailed';
      payload: { seq?: number; receivedAt: string; status?: string; reasons: string[]; verified: boolean };
    };

export interface RouterDeps {
  classifyContext: ClassifyContext;
  /** Builds the workflow input; a string is the reason it cannot become a case. */
  toComplaint: (p: ParsedComplaint, raw: Buffer, relatedCaseId?: string) => ComplaintInput | string;
  /** Starts the case durably; 'duplicate' when the workflow id exists already. Throws when unsure. */
  startCase: (input: ComplaintInput) => Promise<TStartOutcome>;
  /** Whether the sender (by customer key) may still get an automatic acknowledgment for this case (rate limit). */
  mayAcknowledge: (customerKey: string, caseId: string) => Promise<boolean>;
  /** Signals a running case; false when there is no such case or it has completed. */
  signalCase: (caseId: string, signal: TCaseSignal) => Promise<boolean>;
  now: () => Date;
}

function inbound(p: ParsedComplaint, now: Date, trim: boolean): InboundMail {
  return {
    messageId: p.messageId ?? '',
    receivedAt: now.toISOString(),
    from: p.from?.address ?? '',
    subject: p.subject,
    text: boundText(trim ? trimReply(p.text) : p.text, 8000),
  };
}

/** The mails of `caseId` a mail answers, each marked whether its Message-ID is one we signed. */
function answers(facts: MailFacts, caseId: string, ctx: ClassifyContext): InboundMail['answers'] {
  return parseOurRefs(facts.threadIds.join(' '), ctx.ourDomain, ctx.mailIdKeys ?? [])
    .filter((r) => r.caseId === caseId)
    .map(({ seq, kind, verified }) => ({ seq, kind, verified }));
}

/** Headers a reply address can appear in: where the writer sent it, and where the MTA delivered it. */
const RECIPIENT_HEADERS = ['to', 'cc', 'delivered-to', 'x-original-to'];

/** Whether the mail came through the signed reply address of one of this case's requests (activities/mail-ids.ts). */
function replyProof(facts: MailFacts, caseId: string, ctx: ClassifyContext, now: Date): Partial<InboundMail> {
  if (!facts.from) return {};
  const recipients = RECIPIENT_HEADERS.flatMap((h) => facts.headers[h] ?? []).join(' ');
  const p = verifyReplyAddress(ctx.mailIdKeys ?? [], recipients, facts.from, now.getTime());
  if (p.ok && p.caseId !== caseId) return { proofFailure: 'other-case' };
  if (p.ok) return { proof: { method: 'reply-address', seq: p.seq, level: p.level } };
  return p.reason === 'no-reply-address' ? {} : { proofFailure: p.reason };
}

export async function routeMail(parsed: ParsedMail, raw: Buffer, deps: RouterDeps): Promise<RouteOutcome> {
  const facts = mailFacts(parsed);
  const verdict = classify(facts, deps.classifyContext);
  const summary = summarize(parsed);
  const now = deps.now();

  const start = async (relatedCaseId?: string): Promise<RouteOutcome> => {
    const input = deps.toComplaint(summary, raw, relatedCaseId);
    if (typeof input === 'string') return { folder: 'quarantine', verdict, action: input };
    input.acknowledge = await deps.mayAcknowledge(input.customerKey, input.caseId);
    const outcome = await deps.startCase(input);
    const what = relatedCaseId ? `follow-up case to ${relatedCaseId}` : 'case';
    return {
      folder: 'processed',
      verdict,
      caseId: input.caseId,
      action: outcome === 'started' ? `${what} started` : `${what} existed already`,
    };
  };

  switch (verdict.kind) {
    case 'complaint':
      return start();
    case 'reply': {
      const caseId = verdict.caseId!;
      const payload = {
        ...inbound(summary, now, true),
        answers: answers(facts, caseId, deps.classifyContext),
        ...replyProof(facts, caseId, deps.classifyContext, now),
      };
      if (await deps.signalCase(caseId, { name: 'customerReply', payload })) {
        return { folder: 'processed', verdict, caseId, action: 'reply handed to its case', signalled: true };
      }
      // The case completed (or is unknown): the customer's new words open a linked follow-up case.
      return start(caseId);
    }
    case 'auto-reply':
    case 'bounce': {
      const caseId = verdict.caseId;
      const signal: TCaseSignal =
        verdict.kind === 'bounce'
          ? {
              name: 'deliveryFailed',
              payload: {
                ...(verdict.seq !== undefined ? { seq: verdict.seq } : {}),
                receivedAt: now.toISOString(),
                reasons: verdict.reasons,
                verified: verdict.verified ?? false,
                ...statusOf(parsed),
              },
            }
          : {
              name: 'autoReply',
              payload: {
                ...inbound(summary, now, false),
                // Which of our mails it answers: an approver's out-of-office reply to our request hands the case on.
                ...(caseId ? { answers: answers(facts, caseId, deps.classifyContext) } : {}),
                reasons: verdict.reasons,
              },
            };
      if (caseId && (await deps.signalCase(caseId, signal))) {
        return {
          folder: 'processed',
          verdict,
          caseId,
          action: `${verdict.kind} recorded on its case, not answered`,
          signalled: true,
        };
      }
      return {
        folder: 'ignored',
        verdict,
        ...(caseId ? { caseId } : {}),
        action: `${verdict.kind} not answered${caseId ? ' (its case has ended)' : ''}`,
      };
    }
    case 'quarantine':
      return { folder: 'quarantine', verdict, action: verdict.reasons.join('; ') };
    default:
      return { folder: 'ignored', verdict, action: `${verdict.kind}: not answered` };
  }
}

/** The RFC 3464 status (e.g. 5.1.1) of a delivery report, when mailparser put it into the text. */
function statusOf(parsed: ParsedMail): { status?: string } {
  const m =
    `${parsed.text ?? ''}\n${parsed.attachments.map((a) => (a.contentType === 'message/delivery-status' ? a.content.toString('utf8') : '')).join('\n')}`.match(
      /^Status:\s*([245]\.\d{1,3}\.\d{1,3})/im,
    );
  return m ? { status: m[1]! } : {};
}
