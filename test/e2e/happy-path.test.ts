/**
 * Happy path on the real stack: SMTP (Postfix) → support mailbox (Dovecot) → intake (IMAP IDLE) →
 * ComplaintWorkflow (Temporal dev server) → acknowledgment and approval request by mail → decision in
 * Chromium through the link page → decision and follow-up in the customer's real mailbox.
 */
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { caseStateQuery } from '../../workflows/messages.js';
import type { CaseState } from '../../workflows/case.js';
import { startTestApp, testPeople, testPolicy } from '../helpers/app.js';
import { launchBrowser } from '../helpers/browser.js';
import { decisionLink, readFolder, sendViaSmtp, waitForMail } from '../helpers/mail.js';

describe('a complaint by mail, decided through the link page', () => {
  const people = testPeople();
  let app: Awaited<ReturnType<typeof startTestApp>>;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startTestApp(people, testPolicy(people)), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('acknowledges, asks the supervisor, applies one decision, answers and follows up', async () => {
    const messageId = `<beschwerde-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    const sentAt = Date.now();
    await sendViaSmtp({
      from: `"Erika Müller" <${people.customer}>`,
      to: people.support,
      subject: 'Waschmaschine defekt – ich möchte eine Erstattung',
      text: 'Guten Tag,\n\nmeine Waschmaschine ist nach zwei Wochen kaputt. Ich möchte den Kaufpreis erstattet bekommen.\n\nErika Müller',
      messageId,
    });

    const [ack] = await waitForMail(people.customer, (m) => m.inReplyTo === messageId);
    const ackLatencyMs = Date.now() - sentAt;
    console.log(`acknowledgment in the customer's mailbox ${ackLatencyMs} ms after sending (polled every 250 ms)`);
    expect(ack!.subject).toMatch(/^\[Fall [0-9A-Z]{10}\] Re: Waschmaschine defekt/);
    expect(ack!.headers.get('auto-submitted')).toBe('auto-replied');
    expect(ack!.text).toContain('Vorgesetzte');
    expect(ack!.text).toMatch(/spätestens am .+ Uhr/);
    const caseId = String(ack!.headers.get('x-nachfass-case'));
    const handle = app.client.workflow.getHandle(workflowIdFor(caseId));

    const [request] = await waitForMail(people.supervisor, (m) => /Freigabe erbeten/.test(m.subject ?? ''));
    expect(request!.text).toContain('Erstattung');
    expect(request!.text).toContain('Warum eskaliert: Auswirkung: „Erstattung“');
    const link = decisionLink(request!);

    // Two tabs open the link (a double click, a colleague): showing the page decides nothing.
    const first = await browser.newPage();
    const second = await browser.newPage();
    await first.goto(link);
    await second.goto(link);
    expect(await first.textContent('h1')).toContain(caseId);
    expect(await first.textContent('blockquote')).toContain('nach zwei Wochen kaputt');
    expect((await handle.query(caseStateQuery)).decision).toBeUndefined();

    await first.check('input[value=approved]');
    await first.fill('#noteToCustomer', 'Wir erstatten Ihnen den vollen Kaufpreis von 499 €.');
    await first.fill('#internalNote', 'Kulanz, Gerät war fabrikneu.');
    await Promise.all([first.waitForURL(link), first.click('button[type=submit]')]);
    expect(await first.textContent('h1')).toBe('Entscheidung gespeichert');

    // The other tab's form is refused with who decided and when.
    await second.check('input[value=rejected]');
    await Promise.all([second.waitForURL(link), second.click('button[type=submit]')]);
    expect(await second.textContent('h1')).toBe('Bereits entschieden');
    expect(await second.textContent('main')).toContain('Sabine Schulz');

    const [decision] = await waitForMail(people.customer, (m) => /\] Entscheidung:/.test(m.subject ?? ''));
    expect(decision!.text).toContain('Wir erstatten Ihnen den vollen Kaufpreis von 499 €.');
    expect(decision!.text).not.toContain('Kulanz');
    expect(decision!.inReplyTo).toBe(messageId);
    const [followUp] = await waitForMail(people.customer, (m) => /\] Ihre Meinung:/.test(m.subject ?? ''));
    expect(followUp!.text).toContain('Was hätten wir besser machen können?');

    const result: CaseState = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.decision).toMatchObject({
      outcome: 'approved',
      decidedBy: people.supervisor,
      channel: 'link',
      internalNote: 'Kulanz, Gerät war fabrikneu.',
    });
    expect((await handle.describe()).status.name).toBe('COMPLETED');

    // Nothing deleted: the complaint moved from INBOX to Processed.
    expect(await readFolder(people.support, 'INBOX')).toHaveLength(0);
    const processed = await readFolder(people.support, 'Processed');
    expect(processed.map((m) => m.parsed.messageId)).toEqual([messageId]);
    // One acknowledgment, one decision, one follow-up: nothing doubled.
    expect(await readFolder(people.customer)).toHaveLength(3);

    // Writing again after the case completed opens a linked follow-up case (a completed case takes no signals).
    const again = `<nochmal-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({
      from: people.customer,
      to: people.support,
      subject: `Re: [Fall ${caseId}] Ihre Meinung: Waschmaschine defekt`,
      inReplyTo: followUp!.messageId,
      references: [messageId, followUp!.messageId!],
      text: 'Die Erstattung ist noch nicht angekommen.',
      messageId: again,
    });
    const [secondAck] = await waitForMail(people.customer, (m) => m.inReplyTo === again);
    const followCase = String(secondAck!.headers.get('x-nachfass-case'));
    expect(followCase).not.toBe(caseId);
    const followState = await app.client.workflow.getHandle(workflowIdFor(followCase)).query(caseStateQuery);
    expect(followState.timeline.find((e) => e.event === 'follows-up-case')?.detail).toBe(caseId);
  });
});
