/** Every field that enters a workflow input or signal is bounded, and intake's attempt rule decides right. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import {
  encodedBytes,
  MailRejectedError,
  MAX_INPUT_BYTES,
  quarantineCodeOf,
  quarantineKeyword,
  toComplaintInput,
  type ComplaintInputContext,
} from '../../activities/intake/complaint-input.js';
import { attemptsOf, attemptVerdict, isUnreachableError } from '../../activities/intake/attempts.js';
import { createMailSender } from '../../activities/mail.js';
import { BOUNDS, boundAttachments, parseRaw, summarize, type ParsedComplaint } from '../../activities/intake/parse.js';
import { boundLine, boundText, LINE_TRUNCATION_MARKER } from '../../activities/text.js';
import { caseSubject } from '../../templates/format.js';
import { loadConfig, PROJECT_ROOT } from '../../worker/config.js';
import { parsePolicy, policySnapshot } from '../../worker/policy.js';
import { longSubjectMail, poisonMail } from '../fixtures/hostile/generate.js';

const envelope = {
  from: 'kunde@kunden.example.test',
  to: 'support@example.test',
  messageId: '<p1@kunden.example.test>',
};
const policyFile = path.join(PROJECT_ROOT, 'policy', 'example.yaml');
const ctx: ComplaintInputContext = {
  mailbox: 'support@example.test/INBOX',
  defaultLanguage: 'de',
  policy: policySnapshot(parsePolicy(readFileSync(policyFile, 'utf8'), policyFile)),
  linkSecret: 'k'.repeat(64),
  searchAttributes: false,
  now: new Date('2026-11-23T12:00:00Z'),
  archiveFolder: 'Processed',
};

describe('boundLine', () => {
  it.each([
    ['short text unchanged', 'Gerät defekt', 50, 'Gerät defekt'],
    ['CR/LF become one space', 'Betreff\r\nBcc: evil@example.test', 100, 'Betreff Bcc: evil@example.test'],
    ['other controls and U+2028 too', 'a\u0000b\tc\u2028d\u0085e', 100, 'a b c d e'],
    ['cut with the marker, marker included in the bound', 'x'.repeat(30), 10, `xxxxxx${LINE_TRUNCATION_MARKER}`],
  ])('%s', (_n, input, max, expected) => {
    const out = boundLine(input, max);
    expect(out).toBe(expected);
    expect(out.length).toBeLessThanOrEqual(max);
  });

  it('never splits a surrogate pair', () => {
    const out = boundLine('😀'.repeat(20), 11);
    expect(out.endsWith(LINE_TRUNCATION_MARKER)).toBe(true);
    expect(Buffer.from(out, 'utf8').toString('utf8')).toBe(out);
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('boundText keeps a surrogate pair whole at the cut', () => {
    const out = boundText('😀'.repeat(10), 5);
    expect(out.startsWith('😀😀')).toBe(true);
    expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });
});

describe('summarize bounds every field', () => {
  it('the poison mail of issue 12 (900 attachments, 3,000-character names) becomes a small input', async () => {
    const raw = Buffer.from(poisonMail(envelope));
    expect(raw.length).toBeGreaterThan(2_700_000);
    const parsed = await parseRaw(raw);
    expect(parsed.attachments).toHaveLength(900);
    const s = summarize(parsed);
    expect(s.attachments).toHaveLength(BOUNDS.attachmentsListed + 1);
    for (const a of s.attachments) expect(a.filename.length).toBeLessThanOrEqual(BOUNDS.filenameChars);
    expect(s.attachments[0]!.filename.endsWith(LINE_TRUNCATION_MARKER)).toBe(true);
    expect(s.attachments.at(-1)!.filename).toContain('850 more attachments');
    const input = toComplaintInput(s, raw, ctx);
    if (typeof input === 'string') throw new Error(input);
    expect(encodedBytes(input)).toBeLessThan(MAX_INPUT_BYTES / 4);
  });

  it('a 10,000-character subject, a display name with CR/LF, hostile ids', async () => {
    const raw = [
      'From: =?UTF-8?B?' +
        Buffer.from('Eve\r\nBcc: all@example.test ' + 'N'.repeat(500)).toString('base64') +
        '?= <EVE@Kunden.example.test>',
      'To: support@example.test',
      `Subject: ${'S'.repeat(10_000)}`,
      `Message-ID: <${'m'.repeat(400)}@kunden.example.test>`,
      `References: <root@x.test> ${Array.from({ length: 60 }, (_, i) => `<r${i}@x.test>`).join(' ')} <${'z'.repeat(300)}@x.test>`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Text.',
      '',
    ].join('\r\n');
    const s = summarize(await parseRaw(Buffer.from(raw)));
    expect(s.subject.length).toBeLessThanOrEqual(BOUNDS.subjectChars);
    expect(s.subject.endsWith(LINE_TRUNCATION_MARKER)).toBe(true);
    expect(s.from?.address).toBe('eve@kunden.example.test');
    expect(s.from?.name).not.toMatch(/[\r\n]/);
    expect(s.from!.name!.length).toBeLessThanOrEqual(BOUNDS.nameChars);
    // An overlong Message-ID is dropped (the case id then comes from the raw mail's hash), not cut.
    expect(s.messageId).toBeUndefined();
    expect(s.references).toHaveLength(BOUNDS.references);
    expect(s.references[0]).toBe('<root@x.test>');
    expect(s.references.at(-1)).toBe('<r59@x.test>');
  });

  it('lists at most the bound of attachments plus one entry counting the rest', () => {
    const list = Array.from({ length: 53 }, (_, i) => ({
      filename: `f${i}\r\n.pdf`,
      contentType: 'application/pdf',
      size: 10,
    }));
    const out = boundAttachments(list);
    expect(out).toHaveLength(BOUNDS.attachmentsListed + 1);
    expect(out[0]!.filename).toBe('f0 .pdf');
    expect(out.at(-1)).toEqual(expect.objectContaining({ size: 30 }));
    expect(out.at(-1)!.filename).toContain('3 more attachments');
    expect(boundAttachments(list.slice(0, 2))).toHaveLength(2);
  });
});

describe('the encoded input is checked before the start', () => {
  const base: ParsedComplaint = {
    references: [],
    from: { address: 'kunde@kunden.example.test' },
    subject: 'Gerät defekt',
    text: 'kurz',
    attachments: [],
  };
  it('a bounded input passes, an input over the budget is a quarantine reason', () => {
    const ok = toComplaintInput(base, Buffer.from('raw'), ctx);
    expect(typeof ok).not.toBe('string');
    const huge = toComplaintInput({ ...base, text: 'ü'.repeat(MAX_INPUT_BYTES) }, Buffer.from('raw'), ctx);
    expect(huge).toMatch(/^input-too-large: workflow input of \d+ bytes exceeds 262144$/);
    expect(toComplaintInput({ ...base, from: undefined }, Buffer.from('raw'), ctx)).toMatch(/^no-sender:/);
  });
});

describe('quarantine reasons', () => {
  it.each([
    ['input-too-large: workflow input of 1 bytes', 'input-too-large'],
    ['no-sender: no sender address (From)', 'no-sender'],
    ['no sender address (From)', 'no-sender'],
    ['something else', 'rejected'],
    ['nonsense-code: x', 'rejected'],
  ])('%s → %s', (reason, code) => {
    expect(quarantineCodeOf(reason)).toBe(code);
  });
  it('keywords are IMAP atoms', () => {
    expect(quarantineKeyword('too-large')).toBe('$NachfassQuarantine-too-large');
    expect(quarantineKeyword('failed')).toMatch(/^[$A-Za-z0-9-]+$/);
  });
});

describe('attempt counting', () => {
  it.each([
    [[], 0],
    [['\\Seen', '$NachfassAttempt1'], 1],
    [['$NachfassAttempt1', '$NachfassAttempt3', '$NachfassAttempt2'], 3],
    [['$NachfassAttemptX', '$NachfassAttempt', '$nachfassattempt9'], 0],
  ])('%j → %i', (flags, n) => {
    expect(attemptsOf(new Set(flags))).toBe(n);
  });

  const grpc = (code: number): Error =>
    Object.assign(new Error('Failed to start Workflow'), { cause: Object.assign(new Error(`${code} …`), { code }) });
  it.each([
    ['gRPC UNAVAILABLE inside a ServiceError', grpc(14), true],
    ['gRPC DEADLINE_EXCEEDED', grpc(4), true],
    ['gRPC INVALID_ARGUMENT (Temporal answered: the request is wrong)', grpc(3), false],
    ['connection refused', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), true],
    ['a bug of ours', new TypeError('x is undefined'), false],
    ['a rejected mail', new MailRejectedError('input-too-large', 'big'), false],
    ['not an error at all', 'boom', false],
  ])('%s → unreachable %s', (_n, err, expected) => {
    expect(isUnreachableError(err)).toBe(expected);
  });

  it.each([
    [{ attempt: 1, unreachable: true, laterMailReachedTemporal: false }, 3, 'withdraw'],
    [{ attempt: 3, unreachable: true, laterMailReachedTemporal: false }, 3, 'withdraw'],
    [{ attempt: 1, unreachable: true, laterMailReachedTemporal: true }, 3, 'count'],
    [{ attempt: 3, unreachable: true, laterMailReachedTemporal: true }, 3, 'quarantine'],
    [{ attempt: 2, unreachable: false, laterMailReachedTemporal: false }, 3, 'count'],
    [{ attempt: 3, unreachable: false, laterMailReachedTemporal: false }, 3, 'quarantine'],
    [{ attempt: 1, unreachable: false, laterMailReachedTemporal: false }, 1, 'quarantine'],
  ])('%j of %i → %s', (f, max, verdict) => {
    expect(attemptVerdict(f, max)).toBe(verdict);
  });
});

describe('our outgoing subject', () => {
  it('a 10,000-character subject stays far below 998 characters, marked as cut', () => {
    const subject = caseSubject('ABCDEFGHJK', `AW: ${'A'.repeat(10_000)}`, 'de', 'Keine Entscheidung erkannt');
    expect(subject.length).toBeLessThan(400);
    expect(subject).toMatch(/^\[Fall ABCDEFGHJK\] Keine Entscheidung erkannt: A+ \[…\]$/);
  });
  it('no CR/LF of a customer subject reaches it', () => {
    expect(caseSubject('ABCDEFGHJK', 'Defekt\r\nBcc: evil@example.test', 'en')).toBe(
      '[Case ABCDEFGHJK] Re: Defekt Bcc: evil@example.test',
    );
  });

  it('nodemailer writes it and the bounded display name with every header line under 998 and no injected header', async () => {
    const parsed = await parseRaw(Buffer.from(longSubjectMail(envelope)));
    const s = summarize(parsed);
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
    let raw = '';
    const send = createMailSender(transport);
    const evilName = boundLine('Eve\r\nBcc: all@example.test', BOUNDS.nameChars);
    const sent = transport.sendMail.bind(transport);
    // Capture what our sender hands nodemailer's real stream transport.
    transport.sendMail = (async (mail: Parameters<typeof sent>[0]) => {
      const info = await sent(mail);
      raw = (info.message as Buffer).toString('utf8');
      return info;
    }) as typeof transport.sendMail;
    await send({
      from: 'Kundenservice <support@example.test>',
      to: `"${evilName}" <kunde@kunden.example.test>`,
      subject: caseSubject('ABCDEFGHJK', s.subject, 'de'),
      text: 'Danke.',
      html: '<p>Danke.</p>',
      messageId: '<ack-1@example.test>',
      headers: { 'Auto-Submitted': 'auto-replied' },
      envelopeId: 'ABCDEFGHJK',
    });
    const headerBlock = raw.slice(0, raw.indexOf('\r\n\r\n'));
    for (const line of headerBlock.split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    expect(headerBlock).not.toMatch(/^Bcc:/im);
    const back = await parseRaw(Buffer.from(raw));
    expect(back.subject).toMatch(/^\[Fall ABCDEFGHJK\] Re: Beschwerde-A+ \[…\]$/);
    expect(back.subject!.length).toBeLessThan(400);
    expect(back.to && !Array.isArray(back.to) ? back.to.value : []).toEqual([
      { name: 'Eve Bcc: all@example.test', address: 'kunde@kunden.example.test' },
    ]);
  });
});

describe('INTAKE_MAX_ATTEMPTS', () => {
  const env = {
    IMAP_HOST: '127.0.0.1',
    IMAP_USER: 'support@example.test',
    IMAP_PASSWORD: 'pw',
    SMTP_HOST: '127.0.0.1',
    SUPPORT_ADDRESS: 'Kundenservice <support@example.test>',
    LINK_SECRET: '8f3a1c0e5b7d9f2468ace13579bdf0246813579bdf02468ace13579bdf024681',
    PAYLOAD_ENCRYPTION: 'false',
  };
  it('defaults to 5, takes 1 to 10, and a bad value stops start-up naming it', () => {
    expect(loadConfig(env).intake.maxAttempts).toBe(5);
    expect(loadConfig({ ...env, INTAKE_MAX_ATTEMPTS: '2' }).intake.maxAttempts).toBe(2);
    for (const bad of ['0', '11', 'viele', '2.5']) {
      expect(() => loadConfig({ ...env, INTAKE_MAX_ATTEMPTS: bad })).toThrow(/INTAKE_MAX_ATTEMPTS/);
    }
  });
});
