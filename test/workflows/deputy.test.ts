/**
 * Deputies: the supervisor's out-of-office reply to our approval request (an auto-reply answering its signed
 * Message-ID, as intake hands it on) gives the case to their deputy at once; the deputy decides, and the history
 * names both. A stranger's auto-reply, or one that answers no mail of ours to the supervisor, changes nothing.
 */
import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { autoReplySignal, closeFollowUpUpdate, decideUpdate, rateUpdate } from '../../workflows/messages.js';
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

  it('a low rating of a case the deputy decided is followed up by the deputy', async ({ expect }) => {
    const c = await story.open({ deputy, durations: { followUpAfter: '1s', feedbackWindow: '60s' } });
    const request = await c.mailed('approval-request');
    await c.handle.signal(autoReplySignal, vacation(people.supervisor, request.seq));
    await c.mailed('approval-request', 2);
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: deputy }] });
    await c.mailed('follow-up');
    const rated = await c.handle.executeUpdate(rateUpdate, { args: [{ rating: 1, channel: 'link' }] });
    expect(rated).toEqual({ rating: 1, followUp: true });
    const lowRating = await c.mailed('low-rating');
    expect(lowRating.to).toBe(deputy);
    expect((await c.state()).lowRating).toMatchObject({ owner: deputy, ownerName: 'Thomas Vogel' });
    await c.handle.executeUpdate(closeFollowUpUpdate, { args: [{ by: deputy, note: 'Angerufen.' }] });
    expect(await c.handle.result()).toMatchObject({ lowRating: { closed: { by: deputy } } });
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

describe.concurrent('ComplaintWorkflow: absence across cases and declared in the policy', () => {
  const story = useStory();

  it('one out-of-office reply hands every case waiting for the supervisor to the deputy', async ({ expect }) => {
    const digest = randomBytes(6).toString('hex');
    const [a, b] = await Promise.all([story.open({ deputy, digest }), story.open({ deputy, digest })]);
    const request = await a.mailed('approval-request');
    await b.mailed('approval-request');
    await a.handle.signal(autoReplySignal, {
      ...vacation(people.supervisor, request.seq),
      text: 'Ich bin bis einschließlich 4. Dezember 2099 im Urlaub.',
    });
    const other = await b.until((s) => s.delegated !== undefined, 'the other case delegated');
    expect(other.delegated).toMatchObject({ from: people.supervisor, to: deputy, until: '2099-12-04T23:00:00.000Z' });
    expect((await b.mailed('approval-request', 2)).to).toBe(deputy);
    expect((await a.state()).delegated?.until).toBe('2099-12-04T23:00:00.000Z');
  });

  it('a case opened later, while the supervisor is away, asks the deputy at once', async ({ expect }) => {
    const digest = randomBytes(6).toString('hex');
    const a = await story.open({ deputy, digest });
    const request = await a.mailed('approval-request');
    await a.handle.signal(autoReplySignal, {
      ...vacation(people.supervisor, request.seq),
      text: 'Back on 7 January 2099.',
    });
    // The supervisor's digest remembers the absence once the first case has told it.
    await a.until((s) => s.timeline.some((e) => e.event === 'absence-told'), 'the absence told');
    const later = await story.open({ deputy, digest });
    const asked = await later.mailed('approval-request');
    expect(asked.to).toBe(deputy);
    expect((await later.state()).delegated).toMatchObject({
      from: people.supervisor,
      until: '2099-01-06T23:00:00.000Z',
    });
    expect(later.trail().filter((t) => t.startsWith('approval-request'))).toHaveLength(1);
  });

  it('asks the deputy at once while the policy declares the supervisor absent', async ({ expect }) => {
    const c = await story.open({
      deputy,
      policy: `absent: [{ person: "${people.supervisor}", from: "2020-01-01", until: "2099-12-31" }]`,
    });
    const request = await c.mailed('approval-request');
    expect(request.to).toBe(deputy);
    expect(request.request.case.delegated?.fromName).toBe('Sabine Schulz');
    const s = await c.state();
    expect(s.delegated).toMatchObject({ to: deputy, until: '2099-12-31T23:00:00.000Z' });
    expect(s.timeline.find((e) => e.event === 'delegated')?.detail).toMatch(/declared absent/);
    expect(c.trail().filter((t) => t.startsWith('approval-request'))).toHaveLength(1);
  });
});
