/**
 * The follow-up survey on the real stack: rating links from the customer's real mailbox opened in Chromium,
 * a low rating's follow-up owned, reminded, overdue to the level above and closed by its owner, a top rating
 * thanked and completed, and a window that closes with only a reply in the customer's own words.
 */
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import type { CaseState } from '../../workflows/case.js';
import { caseStateQuery, decideUpdate } from '../../workflows/messages.js';
import { SatisfactionKey } from '../../workflows/search-attributes.js';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { readFolder, sendViaSmtp, uniqueAddress, waitForMail } from '../helpers/mail.js';

/** The rating link for `value` from the follow-up's text part ("2 von 5 (eher unzufrieden):\n<url>"). */
function ratingLink(m: ParsedMail, value: number): string {
  const link = m.text?.match(
    new RegExp(`^${value} (?:von|of) 5 \\([^)]*\\):\\n(https?://\\S+/feedback/\\S+)$`, 'm'),
  )?.[1];
  if (!link) throw new Error(`no rating link for ${value} in "${m.subject}"`);
  return link;
}

function followUpLink(m: ParsedMail): string {
  const link = m.text?.match(/https?:\/\/\S+\/follow-up\/[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/)?.[0];
  if (!link) throw new Error(`no follow-up link in "${m.subject}"`);
  return link;
}

describe('feedback after the decision', () => {
  const people = testPeople();
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    const policy = testPolicy(people, {
      followUpAfter: '1s',
      feedbackWindow: '20s',
      lowRatingReminderAfter: '3s',
      lowRatingDue: '7s',
    });
    [app, browser] = await Promise.all([startTestApp(people, policy), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** A complaint from `customer`, approved by the supervisor; resolves with the case id and the follow-up mail. */
  async function caseAtFollowUp(customer: string, subject: string): Promise<{ caseId: string; followUp: ParsedMail }> {
    const messageId = `<fb-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({
      from: `"Erika Müller" <${customer}>`,
      to: people.support,
      subject,
      text: 'Guten Tag,\n\nder Toaster ist nach einer Woche kaputt. Bitte ersetzen Sie ihn.\n\nErika Müller',
      messageId,
    });
    const [ack] = await waitForMail(customer, (m) => m.inReplyTo === messageId);
    const caseId = String(ack!.headers.get('x-nachfass-case'));
    await app.client.workflow.getHandle(workflowIdFor(caseId)).executeUpdate(decideUpdate, {
      args: [{ outcome: 'approved', decidedBy: people.supervisor, noteToCustomer: 'Sie erhalten ein neues Gerät.' }],
    });
    const [followUp] = await waitForMail(customer, (m) => /\] Ihre Meinung:/.test(m.subject ?? ''));
    return { caseId, followUp: followUp! };
  }

  async function submitRating(link: string, rating: number, comment?: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(link);
    await page.check(`input[name=rating][value="${rating}"]`);
    if (comment) await page.fill('#comment', comment);
    await Promise.all([page.waitForURL(link), page.click('button[type=submit]')]);
    return page;
  }

  it('a rating of 2 is recorded, thanked once, and opens a follow-up its owner is reminded of and closes', async () => {
    const customer = uniqueAddress('kunde');
    const { caseId, followUp } = await caseAtFollowUp(customer, 'Toaster kaputt');
    const handle = app.client.workflow.getHandle(workflowIdFor(caseId));
    expect(followUp.text).toContain('Wie zufrieden sind Sie insgesamt?');
    expect(followUp.html).toContain('/feedback/');

    // Opening the link shows the page, names the 2 clicked, preselects nothing and records nothing.
    const link = ratingLink(followUp, 2);
    const page = await browser.newPage();
    await page.goto(link);
    expect(await page.textContent('h1')).toBe('Wie zufrieden sind Sie?');
    expect(await page.textContent('main')).toContain('In der E-Mail haben Sie 2 von 5 (eher unzufrieden) angeklickt');
    expect(await page.locator('input[name=rating]:checked').count()).toBe(0);
    // A scanner that submits the form as it stands (its hidden fields, with the page's cookie) records nothing.
    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const form = new URLSearchParams({ _csrf: await page.inputValue('input[name=_csrf]'), comment: '' });
    const scanner = (
      await fetch(link, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: form.toString(),
      })
    ).status;
    expect(scanner).toBe(400);
    expect((await handle.query(caseStateQuery)).feedback?.rating).toBeUndefined();
    await page.check('input[name=rating][value="2"]');
    await page.fill('#comment', 'Die Abwicklung hat viel zu lange gedauert.');
    await Promise.all([page.waitForURL(link), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Vielen Dank!');
    expect(await page.textContent('main')).toContain('Sabine Schulz kümmert sich persönlich darum');

    const rated = await handle.query(caseStateQuery);
    expect(rated.feedback?.rating).toMatchObject({
      value: 2,
      channel: 'link',
      comment: 'Die Abwicklung hat viel zu lange gedauert.',
    });
    expect(rated.lowRating).toMatchObject({ owner: people.supervisor, ownerName: 'Sabine Schulz', rating: 2 });
    expect(rated.timeline.map((e) => e.event)).toContain('rated');
    await expect
      .poll(async () => (await handle.describe()).typedSearchAttributes.get(SatisfactionKey), { timeout: 10_000 })
      .toBe(2);

    // The customer is thanked, told who looks into it and by when.
    const [thanks] = await waitForMail(customer, (m) => /\] Danke für Ihre Rückmeldung:/.test(m.subject ?? ''));
    expect(thanks!.text).toContain('2 von 5 (eher unzufrieden)');
    expect(thanks!.text).toMatch(/Sabine Schulz, .* meldet sich bis spätestens .+ Uhr bei Ihnen/);

    // The owner is told, then reminded; once overdue the level above hears of it.
    const [notice] = await waitForMail(people.supervisor, (m) =>
      /Niedrige Bewertung: Nachbereitung/.test(m.subject ?? ''),
    );
    expect(notice!.text).toContain('Die Abwicklung hat viel zu lange gedauert.');
    await waitForMail(people.supervisor, (m) => /\] Erinnerung: Nachbereitung/.test(m.subject ?? ''));
    const [overdue] = await waitForMail(people.manager, (m) => /\] Überfällig: Nachbereitung/.test(m.subject ?? ''));
    expect(overdue!.text).toContain('durch Sabine Schulz ist seit');
    expect((await handle.query(caseStateQuery)).status).toBe('feedback-follow-up');

    // The owner closes the loop on the follow-up page, with a message to the customer.
    const owner = await browser.newPage();
    const ownerLink = followUpLink(notice!);
    await owner.goto(ownerLink);
    expect(await owner.textContent('h1')).toBe(`Nachbereitung zu Fall ${caseId}`);
    expect(await owner.textContent('main')).toContain('Die Abwicklung hat viel zu lange gedauert.');
    await owner.fill('#note', 'Angerufen; Versandlabel kam zu spät. Labels jetzt am selben Tag.');
    await owner.fill('#messageToCustomer', 'Es tut mir leid, dass es so lange gedauert hat. Ihr Gutschein: 20 €.');
    await Promise.all([owner.waitForURL(ownerLink), owner.click('button[type=submit]')]);
    expect(await owner.textContent('h1')).toBe('Nachbereitung abgeschlossen');

    const [personal] = await waitForMail(customer, (m) => /\] Ihre Rückmeldung:/.test(m.subject ?? ''));
    expect(personal!.text).toContain('Ihr Gutschein: 20 €.');
    const result: CaseState = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.lowRating?.closed).toMatchObject({ by: people.supervisor, byName: 'Sabine Schulz' });
    expect(result.lowRating?.reminders).toBeGreaterThanOrEqual(1);
    expect(result.lowRating?.overdueNotified).toBeDefined();

    // Thanked once; the rating link now says it was used.
    const subjects = (await readFolder(customer)).map((m) => m.parsed.subject ?? '');
    expect(subjects.filter((s) => s.includes('Danke für Ihre Rückmeldung'))).toHaveLength(1);
    const again = await browser.newPage();
    await again.goto(ratingLink(followUp, 4));
    expect(await again.textContent('h1')).toBe('Bereits bewertet');
  });

  it('a rating of 5 is thanked for and the case completes without a follow-up', async () => {
    const customer = uniqueAddress('kunde');
    const { caseId, followUp } = await caseAtFollowUp(customer, 'Lieferung verspätet');
    const handle = app.client.workflow.getHandle(workflowIdFor(caseId));
    // A rating link is no decision or follow-up link, a forged one is refused, and a POST needs the page's form.
    const link = ratingLink(followUp, 5);
    const [base, token] = link.split('/feedback/') as [string, string];
    expect((await fetch(`${base}/decide/${token}`)).status).toBe(400);
    expect((await fetch(`${base}/follow-up/${token}`)).status).toBe(400);
    expect((await fetch(`${link.slice(0, -2)}${link.endsWith('AA') ? 'BB' : 'AA'}`)).status).toBe(400);
    const forged = await fetch(link, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'rating=1',
    });
    expect(forged.status).toBe(403);
    expect((await handle.query(caseStateQuery)).feedback?.rating).toBeUndefined();

    const page = await submitRating(link, 5);
    expect(await page.textContent('h1')).toBe('Vielen Dank!');

    const [thanks] = await waitForMail(customer, (m) => /\] Danke für Ihre Rückmeldung:/.test(m.subject ?? ''));
    expect(thanks!.text).toContain('Es freut uns, dass wir Ihnen helfen konnten.');
    const result: CaseState = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.feedback?.rating?.value).toBe(5);
    expect(result.lowRating).toBeUndefined();
    expect((await handle.describe()).typedSearchAttributes.get(SatisfactionKey)).toBe(5);
    const staffMail = await readFolder(people.supervisor);
    expect(
      staffMail.filter((m) => m.parsed.text?.includes(caseId) && /Nachbereitung/.test(m.parsed.subject ?? '')),
    ).toHaveLength(0);
  });

  it('a reply in the customer’s own words is feedback; the window closes and the case completes unrated', async () => {
    const customer = uniqueAddress('kunde');
    const { caseId, followUp } = await caseAtFollowUp(customer, 'Falsche Farbe');
    const handle = app.client.workflow.getHandle(workflowIdFor(caseId));
    await sendViaSmtp({
      from: customer,
      to: people.support,
      subject: `Re: ${followUp.subject}`,
      inReplyTo: followUp.messageId,
      references: [followUp.messageId!],
      text: 'Alles gut, aber die Hotline war schwer zu erreichen.',
    });
    const [thanks] = await waitForMail(customer, (m) => /\] Danke für Ihre Rückmeldung:/.test(m.subject ?? ''));
    expect(thanks!.text).toContain('an die Person weitergegeben, die über Ihren Fall entschieden hat');
    // Whoever decided reads it too.
    const [forwarded] = await waitForMail(people.supervisor, (m) =>
      (m.text ?? '').includes('die Hotline war schwer zu erreichen'),
    );
    expect(forwarded!.subject).toMatch(/\] Rückmeldung des Kunden:/);
    expect(forwarded!.text).toContain('auf unsere Zufriedenheitsumfrage geantwortet');

    const result: CaseState = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.feedback?.rating).toBeUndefined();
    expect(result.feedback?.comments.map((c) => c.text)).toEqual([
      expect.stringContaining('die Hotline war schwer zu erreichen'),
    ]);
    expect(result.feedback?.closedAt).toBeDefined();
    // Too late to rate: the page says the survey is closed, with status 410.
    const late = await fetch(ratingLink(followUp, 3));
    expect(late.status).toBe(410);
    expect(await late.text()).toContain('Die Umfrage ist geschlossen');
  });
});
