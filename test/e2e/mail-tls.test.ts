/**
 * TLS to the mail servers, against the real local Dovecot and Postfix (which offer no STARTTLS): with TLS
 * required, neither our IMAP login nor our SMTP submission goes out in plain text; it fails, saying why.
 */
import { ImapFlow } from 'imapflow';
import { describe, expect, it } from 'vitest';
import { imapOptions, type MailboxSettings } from '../../activities/intake/mailbox.js';
import { createMailSender, createSmtpTransport, type SmtpSettings } from '../../activities/mail.js';
import { mailPorts } from '../helpers/ports.js';
import { stackMailbox, uniqueAddress } from '../helpers/mail.js';

const box = (requireTLS: boolean): MailboxSettings =>
  stackMailbox(uniqueAddress('support'), { key: 'tls-test', requireTLS });

const smtp = (requireTLS: boolean): SmtpSettings => ({
  host: '127.0.0.1',
  port: mailPorts.smtp,
  secure: false,
  tlsInsecure: false,
  requireTLS,
});

const mail = () => ({
  from: uniqueAddress('support'),
  to: uniqueAddress('kunde'),
  subject: 'TLS',
  text: 'x',
  html: '<p>x</p>',
  messageId: `<tls-${Date.now()}@example.test>`,
  headers: {},
  envelopeId: 'TLS.1',
});

describe('TLS to the mail servers', () => {
  it('does not log in to IMAP without STARTTLS when TLS is required', async () => {
    const client = new ImapFlow(imapOptions(box(true)));
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toThrow(/STARTTLS/);
    expect(client.authenticated).toBeFalsy();
    const plain = new ImapFlow(imapOptions(box(false)));
    plain.on('error', () => undefined);
    await plain.connect();
    expect(plain.authenticated).toBeTruthy();
    await plain.logout();
  });

  it('does not submit over SMTP without STARTTLS when TLS is required', async () => {
    const strict = createSmtpTransport(smtp(true));
    try {
      await expect(createMailSender(strict)(mail())).rejects.toThrow(/STARTTLS|TLS/i);
    } finally {
      strict.close();
    }
    const plain = createSmtpTransport(smtp(false));
    try {
      await expect(createMailSender(plain)(mail())).resolves.toBeUndefined();
    } finally {
      plain.close();
    }
  });
});
