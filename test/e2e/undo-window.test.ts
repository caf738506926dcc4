/**
 * The decision undo window on the real stack (policy decisionUndoWindow, seconds here): a decision in Chromium is
 * pending, the approver's receipt in their real mailbox carries the undo link, and the customer's real mailbox
 * shows only what stands. Undone inside the window, the customer never hears of it and the case can be decided
 * again; left alone, the customer hears once.
 */
import type { Browser, Page } from 'playwright-core';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { caseStateQuery } from '../../workflows/messages.js';
import { startTestApp, testPeople, testPolicy } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { eventually } from '../helpers/eventually.js';
import { readFolder, waitForMail } from '../helpers/mail.js';
import { openCase, type OpenedCase } from '../helpers/open-case.js';

/** Long enough to find the receipt in the mailbox and click its link on a busy machine, short for a test. */
const WINDOW = '12s';

const ofCase = (caseId: string) => (m: ParsedMail) => m.headers.get('x-nachfass-case') === caseId;

function undoLink(m: ParsedMail): string {
  const link = m.text?.match(/https?:\/\/\S+\/undo\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/)?.[0];
  if (!link) throw new Error(`no undo link in mail "${m.subject}"`);
  return link;
}

describe('decisions pending for the undo window', () => {
  const people = testPeople();
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([
      startTestApp(people, testPolicy(people, { followUpAfter: '1s' }, { decisionUndoWindow: WINDOW })),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Decides through the case link in Chromium; the answer is the pending page. */
  async function decideInBrowser(c: OpenedCase, outcome: 'approved' | 'rejected', note: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(c.link);
    await page.check(`input[value=${outcome}]`);
    await page.fill('#noteToCustomer', note);
    await Promise.all([page.waitForURL(c.link), page.click('button[type=submit]')]);
    return page;
  }

  /** The decision mails of the case in the customer's real mailbox. */
  const decisionsTold = async (c: OpenedCase): Promise<ParsedMail[]> =>
    (await readFolder(people.customer))
      .map((m) => m.parsed)
      .filter((m) => ofCase(c.caseId)(m) && /\] Entscheidung:/.test(m.subject ?? ''));

  it('decide, undo through the receipt mail in Chromium: the customer never hears; the case waits and is decided again', async () => {
    const c = await openCase(app, people, people.customer, 'Kaffeemaschine tropft');
    const decided = await decideInBrowser(c, 'approved', 'Wir tauschen die Maschine aus.');
    expect(await decided.textContent('h1')).toBe('Entscheidung vorläufig');
    expect(await decided.textContent('main')).toMatch(/Vorläufig bis \d\d:\d\d Uhr \(rückgängig machen\)/);

    // The receipt at once, in the approver's real mailbox: what, by which channel, and the undo link.
    const [receipt] = await waitForMail(
      people.supervisor,
      (m) => ofCase(c.caseId)(m) && /Entscheidung erfasst, rückgängig bis/.test(m.subject ?? ''),
    );
    expect(receipt!.text).toContain('genehmigt, über den Entscheidungslink');
    expect(receipt!.text).toMatch(/Adresse [0-9a-f.:]+; Browser /);
    const undo = undoLink(receipt!);

    // Anyone opening the case link meanwhile sees that it is pending.
    const other = await browser.newPage();
    await other.goto(c.link);
    expect(await other.textContent('main')).toMatch(/Vorläufig bis \d\d:\d\d Uhr/);

    // The undo link is no decision link, nor the other way round (the purpose is sealed in the token).
    expect((await fetch(undo.replace('/undo/', '/decide/'))).status).toBe(400);
    expect((await fetch(c.link.replace('/decide/', '/undo/'))).status).toBe(400);

    // Opening the undo page changes nothing; its button does.
    const page = await browser.newPage();
    await page.goto(undo);
    expect(await page.textContent('h1')).toContain('Entscheidung rückgängig machen');
    expect((await c.handle.query(caseStateQuery)).decision?.pendingUntil).toBeDefined();
    await Promise.all([page.waitForURL(undo), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Entscheidung zurückgenommen');

    const waiting = await c.handle.query(caseStateQuery);
    expect(waiting.decision).toBeUndefined();
    expect(waiting.status).toBe('awaiting-decision');
    expect(waiting.undone).toMatchObject([{ decision: { outcome: 'approved' }, by: people.supervisor }]);
    const events = waiting.timeline.map((e) => e.event);
    expect(events).toEqual(expect.arrayContaining(['decided', 'decision-undone']));
    // Once more: nothing pending to undo.
    const again = await browser.newPage();
    const response = await again.goto(undo);
    expect(response?.status()).toBe(409);

    // Decided again through the same case link; this one stands once its window closes.
    const second = await decideInBrowser(c, 'rejected', 'Leider können wir das nicht übernehmen.');
    expect(await second.textContent('h1')).toBe('Entscheidung vorläufig');
    const [told] = await waitForMail(
      people.customer,
      (m) => ofCase(c.caseId)(m) && /\] Entscheidung:/.test(m.subject ?? ''),
    );
    expect(told!.text).toContain('Leider können wir das nicht übernehmen.');
    // By now the first decision's window has long closed: the customer heard only the second decision, once.
    await waitForMail(people.customer, (m) => ofCase(c.caseId)(m) && /\] Ihre Meinung:/.test(m.subject ?? ''));
    const decisions = await decisionsTold(c);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.text).not.toContain('Wir tauschen die Maschine aus.');
    const final = await c.handle.query(caseStateQuery);
    expect(final.decision).toMatchObject({ outcome: 'rejected', decidedBy: people.supervisor });
    expect(final.timeline.map((e) => e.event).filter((e) => e === 'decided' || e.startsWith('decision-'))).toEqual([
      'decided',
      'decision-undone',
      'decided',
      'decision-final',
    ]);
    // The undo link ended with its window.
    const late = await browser.newPage();
    expect((await late.goto(undo))?.status()).toBe(410);
  });

  it('decide and let the window pass: the customer hears once, the receipt came once', async () => {
    const c = await openCase(app, people, people.customer, 'Toaster verbrennt alles');
    const decided = await decideInBrowser(c, 'approved', 'Sie erhalten einen neuen Toaster.');
    expect(await decided.textContent('h1')).toBe('Entscheidung vorläufig');
    await waitForMail(people.supervisor, (m) => ofCase(c.caseId)(m) && /Entscheidung erfasst/.test(m.subject ?? ''));

    const [told] = await waitForMail(
      people.customer,
      (m) => ofCase(c.caseId)(m) && /\] Entscheidung:/.test(m.subject ?? ''),
    );
    expect(told!.text).toContain('Sie erhalten einen neuen Toaster.');
    // The follow-up comes after the decision: by then a second decision mail would be there too.
    await waitForMail(people.customer, (m) => ofCase(c.caseId)(m) && /\] Ihre Meinung:/.test(m.subject ?? ''));
    expect(await decisionsTold(c)).toHaveLength(1);
    const receipts = (await readFolder(people.supervisor))
      .map((m) => m.parsed)
      .filter((m) => ofCase(c.caseId)(m) && /Entscheidung erfasst/.test(m.subject ?? ''));
    expect(receipts).toHaveLength(1);
    const state = await eventually('the decision to stand', async () => {
      const s = await c.handle.query(caseStateQuery);
      return s.timeline.some((e) => e.event === 'decision-final') ? s : undefined;
    });
    expect(state.decision?.pendingUntil).toBeUndefined();
    // The case link now says it is decided.
    const page = await browser.newPage();
    await page.goto(c.link);
    expect(await page.textContent('h1')).toBe('Bereits entschieden');
  });
});
