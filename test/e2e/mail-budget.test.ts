/**
 * One budget for all automatic mail to one external address, on the real stack: a peer that answers every mail
 * we send it (no Auto-Submitted, so intake takes each answer as the customer's reply) while the case's promise
 * falls due every few seconds. Every kind to the peer counts together; what is over the budget is held and
 * recorded on the case, never silently dropped, and staff mail is not limited.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { caseStateQuery } from '../../workflows/messages.js';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { readFolder, sendViaSmtp, waitForMail } from '../helpers/mail.js';

describe('one mail budget per external address', () => {
  const people = testPeople();
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(people, testPolicy(people, { answerPromise: '3s' }), { MAIL_BUDGET: '3/1h' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('sends at most the budget to a peer that answers everything, and records the rest as held', async () => {
    const messageId = `<peer-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({ from: people.customer, to: people.support, subject: 'Defekt', text: 'Kaputt.', messageId });
    const [ack] = await waitForMail(people.customer, (m) => m.inReplyTo === messageId);
    const caseId = String(ack!.headers.get('x-nachfass-case'));
    const handle = app.client.workflow.getHandle(workflowIdFor(caseId));
    // The peer: for 25 s it answers every mail of ours it finds, once each.
    const answered = new Set<string>();
    const until = Date.now() + 25_000;
    while (Date.now() < until) {
      for (const m of await readFolder(people.customer)) {
        const id = m.parsed.messageId ?? '';
        if (answered.has(id)) continue;
        answered.add(id);
        await sendViaSmtp({
          from: people.customer,
          to: people.support,
          subject: `Re: ${m.parsed.subject}`,
          inReplyTo: id,
          references: [id],
          text: `Danke für Ihre Nachricht ${answered.size}.`,
        });
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const state = await handle.query(caseStateQuery);
    const toPeer = await readFolder(people.customer);
    expect(toPeer).toHaveLength(3);
    const held = state.timeline.filter((e) => e.event.endsWith(':held'));
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((e) => e.event === 'mail:progress-update:held')).toBe(true);
    // Staff still hear of every answer of the peer.
    const staff = (await readFolder(people.supervisor)).filter((m) =>
      /Neue Nachricht des Kunden/.test(m.parsed.subject ?? ''),
    );
    expect(staff.length).toBeGreaterThanOrEqual(3);
  });
});
