/** Turns a parsed mail into the workflow input, or a quarantine reason. Pure apart from hashing. */
import type { ComplaintInput, PolicySnapshot, TLanguage } from '../workflows/case.js';
import { caseIdFor, customerKey } from './identity.js';
import { detectLanguage } from './language.js';
import type { ParsedComplaint } from './parse.js';

export interface ComplaintInputContext {
  mailbox: string;
  defaultLanguage: TLanguage;
  policy: PolicySnapshot;
  linkSecret: string;
  searchAttributes: boolean;
  now: Date;
  /** Folder the original is moved to once the case exists. */
  archiveFolder: string;
}

export function toComplaintInput(
  p: ParsedComplaint,
  raw: Buffer,
  ctx: ComplaintInputContext,
  relatedCaseId?: string,
): ComplaintInput | string {
  if (!p.from) return 'no sender address (From)';
  const caseId = caseIdFor(p.messageId, raw);
  return {
    caseId,
    mailbox: ctx.mailbox,
    receivedAt: (p.date && p.date.getTime() <= ctx.now.getTime() ? p.date : ctx.now).toISOString(),
    messageId: p.messageId ?? '',
    references: p.references,
    customer: p.from,
    customerKey: customerKey(ctx.linkSecret, p.from.address),
    subject: p.subject,
    text: p.text,
    language: detectLanguage(p.contentLanguage, `${p.subject}\n${p.text}`, ctx.defaultLanguage).language,
    attachments: p.attachments,
    policy: ctx.policy,
    searchAttributes: ctx.searchAttributes,
    acknowledge: true,
    archive: { mailbox: ctx.mailbox, folder: ctx.archiveFolder, messageId: p.messageId ?? '' },
    ...(relatedCaseId ? { relatedCaseId } : {}),
  };
}
