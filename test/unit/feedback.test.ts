/** The feedback rules that run inside the workflow, as pure functions; and customer text in the new mails. */
import { describe, expect, it } from 'vitest';
import { renderCaseMail } from '../../templates/index.js';
import { mailSamples } from '../../templates/samples.js';
import type { Approver, CaseState } from '../../workflows/case.js';
import { acceptRating, followUpCloser } from '../../workflows/complaint/feedback.js';

const ladder: Approver[] = [
  { level: 0, role: 'Teamleitung', name: 'Sabine Schulz', address: 'sup@example.test', language: 'de' },
  { level: 1, role: 'Geschäftsleitung', name: 'Markus Weber', address: 'boss@example.test', language: 'de' },
];

function state(over: Partial<CaseState> = {}): CaseState {
  return {
    caseId: 'ABCDEFGHJK',
    status: 'awaiting-feedback',
    subject: 's',
    text: 't',
    customer: { address: 'kunde@example.test' },
    language: 'de',
    assessment: { urgency: 'low', impact: 'low', priority: 'P4', reasons: [] },
    ladder,
    level: 0,
    promisedBy: '2026-11-24T10:00:00Z',
    replies: [],
    sent: [],
    timeline: [],
    ...over,
  };
}

const asked = { askedAt: '2026-11-27T10:00:00Z', closesAt: '2026-12-04T10:00:00Z', comments: [] };

describe('acceptRating', () => {
  it('takes a whole number 1–5 once, while the survey is open', () => {
    expect(acceptRating(state({ feedback: { ...asked } }), { rating: 2 })).toBe(2);
    expect(acceptRating(state({ feedback: { ...asked } }), { rating: 5 })).toBe(5);
  });
  it('refuses before the survey, after the window and a second time, saying why', () => {
    expect(() => acceptRating(state(), { rating: 3 })).toThrow('no feedback was asked for yet');
    expect(() =>
      acceptRating(state({ feedback: { ...asked, closedAt: '2026-12-04T10:00:00Z' } }), { rating: 3 }),
    ).toThrow('the feedback window has closed');
    const rated = state({ feedback: { ...asked, rating: { value: 2, at: asked.askedAt, channel: 'link' } } });
    expect(() => acceptRating(rated, { rating: 5 })).toThrow('already rated 2 of 5');
  });
  it.each([0, 6, 2.5, Number.NaN, undefined as unknown as number])('refuses %s as a rating', (rating) => {
    expect(() => acceptRating(state({ feedback: { ...asked } }), { rating })).toThrow(
      'a rating is a whole number from 1 to 5',
    );
  });
});

describe('followUpCloser', () => {
  const open = state({
    lowRating: {
      owner: 'sup@example.test',
      ownerName: 'Sabine Schulz',
      rating: 1,
      openedAt: '2026-11-27T10:00:00Z',
      dueAt: '2026-12-01T10:00:00Z',
      reminders: 0,
    },
  });
  it('lets the owner and the level above close it, with a note', () => {
    expect(followUpCloser(open, { by: 'SUP@example.test', note: 'angerufen' }).name).toBe('Sabine Schulz');
    expect(followUpCloser(open, { by: 'boss@example.test', note: 'übernommen' }).name).toBe('Markus Weber');
  });
  it('refuses strangers, an empty note, a closed or missing follow-up', () => {
    expect(() => followUpCloser(open, { by: 'x@example.test', note: 'n' })).toThrow('may not close');
    expect(() => followUpCloser(open, { by: 'sup@example.test', note: '  ' })).toThrow('a note on what was done');
    expect(() => followUpCloser(state(), { by: 'sup@example.test', note: 'n' })).toThrow('no follow-up to close');
    const closed = state({
      lowRating: {
        ...open.lowRating!,
        closed: { at: 'then', by: 'sup@example.test', byName: 'Sabine Schulz', note: 'n' },
      },
    });
    expect(() => followUpCloser(closed, { by: 'sup@example.test', note: 'n' })).toThrow('closed by Sabine Schulz');
  });
});

describe('customer text in the feedback mails', () => {
  const evil = '<img src=x onerror=alert(1)> & <script>alert(2)</script>';
  it.each(['low-rating.de', 'low-rating-message.en', 'feedback-thanks-low.de'])(
    '%s shows the customer’s and the owner’s words as text, never as markup',
    async (name) => {
      const sample = mailSamples().find((s) => s.name === name)!;
      const c = sample.request.case;
      const mail = await renderCaseMail(
        {
          ...sample.request,
          case: {
            ...c,
            customer: { name: evil, address: c.customer.address },
            feedback: { closesAt: '2026-12-04T10:00:00Z', rating: 2, comment: evil, comments: [evil] },
            ...(c.lowRating ? { lowRating: { ...c.lowRating, ownerName: evil, messageToCustomer: evil } } : {}),
          },
        },
        sample.links,
      );
      expect(mail.html).not.toMatch(/<script|<img/);
      expect(mail.html).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
      expect(mail.text).toContain('<script>alert(2)</script>');
    },
  );
});
