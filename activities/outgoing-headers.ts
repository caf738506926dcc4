/**
 * Headers of every automatic mail we send, built in one place. Pure.
 * - Deterministic Message-IDs (case + kind + sequence): a retried activity re-sends the same id.
 * - Threading (RFC 5322 §3.6.4): customer mails answer the customer's mail; staff mails thread under the case.
 * - RFC 3834: `Auto-Submitted: auto-replied`, and `X-Auto-Response-Suppress` so that Exchange does not answer us.
 */
import type { CaseMailRequest } from '../workflows/case-mail.js';

export interface OutgoingHeaders {
  messageId: string;
  inReplyTo: string;
  references: string[];
  headers: Record<string, string>;
}

export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at >= 0
    ? address
        .slice(at + 1)
        .replace(/>.*$/, '')
        .trim()
        .toLowerCase()
    : 'localhost';
}

export function ourMessageId(caseId: string, kind: string, seq: number, domain: string): string {
  return `<${caseId}.${seq}.${kind}@${domain}>`;
}

export function outgoingHeaders(req: CaseMailRequest, domain: string): OutgoingHeaders {
  const c = req.case;
  const messageId = ourMessageId(c.caseId, req.kind, req.seq, domain);
  const customerThread = [...c.references, c.messageId].filter(Boolean).slice(-20);
  const staffRoot = `<${c.caseId}.case@${domain}>`;
  const toCustomer = req.to === 'customer';
  return {
    messageId,
    inReplyTo: toCustomer ? c.messageId : staffRoot,
    references: toCustomer ? customerThread : [staffRoot],
    headers: {
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
      'X-Nachfass-Case': c.caseId,
      'X-Nachfass-Kind': req.kind,
    },
  };
}
