/** The texts the Web UI shows of a case (workflows/case-story.ts, case-details.ts): table tests on the real modules. */
import { describe, expect, it } from 'vitest';
import type { Approver, CaseState } from '../../workflows/case.js';
import { currentDetails } from '../../workflows/case-details.js';
import { mailSummary, plainText, waitSummary } from '../../workflows/case-story.js';

const sabine: Approver = { level: 0, role: 'Teamleitung', name: 'Sabine Schulz', address: 's@x.test', language: 'de' };
const markus: Approver = {
  level: 1,
  role: 'Geschäftsleitung',
  name: 'Markus Weber',
  address: 'm@x.test',
  language: 'de',
};

function state(over: Partial<CaseState> = {}): CaseState {
  return {
    caseId: 'K3M9QXA2B7',
    status: 'awaiting-decision',
    subject: 'Toaster',
    text: '',
    customer: { name: 'Erika Müller', address: 'e@x.test' },
    language: 'de',
    assessment: { urgency: 'high', impact: 'high', priority: 'P1', reasons: [] },
    ladder: [sabine, markus],
    level: 0,
    promisedBy: '2026-12-04T11:00:00.000Z',
    replies: [],
    sent: [],
    timeline: [
      { at: '2026-12-02T09:00:00.000Z', event: 'assessed', detail: 'P1' },
      { at: '2026-12-02T09:00:01.000Z', event: 'mail:approval-request', detail: 'Teamleitung Sabine Schulz' },
      { at: '2026-12-02T13:00:00.000Z', event: 'mail:reminder', detail: 'Teamleitung Sabine Schulz' },
    ],
    ...over,
  };
}

describe('the Web UI texts of a case', () => {
  it.each([
    ['Toaster defekt', 'Toaster defekt'],
    ['[hier klicken](https://evil.example)', '\\[hier klicken\\](https://evil.example)'],
    ['**laut** `code` <b>|~_', '\\*\\*laut\\*\\* \\`code\\` \\<b\\>\\|\\~\\_'],
    ['zwei\nZeilen\t und  mehr', 'zwei Zeilen und mehr'],
  ])('customer text %j shows as plain text in markdown', (text, shown) => {
    expect(plainText(text)).toBe(shown);
  });

  it('cuts long customer text with a visible marker', () => {
    expect(plainText('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
  });

  it.each([
    ['acknowledgment', 'customer', 'acknowledgment to the customer'],
    ['reminder', sabine, 'reminder to Teamleitung Sabine Schulz'],
    ['follow-up', 'customer', 'follow-up to the customer'],
    ['low-rating-overdue', markus, 'low rating overdue to Geschäftsleitung Markus Weber'],
  ] as const)('names the mail %s', (kind, to, summary) => {
    expect(mailSummary(kind, to)).toBe(summary);
  });

  it.each([
    [
      [
        [10, 'promise due'],
        [20, 'reminder'],
      ],
      'promise due',
    ],
    [
      [
        [20, 'promise due'],
        [20, 'reminder'],
        [undefined, 'escalation'],
      ],
      'promise due · reminder',
    ],
    [[[undefined, 'escalation']], 'wait'],
  ] as const)('a wait is summarised by what comes first: %j', (next, summary) => {
    expect(waitSummary(next)).toBe(summary);
  });

  it('tells whom a waiting case waits for since when, the promise and the last step, in the company zone', () => {
    expect(currentDetails(state(), 'Europe/Berlin').split('\n')).toEqual([
      '**awaiting-decision** · P1 · ladder level 1 of 2 (times Europe/Berlin)',
      '**Waiting for**: the decision of Teamleitung Sabine Schulz since 2026-12-02 10:00',
      '**Promised to the customer**: by 2026-12-04 12:00',
      '**Last step**: 2026-12-02 14:00 mail:reminder: Teamleitung Sabine Schulz',
    ]);
  });

  it('follows the case: a deputy, a question to the customer, the survey, a low rating, the end', () => {
    const line = (s: CaseState): string => currentDetails(s, 'UTC').split('\n')[1]!;
    const delegated = state({
      delegated: {
        level: 0,
        from: 's@x.test',
        fromName: 'Sabine Schulz',
        to: 'd@x.test',
        toName: 'Thomas Vogel',
        at: '2026-12-02T15:00:00.000Z',
        reason: 'auto-reply',
      },
      ladder: [{ ...sabine, deputy: { name: 'Thomas Vogel', address: 'd@x.test', language: 'de' } }, markus],
      timeline: [...state().timeline, { at: '2026-12-02T15:00:00.000Z', event: 'delegated' }],
    });
    expect(line(delegated)).toBe('**Waiting for**: the decision of Teamleitung Thomas Vogel since 2026-12-02 15:00');
    const asked = state({
      infoRequest: {
        by: 's@x.test',
        byName: 'Sabine Schulz',
        question: '?',
        at: '2026-12-02T10:00:00.000Z',
        replyBy: '2026-12-03T10:00:00.000Z',
      },
    });
    expect(line(asked)).toBe(
      "**Waiting for**: the customer, to answer Sabine Schulz's question, since 2026-12-02 10:00 (reply by 2026-12-03 10:00)",
    );
    const surveyed = state({
      status: 'awaiting-feedback',
      feedback: { askedAt: '2026-12-05T09:00:00.000Z', closesAt: '2026-12-12T09:00:00.000Z', comments: [] },
    });
    expect(line(surveyed)).toBe(
      "**Waiting for**: the customer's rating since 2026-12-05 09:00 (the survey closes 2026-12-12 09:00)",
    );
    expect(currentDetails(surveyed, 'UTC')).toContain('**Promised to the customer**: nothing open');
    const low = state({
      status: 'feedback-follow-up',
      lowRating: {
        owner: 's@x.test',
        ownerName: 'Sabine Schulz',
        rating: 2,
        openedAt: '2026-12-06T09:00:00.000Z',
        dueAt: '2026-12-08T09:00:00.000Z',
        reminders: 0,
      },
    });
    expect(line(low)).toBe(
      '**Waiting for**: Sabine Schulz to close the follow-up of rating 2 since 2026-12-06 09:00 (due 2026-12-08 09:00)',
    );
    expect(line(state({ status: 'completed' }))).toBe('**Waiting for**: nobody: the case is completed');
  });
});
