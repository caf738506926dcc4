/**
 * The approver asks the customer for more information: the customer's answer resumes the case; without an
 * answer the customer is reminded once and the approver is told when the reply deadline passes.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseStateQuery } from '../../workflows/messages.js';
import { startTestApp, testPeople, testPolicy, type TestApp, type TestPeople } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { sendViaSmtp, waitForMail } from '../helpers/mail.js';
import { openCase, type OpenedCase } from '../helpers/open-case.js';

/** Opens a case and asks its customer `question` through the supervisor's decision page. */
async function ask(app: TestApp, browser: Browser, people: TestPeople, question: string): Promise<OpenedCase> {
  const opened = await openCase(app, people, people.customer, 'Rechnung falsch', {
    text: 'Die Rechnung stimmt nicht.',
  });
  const { link } = opened;
  const page = await browser.newPage();
  await page.goto(link);
  await page.check('input[value=info]');
  await page.fill('#noteToCustomer', question);
  await Promise.all([page.waitForURL(link), page.click('button[type=submit]')]);
  expect(await page.textContent('h1')).toBe('Rückfrage an den Kunden gesendet');
  await page.close();
  return opened;
}

describe('asking the customer for more information', () => {
  let browser: Browser;
  const apps: TestApp[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all(apps.map((a) => a.stop()));
  });

  it('sends the question, and the customer’s answer reaches the approver, who then decides', async () => {
    const people = testPeople();
    const app = await startTestApp(people, testPolicy(people));
    apps.push(app);
    const { link, handle } = await ask(app, browser, people, 'Welche Rechnungsnummer ist betroffen?');
    const [question] = await waitForMail(people.customer, (m) => /\] Rückfrage:/.test(m.subject ?? ''));
    expect(question!.text).toContain('Unsere Frage:\nWelche Rechnungsnummer ist betroffen?');
    await sendViaSmtp({
      from: people.customer,
      to: people.support,
      subject: `Re: ${question!.subject}`,
      inReplyTo: question!.messageId,
      references: [question!.messageId!],
      text: 'Rechnung 2026-0815.',
    });
    const [fwd] = await waitForMail(people.supervisor, (m) => /Neue Nachricht des Kunden/.test(m.subject ?? ''));
    expect(fwd!.text).toContain('Rechnung 2026-0815.');
    expect((await handle.query(caseStateQuery)).infoRequest?.closed).toBe('answered');

    const page = await browser.newPage();
    await page.goto(link);
    await page.check('input[value=approved]');
    await Promise.all([page.waitForURL(link), page.click('button[type=submit]')]);
    await waitForMail(people.customer, (m) => /\] Entscheidung:/.test(m.subject ?? ''));
    const result = await handle.result();
    expect(result.timeline.map((e) => e.event)).toEqual(
      expect.arrayContaining(['info-requested', 'info-answered', 'decided']),
    );
  });

  it('reminds the customer once and tells the approver when no answer comes', async () => {
    const people = testPeople();
    const app = await startTestApp(people, testPolicy(people, { infoReminderAfter: '3s', infoTimeout: '6s' }));
    apps.push(app);
    const { handle } = await ask(app, browser, people, 'Haben Sie ein Foto vom Schaden?');
    await waitForMail(people.customer, (m) => /\] Erinnerung: Rückfrage:/.test(m.subject ?? ''));
    const [timeout] = await waitForMail(people.supervisor, (m) => /Keine Antwort des Kunden/.test(m.subject ?? ''));
    expect(timeout!.text).toContain('Haben Sie ein Foto vom Schaden?');
    const state = await handle.query(caseStateQuery);
    expect(state.infoRequest?.closed).toBe('timeout');
    expect(state.status).toBe('awaiting-decision');
  });
});
