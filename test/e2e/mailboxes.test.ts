/**
 * Several watched folders, each with its own defaults from the policy: the "English" folder answers in
 * English and routes to its own team, INBOX keeps German and the main ladder.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../worker/policy.js';
import { startTestApp, testPeople, testPolicyYaml, type TestApp } from '../helpers/app.js';
import { sendViaSmtp, uniqueAddress, waitForMail, withImap } from '../helpers/mail.js';

describe('several watched folders', () => {
  const people = testPeople();
  const lead = uniqueAddress('lead');
  let app: TestApp;

  beforeAll(async () => {
    const yaml = `${testPolicyYaml(people)}
teams:
  international:
    - { role: Team Lead, name: Alex Smith, address: ${lead}, language: en }
mailboxes:
  English: { language: en, team: international }
`;
    app = await startTestApp(people, parsePolicy(yaml, 'test policy with teams'), { IMAP_MAILBOX: 'INBOX, English' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('runs one intake per folder and applies each folder’s language and team', async () => {
    expect(app.intakeWorkflowIds).toHaveLength(2);
    // A mail a filter rule put into "English" (here appended over IMAP); it carries no language hint.
    const englishId = `<en-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    const raw = [
      `From: ${people.customer}`,
      `To: ${people.support}`,
      'Subject: Kaputt',
      `Message-ID: ${englishId}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hallo',
      '',
    ].join('\r\n');
    await withImap(people.support, async (c) => {
      if (!(await c.list()).some((m) => m.path === 'English')) await c.mailboxCreate('English');
      await c.append('English', raw);
    });
    const germanId = `<de-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({
      from: people.customer,
      to: people.support,
      subject: 'Defekt',
      text: 'Hallo',
      messageId: germanId,
    });

    const [english] = await waitForMail(people.customer, (m) => m.inReplyTo === englishId);
    expect(english!.subject).toMatch(/^\[Case [0-9A-Z]{10}\]/);
    expect(english!.text).toContain('You will hear from us by');
    const [request] = await waitForMail(lead, (m) => /Approval needed/.test(m.subject ?? ''));
    expect(request!.text).toContain('Dear Alex Smith');

    const [german] = await waitForMail(people.customer, (m) => m.inReplyTo === germanId);
    expect(german!.subject).toMatch(/^\[Fall [0-9A-Z]{10}\]/);
    await waitForMail(people.supervisor, (m) => /Freigabe erbeten/.test(m.subject ?? ''));
  });
});
