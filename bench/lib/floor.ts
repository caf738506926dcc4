/**
 * The floor: what the mail servers allow without Temporal or any of our rules. One IMAP connection on its own
 * mailbox waits in IDLE (or, in fast mode, also sends a NOOP every 100 ms), fetches each new mail, parses it with
 * mailparser and answers it through a pooled nodemailer transport with In-Reply-To set. Our pipeline's latency is
 * reported as a ratio to this one, measured in the same run on the same servers.
 */
import { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { STACK_PASSWORD } from '../../scripts/lib/ports.js';

export interface FloorOptions {
  imapPort: number;
  smtpPort: number;
  /** The floor's mailbox (its IMAP user). */
  address: string;
  /** NOOP every 100 ms beside IDLE (Dovecot answers a NOOP with new mail at once; IDLE notices wait ~0.5 s). */
  fast?: boolean;
}

export interface Floor {
  stop(): Promise<void>;
}

export async function startFloor(o: FloorOptions): Promise<Floor> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: o.imapPort,
    secure: false,
    auth: { user: o.address, pass: STACK_PASSWORD },
    logger: false,
    autoIdleDelay: 0,
  });
  const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: o.smtpPort, secure: false, pool: true });
  await client.connect();
  await client.mailboxOpen('INBOX');
  let last = 0;
  let busy = false;
  let again = false;
  let stopped = false;
  const pass = async (): Promise<void> => {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        const mails: Buffer[] = [];
        for await (const m of client.fetch(`${last + 1}:*`, { uid: true, source: true }, { uid: true })) {
          if (m.uid > last && m.source) mails.push(m.source);
          last = Math.max(last, m.uid);
        }
        await Promise.all(
          mails.map(async (raw) => {
            const p = await simpleParser(raw);
            const from = p.from?.value[0]?.address;
            if (!from || !p.messageId) return;
            await smtp.sendMail({
              from: o.address,
              to: from,
              subject: `Re: ${p.subject ?? ''}`,
              inReplyTo: p.messageId,
              references: [p.messageId],
              text: 'Danke, wir haben Ihre Nachricht erhalten.',
            });
          }),
        );
      } while (again && !stopped);
    } finally {
      busy = false;
    }
  };
  client.on('exists', () => void pass().catch((err: unknown) => console.error('floor:', err)));
  const noop = o.fast
    ? setInterval(() => {
        if (!busy) void client.noop().catch(() => undefined);
      }, 100)
    : undefined;
  return {
    async stop() {
      stopped = true;
      if (noop) clearInterval(noop);
      await client.logout().catch(() => client.close());
      smtp.close();
    },
  };
}
