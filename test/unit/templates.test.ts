import { describe, expect, it } from 'vitest';
import { outgoingHeaders } from '../../activities/outgoing-headers.js';
import { caseSubject, formatDateTime } from '../../templates/format.js';
import { renderCaseMail } from '../../templates/index.js';
import { decidePage } from '../../templates/pages/decide.js';
import { noticePage } from '../../templates/pages/notice.js';
import type { CaseState } from '../../workflows/case.js';
import type { CaseMailContext } from '../../workflows/case-mail.js';

const company = {
  name: 'Muster Versand GmbH',
  address: 'Musterstraße 12, 10115 Berlin',
  phone: '+49 30 1234567',
  hours: 'Mo–Fr 09:00–18:00',
  timeZone: 'Europe/Berlin',
};
const evil = '<script>alert(1)</script> & "quotes"';
const ctx: CaseMailContext = {
  caseId: 'ABCDEFGHJK',
  subject: `AW: Re: ${evil}`,
  customer: { name: 'Erika <b>Müller</b>', address: 'erika@example.test' },
  language: 'de',
  receivedAt: '2026-03-28T23:30:00Z',
  messageId: '<orig@example.test>',
  references: ['<older@example.test>'],
  company,
  assessment: { urgency: 'high', impact: 'low', priority: 'P2', reasons: ['urgency: "sofort"'] },
  level: 0,
  promisedBy: '2026-03-29T10:00:00Z',
  text: evil,
};
const approver = {
  level: 0,
  role: 'Teamleitung',
  name: 'Sabine Schulz',
  address: 'sup@example.test',
  language: 'de' as const,
};

describe('escaping', () => {
  it('escapes every value on a page', () => {
    const notice = noticePage('de', evil, [evil], 'error');
    expect(notice).toContain('<h1>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;</h1>');
    expect(notice).not.toContain('<script>');
    expect(notice.startsWith('<!doctype html><html lang="de">')).toBe(true);
  });
  it('keeps customer text inert in mail HTML and in the decision page', async () => {
    const mail = await renderCaseMail(
      { kind: 'approval-request', seq: 2, to: approver, case: ctx },
      { decide: 'http://localhost/decide/t.s' },
    );
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.html).not.toContain('<b>Müller</b>');
    const state: CaseState = {
      caseId: ctx.caseId,
      status: 'awaiting-decision',
      subject: evil,
      text: evil,
      customer: ctx.customer,
      language: 'de',
      assessment: ctx.assessment,
      ladder: [approver],
      level: 0,
      promisedBy: ctx.promisedBy,
      replies: [],
      sent: [],
      timeline: [{ at: ctx.receivedAt, event: 'assessed', detail: evil }],
    };
    const page = decidePage({
      state,
      complaintText: evil,
      approver,
      timeZone: 'Europe/Berlin',
      csrfToken: '"><x',
      action: '/decide/t',
    });
    expect(page).not.toMatch(/<script>|<x|<b>/);
  });
});

describe('formatting', () => {
  it('formats in the company time zone, across the DST switch (2026-03-29)', () => {
    expect(formatDateTime('2026-03-28T23:30:00Z', 'de', 'Europe/Berlin')).toBe('Sonntag, 29. März 2026 um 00:30 Uhr');
    expect(formatDateTime('2026-03-29T10:00:00Z', 'de', 'Europe/Berlin')).toBe('Sonntag, 29. März 2026 um 12:00 Uhr');
    expect(formatDateTime('2026-03-29T10:00:00Z', 'en', 'Europe/Berlin')).toMatch(/Sunday,? 29 March 2026 at 12:00/);
  });
  it('tags subjects with the case number without stacking Re:/AW:', () => {
    expect(caseSubject('ABCDEFGHJK', 'AW: Re: Defekt', 'de')).toBe('[Fall ABCDEFGHJK] Re: Defekt');
    expect(caseSubject('ABCDEFGHJK', '', 'en', 'Decision')).toBe('[Case ABCDEFGHJK] Decision: (no subject)');
  });
});

