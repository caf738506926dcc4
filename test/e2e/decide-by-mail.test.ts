/**
 * Deciding by reply mail on the real stack. A reply decides only through the signed reply address of the
 * approver's own request (activities/mail-ids.ts), from that approver's address, with a clear keyword on the
 * first line. A customer who knows how our mail looks (case number, the shape of our Message-IDs) and forges the
 * supervisor's From decides nothing: the attempt is recorded and the supervisor is told.
 */
import { randomBytes } from 'node:crypto';
import type { ParsedMail } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { caseStateQuery } from '../../workflows/messages.js';
import type { CaseState } from '../../workflows/case.js';
import { startTestApp, testPeople, testPolicy, testPolicyYaml, type TestApp, type TestPeople } from '../helpers/app.js';
import { readFolder, sendViaSmtp, uniqueAddress, waitForMail } from '../helpers/mail.js';
import { parsePolicy } from '../../worker/policy.js';

interface OpenCase {
  caseId: string;
  request: ParsedMail;
  /** The signed reply address of the request, as the supervisor's mail program sees it. */
  replyTo: string;
  state: () => Promise<CaseState>;
}

async function openCase(app: TestApp, people: TestPeople, customer: string): Promise<OpenCase> {
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
  const replyTo = request!.replyTo?.value[0]?.address ?? '';
  const handle = app.client.workflow.getHandle(workflowIdFor(caseId));
  return { caseId, request: request!, replyTo, state: () => handle.query(caseStateQuery) };
}

/** A reply as a mail program writes it: to `to` (the Reply-To, or something else), threaded under `request`. */
function answer(from: string, to: string, request: ParsedMail, text: string, inReplyTo = request.messageId!) {
  return sendViaSmtp({
    from,
    to,
    subject: `Re: ${request.subject}`,
    inReplyTo,
    references: [inReplyTo],
    text: `${text}\n\nAm 23.11.2026 schrieb Kundenservice:\n> Freigabe erbeten`,
  });
}

async function until(state: () => Promise<CaseState>, ok: (s: CaseState) => boolean): Promise<CaseState> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await state();
    if (ok(s) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
}

const refused = (s: CaseState) => s.timeline.filter((e) => e.event === 'mail-decision-refused');
const unclearMail = (people: TestPeople, c: OpenCase, to = people.supervisor) =>
  waitForMail(
    to,
    (m) => /Keine Entscheidung erkannt/.test(m.subject ?? '') && m.headers.get('x-nachfass-case') === c.caseId,
  );

