/**
 * Our own SMTP server refuses a staff address for good (the real Postfix: 550 for a domain it cannot route):
 * the case goes on, the refusal is recorded on it, and ADMIN_ADDRESS is told, so nobody waits for a person who
 * never hears of the case.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { caseStateQuery } from '../../workflows/messages.js';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { sendViaSmtp, uniqueAddress, waitForMail } from '../helpers/mail.js';

describe('a staff address our SMTP server refuses', () => {
  const people = { ...testPeople(), supervisor: `weg-${randomBytes(3).toString('hex')}@nouser.example.test` };
  const admin = uniqueAddress('admin');
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(people, testPolicy(people), { ADMIN_ADDRESS: `Betrieb <${admin}>` });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('records the refusal on the case, which goes on, and alarms the admin', async () => {
    const messageId = `<refused-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({ from: people.customer, to: people.support, subject: 'Defekt', text: 'Kaputt.', messageId });
    const [ack] = await waitForMail(people.customer, (m) => m.inReplyTo === messageId);
    const caseId = String(ack!.headers.get('x-nachfass-case'));
    const [alarm] = await waitForMail(admin, (m) => /abgewiesen/.test(m.subject ?? ''));
    expect(alarm!.subject).toContain(people.supervisor);
    expect(alarm!.subject).toContain(caseId);
    expect(alarm!.text).toMatch(/550|refus|abgewiesen/);
    const handle = app.client.workflow.getHandle(workflowIdFor(caseId));
    const deadline = Date.now() + 30_000;
    let state = await handle.query(caseStateQuery);
    while (!state.timeline.some((e) => e.event === 'mail:approval-request:refused') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      state = await handle.query(caseStateQuery);
    }
    expect(state.timeline.map((e) => e.event)).toContain('mail:approval-request:refused');
    expect(state.status).toBe('awaiting-decision');
    expect(state.customerUnreachable).toBeUndefined();
  });
});