describe('messages', () => {
  it('the acknowledgment names the promised time and how we proceed, in German', async () => {
    const m = await renderCaseMail({ kind: 'acknowledgment', seq: 1, to: 'customer', case: ctx });
    expect(m.text).toContain('Sie hören spätestens am Sonntag, 29. März 2026 um 12:00 Uhr von uns');
    expect(m.text).toContain('So gehen wir vor');
    expect(m.text).toContain('Telefon: +49 30 1234567');
    expect(m.html).toContain('lang="de"');
  });
  it('an English customer gets English', async () => {
    const m = await renderCaseMail({
      kind: 'progress-update',
      seq: 3,
      to: 'customer',
      case: { ...ctx, language: 'en' },
    });
    expect(m.subject).toMatch(/^\[Case ABCDEFGHJK\] Progress update:/);
    expect(m.text).toContain('You will hear from us again by');
  });
  it('a decision without a decision is a programming error', async () => {
    await expect(renderCaseMail({ kind: 'decision', seq: 4, to: 'customer', case: ctx })).rejects.toThrowError(
      /no decision/,
    );
  });
});

describe('outgoing headers', () => {
  const key = Buffer.alloc(32, 7);
  it('threads customer mail under the customer’s mail, with deterministic keyed ids and RFC 3834 markers', () => {
    const h = outgoingHeaders({ kind: 'acknowledgment', seq: 1, to: 'customer', case: ctx }, 'example.test', key);
    expect(h.messageId).toMatch(/^<ABCDEFGHJK\.1\.acknowledgment\.[0-9a-z]{16}@example\.test>$/);
    expect(h).toMatchObject({
      inReplyTo: '<orig@example.test>',
      references: ['<older@example.test>', '<orig@example.test>'],
    });
    expect(h.headers['Auto-Submitted']).toBe('auto-replied');
    // A retried send keeps its id; another key (another installation) makes another one.
    expect(outgoingHeaders({ kind: 'acknowledgment', seq: 1, to: 'customer', case: ctx }, 'example.test', key)).toEqual(
      h,
    );
    const other = outgoingHeaders(
      { kind: 'acknowledgment', seq: 1, to: 'customer', case: ctx },
      'example.test',
      Buffer.alloc(32, 8),
    );
    expect(other.messageId).not.toBe(h.messageId);
  });
  it('threads staff mail under the case', () => {
    const h = outgoingHeaders({ kind: 'reminder', seq: 5, to: approver, case: ctx }, 'example.test', key);
    expect(h.inReplyTo).toBe('<ABCDEFGHJK.case@example.test>');
  });
});

describe('reasons in the reader’s language', () => {
  it('translates the recorded English reasons for German readers', async () => {
    const { reasonsText } = await import('../../templates/format.js');
    expect(reasonsText(['urgency: "sofort"', 'impact: "Erstattung"'], 'de')).toBe(
      'Dringlichkeit: „sofort“; Auswirkung: „Erstattung“',
    );
    expect(reasonsText(['no rule fired: standard handling'], 'de')).toBe('keine Regel zutreffend: normale Bearbeitung');
    expect(reasonsText(['urgency: "urgent"'], 'en')).toBe('urgency: "urgent"');
  });
});

describe('the complaint summary in staff mail', () => {
  it('cuts quoted history and signature and says so; the page keeps the full text', async () => {
    const text =
      'Das Gerät ist kaputt.\n-- \nErika Müller\nTel. 0123\n\nAm 20.11.2026 schrieb Shop:\n> Ihre Bestellung';
    const mail = await renderCaseMail(
      { kind: 'approval-request', seq: 2, to: approver, case: { ...ctx, text } },
      { decide: 'http://x/decide/t.s' },
    );
    expect(mail.text).toContain('> Das Gerät ist kaputt.');
    expect(mail.text).not.toContain('Tel. 0123');
    expect(mail.text).toContain(
      '[Zitierter Verlauf und Signatur gekürzt; der volle Text steht auf der Entscheidungsseite.]',
    );
  });
});

describe('times in the customer’s zone', () => {
  it('names the zone when the customer reads times outside the company’s (policy mailboxes.<folder>.timeZone)', async () => {
    const london = { ...ctx, language: 'en' as const, timeZone: 'Europe/London' };
    const m = await renderCaseMail({ kind: 'acknowledgment', seq: 1, to: 'customer', case: london });
    // 10:00 UTC on 29 March 2026 is 11:00 in London (BST) and 12:00 in Berlin.
    expect(m.text).toMatch(/by Sunday,? 29 March 2026 at 11:00 \(London time\) at the latest/);
    const berlin = await renderCaseMail({
      kind: 'acknowledgment',
      seq: 1,
      to: 'customer',
      case: { ...ctx, language: 'en' },
    });
    expect(berlin.text).toMatch(/by Sunday,? 29 March 2026 at 12:00 at the latest/);
    expect(formatDateTime('2026-11-24T10:00:00Z', 'de', 'Europe/London', true)).toBe(
      'Dienstag, 24. November 2026 um 10:00 Uhr (Ortszeit London)',
    );
  });
});
