/**
 * Nobody decides in time: the supervisor is reminded (in their reminder digest), the case escalates to the manager, the customer
 * gets a progress update when the promise falls due, and a late decision still completes the case.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testPeople, testPolicy } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { decisionLink, readFolder, waitForMail } from '../helpers/mail.js';
import { openCase } from '../helpers/open-case.js';

describe('a complaint nobody decides in time', () => {
  const people = testPeople();
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;

  beforeAll(async () => {
    const policy = testPolicy(people, {
      // Business time on a calendar that is always open: exercises the calendar inside the workflow sandbox.
      reminderAfter: '0.00111bh',
      answerPromise: '7s',
      escalateAfter: '10s',
      followUpAfter: '1s',
    });
    [app, browser] = await Promise.all([startTestApp(people, policy), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('reminds, escalates, updates the customer, and accepts the late decision of the next level', async () => {
    const {
      messageId,
      link: supervisorLink,
      handle,
    } = await openCase(app, people, people.customer, 'Lieferung seit drei Wochen überfällig', {
      text: 'Meine Bestellung 4711 ist immer noch nicht da.',
    });

    const [reminder] = await waitForMail(people.supervisor, (m) => /Erinnerung: 1 Fall wartet/.test(m.subject ?? ''));
    expect(reminder!.text).toContain('wartet weiterhin auf Ihre Entscheidung');
    expect(decisionLink(reminder!)).toMatch(/\/decide\//); // the case is listed with its decision link
    const [update] = await waitForMail(people.customer, (m) => /\] Zwischenstand:/.test(m.subject ?? ''));
    expect(update!.text).toContain('Sie hören spätestens am');
    expect(update!.inReplyTo).toBe(messageId);
    const [escalation] = await waitForMail(people.manager, (m) => /Eskalation: Freigabe erbeten/.test(m.subject ?? ''));
    expect(escalation!.text).toContain('weil auf der vorigen Ebene nicht rechtzeitig entschieden wurde');

    // The supervisor's own link is superseded now: it says who has the case, and offers no form.
    const stale = await fetch(supervisorLink);
    expect(stale.status).toBe(410);
    const staleHtml = await stale.text();
    expect(staleHtml).toContain('Dieser Link gilt nicht mehr');
    expect(staleHtml).toContain('Markus Weber (Geschäftsleitung)');
    expect(staleHtml).not.toContain('<form');

    // The manager decides late, through the link in the escalation mail, and rejects.
    const page = await browser.newPage();
    const link = decisionLink(escalation!);
    await page.goto(link);
    expect(await page.textContent('legend')).toContain('Markus Weber');
    await page.check('input[value=rejected]');
    await page.fill('#noteToCustomer', 'Die Lieferung ist laut Spediteur zugestellt worden.');
    await Promise.all([page.waitForURL(link), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Entscheidung gespeichert');

    const [decision] = await waitForMail(people.customer, (m) => /\] Entscheidung:/.test(m.subject ?? ''));
    expect(decision!.text).toContain('können ihm aber leider nicht entsprechen');
    expect(decision!.text).toContain('laut Spediteur zugestellt');
    await waitForMail(people.customer, (m) => /\] Ihre Meinung:/.test(m.subject ?? ''));

    const result = await handle.result();
    expect(result).toMatchObject({
      status: 'completed',
      level: 1,
      decision: { outcome: 'rejected', decidedBy: people.manager, level: 1 },
    });
    const events = result.timeline.map((e) => e.event);
    expect(events).toEqual(
      expect.arrayContaining([
        'reminder-digested',
        'mail:progress-update',
        'mail:escalation',
        'decided',
        'mail:follow-up',
      ]),
    );
    expect(events.indexOf('reminder-digested')).toBeLessThan(events.indexOf('mail:escalation'));
    expect((await readFolder(people.supervisor)).length).toBeGreaterThanOrEqual(2);
  });
});
