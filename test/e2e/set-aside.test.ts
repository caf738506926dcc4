/** Mail that must not become a case is set aside with its reason, never deleted, and intake goes on. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCases, startTestApp, testPeople, testPolicy } from '../helpers/app.js';
import { deliverViaLmtp, readFolder, sendViaSmtp, uniqueAddress, waitForMail } from '../helpers/mail.js';

describe('robots and broken mail', () => {
  const people = testPeople();
  let app: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    app = await startTestApp(people, testPolicy(people));
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('puts list mail and no-reply mail in Ignored, mail without sender in Quarantine, and still takes the next complaint', async () => {
    const id = () => `<${randomBytes(6).toString('hex')}@lists.example.test>`;
    await sendViaSmtp({
      from: 'kunden-forum@lists.example.test',
      to: people.support,
      subject: 'Wochenrückblick im Forum',
      text: 'Neue Beiträge …',
      messageId: id(),
      headers: { 'List-Id': '<forum.lists.example.test>', 'List-Unsubscribe': '<mailto:leave@lists.example.test>' },
    });
    await sendViaSmtp({
      from: 'no-reply@shop.example.test',
      to: people.support,
      subject: 'Ihre Bestellung wurde versandt',
      text: 'Sendungsnummer 123',
      messageId: id(),
    });
    const noSender = [
      'To: ' + people.support,
      'Subject: ohne Absender',
      `Message-ID: ${id()}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Wer bin ich?',
      '',
    ].join('\r\n');
    await deliverViaLmtp('nobody@example.test', people.support, noSender);
    const real = `<echt-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({
      from: people.customer,
      to: people.support,
      subject: 'Gerät defekt',
      text: 'Bitte helfen Sie mir.',
      messageId: real,
    });

    await waitForMail(people.customer, (m) => m.inReplyTo === real);
    const ignored = await waitForMail(people.support, () => true, { folder: 'Ignored', count: 2 });
    expect(ignored.map((m) => m.subject).sort()).toEqual([
      'Ihre Bestellung wurde versandt',
      'Wochenrückblick im Forum',
    ]);
    const quarantined = await waitForMail(people.support, () => true, { folder: 'Quarantine' });
    expect(quarantined.map((m) => m.subject)).toEqual(['ohne Absender']);
    expect(await readFolder(people.support, 'INBOX')).toHaveLength(0);
    // Nobody was answered but the customer.
    expect(await countCases(app)).toBe(1);
  });
});

describe('acknowledgment rate limit per sender', () => {
  const people = testPeople();
  let app: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    app = await startTestApp(people, testPolicy(people), { ACK_RATE_LIMIT: '2/1h' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('opens every case but acknowledges at most the limit', async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const id = `<flut-${i}-${randomBytes(4).toString('hex')}@kunden.example.test>`;
      ids.push(id);
      await sendViaSmtp({
        from: people.customer,
        to: people.support,
        subject: `Beschwerde Nr. ${i}`,
        text: `Problem ${i}`,
        messageId: id,
      });
    }
    await waitForMail(people.supervisor, (m) => /Freigabe erbeten/.test(m.subject ?? ''), { count: 3 });
    expect(await countCases(app)).toBe(3);
    await new Promise((r) => setTimeout(r, 2000));
    const acks = (await readFolder(people.customer)).filter((m) => ids.includes(m.parsed.inReplyTo ?? ''));
    expect(acks).toHaveLength(2);
  });
});

describe('acknowledgment rate limit in all', () => {
  const people = testPeople();
  let app: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    app = await startTestApp(people, testPolicy(people), { ACK_GLOBAL_RATE_LIMIT: '2/1h' });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('opens a case for every sender of a flood but acknowledges at most the limit in all', async () => {
    const senders = [1, 2, 3].map((i) => uniqueAddress(`opfer${i}`));
    for (const [i, from] of senders.entries()) {
      await sendViaSmtp({ from, to: people.support, subject: `Beschwerde Nr. ${i}`, text: `Problem ${i}` });
    }
    await waitForMail(people.supervisor, (m) => /Freigabe erbeten/.test(m.subject ?? ''), { count: 3 });
    expect(await countCases(app)).toBe(3);
    await new Promise((r) => setTimeout(r, 2000));
    const acked = await Promise.all(senders.map(async (s) => (await readFolder(s)).length));
    expect(acked.reduce((a, b) => a + b, 0)).toBe(2);
  });
});
