/**
 * Reminder digests on the real stack, counted in the real mailboxes: four cases waiting for the supervisor are
 * reminded in digest mails (never one mail per case), at most one per reminder window, each case with its
 * decision link; a P1 case at the top of the ladder is reminded twice (maxReminders) and then marked stalled in
 * Temporal visibility and on the queue page, while its promise to the customer stands.
 */
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { parsePolicy } from '../../worker/policy.js';
import { caseStateQuery } from '../../workflows/messages.js';
import { startTestApp, testPeople, testPolicyYaml, type TestApp } from '../helpers/app.js';
import { readFolder, waitForMail } from '../helpers/mail.js';
import { openCase, type OpenedCase } from '../helpers/open-case.js';

const WINDOW_S = 3;
const isDigest = (m: ParsedMail): boolean => m.headers.get('x-nachfass-kind') === 'reminder-digest';
const casesIn = (m: ParsedMail): string[] => [...(m.text ?? '').matchAll(/^Fall ([0-9A-Z]{10}) ·/gm)].map((x) => x[1]!);
const QUEUE_LINK = /https?:\/\/\S+\/queue\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

describe('reminder digests in the real mailboxes', () => {
  const people = testPeople();
  let app: TestApp;

  beforeAll(async () => {
    const yaml = `${testPolicyYaml(people, { reminderAfter: `${WINDOW_S}s`, escalateAfter: '1h' })}
reminders: { maxReminders: 2 }
matrix:
  P1: { firstLevel: 1, reminderAfter: 2s }
`;
    app = await startTestApp(people, parsePolicy(yaml, 'digest test'));
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('reminds the supervisor of four cases in digests, at most one per window', async () => {
    const opened: OpenedCase[] = [];
    for (let i = 1; i <= 4; i++) opened.push(await openCase(app, people, people.customer, `Anliegen ${i}`));
    const ids = opened.map((c) => c.caseId);
    const digests = await waitForMail(people.supervisor, (m) => isDigest(m), { count: 2, timeoutMs: 60_000 });
    // Every waiting case appears in the digests; a later digest lists all four again.
    const all = await waitForMail(people.supervisor, (m) => isDigest(m) && ids.every((id) => casesIn(m).includes(id)));
    expect(digests.length).toBeGreaterThanOrEqual(2);
    const inbox = (await readFolder(people.supervisor)).map((m) => m.parsed);
    // Never a reminder mail per case.
    expect(inbox.filter((m) => m.headers.get('x-nachfass-kind') === 'reminder')).toEqual([]);
    // At most one digest per window: their Date headers (whole seconds) lie a window apart, give or take a second.
    const dates = inbox
      .filter(isDigest)
      .map((m) => m.date!.getTime())
      .sort((a, b) => a - b);
    for (let i = 1; i < dates.length; i++)
      expect(dates[i]! - dates[i - 1]!).toBeGreaterThanOrEqual((WINDOW_S - 1) * 1000);
    // Each case once per digest, with a decision link that opens its page.
    const mail = all[0]!;
    expect(new Set(casesIn(mail)).size).toBe(casesIn(mail).length);
    const link = mail.text?.match(/https?:\/\/\S+\/decide\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/)?.[0];
    expect((await fetch(link!)).status).toBe(200);
    expect(mail.text).toMatch(QUEUE_LINK);
    // The digests are the person's: no case's history holds another case's reminder.
    const state = await opened[0]!.handle.query(caseStateQuery);
    expect(state.sent.map((s) => s.kind)).not.toContain('reminder');
    expect(state.timeline.map((e) => e.event)).toContain('reminder-digested');
  });

  it('stops reminding the top of the ladder after maxReminders and marks the case stalled', async () => {
    const c = await openCase(app, people, people.customer, 'Sofort Erstattung bitte', {
      text: 'Ich will sofort eine Erstattung.',
      approver: people.manager,
    });
    const handle = app.client.workflow.getHandle(workflowIdFor(c.caseId));
    for (let i = 0; ; i++) {
      const s = await handle.query(caseStateQuery);
      if (s.stalled) {
        expect(s.stalled.reminders).toBe(2);
        expect(s.status).toBe('awaiting-decision');
        break;
      }
      if (i > 200) throw new Error('the case did not stall');
      await new Promise((r) => setTimeout(r, 200));
    }
    const query = `WorkflowId = '${workflowIdFor(c.caseId)}' AND Stalled = true`;
    for (let i = 0; (await app.client.workflow.count(query)).count === 0; i++) {
      if (i > 50) throw new Error('visibility never showed Stalled');
      await new Promise((r) => setTimeout(r, 200));
    }
    // The manager was reminded of it in exactly two digests (the second may still be on its way: the window).
    const about = (m: ParsedMail): boolean => isDigest(m) && casesIn(m).includes(c.caseId);
    await waitForMail(people.manager, about, { count: 2, timeoutMs: 30_000 });
    const inbox = (await readFolder(people.manager)).map((m) => m.parsed);
    expect(inbox.filter(about)).toHaveLength(2);
    // The queue page says so.
    const queue = c.request.text?.match(QUEUE_LINK)?.[0];
    const html = await (await fetch(queue!)).text();
    expect(html).toContain(`data-case="${c.caseId}"`);
    expect(html).toContain('Keine Erinnerungen mehr');
  });
});
