/**
 * Headers of every automatic mail we send, built in one place. Pure apart from hashing.
 * - Deterministic, keyed Message-IDs (activities/mail-ids.ts): a retried activity re-sends the same id, and
 *   nobody can address a mail of ours they have not seen.
 * - Threading (RFC 5322 §3.6.4): customer mails answer the customer's mail; staff mails thread under the case.
 * - RFC 3834: customer mails carry `Auto-Submitted: auto-replied`, and `X-Auto-Response-Suppress` so that Exchange
 *   does not answer us. Staff mails carry neither: an approver's out-of-office reply (Sieve vacation, RFC 5230, or
 *   Exchange) must reach us, so that their cases go to their deputy at once. Intake never answers such a reply.
 */
import type { CaseMailRequest } from '../workflows/case-mail.js';
import { formatMessageId, staffThreadRoot } from './mail-ids.js';

export interface OutgoingHeaders {
  messageId: string;
  inReplyTo: string;
  references: string[];
  headers: Record<string, string>;
}

export function outgoingHeaders(req: CaseMailRequest, domain: string, mailIdKey: Buffer): OutgoingHeaders {
  const c = req.case;
  const messageId = formatMessageId(mailIdKey, { caseId: c.caseId, seq: req.seq, kind: req.kind }, domain);
  const customerThread = [...c.references, c.messageId].filter(Boolean).slice(-20);
  const staffRoot = staffThreadRoot(c.caseId, domain);
  const toCustomer = req.to === 'customer';
  return {
    messageId,
    inReplyTo: toCustomer ? c.messageId : staffRoot,
    references: toCustomer ? customerThread : [staffRoot],
    headers: {
      ...(toCustomer ? { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' } : {}),
      'X-Nachfass-Case': c.caseId,
      'X-Nachfass-Kind': req.kind,
    },
  };
}
