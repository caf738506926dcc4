import { describe, expect, it } from 'vitest';
import { classify } from '../../activities/intake/classify.js';
import { ourCaseIds } from '../../activities/mail-ids.js';
import type { MailFacts } from '../../activities/intake/mail-facts.js';

const ctx = { ourDomain: 'example.test', ourAddresses: ['support@example.test'] };
const ours = '<7K3M9QXA2B.1.acknowledgment@example.test>';

function facts(over: Partial<MailFacts> & { h?: Record<string, string> } = {}): MailFacts {
  const { h = {}, ...rest } = over;
  return {
    from: 'erika@kunden.example',
    subject: 'Waschmaschine defekt',
    headers: Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), [v]])),
    contentType: 'text/plain',
    messageId: '<m1@kunden.example>',
    threadIds: [],
    text: 'Meine Waschmaschine ist kaputt.',
    reportText: '',
    ...rest,
  };
}

describe('classify', () => {
  it.each<[string, Partial<MailFacts> & { h?: Record<string, string> }, string, string | undefined]>([
    ['a new complaint', {}, 'complaint', undefined],
    ['a reply by In-Reply-To', { threadIds: [ours] }, 'reply', '7K3M9QXA2B'],
    ['a reply by the subject tag only', { subject: 'AW: [Fall 7K3M9QXA2B] Re: Waschmaschine' }, 'reply', '7K3M9QXA2B'],
    ['an English reply by the subject tag', { subject: 'Re: [Case 7K3M9QXA2B] Decision' }, 'reply', '7K3M9QXA2B'],
    [
      'a reply to someone else’s Message-ID is new',
      { threadIds: ['<7K3M9QXA2B.1.acknowledgment@other.example>'] },
      'complaint',
      undefined,
    ],
    [
      'vacation notice to our mail',
      { threadIds: [ours], h: { 'Auto-Submitted': 'auto-replied (vacation)', Precedence: 'bulk' } },
      'auto-reply',
      '7K3M9QXA2B',
    ],
    ['Auto-Submitted: no is a person', { h: { 'Auto-Submitted': 'no' } }, 'complaint', undefined],
    ['auto-generated without thread', { h: { 'Auto-Submitted': 'auto-generated' } }, 'auto-reply', undefined],
    ['X-Autoreply', { h: { 'X-Autoreply': 'yes' } }, 'auto-reply', undefined],
    ['Exchange OOF by subject only', { subject: 'Abwesenheitsnotiz: Waschmaschine' }, 'auto-reply', undefined],
    ['Out of Office by subject', { subject: 'Out of Office: your case' }, 'auto-reply', undefined],
    ['X-Auto-Response-Suppress: All', { h: { 'X-Auto-Response-Suppress': 'All' } }, 'auto-reply', undefined],
    [
      'DSN with envelope id',
      {
        from: 'mailer-daemon@mail.example.test',
        contentType: 'multipart/report',
        reportText: 'Original-Envelope-Id: 7K3M9QXA2B.3\nStatus: 5.1.1',
      },
      'bounce',
      '7K3M9QXA2B',
    ],
    [
      'DSN naming our returned mail',
      { from: 'postmaster@x.example', contentType: 'multipart/report', reportText: `Message-ID: ${ours}` },
      'bounce',
      '7K3M9QXA2B',
    ],
    [
      'bounce by empty Return-Path and subject',
      { returnPath: '', subject: 'Unzustellbar: Ihre Nachricht' },
      'bounce',
      undefined,
    ],
    ['mailing list', { h: { 'List-Id': '<kunden.lists.example>' } }, 'mailing-list', undefined],
    ['Precedence: list', { h: { Precedence: 'list' } }, 'mailing-list', undefined],
    ['Precedence: bulk', { h: { Precedence: 'bulk' } }, 'bulk', undefined],
    ['no-reply sender', { from: 'no-reply@shop.example' }, 'bulk', undefined],
    ['owner- sender', { from: 'owner-kunden@lists.example' }, 'bulk', undefined],
    ['empty Return-Path', { returnPath: '' }, 'bulk', undefined],
    [
      'our own mail looped back',
      { from: 'support@example.test', h: { 'X-Nachfass-Case': '7K3M9QXA2B' } },
      'own',
      '7K3M9QXA2B',
    ],
    ['our own Message-ID', { from: 'someone@example.org', messageId: ours }, 'own', undefined],
    ['no sender', { from: undefined }, 'quarantine', undefined],
  ])('%s → %s', (_name, over, kind, caseId) => {
    const v = classify(facts(over), ctx);
    expect(v.kind).toBe(kind);
    expect(v.caseId).toBe(caseId);
    expect(v.reasons.length).toBeGreaterThan(0);
  });

  it('a bounce names which of our mails failed', () => {
    const v = classify(
      facts({
        from: 'mailer-daemon@m.example',
        contentType: 'multipart/report',
        reportText: 'Original-Envelope-Id: 7K3M9QXA2B.3',
      }),
      ctx,
    );
    expect(v).toMatchObject({ kind: 'bounce', caseId: '7K3M9QXA2B', seq: 3 });
    expect(v.reasons.join(' ')).toContain('Original-Envelope-Id');
  });

  it('finds our Message-IDs only in our domain', () => {
    expect(ourCaseIds(`${ours} <AAAAAAAAAA.2.decision@evil.example>`, 'example.test')).toEqual(['7K3M9QXA2B']);
  });
});
