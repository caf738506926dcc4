/**
 * An admin decides a case with the `temporal` CLI, exactly as the README documents it: the `decision`
 * signal with a JSON payload. A signal from someone outside the ladder is recorded and changes nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findTemporalCli } from '../../worker/dev-server.js';
import { caseStateQuery, type DecisionInput } from '../../workflows/messages.js';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { readFolder, uniqueAddress, waitForMail } from '../helpers/mail.js';
import { openCase } from '../helpers/open-case.js';

const run = promisify(execFile);

describe('a case decided with the temporal CLI', () => {
  const people = testPeople();
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp(people, testPolicy(people));
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** `temporal workflow signal … --name decision --input JSON`, as an admin types it. */
  async function signalDecision(caseId: string, input: DecisionInput): Promise<void> {
    await run(findTemporalCli(), [
      'workflow',
      'signal',
      '--address',
      inject('temporalAddress'),
      '--namespace',
      app.config.temporal.namespace,
      '--workflow-id',
      `complaint-${caseId}`,
      '--name',
      'decision',
      '--input',
      JSON.stringify(input),
    ]);
  }

  it('records a signal from outside the ladder as refused, then applies the supervisor’s decision', async () => {
    const { caseId, messageId, handle } = await openCase(
      app,
      people,
      `"Petra Neumann" <${people.customer}>`,
      'Falsche Farbe geliefert',
      {
        text: 'Guten Tag,\n\nich habe das Sofa in Grau bestellt und in Beige bekommen. Bitte tauschen Sie es um.\n\nPetra Neumann',
      },
    );

    // Someone who is not on the ladder: recorded in the timeline, nothing else changes.
    const stranger = uniqueAddress('praktikant');
    await signalDecision(caseId, { outcome: 'rejected', decidedBy: stranger, noteToCustomer: 'Nein.' });
    const refused = await handle.query(caseStateQuery);
    expect(refused.timeline).toContainEqual(
      expect.objectContaining({ event: 'decision-refused', detail: `${stranger} is not an approver of this case` }),
    );
    expect(refused.decision).toBeUndefined();
    expect(refused.status).toBe('awaiting-decision');

    const note = 'Wir tauschen das Sofa kostenlos um; die Spedition meldet sich bei Ihnen.';
    await signalDecision(caseId, { outcome: 'approved', decidedBy: people.supervisor, noteToCustomer: note });

    const [decision] = await waitForMail(people.customer, (m) => /\] Entscheidung:/.test(m.subject ?? ''));
    expect(decision!.text).toContain(note);
    expect(decision!.inReplyTo).toBe(messageId);

    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.decision).toMatchObject({
      outcome: 'approved',
      decidedBy: people.supervisor,
      decidedByName: 'Sabine Schulz',
      channel: 'admin',
      noteToCustomer: note,
    });
    const events = result.timeline.map((e) => e.event);
    expect(events.filter((e) => e === 'decided')).toHaveLength(1);
    expect(events.indexOf('decision-refused')).toBeLessThan(events.indexOf('decided'));
    // The refused signal sent nothing: one acknowledgment, one decision, one follow-up.
    await waitForMail(people.customer, (m) => /\] Ihre Meinung:/.test(m.subject ?? ''));
    const subjects = (await readFolder(people.customer)).map((m) => m.parsed.subject ?? '');
    expect(subjects.filter((s) => /\] Entscheidung:/.test(s))).toEqual([decision!.subject]);
    expect(subjects).toHaveLength(3);
  });
});
