/**
 * Deciding by reply mail on the real stack: accepted only from the addressed approver, only as an answer
 * to that request, only with a clear keyword on the first line; anything else is explained, never guessed.
 */
import { randomBytes } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { caseStateQuery } from '../../workflows/messages.js';
import type { CaseState } from '../../workflows/case.js';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { sendViaSmtp, uniqueAddress, waitForMail } from '../helpers/mail.js';

describe('a decision by reply mail', () => {
  const people = testPeople();
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(people, testPolicy(people));
  });
  afterAll(async () => {
    await app?.stop();
  });

  async function openCase(
    customer: string,
  ): Promise<{ caseId: string; request: ParsedMail; state: () => Promise<CaseState> }> {
    const messageId = `<m-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    await sendViaSmtp({
      from: customer,
      to: people.support,
      subject: 'Toaster defekt',
      text: 'Der Toaster brennt alles an.',
      messageId,
    });
    const [request] = await waitForMail(
      people.supervisor,
      (m) => /Freigabe erbeten/.test(m.subject ?? '') && (m.text ?? '').includes(customer),
    );
    const caseId = String(request!.headers.get('x-nachfass-case'));
    const handle = app.client.workflow.getHandle(workflowIdFor(caseId));
    return { caseId, request: request!, state: () => handle.query(caseStateQuery) };
  }

  const answer = (from: string, request: ParsedMail, text: string): Promise<void> =>
    sendViaSmtp({
      from,
      to: people.support,
      subject: `Re: ${request.subject}`,
      inReplyTo: request.messageId,
      references: [request.messageId!],
      text: `${text}\n\nAm 23.11.2026 schrieb Kundenservice:\n> Freigabe erbeten`,
    });

  it('takes GENEHMIGT from the addressed approver as the decision, with the rest as the note', async () => {
    const customer = uniqueAddress('kunde');
    const c = await openCase(customer);
    await answer(people.supervisor, c.request, 'GENEHMIGT\n\nWir schicken Ihnen einen neuen Toaster.');
    const [decision] = await waitForMail(customer, (m) => /\] Entscheidung:/.test(m.subject ?? ''));
    expect(decision!.text).toContain('Ihrem Anliegen wurde stattgegeben');
    expect(decision!.text).toContain('Wir schicken Ihnen einen neuen Toaster.');
    expect(decision!.text).not.toContain('Freigabe erbeten');
    expect((await c.state()).decision).toMatchObject({
      outcome: 'approved',
      decidedBy: people.supervisor,
      channel: 'mail',
    });
  });

  it('does not take a keyword from someone else: a stranger’s mail is only forwarded', async () => {
    const customer = uniqueAddress('kunde');
    const c = await openCase(customer);
    const stranger = uniqueAddress('fremd');
    await answer(stranger, c.request, 'GENEHMIGT');
    await waitForMail(
      people.supervisor,
      (m) => /Neue Nachricht des Kunden/.test(m.subject ?? '') && m.headers.get('x-nachfass-case') === c.caseId,
    );
    const state = await c.state();
    expect(state.decision).toBeUndefined();
    expect(state.replies.map((r) => r.from)).toEqual([stranger]);
  });

  it('explains instead of guessing: an unclear answer, and the next level answering a request it did not get', async () => {
    const customer = uniqueAddress('kunde');
    const c = await openCase(customer);
    await answer(people.supervisor, c.request, 'Vielleicht, ich rufe den Kunden erst an.');
    const [explained] = await waitForMail(
      people.supervisor,
      (m) => /Keine Entscheidung erkannt/.test(m.subject ?? '') && m.headers.get('x-nachfass-case') === c.caseId,
    );
    expect(explained!.text).toContain(
      'Die erste Zeile („Vielleicht, ich rufe den Kunden erst an.“) ist weder GENEHMIGT noch ABGELEHNT',
    );
    expect(explained!.text).toContain('GENEHMIGT oder ABGELEHNT');
    await answer(people.manager, c.request, 'ABGELEHNT');
    const [toManager] = await waitForMail(people.manager, (m) => /Keine Entscheidung erkannt/.test(m.subject ?? ''));
    expect(toManager!.text).toContain('Sie beantwortet keine Anfrage, die an Sie ging');
    const state = await c.state();
    expect(state.decision).toBeUndefined();
    expect(state.timeline.filter((e) => e.event === 'mail-decision-unclear')).toHaveLength(2);
  });
});
