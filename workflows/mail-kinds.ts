/**
 * The kinds of mail a case sends, and which of them an approver may answer with a decision. A leaf module of
 * the case model (case.ts re-exports it), so the mail grammar and templates need no more of the model. Pure.
 */
/** Kinds of mail a case sends; part of each deterministic Message-ID. */
export type TMailKind =
  | 'acknowledgment'
  | 'approval-request'
  | 'reminder'
  | 'escalation'
  | 'progress-update'
  | 'decision'
  | 'follow-up'
  | 'customer-reply'
  | 'bounce-notice'
  | 'mail-decision-unclear'
  | 'withdrawal-confirmation'
  | 'case-withdrawn'
  | 'info-request'
  | 'info-reminder'
  | 'info-timeout'
  | 'review-request'
  | 'feedback-thanks'
  | 'low-rating'
  | 'low-rating-reminder'
  | 'low-rating-overdue'
  | 'low-rating-message'
  | 'decision-receipt';

/**
 * Our mails to an approver that may be answered with a decision: they carry the signed reply address
 * (activities/mail-ids.ts), and a reply through it decides.
 */
export const DECIDING_MAIL_KINDS: readonly TMailKind[] = [
  'approval-request',
  'reminder',
  'escalation',
  'customer-reply',
  'info-timeout',
  'review-request',
  'mail-decision-unclear',
];