describe('a decision by reply mail', () => {
  const people = testPeople();
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(people, testPolicy(people));
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('refuses the forged approval: From set to the supervisor, In-Reply-To guessed, sent by the customer', async () => {
    const customer = uniqueAddress('kunde');
    const c = await openCase(app, people, customer);
    // What the customer knows: the case number from the acknowledgment's subject, and the shape of our ids.
    const [ack] = await waitForMail(customer, (m) => m.headers.get('x-nachfass-case') === c.caseId);
    expect(ack!.messageId).toMatch(new RegExp(`^<${c.caseId}\\.1\\.acknowledgment\\.[0-9a-z]{16}@`));
    const guessed = `<${c.caseId}.2.approval-request@example.test>`;
    expect(c.request.messageId).not.toBe(guessed);
    await answer(people.supervisor, people.support, c.request, 'GENEHMIGT\n\nIch bekomme alles erstattet.', guessed);
    const [explained] = await unclearMail(people, c);
    expect(explained!.text).toContain('Sie kam nicht über die persönliche Antwortadresse einer Anfrage an Sie');
    const state = await until(c.state, (s) => refused(s).length > 0);
    expect(state.decision).toBeUndefined();
    expect(state.status).toBe('awaiting-decision');
    expect(refused(state)[0]?.detail).toContain('Sabine Schulz');
    // The customer hears nothing of a decision.
    expect((await readFolder(customer)).map((m) => m.parsed.subject).join(' ')).not.toMatch(/Entscheidung/);
  });

  it('takes GENEHMIGT through the signed reply address as the decision, with evidence and a receipt', async () => {
    const customer = uniqueAddress('kunde');
    const c = await openCase(app, people, customer);
    expect(c.replyTo).toMatch(/\+r-[0-9a-z]{10}-2-0-[0-9a-z]+-[0-9a-z]{16}@example\.test$/);
    const replyId = `<r-${randomBytes(6).toString('hex')}@example.test>`;
    await sendViaSmtp({
      from: people.supervisor,
      to: c.replyTo,
      subject: `Re: ${c.request.subject}`,
      inReplyTo: c.request.messageId!,
      references: [c.request.messageId!],
      messageId: replyId,
      text: 'GENEHMIGT\n\nWir schicken Ihnen einen neuen Toaster.\n\nAm 23.11.2026 schrieb Kundenservice:\n> Freigabe erbeten',
    });
    const [decision] = await waitForMail(customer, (m) => /\] Entscheidung:/.test(m.subject ?? ''));
    expect(decision!.text).toContain('Ihrem Anliegen wurde stattgegeben');
    expect(decision!.text).toContain('Wir schicken Ihnen einen neuen Toaster.');
    expect(decision!.text).not.toContain('Freigabe erbeten');
    const state = await c.state();
    expect(state.decision).toMatchObject({
      outcome: 'approved',
      decidedBy: people.supervisor,
      channel: 'mail',
      evidence: { method: 'reply-address', seq: 2, messageId: replyId },
    });
    expect(state.timeline.find((e) => e.event === 'decided')?.detail).toContain('signed reply address of mail 2');
    const [receipt] = await waitForMail(
      people.supervisor,
      (m) => /Entscheidung erfasst/.test(m.subject ?? '') && m.headers.get('x-nachfass-case') === c.caseId,
    );
    expect(receipt!.text).toContain('per Antwort-E-Mail');
    expect(receipt!.text).toContain(replyId);
  });

  it('refuses the genuine reply without its reply address, and with another case’s', async () => {
    const customer = uniqueAddress('kunde');
    const c = await openCase(app, people, customer);
    const other = await openCase(app, people, uniqueAddress('kunde'));
    await answer(people.supervisor, people.support, c.request, 'GENEHMIGT');
    await answer(people.supervisor, other.replyTo, c.request, 'GENEHMIGT');
    const state = await until(c.state, (s) => refused(s).length >= 2);
    expect(state.decision).toBeUndefined();
    expect(refused(state).map((e) => e.detail)).toEqual([
      expect.stringContaining('did not come through the personal reply address'),
      expect.stringContaining('belongs to another case'),
    ]);
    expect((await other.state()).decision).toBeUndefined();
  });

  it('does not take a keyword from someone else: a stranger’s mail is only forwarded', async () => {
    const customer = uniqueAddress('kunde');
    const c = await openCase(app, people, customer);
    const stranger = uniqueAddress('fremd');
    await answer(stranger, c.replyTo, c.request, 'GENEHMIGT');
    await waitForMail(
      people.supervisor,
      (m) => /Neue Nachricht des Kunden/.test(m.subject ?? '') && m.headers.get('x-nachfass-case') === c.caseId,
    );
    const state = await c.state();
    expect(state.decision).toBeUndefined();
    expect(state.replies.map((r) => r.from)).toEqual([stranger]);
  });

  it('explains instead of guessing: an unclear answer, and the next level using a request it did not get', async () => {
    const customer = uniqueAddress('kunde');
    const c = await openCase(app, people, customer);
    await answer(people.supervisor, c.replyTo, c.request, 'Vielleicht, ich rufe den Kunden erst an.');
    const [explained] = await unclearMail(people, c);
    expect(explained!.text).toContain(
      'Die erste Zeile („Vielleicht, ich rufe den Kunden erst an.“) ist weder GENEHMIGT noch ABGELEHNT',
    );
    expect(explained!.text).toContain('GENEHMIGT oder ABGELEHNT');
    // The supervisor's reply address, forwarded to the manager: signed for the supervisor, not for him.
    await answer(people.manager, c.replyTo, c.request, 'ABGELEHNT');
    const [toManager] = await unclearMail(people, c, people.manager);
    expect(toManager!.text).toContain('Ihre Antwortadresse wurde nicht von uns für Ihre Adresse ausgestellt');
    const state = await c.state();
    expect(state.decision).toBeUndefined();
    expect(state.timeline.filter((e) => e.event === 'mail-decision-unclear')).toHaveLength(1);
    expect(refused(state)).toHaveLength(1);
  });
});

describe('a team that takes only rejections by mail (mailDecisions: reject-only)', () => {
  const people = testPeople();
  let app: TestApp;

  beforeAll(async () => {
    const yaml = `${testPolicyYaml(people)}\nmailDecisions: reject-only\n`;
    app = await startTestApp(people, parsePolicy(yaml, 'test policy'));
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('refuses an approval by mail and takes a rejection', async () => {
    const customer = uniqueAddress('kunde');
    const c = await openCase(app, people, customer);
    await answer(people.supervisor, c.replyTo, c.request, 'GENEHMIGT');
    const [explained] = await unclearMail(people, c);
    expect(explained!.text).toContain('Per E-Mail kann in diesem Team nur abgelehnt werden');
    expect((await c.state()).decision).toBeUndefined();
    // The explanation carries a reply address of its own: answering it decides too.
    const again = explained!.replyTo?.value[0]?.address ?? '';
    expect(again).toContain('+r-');
    await answer(people.supervisor, again, explained!, 'ABGELEHNT\n\nDas können wir leider nicht erstatten.');
    const [decision] = await waitForMail(customer, (m) => /\] Entscheidung:/.test(m.subject ?? ''));
    expect(decision!.text).toContain('Das können wir leider nicht erstatten.');
    expect((await c.state()).decision).toMatchObject({ outcome: 'rejected', channel: 'mail' });
  });
});
