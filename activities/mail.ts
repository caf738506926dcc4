/**
 * Sending case mail over SMTP with nodemailer. Permanent SMTP failures (5xx) are not retried; connection
 * errors and 4xx are, by the activity's retry policy. Sending is at-least-once: a crash after the server
 * accepted a mail but before the activity completed re-sends it with the same Message-ID (SMTP has no
 * idempotency; receivers do not deduplicate).
 */
import { ApplicationFailure } from '@temporalio/activity';
import nodemailer, { type Transporter } from 'nodemailer';
import { ErrorCode } from '../workflows/error-codes.js';

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

export function createMailSender(transport: Transporter): TSendMail {
  return async (mail) => {
    try {
      await transport.sendMail({
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
        dsn: { id: mail.envelopeId, return: 'headers', notify: ['failure', 'delay'] },
      });
    } catch (err) {
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
