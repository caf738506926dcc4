/**
 * Deputies: the supervisor's out-of-office reply to our approval request (an auto-reply answering its signed
 * Message-ID, as intake hands it on) gives the case to their deputy at once; the deputy decides, and the history
 * names both. A stranger's auto-reply, or one that answers no mail of ours to the supervisor, changes nothing.
 */
import { describe, it } from 'vitest';
import { autoReplySignal, decideUpdate } from '../../workflows/messages.js';
import { people, useStory } from './story-env.js';

const deputy = 'thomas.vogel@muster-versand.example';
const vacation = (from: string, seq: number, verified = true) => ({
  messageId: '<vacation-1@muster-versand.example>',
  receivedAt: new Date().toISOString(),
  from,
  subject: 'Abwesenheitsnotiz',
  text: 'Ich bin bis zum 8. Dezember nicht im Büro.',
  answers: [{ seq, kind: 'approval-request', verified }],
  reasons: ['Auto-Submitted: auto-replied (vacation)'],
});

describe.concurrent('ComplaintWorkflow: deputies', () => {
  const story = useStory();

  it('an out-of-office reply of the supervisor hands the case to the deputy at once', async ({ expect }) => {
    const c = await story.open({ deputy });
    const request = await c.mailed('approval-request');
    await c.handle.signal(autoReplySignal, vacation(people.supervisor, request.seq));
    const toDeputy = await c.mailed('approval-request', 2);
    expect(toDeputy.to).toBe(deputy);
    expect(toDeputy.request.case.delegated).toMatchObject({ fromName: 'Sabine Schulz' });
    const s = await c.state();
    expect(s.delegated).toMatchObject({ level: 0, from: people.supervisor, to: deputy, toName: 'Thomas Vogel' });
    expect(s.level).toBe(0); // not escalated: the deputy decides at the supervisor's level
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: deputy }] });
    await c.mailed('decision');
    const done = await c.state();
    expect(done.decision).toMatchObject({ decidedBy: deputy, decidedByName: 'Thomas Vogel', level: 0 });
    const lines = done.timeline.map((e) => `${e.event}: ${e.detail ?? ''}`).join('\n');
    expect(lines).toMatch(/delegated: Sabine Schulz is away .*Thomas Vogel decides/);
    expect(lines).toMatch(/decided: approved by Thomas Vogel in place of Sabine Schulz/);
    expect(c.trail()).toContain('decision-receipt → ' + deputy);
  });

  it('ignores an auto-reply that is not the supervisor’s answer to our request', async ({ expect }) => {
    const c = await story.open({ deputy });
    const request = await c.mailed('approval-request');
    await c.handle.signal(autoReplySignal, vacation(people.customer, request.seq));
    await c.handle.signal(autoReplySignal, vacation(people.supervisor, request.seq, false));
    await c.handle.signal(autoReplySignal, vacation(people.supervisor, 1)); // the acknowledgment, to the customer
    const s = await c.until(
      (st) => st.timeline.filter((e) => e.event === 'auto-reply-received').length === 3,
      'three auto-replies',
    );
    expect(s.delegated).toBeUndefined();
    await expect(
      c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: deputy }] }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/not an approver/) } });
  });
});
