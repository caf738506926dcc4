/**
 * The approver's queue page in Chromium: five cases waiting for the supervisor are listed soonest due first
 * (a P1 case opened last is due first), each with its decision link; after one is decided on its page the queue
 * lists the other four. Read from Temporal visibility (the ApproverHash search attribute) and each case's state.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePolicy } from '../../worker/policy.js';
import { caseStateQuery } from '../../workflows/messages.js';
import { startTestApp, testPeople, testPolicyYaml, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { openCase, type OpenedCase } from '../helpers/open-case.js';

const QUEUE_LINK = /https?:\/\/\S+\/queue\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/;

describe('the supervisor’s queue page', () => {
  const people = testPeople();
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    // P1 cases are promised sooner than the rest: the queue's order is the promise's, not the arrival's.
    const yaml = `${testPolicyYaml(people)}matrix:\n  P1: { answerPromise: 5m }\n`;
    [app, browser] = await Promise.all([startTestApp(people, parsePolicy(yaml, 'queue test')), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('lists five waiting cases in due order; a decided one leaves the queue', async () => {
    const opened: OpenedCase[] = [];
    for (let i = 1; i <= 5; i++) {
      const text = i === 5 ? 'Bitte sofort die Erstattung veranlassen.' : `Anliegen Nummer ${i}.`;
      opened.push(await openCase(app, people, `"Kundin ${i}" <${people.customer}>`, `Anliegen ${i}`, { text }));
    }
    const states = await Promise.all(opened.map((c) => c.handle.query(caseStateQuery)));
    expect(states[4]!.assessment.priority).toBe('P1');
    const dueOrder = [...states]
      .sort((a, b) => Date.parse(a.promisedBy) - Date.parse(b.promisedBy))
      .map((s) => s.caseId);
    expect(dueOrder[0]).toBe(opened[4]!.caseId);

    // Every staff mail carries the recipient's queue link.
    const queueLink = opened[0]!.request.text?.match(QUEUE_LINK)?.[0];
    expect(queueLink).toBeDefined();

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const listed = async (): Promise<string[]> =>
      Promise.all(
        (await page.locator('section.queue-case').all()).map(async (e) => (await e.getAttribute('data-case')) ?? ''),
      );
    await page.goto(queueLink!);
    expect(await page.textContent('h1')).toBe('Wartet auf Ihre Entscheidung');
    expect(await listed()).toEqual(dueOrder);
    const first = page.locator('section.queue-case').first();
    expect(await first.textContent()).toContain('Anliegen 5');
    expect(await first.textContent()).toContain('Kundin 5');
    expect(await first.textContent()).toContain('P1');
    // Readable on a phone: nothing wider than the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);

    // Showing the queue changed nothing: every case still waits.
    const after = await Promise.all(opened.map((c) => c.handle.query(caseStateQuery)));
    expect(after.map((s) => s.status)).toEqual(Array(5).fill('awaiting-decision'));

    // Decide the second case through its link on the queue page.
    const decided = dueOrder[1]!;
    await page.locator(`section[data-case="${decided}"] a`).click();
    expect(await page.textContent('h1')).toBe(`Entscheidung zu Fall ${decided}`);
    await page.check('input[value=approved]');
    await Promise.all([page.waitForLoadState(), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Entscheidung gespeichert');

    const rest = dueOrder.filter((id) => id !== decided);
    for (let tries = 0; ; tries++) {
      await page.goto(queueLink!);
      const now = await listed();
      if (now.length === 4 || tries >= 40) {
        expect(now).toEqual(rest);
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await page.textContent('main')).toContain('4 Fälle warten auf Ihre Entscheidung.');
  });
});
