/**
 * Our acknowledgment goes to whatever From a sender wrote: on the real stack, a sender who puts a phishing text
 * into the display name and subject (and a victim's address into From) gets no relay out of us.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { sendViaSmtp, uniqueAddress, waitForMail } from '../helpers/mail.js';

describe('no phishing relay', () => {
  const people = testPeople();
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(people, testPolicy(people));
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('greets the victim without the forged display name and repeats no link from the subject', async () => {
    const victim = uniqueAddress('opfer');
    const messageId = `<phish-${randomBytes(6).toString('hex')}@evil.example>`;
    await sendViaSmtp({
      from: { name: 'Ihr Konto wurde gesperrt - jetzt entsperren: https://evil.example/login', address: victim },
      to: people.support,
      subject:
        'Sicherheitshinweis: Bestätigen Sie Ihre Daten unter https://evil.example/login innerhalb von 24 Stunden',
      text: 'Bitte bestätigen Sie Ihr Konto.',
      messageId,
    });
    const [ack] = await waitForMail(victim, (m) => m.inReplyTo === messageId);
    const everything = `${ack!.headers.get('to') ? JSON.stringify(ack!.headers.get('to')) : ''}\n${ack!.subject}\n${ack!.text}\n${ack!.html}`;
    expect(everything).not.toContain('evil.example');
    expect(everything).not.toContain('gesperrt');
    expect(ack!.text).toContain('Guten Tag,');
    expect(ack!.subject!.length).toBeLessThan(120);
    // Staff still see what the sender wrote (the request to the supervisor quotes it).
    const [request] = await waitForMail(people.supervisor, (m) => (m.text ?? '').includes(victim));
    expect(request!.text).toContain('https://evil.example/login');
  });
});
