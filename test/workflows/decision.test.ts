/**
 * The story from the complaint to its end: acknowledged, asked, decided (by the link's update or by a reply
 * mail through the signed reply address), answered, surveyed and completed.
 */
import { describe, it } from 'vitest';
import { decideUpdate, rateUpdate } from '../../workflows/messages.js';
import { people, useStory } from './story-env.js';

describe.concurrent('ComplaintWorkflow: deciding a case', () => {
  const story = useStory();

  it('happy path: acknowledgment, approval request, decision, receipt, answer, survey, rating, completed', async ({
    expect,
  }) => {
    const c = await story.open({ durations: { followUpAfter: '1s', feedbackWindow: '30s' } });
    await c.mailed('approval-request');
    const decided = await c.handle.executeUpdate(decideUpdate, {
      args: [
        {
          outcome: 'approved',
          decidedBy: people.supervisor,
          noteToCustomer: 'Wir senden Ihnen ein neues Gerät.',
          channel: 'link',
        },
      ],
    });
    expect(decided).toMatchObject({ outcome: 'approved', decidedByName: 'Sabine Schulz', level: 0, channel: 'link' });

    await c.mailed('follow-up');
    expect(await c.state()).toMatchObject({ status: 'awaiting-feedback' });
    const rated = await c.handle.executeUpdate(rateUpdate, { args: [{ rating: 5, channel: 'link' }] });
    expect(rated).toEqual({ rating: 5, followUp: false });

    const final = await c.handle.result();
    expect(c.trail()).toEqual([
      'acknowledgment → customer',
      'approval-request → supervisor',
      'decision-receipt → supervisor',
      'decision → customer',
      'follow-up → customer',
      'feedback-thanks → customer',
    ]);
    expect(c.mails.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const decision = c.mails.find((m) => m.kind === 'decision')!;
    expect(decision.request.case.decision).toMatchObject({ noteToCustomer: 'Wir senden Ihnen ein neues Gerät.' });
    expect(final).toMatchObject({
      status: 'completed',
      level: 0,
      decision: { outcome: 'approved', decidedBy: people.supervisor },
      feedback: { rating: { value: 5 } },
    });
    expect(final.lowRating).toBeUndefined();
  });

  it('a second decision is refused with who decided', async ({ expect }) => {
    const c = await story.open();
    await c.mailed('approval-request');
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'rejected', decidedBy: people.supervisor }] });
    await expect(
      c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.manager }] }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/already decided by Sabine Schulz/) } });
    await c.mailed('decision');
    expect((await c.state()).decision).toMatchObject({ outcome: 'rejected', decidedBy: people.supervisor });
  });

  it('a reply mail through the signed reply address of the request decides', async ({ expect }) => {
    const c = await story.open();
    const request = await c.mailed('approval-request');
    await c.reply(people.supervisor, 'GENEHMIGT\n\nGerne tauschen wir das Gerät aus.', {
      proof: { method: 'reply-address', seq: request.seq, level: 0 },
    });
    await c.mailed('decision');
    expect(c.trail()).toEqual([
      'acknowledgment → customer',
      'approval-request → supervisor',
      'decision-receipt → supervisor',
      'decision → customer',
    ]);
    expect((await c.state()).decision).toMatchObject({
      outcome: 'approved',
      decidedBy: people.supervisor,
      channel: 'mail',
      evidence: { method: 'reply-address', seq: request.seq },
    });
  });

  it('a reply mail without that proof does not decide; the supervisor is told why', async ({ expect }) => {
    const c = await story.open();
    await c.mailed('approval-request');
    await c.reply(people.supervisor, 'GENEHMIGT');
    const unclear = await c.mailed('mail-decision-unclear');
    expect(unclear.who).toBe('supervisor');
    expect(unclear.request.case.unclear).toMatch(/reply address/);
    const state = await c.state();
    expect(state.decision).toBeUndefined();
    expect(state.status).toBe('awaiting-decision');
    expect(c.trail()).not.toContain('decision → customer');
  });
});
