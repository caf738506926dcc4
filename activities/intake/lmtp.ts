/**
 * The second intake: an LMTP listener (smtp-server with `lmtp: true`) that the mail server hands support mail to
 * directly, besides storing its copy in the mailbox. Each message goes through the same parse + routeMail path as
 * the IMAP intake (pass.ts), with the same router deps, so classification and identity are the same: a mail that
 * arrives both here and through IMAP starts one workflow id, i.e. one case.
 *
 * The answer, per recipient (LMTP), is the promise to the MTA:
 *   250  the case start is durable in Temporal (or it existed already), or the mail is one this path leaves to the
 *        mailbox copy (below), which the MTA stores independently of this answer;
 *   451  Temporal did not confirm (unreachable, refused, or slower than `timeoutMs`): the MTA keeps the mail and
 *        retries; a late start that did happen makes the retry a no-op (same workflow id);
 *   552  over `maxMailBytes` (IMAP_MAX_MAIL_BYTES): the mailbox copy is quarantined as `too-large` by IMAP intake.
 * Left to the mailbox copy (answered 250, handled by IMAP intake as today, with the reason in its log and folder):
 *   - replies, auto-replies and bounces to a case: a signal is not idempotent (the copy would record it twice);
 *   - mail without a Message-ID: its identity is a hash of the raw mail as the mailbox stores it;
 *   - everything set aside (ignored robots, quarantine): the copy goes to Ignored/Quarantine with its reason.
 * So this path needs the mailbox copy (the README's Postfix set-up delivers both); it makes new cases fast.
 */
import type { ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { MailRejectedError } from './complaint-input.js';
import type { MailboxSettings } from './mailbox.js';
import { parseRaw, summarize } from './parse.js';
import { routeMail, type RouterDeps } from './route.js';

export interface LmtpIntakeOptions {
  host: string;
  /** 0: any free port (tests). */
  port: number;
  /** The watched folder whose cases these mails become (its key, language, team, Processed folder). */
  box: MailboxSettings;
  /** The IMAP intake's router (worker/app.ts): the same case gateway, classification and identity. */
  router: (box: MailboxSettings) => RouterDeps;
  /** Largest message accepted (IMAP_MAX_MAIL_BYTES); larger ones get 552. */
  maxMailBytes: number;
  /** Longest wait for Temporal before answering 451. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface LmtpIntake {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** What the listener answers for one message (the same for each of its recipients). */
export interface LmtpAnswer {
  code: 250 | 451 | 552;
  text: string;
  caseId?: string;
}

/** Thrown by the wrapped signalCase: this mail is left to its mailbox copy. */
class LeftToMailbox extends Error {}

/**
 * One message, as IMAP intake would take it in: parse, routeMail (classification, start or signal), with the
 * signal left to the mailbox copy. `returnPath` is the envelope sender, written into the header as the mailbox
 * copy has it (classification reads it: `<>` is never answered).
 */
export async function takeIn(raw: Buffer, returnPath: string, deps: RouterDeps): Promise<LmtpAnswer> {
  const mail = Buffer.concat([Buffer.from(`Return-Path: <${returnPath}>\r\n`), raw]);
  let parsed: ParsedMail;
  try {
    parsed = await parseRaw(mail);
  } catch {
    return { code: 250, text: 'unparseable: left to the mailbox copy (IMAP intake quarantines it)' };
  }
  // The identity the case id is made of (complaint-input.ts): a usable Message-ID, or else the raw mail.
  if (!summarize(parsed).messageId) {
    return { code: 250, text: 'no Message-ID: left to the mailbox copy (its identity is the stored mail)' };
  }
  const leftToMailbox: RouterDeps['signalCase'] = () => Promise.reject(new LeftToMailbox());
  try {
    const outcome = await routeMail(parsed, mail, { ...deps, signalCase: leftToMailbox });
    if (outcome.folder === 'processed' && outcome.caseId) {
      return { code: 250, text: `${outcome.action} (${outcome.caseId})`, caseId: outcome.caseId };
    }
    return { code: 250, text: `${outcome.verdict.kind}: left to the mailbox copy (${outcome.folder})` };
  } catch (err) {
    if (err instanceof LeftToMailbox) return { code: 250, text: 'for a case: left to the mailbox copy' };
    if (err instanceof MailRejectedError) return { code: 250, text: `${err.code}: left to the mailbox copy` };
    const why = err instanceof Error ? err.message : String(err);
    return { code: 451, text: `case not confirmed by Temporal, try again later (${why.slice(0, 200)})` };
  }
}

function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/** An answer as smtp-server takes it: a string is a 250, an Error carries its code. */
function reply(a: LmtpAnswer): string | Error {
  if (a.code === 250) return `2.0.0 ${a.text}`;
  const err = new Error(`${a.code === 552 ? '5.3.4' : '4.3.0'} ${a.text}`) as Error & { responseCode: number };
  err.responseCode = a.code;
  return err;
}

function withTimeout(p: Promise<LmtpAnswer>, ms: number): Promise<LmtpAnswer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<LmtpAnswer>((resolve) => {
    timer = setTimeout(
      () => resolve({ code: 451, text: `Temporal did not confirm within ${ms} ms, try again later` }),
      ms,
    );
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export async function startLmtpIntake(o: LmtpIntakeOptions): Promise<LmtpIntake> {
  const log = o.log ?? (() => undefined);
  const timeoutMs = o.timeoutMs ?? 30_000;
  const handle = async (stream: SMTPServerDataStream, session: SMTPServerSession): Promise<LmtpAnswer> => {
    const raw = await readAll(stream);
    if (stream.sizeExceeded || raw.length > o.maxMailBytes) {
      return { code: 552, text: `message exceeds IMAP_MAX_MAIL_BYTES ${o.maxMailBytes}` };
    }
    const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    return withTimeout(takeIn(raw, from, o.router(o.box)), timeoutMs);
  };
  const server = new SMTPServer({
    lmtp: true,
    name: 'nachfass-intake',
    banner: 'Nachfass intake',
    size: o.maxMailBytes,
    // Loopback or a private network between the MTA and the worker: no TLS, no AUTH (the README says so).
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    // The MTA's address needs no name: a reverse lookup per connection cost 100 ms here (Postfix's `delays=…/0.1/…`).
    disableReverseLookup: true,
    // Stopping waits this long for an MTA's open transaction, then closes it (the MTA retries).
    closeTimeout: 3000,
    onData(stream, session, callback) {
      handle(stream, session).then(
        (a) => {
          log(
            `lmtp intake: ${a.code} ${a.text} (${session.envelope.rcptTo.length} recipient(s), mailbox ${o.box.key})`,
          );
          callback(
            null,
            session.envelope.rcptTo.map(() => reply(a)),
          );
        },
        (err: unknown) => {
          stream.resume();
          log(`lmtp intake: 451 ${err instanceof Error ? err.message : String(err)}`);
          callback(
            null,
            session.envelope.rcptTo.map(() => reply({ code: 451, text: 'intake failed, try again later' })),
          );
        },
      );
    },
  });
  server.on('error', (err: Error) => log(`lmtp intake error: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  log(`lmtp intake on ${o.host}:${port} for ${o.box.key}`);
  return {
    host: o.host,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
