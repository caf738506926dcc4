/**
 * Mail that belongs to an existing case, on the real stack: a customer's reply reaches its case and the
 * supervisor; a vacation notice answering our acknowledgment is recorded, never answered; a real Postfix
 * bounce of our acknowledgment marks the customer unreachable and tells the supervisor. None opens a case.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { caseStateQuery } from '../../workflows/messages.js';
import type { CaseState } from '../../workflows/case.js';
import { countCases, startTestApp, testPeople, testPolicy } from '../helpers/app.js';
import { decisionLink, readFolder, sendRawViaSmtp, sendViaSmtp, uniqueAddress, waitForMail } from '../helpers/mail.js';
import { mailPorts } from '../helpers/ports.js';

describe('mail about an existing case', () => {
  const people = testPeople();
  let app: Awaited<ReturnType<typeof startTestApp>>;

  beforeAll(async () => {
    // Outgoing mail through the Postfix listener that accepts unknown recipients and bounces them later.
    app = await startTestApp(people, testPolicy(people), { SMTP_PORT: String(mailPorts.smtpDsn) });
  });
  afterAll(async () => {
    await app?.stop();
  });

  async function complain(
    from: string,
    subject: string,
  ): Promise<{ caseId: string; ack: () => Promise<string>; state: () => Promise<CaseState> }> {
    const messageId = `<k-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({
      from,
      to: people.support,
      subject,
      text: 'Meine Bestellung ist beschädigt angekommen.',
      messageId,
    });
    const [request] = await waitForMail(
      people.supervisor,
      (m) => /Freigabe erbeten/.test(m.subject ?? '') && (m.text ?? '').includes(from),
    );
    const caseId = String(request!.headers.get('x-nachfass-case'));
    const handle = app.client.workflow.getHandle(workflowIdFor(caseId));
    // Our Message-IDs are keyed (activities/mail-ids.ts): the customer knows the acknowledgment's id by receiving it.
    const ack = async (): Promise<string> => {
      const [mine] = await waitForMail(
        from,
        (m) => m.headers.get('x-nachfass-case') === caseId && m.headers.get('x-nachfass-kind') === 'acknowledgment',
      );
      return mine!.messageId!;
    };
    return { caseId, ack, state: () => handle.query(caseStateQuery) };
  }

  it('hands a customer reply to its case and forwards it to the supervisor, without a new case', async () => {
    const c = await complain(people.customer, 'Paket beschädigt');
    const ackId = await c.ack();
    const before = await countCases(app);
    await sendViaSmtp({
      from: people.customer,
      to: people.support,
      subject: `Re: [Fall ${c.caseId}] Re: Paket beschädigt`,
      inReplyTo: ackId,
      references: [ackId],
      text: 'Hier sind die Fotos vom Schaden.\n\nAm 23.11.2026 schrieb Kundenservice:\n> Vielen Dank für Ihre Nachricht',
    });
    const [fwd] = await waitForMail(
      people.supervisor,
      (m) => /Neue Nachricht des Kunden/.test(m.subject ?? '') && m.headers.get('x-nachfass-case') === c.caseId,
    );
    expect(fwd!.text).toContain('Hier sind die Fotos vom Schaden.');
    expect(fwd!.text).not.toContain('Vielen Dank für Ihre Nachricht');
    const state = await c.state();
    expect(state.replies).toHaveLength(1);
    expect(state.timeline.map((e) => e.event)).toContain('customer-replied');
    expect(await countCases(app)).toBe(before);
  });

  it('records a vacation notice to our acknowledgment on the case and never answers it', async () => {
    const customer = uniqueAddress('urlaub');
    const c = await complain(customer, 'Falsche Farbe geliefert');
    const ackId = await c.ack();
    const before = await countCases(app);
    // As Dovecot's Sieve vacation sends it (RFC 3834): null Return-Path, Auto-Submitted, answering our mail.
    const vacation = [
      `From: ${customer}`,
      `To: ${people.support}`,
      'Subject: Automatische Antwort: [Fall ' + c.caseId + '] Re: Falsche Farbe geliefert',
      `Message-ID: <vac-${randomBytes(4).toString('hex')}@example.test>`,
      `In-Reply-To: ${ackId}`,
      `References: ${ackId}`,
      'Auto-Submitted: auto-replied (vacation)',
      'Precedence: bulk',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Ich bin bis 30.11. nicht im Büro.',
      '',
    ].join('\r\n');
    await sendRawViaSmtp('', people.support, vacation);
    const deadline = Date.now() + 30_000;
    let state = await c.state();
    while (!state.timeline.some((e) => e.event === 'auto-reply-received') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      state = await c.state();
    }
    expect(state.timeline.find((e) => e.event === 'auto-reply-received')?.detail).toContain(
      'Auto-Submitted: auto-replied (vacation)',
    );
    expect(state.replies).toHaveLength(0);
    expect(await countCases(app)).toBe(before);
    expect((await readFolder(customer)).map((m) => m.parsed.messageId)).toEqual([ackId]);
  });

  it('turns a real Postfix bounce of our acknowledgment into "customer unreachable" for the supervisor', async () => {
    const customer = `kunde-${randomBytes(3).toString('hex')}@nouser.example.test`;
    const c = await complain(customer, 'Rechnung falsch');
    const before = await countCases(app);
    const [notice] = await waitForMail(
      people.supervisor,
      (m) => /Kunde nicht erreichbar/.test(m.subject ?? '') && m.headers.get('x-nachfass-case') === c.caseId,
    );
    expect(notice!.text).toContain(customer);
    const state = await c.state();
    expect(state.customerUnreachable?.status).toMatch(/^5\.1\.1$/);
    expect(state.timeline.find((e) => e.event === 'delivery-failed')?.detail).toContain('acknowledgment');
    expect(await countCases(app)).toBe(before);
    // The bounce is kept with the case's mail, never deleted.
    const processed = await readFolder(people.support, 'Processed');
    expect(
      processed.some(
        (m) =>
          m.parsed.headers.get('content-type')?.toString().includes('multipart/report') ||
          /Undelivered|Unzustellbar/i.test(m.parsed.subject ?? ''),
      ),
    ).toBe(true);
  });

  it('closes the case politely when the customer withdraws it ("hat sich erledigt")', async () => {
    const customer = uniqueAddress('erledigt');
    const c = await complain(customer, 'Lieferung fehlt');
    const [request] = await waitForMail(
      people.supervisor,
      (m) => m.headers.get('x-nachfass-case') === c.caseId && /Freigabe erbeten/.test(m.subject ?? ''),
    );
    const ackId = await c.ack();
    await sendViaSmtp({
      from: customer,
      to: people.support,
      subject: `Re: [Fall ${c.caseId}] Re: Lieferung fehlt`,
      inReplyTo: ackId,
      references: [ackId],
      text: 'Das Paket ist heute gekommen, das hat sich erledigt. Danke!',
    });
    const [closed] = await waitForMail(customer, (m) => /\] Abgeschlossen:/.test(m.subject ?? ''));
    expect(closed!.text).toContain('haben wir Ihren Fall');
    await waitForMail(
      people.supervisor,
      (m) => m.headers.get('x-nachfass-case') === c.caseId && /\] Zurückgezogen:/.test(m.subject ?? ''),
    );
    const result: CaseState = await app.client.workflow.getHandle(workflowIdFor(c.caseId)).result();
    expect(result.status).toBe('withdrawn');
    expect(result.withdrawn?.phrase).toBe('hat sich erledigt');
    const stale = await fetch(decisionLink(request!));
    expect(stale.status).toBe(410);
    expect(await stale.text()).toContain('Beschwerde zurückgezogen');
  });

  it('lets nobody else withdraw the case: not a stranger, not the customer’s address on a guessed thread', async () => {
    const customer = uniqueAddress('kunde');
    const c = await complain(customer, 'Retoure fehlt');
    await c.ack();
    // Anyone knows the case number (subject) and can guess the shape of our ids; nobody can guess their MAC.
    const guessed = `<${c.caseId}.1.acknowledgment@example.test>`;
    const forged = (from: string, text: string) =>
      sendViaSmtp({
        from,
        to: people.support,
        subject: `Re: [Fall ${c.caseId}] Re: Retoure fehlt`,
        inReplyTo: guessed,
        references: [guessed],
        text,
      });
    await forged(uniqueAddress('fremd'), 'Das hat sich erledigt.');
    await forged(customer, 'Ich ziehe meine Beschwerde zurück.');
    await waitForMail(
      people.supervisor,
      (m) => /Neue Nachricht des Kunden/.test(m.subject ?? '') && m.headers.get('x-nachfass-case') === c.caseId,
      { count: 2 },
    );
    const state = await c.state();
    expect(state.withdrawn).toBeUndefined();
    expect(state.status).toBe('awaiting-decision');
    expect(state.timeline.filter((e) => e.event === 'steering-refused')).toHaveLength(2);
    expect(state.replies).toHaveLength(2);
  });

  it('does not take a forged bounce: without our signed envelope id, mail to the customer goes on', async () => {
    const customer = uniqueAddress('kunde');
    const c = await complain(customer, 'Bestellung storniert');
    await c.ack();
    const boundary = `b-${randomBytes(4).toString('hex')}`;
    const fake = [
      'From: Mail Delivery System <MAILER-DAEMON@example.test>',
      `To: ${people.support}`,
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <fake-${randomBytes(4).toString('hex')}@example.test>`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      `--${boundary}`,
      'Content-Type: message/delivery-status',
      '',
      `Original-Envelope-Id: ${c.caseId}.1`,
      '',
      `Final-Recipient: rfc822; ${customer}`,
      'Action: failed',
      'Status: 5.1.1',
      `--${boundary}--`,
      '',
    ].join('\r\n');
    await sendRawViaSmtp('', people.support, fake);
    const deadline = Date.now() + 30_000;
    let state = await c.state();
    while (!state.timeline.some((e) => e.event === 'delivery-report-unverified') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      state = await c.state();
    }
    expect(state.timeline.map((e) => e.event)).toContain('delivery-report-unverified');
    expect(state.customerUnreachable).toBeUndefined();
  });
});
