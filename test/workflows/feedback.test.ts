/**
 * After the decision: the survey, and a low rating's follow-up owned by whoever decided, closed by them with a
 * personal message to the customer.
 */
import { describe, it } from 'vitest';
import { closeFollowUpUpdate, decideUpdate, rateUpdate } from '../../workflows/messages.js';
import { people, useStory } from './story-env.js';

describe.concurrent('ComplaintWorkflow: feedback', () => {
  const story = useStory();

  it('a low rating goes to whoever decided as a follow-up; closing it completes the case', async ({ expect }) => {
    const c = await story.open({ durations: { followUpAfter: '1s', feedbackWindow: '30s' } });
    await c.mailed('approval-request');
    await c.handle.executeUpdate(decideUpdate, {
      args: [{ outcome: 'alternative', decidedBy: people.supervisor, noteToCustomer: 'Ein Gutschein über 20 €.' }],
    });
    await c.mailed('follow-up');
    const rated = await c.handle.executeUpdate(rateUpdate, {
      args: [{ rating: 2, comment: 'Zu wenig.', channel: 'link' }],
    });
    expect(rated).toEqual({ rating: 2, followUp: true });

    const lowRating = await c.mailed('low-rating');
    expect(lowRating.who).toBe('supervisor');
    expect(lowRating.request.case.feedback).toMatchObject({ rating: 2, comment: 'Zu wenig.' });
    const open = await c.until((s) => s.status === 'feedback-follow-up', 'the follow-up to open');
    expect(open.lowRating).toMatchObject({ owner: people.supervisor, rating: 2 });
    expect(open.lowRating?.closed).toBeUndefined();

    await expect(
      c.handle.executeUpdate(closeFollowUpUpdate, { args: [{ by: 'nachbar@anderswo.example', note: 'erledigt' }] }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/may not close/) } });
    await c.handle.executeUpdate(closeFollowUpUpdate, {
      args: [
        { by: people.supervisor, note: 'Angerufen, Gutschein erhöht.', messageToCustomer: 'Wir legen 30 € drauf.' },
      ],
    });
    const final = await c.handle.result();
    expect(c.trail()).toEqual([
      'acknowledgment → customer',
      'approval-request → supervisor',
      'decision-receipt → supervisor',
      'decision → customer',
      'follow-up → customer',
      'feedback-thanks → customer',
      'low-rating → supervisor',
      'low-rating-message → customer',
    ]);
    expect(c.mails.at(-1)?.request.case.lowRating).toMatchObject({ messageToCustomer: 'Wir legen 30 € drauf.' });
    expect(final).toMatchObject({
      status: 'completed',
      feedback: { rating: { value: 2 } },
      lowRating: { closed: { by: people.supervisor, note: 'Angerufen, Gutschein erhöht.' } },
    });
  });

  it('without a rating the case completes when the feedback window closes', async ({ expect }) => {
    const c = await story.open({ durations: { followUpAfter: '1s', feedbackWindow: '1s' } });
    await c.mailed('approval-request');
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.supervisor }] });
    const final = await c.handle.result();
    expect(c.trail().slice(-1)).toEqual(['follow-up → customer']);
    expect(final.status).toBe('completed');
    expect(final.feedback).toMatchObject({ comments: [] });
    expect(final.feedback?.rating).toBeUndefined();
    expect(final.feedback?.closedAt).toBeDefined();
  });
});
