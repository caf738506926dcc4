/** Renders the mail for one activity request. */
import type { CaseMailRequest } from '../workflows/case.js';
import { acknowledgment } from './acknowledgment.js';
import { approvalRequest } from './approval-request.js';
import { decision } from './decision.js';
import { followUp } from './follow-up.js';
import { renderDraft, type MailDraft, type RenderedMail } from './layout.js';
import { progressUpdate } from './progress-update.js';
import { bounceNotice, customerReplyNotice, mailDecisionUnclear } from './staff-notice.js';
import { caseWithdrawn, withdrawalConfirmation } from './withdrawal.js';
import { infoRequest, infoTimeout } from './info-request.js';

export type { RenderedMail } from './layout.js';

/** `link` is the signed decision link, required for mails to approvers. */
export async function renderCaseMail(req: CaseMailRequest, link?: string): Promise<RenderedMail> {
  return renderDraft(caseDraft(req, link));
}

/** The template of one request: subject and content, before rendering. */
export function caseDraft(req: CaseMailRequest, link?: string): MailDraft {
  const c = req.case;
  switch (req.kind) {
    case 'acknowledgment':
      return acknowledgment(c);
    case 'progress-update':
      return progressUpdate(c);
    case 'decision':
      return decision(c);
    case 'follow-up':
      return followUp(c);
    case 'customer-reply':
      if (req.to === 'customer' || !link) throw new Error('customer-reply goes to an approver, with a link');
      return customerReplyNotice(c, req.to, link);
    case 'info-request':
    case 'info-reminder':
      return infoRequest(c, req.kind === 'info-reminder');
    case 'info-timeout':
      if (req.to === 'customer' || !link) throw new Error('info-timeout goes to an approver, with a link');
      return infoTimeout(c, req.to, link);
    case 'withdrawal-confirmation':
      return withdrawalConfirmation(c);
    case 'case-withdrawn':
      if (req.to === 'customer') throw new Error('case-withdrawn goes to an approver');
      return caseWithdrawn(c, req.to);
    case 'mail-decision-unclear':
      if (req.to === 'customer' || !link) throw new Error('mail-decision-unclear goes to an approver, with a link');
      return mailDecisionUnclear(c, req.to, link);
    case 'bounce-notice':
      if (req.to === 'customer') throw new Error('bounce-notice goes to an approver');
      return bounceNotice(c, req.to);
    case 'approval-request':
    case 'reminder':
    case 'escalation':
    case 'review-request':
      if (req.to === 'customer' || !link) throw new Error(`${req.kind} goes to an approver, with a link`);
      return approvalRequest(c, req.to, req.kind, link);
  }
}
