import { describe, expect, it } from 'vitest';
import { account, formatReport, type MailRecord } from '../../activities/reconcile/account.js';

const now = new Date('2026-12-02T10:00:00Z');
const since = new Date('2026-11-25T10:00:00Z');
let uid = 0;
function mail(p: Partial<MailRecord> & Pick<MailRecord, 'role'>): MailRecord {
  uid += 1;
  return {
    folder: { watched: 'INBOX', processed: 'Processed', ignored: 'Ignored', quarantine: 'Quarantine' }[p.role],
    uid,
    subject: `Betreff ${uid}`,
    storedAt: '2026-12-02T09:00:00Z',
    keywords: [],
    ownCaseId: `OWN${uid}`,
    verdict: { kind: 'complaint', reasons: [] },
    ...p,
  };
}
const run = (records: MailRecord[], cases: string[], startedInWindow: string[] = []) =>
  account(records, { now, since, waitingAfterMs: 5 * 60_000, cases: new Set(cases), startedInWindow });

describe('the reconciler accounts for each mail as exactly one thing', () => {
  it('accounts for cases, mails of cases, robots and coded quarantine, and finds nothing wrong', () => {
    const complaint = mail({ role: 'processed', ownCaseId: 'A' });
    const reply = mail({ role: 'processed', verdict: { kind: 'reply', caseId: 'A', reasons: [] } });
    const followUp = mail({ role: 'processed', ownCaseId: 'B', verdict: { kind: 'reply', caseId: 'A', reasons: [] } });
    const bounceOfEnded = mail({ role: 'ignored', verdict: { kind: 'bounce', caseId: 'GONE', reasons: ['dsn'] } });
    const robot = mail({ role: 'ignored', verdict: { kind: 'bulk', reasons: ['Precedence: bulk'] } });
    const coded = mail({ role: 'quarantine', keywords: ['$NachfassQuarantine-too-large'] });
    const fresh = mail({ role: 'watched', storedAt: '2026-12-02T09:58:00Z' });
    const r = run([complaint, reply, followUp, bounceOfEnded, robot, coded, fresh], ['A', 'B'], ['A', 'B']);
    expect(r.problems).toEqual([]);
    expect(r.counts).toEqual({ case: 2, 'case-mail': 1, ignored: 2, quarantine: 1, waiting: 1, problems: 0 });
  });

  it('names each problem with what to do', () => {
    const r = run(
      [
        mail({ role: 'processed', ownCaseId: 'NOCASE', subject: 'verschoben' }),
        mail({ role: 'processed', verdict: { kind: 'bulk', reasons: ['List-Id'] } }),
        mail({ role: 'processed', verdict: undefined, parseError: 'boom' }),
        mail({ role: 'ignored', ownCaseId: 'NOCASE2' }),
        mail({ role: 'quarantine' }),
        mail({ role: 'watched', storedAt: '2026-12-02T09:00:00Z' }),
        mail({ role: 'processed', ownCaseId: 'C', messageId: '<x@y>' }),
        mail({ role: 'processed', ownCaseId: 'C', messageId: '<x@y>' }),
      ],
      ['C'],
      ['C', 'LOST'],
    );
    expect(r.problems.map((p) => p.kind)).toEqual([
      'unaccounted',
      'unaccounted',
      'unaccounted',
      'unaccounted',
      'no-reason',
      'waiting',
      'twice',
      'original-gone',
    ]);
    expect(r.problems[0]).toMatchObject({ folder: 'Processed', subject: 'verschoben' });
    expect(r.problems[0]!.todo).toMatch(/^send it through intake again: nachfass replay --from Processed \d+$/);
    expect(r.problems.at(-1)).toMatchObject({ caseId: 'LOST' });
    expect(formatReport(r)).toContain('8 problems:');
  });

  it('does not call a case without original when its mail came just before the window', () => {
    const r = account([], {
      now,
      since,
      waitingAfterMs: 0,
      cases: new Set(),
      startedInWindow: ['EARLY'],
      earlierOriginals: new Set(['EARLY']),
    });
    expect(r.problems).toEqual([]);
  });
});
