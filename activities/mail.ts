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
import type { SentLedger } from './sent-ledger.js';

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
export function createMailSender(transport: Transporter, ledger?: SentLedger): TSendMail {
  return async (mail) => {
    const raw = await compose(mail);
    const submit = async (): Promise<void> => {
      await transport.sendMail({
        envelope: { from: bareAddress(mail.from), to: [bareAddress(mail.to)] },
        raw,
        dsn: { id: mail.envelopeId, return: 'headers', notify: ['failure', 'delay'] },
      });
    };
    try {
      if (ledger) await ledger.sendOnce(mail.messageId, raw, submit);
      else await submit();
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
