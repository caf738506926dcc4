/** The policy's matrix on the real stack: a P1 complaint goes straight to management, with its own promise. */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { caseStateQuery } from '../../workflows/messages.js';
import { parsePolicy } from '../../worker/policy.js';
import { startTestApp, testPeople, testPolicyYaml, type TestApp } from '../helpers/app.js';
import { readFolder, sendViaSmtp, waitForMail } from '../helpers/mail.js';

describe('the urgency × impact matrix', () => {
  const people = testPeople();
  let app: TestApp;

  beforeAll(async () => {
    const yaml = `${testPolicyYaml(people)}\nmatrix:\n  P1: { firstLevel: 1, answerPromise: 30m }\n`;
    app = await startTestApp(people, parsePolicy(yaml, 'matrix policy'));
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('routes a P1 complaint to the level the matrix names, with the quadrant’s promise', async () => {
    const messageId = `<p1-${randomBytes(6).toString('hex')}@kunden.example.test>`;
    const sentAt = Date.now();
    await sendViaSmtp({
      from: people.customer,
      to: people.support,
      subject: 'Sofort: Erstattung für defekte Anlage',
      text: 'Bitte sofort melden.',
      messageId,
    });
    const [request] = await waitForMail(people.manager, (m) => /\] Freigabe erbeten:/.test(m.subject ?? ''));
    expect(request!.text).toContain('Priorität: P1');
    const caseId = String(request!.headers.get('x-nachfass-case'));
    const state = await app.client.workflow.getHandle(workflowIdFor(caseId)).query(caseStateQuery);
    expect(state).toMatchObject({ level: 1, assessment: { priority: 'P1' } });
    const promised = Date.parse(state.promisedBy) - sentAt;
    expect(promised).toBeGreaterThan(25 * 60_000);
    expect(promised).toBeLessThan(35 * 60_000);
    expect(await readFolder(people.supervisor)).toHaveLength(0);
  });
});
