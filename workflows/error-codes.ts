/** Error codes raised at the activity boundary (ApplicationFailure `type`). */
export const ErrorCode = {
  /** The SMTP server refused a mail permanently (5xx): retrying cannot help. */
  SmtpRejected: 'SmtpRejected',
  /** Mail to an external address over its budget (MAIL_BUDGET): held, recorded on the case, not sent. */
  MailBudgetExceeded: 'MailBudgetExceeded',
  /** A mailbox key that the worker's configuration does not know. */
  UnknownMailbox: 'UnknownMailbox',
} as const;
export type TErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
