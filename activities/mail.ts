/**
 * Sending case mail over SMTP with nodemailer. Permanent SMTP failures (5xx) are not retried; connection
 * errors and 4xx are, by the activity's retry policy. With the Sent ledger (activities/sent-ledger.ts) a retried
 * send of a Message-ID that already went out is skipped; without it sending is at-least-once (SMTP has no
 * idempotency; receivers do not deduplicate).
 */
import { ApplicationFailure } from '@temporalio/activity';
import nodemailer, { type Transporter } from 'nodemailer';
import { ErrorCode } from '../workflows/error-codes.js';
import { bareAddress } from './address.js';
import { mailSendSeconds } from './mail-metrics.js';
import { MailBudgetError, type MailBudget, type SentLedger } from './sent-ledger.js';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  /** Only when a setting says so: accept an unverified TLS certificate. */
  tlsInsecure: boolean;
  /** Refuse a plain-text session (nodemailer `requireTLS`): STARTTLS must succeed. */
  requireTLS: boolean;
}

export interface OutgoingMail {
  from: string;
  to: string;
  /** Where replies go, when not to `from`: an approver's signed reply address. */
  replyTo?: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  headers: Record<string, string>;
  /** Envelope id (RFC 3461): Postfix returns it as Original-Envelope-Id in a bounce. */
  envelopeId: string;
  /** To an external address (a customer): counts against that address's mail budget. */
  budgeted?: boolean;
}

export type TSendMail = (mail: OutgoingMail) => Promise<void>;

export function createSmtpTransport(s: SmtpSettings): Transporter {
  return nodemailer.createTransport({
    host: s.host,
    port: s.port,
    secure: s.secure,
    pool: true,
    maxConnections: 2,
    ...(s.user ? { auth: { user: s.user, pass: s.password ?? '' } } : {}),
    tls: { rejectUnauthorized: !s.tlsInsecure },
    ...(s.requireTLS && !s.secure ? { requireTLS: true } : {}),
  });
}

/** Builds a mail's exact bytes (nodemailer's own MIME composer), so that Sent holds what the server received. */
const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

async function compose(mail: OutgoingMail): Promise<Buffer> {
  const info = await composer.sendMail({
    from: mail.from,
    to: mail.to,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    date: new Date(),
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    ...(mail.references?.length ? { references: mail.references } : {}),
    headers: mail.headers,
  });
  return info.message as Buffer;
}

/**
 * Sends over `transport`; with a `ledger` (activities/sent-ledger.ts) a retried send of the same Message-ID is
 * skipped once the first one was accepted.
 */
export function createMailSender(transport: Transporter, ledger?: SentLedger, budget?: MailBudget): TSendMail {
  // Without the ledger the budget is counted in this process only (a backstop, not across workers).
  const sentTo = new Map<string, number[]>();
  const withinBudget = (to: string): void => {
    if (!budget) return;
    const since = Date.now() - budget.windowMs;
    const recent = (sentTo.get(to) ?? []).filter((t) => t > since);
    if (recent.length >= budget.max) {
      throw new MailBudgetError(`${recent.length} automatic mails to this address within the budget's window`);
    }
    sentTo.set(to, [...recent, Date.now()]);
  };
  return async (mail) => {
    const raw = await compose(mail);
    let smtpMs = 0;
    const submit = async (): Promise<void> => {
      const t0 = performance.now();
      try {
        await transport.sendMail({
          envelope: { from: bareAddress(mail.from), to: [bareAddress(mail.to)] },
          raw,
          dsn: { id: mail.envelopeId, return: 'headers', notify: ['failure', 'delay'] },
        });
      } finally {
        smtpMs = performance.now() - t0;
        mailSendSeconds.observe({ part: 'smtp' }, smtpMs / 1000);
      }
    };
    const to = bareAddress(mail.to);
    try {
      if (ledger) {
        const t0 = performance.now();
        await ledger.sendOnce(mail.messageId, raw, submit, mail.budgeted && budget ? { to, ...budget } : undefined);
        mailSendSeconds.observe({ part: 'ledger' }, (performance.now() - t0 - smtpMs) / 1000);
      } else {
        if (mail.budgeted) withinBudget(to);
        await submit();
      }
    } catch (err) {
      if (err instanceof MailBudgetError) {
        throw ApplicationFailure.create({
          type: ErrorCode.MailBudgetExceeded,
          message: err.message,
          nonRetryable: true,
        });
      }
      const e = err as { permanent?: boolean; responseCode?: number; message?: string };
      if (e.permanent === true) {
        throw ApplicationFailure.create({
          type: ErrorCode.SmtpRejected,
          message: `SMTP server refused the mail to ${mail.to}: ${e.responseCode ?? ''} ${e.message ?? ''}`.trim(),
          nonRetryable: true,
        });
      }
      throw err;
    }
  };
}
