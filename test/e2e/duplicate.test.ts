/** The very same mail delivered twice (same Message-ID) is one case, and both copies are kept. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countCases, startTestApp, testPeople, testPolicy } from '../helpers/app.js';
import { readFolder, sendRawViaSmtp, waitForMail } from '../helpers/mail.js';

describe('the same complaint twice', () => {
  const people = testPeople();
  let app: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    app = await startTestApp(people, testPolicy(people));
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('yields one case and one acknowledgment', async () => {
    const messageId = `<doppelt-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    const raw = [
      `From: Jonas Becker <${people.customer}>`,
      `To: ${people.support}`,
      `Subject: =?UTF-8?Q?Rechnung_doppelt_abgebucht_=E2=80=93_bitte_pr=C3=BCfen?=`,
      `Message-ID: ${messageId}`,
      'Date: Mon, 23 Nov 2026 10:00:00 +0100',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Sie haben meine Rechnung zweimal abgebucht. Bitte um Prüfung und Erstattung.',
      '',
    ].join('\r\n');
    await sendRawViaSmtp(people.customer, people.support, raw);
    await sendRawViaSmtp(people.customer, people.support, raw);

    // Both copies are archived in Processed, never deleted.
    const deadline = Date.now() + 60_000;
    while ((await readFolder(people.support, 'Processed')).length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
    expect((await readFolder(people.support, 'Processed')).map((m) => m.parsed.messageId)).toEqual([
      messageId,
      messageId,
    ]);
    expect(await readFolder(people.support, 'INBOX')).toHaveLength(0);

    const [ack] = await waitForMail(people.customer, (m) => m.inReplyTo === messageId);
    expect(ack!.subject).toContain('Rechnung doppelt abgebucht – bitte prüfen');
    expect(await countCases(app)).toBe(1);
    // Give a stray second acknowledgment time to arrive, then count (the first arrived in well under this).
    await new Promise((r) => setTimeout(r, 3000));
    expect((await readFolder(people.customer)).filter((m) => m.parsed.inReplyTo === messageId)).toHaveLength(1);
  });
});
