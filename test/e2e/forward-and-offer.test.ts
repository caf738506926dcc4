/**
 * More choices on the approval page: the supervisor forwards the case to management with a reason, and
 * management approves with an alternative offer, which the customer receives.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { decisionLink, waitForMail } from '../helpers/mail.js';
import { openCase } from '../helpers/open-case.js';

describe('forwarding and an alternative offer', () => {
  const people = testPeople();
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startTestApp(people, testPolicy(people)), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('forwards to the next level with a reason, and the next level offers an alternative', async () => {
    const { link: supervisorLink, handle } = await openCase(app, people, people.customer, 'Sofa beschädigt geliefert', {
      text: 'Ich möchte 1.200 € zurück.',
    });

    const page = await browser.newPage();
    await page.goto(supervisorLink);
    await page.check('input[value=forward]');
    await page.fill('#internalNote', 'Über 1.000 €: das entscheidet die Geschäftsleitung.');
    await Promise.all([page.waitForURL(supervisorLink), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('An die nächste Ebene weitergegeben');
    expect(await page.textContent('main')).toContain('Markus Weber');

    const [escalation] = await waitForMail(people.manager, (m) => /Eskalation: Freigabe erbeten/.test(m.subject ?? ''));
    expect(escalation!.text).toContain('Sabine Schulz hat Fall');
    expect(escalation!.text).toContain('Über 1.000 €: das entscheidet die Geschäftsleitung.');
    // The supervisor's link is superseded now.
    expect((await fetch(supervisorLink)).status).toBe(410);

    const managerLink = decisionLink(escalation!);
    await page.goto(managerLink);
    expect(await page.locator('input[value=forward]').count()).toBe(0); // nobody above management
    await page.check('input[value=alternative]');
    await Promise.all([page.waitForURL(managerLink), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Unvollständiges Formular'); // an offer needs its description
    await page.goto(managerLink);
    await page.check('input[value=alternative]');
    await page.fill('#noteToCustomer', 'Wir erstatten 300 € und holen das Sofa zur Reparatur ab.');
    await Promise.all([page.waitForURL(managerLink), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Entscheidung gespeichert');

    const [decision] = await waitForMail(people.customer, (m) => /\] Entscheidung:/.test(m.subject ?? ''));
    expect(decision!.text).toContain('wir möchten Ihnen eine andere Lösung anbieten');
    expect(decision!.text).toContain('Unser Angebot:\nWir erstatten 300 € und holen das Sofa zur Reparatur ab.');
    const result = await handle.result();
    expect(result).toMatchObject({ level: 1, decision: { outcome: 'alternative', decidedBy: people.manager } });
    expect(result.timeline.map((e) => e.event)).toEqual(
      expect.arrayContaining(['forwarded', 'mail:escalation', 'decided']),
    );
  });
});
