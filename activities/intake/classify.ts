/**
 * Intake's verdict on a mail: a new complaint, a reply to a case, or something we must never answer
 * (RFC 3834 auto-replies, RFC 3464 delivery reports, mailing lists, bulk, our own mail). Pure: the same
 * facts always give the same verdict, with the reasons that decided it.
 */
import type { MailFacts } from './mail-facts.js';
import { CASE_ID, ourCaseIds, parseEnvelopeId, parseOurRefs } from '../mail-ids.js';

export type TIntakeKind =
  'complaint' | 'reply' | 'auto-reply' | 'bounce' | 'mailing-list' | 'bulk' | 'own' | 'quarantine';

export interface Verdict {
  kind: TIntakeKind;
  /** The case the mail belongs to, when it refers to one of ours. */
  caseId?: string;
  /** For a bounce: the sequence number of our mail that could not be delivered, when the report names it. */
  seq?: number;
  /**
   * For a bounce: the report carries our keyed envelope id or the keyed Message-ID of the returned mail, so it
   * really answers a mail we sent. An unverified report is recorded, but never stops mail to the customer.
   */
  verified?: boolean;
  reasons: string[];
}

export interface ClassifyContext {
  /** Our domain: the one in our Message-IDs and the support address. */
  ourDomain: string;
  /** Our support addresses (lower case). */
  ourAddresses: string[];
  /** Keys our Message-IDs and envelope ids are verified with (current first); none: nothing verifies. */
  mailIdKeys?: readonly Buffer[];
}

const SUBJECT_TAG = new RegExp(`\\[(?:Fall|Case) (${CASE_ID})\\]`);
const AUTO_SUBJECT =
  /^(?:(?:auto(?:matische)?[ -]?(?:reply|antwort|response))|abwesenheits?(?:notiz|meldung)|out of (?:the )?office|urlaubs?(?:notiz|abwesenheit)|vacation|away from)/i;
const BOUNCE_SUBJECT =
  /(?:undeliver|unzustellbar|nicht zustellbar|delivery (?:status notification|failure|has failed)|failure notice|returned mail|mail delivery failed|zustellungsfehler)/i;
const ROBOT_SENDER =
  /^(?:mailer-daemon|postmaster|no-?reply|do-?not-?reply|noreply-[^@]*|bounces?|newsletters?|mailings?|owner-[^@]+|[^@]+-request|[^@]+-bounces)@/i;

function first(f: MailFacts, name: string): string | undefined {
  return f.headers[name]?.[0];
}

function caseFromThread(f: MailFacts, ctx: ClassifyContext): string | undefined {
  return ourCaseIds(f.threadIds.join(' '), ctx.ourDomain).at(-1);
}

type TFound = { caseId?: string; seq?: number; verified?: boolean; reason?: string };

function caseFromReport(f: MailFacts, ctx: ClassifyContext): TFound {
  const report = `${f.reportText}\n${f.text}`;
  const keys = ctx.mailIdKeys ?? [];
  const envid = parseEnvelopeId(report, keys);
  if (envid) {
    return {
      caseId: envid.caseId,
      seq: envid.seq,
      verified: envid.verified,
      reason: `Original-Envelope-Id names case ${envid.caseId}${envid.verified ? '' : ' (not signed by us)'}`,
    };
  }
  const returned = parseOurRefs(report, ctx.ourDomain, keys)[0];
  if (returned) {
    return {
      caseId: returned.caseId,
      seq: returned.seq,
      verified: returned.verified,
      reason: `the returned message is our mail of case ${returned.caseId}${returned.verified ? '' : ' (not signed by us)'}`,
    };
  }
  const thread = caseFromThread(f, ctx);
  return thread ? { caseId: thread, verified: false, reason: `In-Reply-To/References name case ${thread}` } : {};
}

function withCase(kind: TIntakeKind, reasons: string[], found: TFound): Verdict {
  return {
    kind,
    ...(found.caseId ? { caseId: found.caseId } : {}),
    ...(found.seq !== undefined ? { seq: found.seq } : {}),
    ...(found.verified !== undefined ? { verified: found.verified } : {}),
    reasons: found.reason ? [...reasons, found.reason] : reasons,
  };
}

