/** After a rejection the customer asks for a review by replying; the next level reviews; the outcome is mailed. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { decisionLink, sendViaSmtp, waitForMail } from '../helpers/mail.js';
import { openCase } from '../helpers/open-case.js';

describe('a review after a rejection', () => {
  const people = testPeople();
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([
      startTestApp(people, testPolicy(people, { followUpAfter: '20s', feedbackWindow: '2s' })),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function decide(link: string, outcome: string, note: string): Promise<void> {
    const page = await browser.newPage();
    await page.goto(link);
    await page.check(`input[value=${outcome}]`);
    await page.fill('#noteToCustomer', note);
    await Promise.all([page.waitForURL(link), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Entscheidung gespeichert');
    await page.close();
  }

  it('lets the next level review and mails the new outcome', async () => {
    const { messageId, link, handle } = await openCase(app, people, people.customer, 'Garantie abgelehnt', {
      text: 'Mein Handy ist nach 11 Monaten defekt.',
    });
    await decide(link, 'rejected', 'Wasserschaden ist von der Garantie ausgeschlossen.');
    const [rejection] = await waitForMail(people.customer, (m) => /\] Entscheidung:/.test(m.subject ?? ''));

    await sendViaSmtp({
      from: people.customer,
      to: people.support,
      subject: `Re: ${rejection!.subject}`,
      inReplyTo: rejection!.messageId,
      references: [messageId, rejection!.messageId!],
      text: 'Dagegen lege ich Widerspruch ein: Das Handy war nie im Wasser.',
    });
    const [reviewRequest] = await waitForMail(people.manager, (m) => /Überprüfung erbeten/.test(m.subject ?? ''));
    expect(reviewRequest!.text).toContain('Sabine Schulz hat abgelehnt');
    expect(reviewRequest!.text).toContain('Das Handy war nie im Wasser.');
    // The original decider is superseded by the review.
    expect((await fetch(link)).status).toBe(410);

    await decide(decisionLink(reviewRequest!), 'approved', 'Wir tauschen das Gerät kostenlos aus.');
    const [outcome] = await waitForMail(people.customer, (m) => /\] Überprüfung:/.test(m.subject ?? ''));
    expect(outcome!.text).toContain('noch einmal geprüft, diesmal durch Markus Weber');
    expect(outcome!.text).toContain('Wir tauschen das Gerät kostenlos aus.');

    const result = await handle.result();
    expect(result.decision).toMatchObject({ outcome: 'approved', decidedBy: people.manager });
    expect(result.review?.original).toMatchObject({ outcome: 'rejected', decidedBy: people.supervisor });
    await waitForMail(people.customer, (m) => /\] Ihre Meinung:/.test(m.subject ?? ''));
  });
});
