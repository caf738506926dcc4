/**
 * Every mail to staff ends with the link to their queue: all cases now waiting for their decision
 * (templates/pages/queue.tsx). Pure.
 */
import type { CaseMailRequest } from '../workflows/case-mail.js';
import type { MailDraft } from './layout.js';

const LINE = {
  de: (url: string) => `Alle Fälle, die auf Ihre Entscheidung warten: ${url}`,
  en: (url: string) => `Every case waiting for your decision: ${url}`,
} as const;

/** The draft with the queue link as its last closing paragraph, for a mail to staff that has one. */
export function withQueueLink(draft: MailDraft, req: CaseMailRequest, url: string | undefined): MailDraft {
  if (req.to === 'customer' || !url) return draft;
  const line = LINE[req.to.language](url);
  return { ...draft, body: { ...draft.body, closing: [...(draft.body.closing ?? []), line] } };
}
