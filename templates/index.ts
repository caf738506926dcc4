/** Renders the mail for one activity request. */
import type { Approver } from '../workflows/case.js';
import type { CaseMailRequest } from '../workflows/case-mail.js';
import { feedbackThanks, lowRatingMessage, lowRatingNotice } from './feedback.js';
import { acknowledgment } from './acknowledgment.js';
import { customerView } from './customer-view.js';
import { approvalRequest } from './approval-request.js';
import { decision } from './decision.js';
import { decisionReceipt } from './decision-receipt.js';
import { followUp } from './follow-up.js';
import { renderDraft, type MailDraft, type RenderedMail } from './layout.js';
import { progressUpdate } from './progress-update.js';
import { withQueueLink } from './queue-link.js';
import { bounceNotice, customerReplyNotice, mailDecisionUnclear } from './staff-notice.js';
import { caseWithdrawn, withdrawalConfirmation } from './withdrawal.js';
import { infoRequest, infoTimeout } from './info-request.js';

export type { RenderedMail } from './layout.js';

/** The signed links a mail carries, made by the activity (the link secret never reaches the workflow). */
export interface MailLinks {
  /** The decision page, for mails to approvers about a case awaiting a decision. */
  decide?: string;
  /** The rating pages 1 to 5 (index 0 rates 1), for the follow-up survey. */
  rating?: string[];
  /** The page of a low rating's follow-up, for its owner and the level above. */
  followUp?: string;
  /** The undo page of a pending decision, for its receipt (valid until the undo window closes). */
  undo?: string;
  /** The recipient's queue (every case waiting for their decision), in every mail to staff. */
  queue?: string;
}

export async function renderCaseMail(req: CaseMailRequest, links: MailLinks = {}): Promise<RenderedMail> {
  return renderDraft(withQueueLink(caseDraft(req, links), req, links.queue));
}

/** The person a staff mail goes to, and the link it needs; throws when the request cannot be rendered. */
function staff(req: CaseMailRequest, link: string | undefined): { to: Approver; link: string } {
  if (req.to === 'customer' || !link) throw new Error(`${req.kind} goes to an approver, with a link`);
  return { to: req.to, link };
}

function approverOf(req: CaseMailRequest): Approver {
  if (req.to === 'customer') throw new Error(`${req.kind} goes to an approver`);
  return req.to;
}

/** The template of one request: subject and content, before rendering. */
export function caseDraft(req: CaseMailRequest, links: MailLinks = {}): MailDraft {
  // To the customer's address we repeat only a plausible name and a short subject without links (customer-view.ts).
  const c = req.to === 'customer' ? customerView(req.case) : req.case;
  switch (req.kind) {
    case 'acknowledgment':
      return acknowledgment(c);
    case 'progress-update':
      return progressUpdate(c);
    case 'decision':
      return decision(c);
    case 'follow-up':
      if (!links.rating) throw new Error('follow-up needs the rating links');
      return followUp(c, links.rating);
    case 'feedback-thanks':
      return feedbackThanks(c);
    case 'low-rating-message':
      return lowRatingMessage(c);
    case 'low-rating':
    case 'low-rating-reminder':
    case 'low-rating-overdue': {
      const s = staff(req, links.followUp);
      return lowRatingNotice(c, s.to, req.kind, s.link);
    }
    case 'customer-reply': {
      const s = staff(req, links.decide);
      return customerReplyNotice(c, s.to, s.link);
    }
    case 'info-request':
    case 'info-reminder':
      return infoRequest(c, req.kind === 'info-reminder');
    case 'info-timeout': {
      const s = staff(req, links.decide);
      return infoTimeout(c, s.to, s.link);
    }
    case 'withdrawal-confirmation':
      return withdrawalConfirmation(c);
    case 'case-withdrawn':
      return caseWithdrawn(c, approverOf(req));
    case 'mail-decision-unclear': {
      const s = staff(req, links.decide);
      return mailDecisionUnclear(c, s.to, s.link);
    }
    case 'bounce-notice':
      return bounceNotice(c, approverOf(req));
    case 'decision-receipt':
      return decisionReceipt(c, approverOf(req), links.undo);
    case 'approval-request':
    case 'reminder':
    case 'escalation':
    case 'review-request': {
      const s = staff(req, links.decide);
      return approvalRequest(c, s.to, req.kind, s.link);
    }
  }
}