export function classify(f: MailFacts, ctx: ClassifyContext): Verdict {
  if (!f.from) return { kind: 'quarantine', reasons: ['no sender address (From)'] };

  const fromDomain = f.from.slice(f.from.lastIndexOf('@') + 1);
  const ownCase = first(f, 'x-nachfass-case');
  if (ownCase !== undefined && fromDomain === ctx.ourDomain) {
    return {
      kind: 'own',
      ...(new RegExp(`^${CASE_ID}$`).test(ownCase) ? { caseId: ownCase } : {}),
      reasons: ['X-Nachfass-Case header from our domain: a mail we sent'],
    };
  }
  if (ctx.ourAddresses.includes(f.from)) return { kind: 'own', reasons: [`sent from our own address ${f.from}`] };
  if (f.messageId && ourCaseIds(f.messageId, ctx.ourDomain).length > 0) {
    return { kind: 'own', reasons: [`our own Message-ID ${f.messageId}`] };
  }

  const bounce: string[] = [];
  if (f.contentType === 'multipart/report') bounce.push('multipart/report (RFC 6522) delivery report');
  if (/^(mailer-daemon|postmaster)@/i.test(f.from)) bounce.push(`sender ${f.from}`);
  if (f.returnPath === '' && BOUNCE_SUBJECT.test(f.subject))
    bounce.push('empty Return-Path and a delivery-failure subject');
  if (bounce.length > 0) return withCase('bounce', bounce, caseFromReport(f, ctx));

  const auto: string[] = [];
  const autoSubmitted = first(f, 'auto-submitted');
  if (autoSubmitted && !/^no\b/i.test(autoSubmitted)) auto.push(`Auto-Submitted: ${autoSubmitted}`);
  for (const h of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    if (first(f, h) !== undefined) auto.push(`${h} header`);
  }
  const xars = first(f, 'x-auto-response-suppress');
  if (xars && /\b(all|oof|autoreply)\b/i.test(xars)) auto.push(`X-Auto-Response-Suppress: ${xars}`);
  if (/^auto_reply$/i.test(first(f, 'precedence') ?? '')) auto.push('Precedence: auto_reply');
  if (AUTO_SUBJECT.test(f.subject)) auto.push(`auto-reply subject "${f.subject.slice(0, 60)}"`);
  if (auto.length > 0) {
    const caseId = caseFromThread(f, ctx);
    if (caseId) return withCase('auto-reply', auto, { caseId, reason: `answers our mail of case ${caseId}` });
    const tag = f.subject.match(SUBJECT_TAG)?.[1];
    return withCase('auto-reply', auto, tag ? { caseId: tag, reason: `case number ${tag} in the subject` } : {});
  }

  const list = Object.keys(f.headers).filter((h) => /^list-(id|unsubscribe|post|help|owner|archive)$/.test(h));
  const precedence = first(f, 'precedence')?.toLowerCase();
  if (list.length > 0 || precedence === 'list') {
    return {
      kind: 'mailing-list',
      reasons: [...list.map((h) => `${h} header`), ...(precedence === 'list' ? ['Precedence: list'] : [])],
    };
  }
  if (precedence === 'bulk' || precedence === 'junk') return { kind: 'bulk', reasons: [`Precedence: ${precedence}`] };
  if (ROBOT_SENDER.test(f.from)) return { kind: 'bulk', reasons: [`machine sender ${f.from}`] };
  if (f.returnPath === '') return { kind: 'bulk', reasons: ['empty Return-Path <> (RFC 5321: never answer)'] };

  const threadCase = caseFromThread(f, ctx);
  if (threadCase)
    return {
      kind: 'reply',
      caseId: threadCase,
      reasons: [`In-Reply-To/References name our mail of case ${threadCase}`],
    };
  const tag = f.subject.match(SUBJECT_TAG);
  if (tag) return { kind: 'reply', caseId: tag[1]!, reasons: [`case number ${tag[1]} in the subject`] };

  return { kind: 'complaint', reasons: ['a person wrote to support about something new'] };
}
