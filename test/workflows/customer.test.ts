/**
 * What the customer's side does to a case: a review asked for after a rejection, a withdrawal, a bounce and an
 * SMTP refusal of their address. Only the customer, answering a mail we sent them, steers the case; only a
 * delivery report we signed stops mail to them.
 */
import { describe, it } from 'vitest';
import { decideUpdate, deliveryFailedSignal } from '../../workflows/messages.js';
import { people, useStory } from './story-env.js';

const stranger = 'nachbar@anderswo.example';

describe.concurrent('ComplaintWorkflow: the customer’s side', () => {
  const story = useStory();

  it('a review after a rejection: the next level decides anew and the customer hears the outcome', async ({
    expect,
  }) => {
    const c = await story.open({ durations: { followUpAfter: '20s' } });
    await c.mailed('approval-request');
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'rejected', decidedBy: people.supervisor }] });
    const decision = await c.mailed('decision');
    await c.reply(people.customer, 'Damit bin ich nicht einverstanden, ich lege Widerspruch ein.', {
      answers: [{ seq: decision.seq, kind: 'decision', verified: true }],
    });
    const request = await c.mailed('review-request');
    expect(request.who).toBe('manager');
    expect(await c.state()).toMatchObject({
      status: 'awaiting-decision',
      level: 1,
      review: { level: 1, original: { outcome: 'rejected', decidedBy: people.supervisor } },
    });

    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.manager }] });
    const outcome = await c.mailed('decision', 2);
    expect(outcome.request.case.review).toMatchObject({ original: { outcome: 'rejected' } });
    expect(outcome.request.case.decision).toMatchObject({ outcome: 'approved', decidedBy: people.manager });
    expect(c.trail()).toEqual([
      'acknowledgment → customer',
      'approval-request → supervisor',
      'decision-receipt → supervisor',
      'decision → customer',
      'review-request → manager',
      'decision-receipt → manager',
      'decision → customer',
    ]);
    expect(await c.state()).toMatchObject({ status: 'awaiting-feedback', decision: { outcome: 'approved' } });
  });

  it('a review phrase from someone else is only forwarded to whoever decided', async ({ expect }) => {
    const c = await story.open({ durations: { followUpAfter: '20s' } });
    await c.mailed('approval-request');
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'rejected', decidedBy: people.supervisor }] });
    const decision = await c.mailed('decision');
    await c.reply(stranger, 'Ich lege Widerspruch ein.', {
      answers: [{ seq: decision.seq, kind: 'decision', verified: true }],
    });
    expect((await c.mailed('customer-reply')).who).toBe('supervisor');
    const state = await c.state();
    expect(state.review).toBeUndefined();
    expect(state.decision).toMatchObject({ outcome: 'rejected' });
    expect(c.trail()).not.toContain('review-request → manager');
  });

  it('the customer withdraws: confirmation to them, notice to the supervisor, case withdrawn', async ({ expect }) => {
    const c = await story.open();
    const ack = await c.mailed('acknowledgment');
    await c.mailed('approval-request');
    await c.reply(people.customer, 'Hat sich erledigt, das Paket ist doch heil angekommen.', {
      answers: [{ seq: ack.seq, kind: 'acknowledgment', verified: true }],
    });
    const final = await c.handle.result();
    expect(c.trail()).toEqual([
      'acknowledgment → customer',
      'approval-request → supervisor',
      'withdrawal-confirmation → customer',
      'case-withdrawn → supervisor',
    ]);
    expect(final).toMatchObject({ status: 'withdrawn', withdrawn: { phrase: 'Hat sich erledigt' } });
    expect(final.decision).toBeUndefined();
  });

  it('"hat sich erledigt" from a stranger does not withdraw the case', async ({ expect }) => {
    const c = await story.open();
    const ack = await c.mailed('acknowledgment');
    await c.mailed('approval-request');
    await c.reply(stranger, 'Hat sich erledigt.', {
      answers: [{ seq: ack.seq, kind: 'acknowledgment', verified: true }],
    });
    const forwarded = await c.mailed('customer-reply');
    expect(forwarded.who).toBe('supervisor');
    expect(forwarded.request.case.reply).toMatchObject({ from: stranger });
    const state = await c.state();
    expect(state.withdrawn).toBeUndefined();
    expect(state.status).toBe('awaiting-decision');
    expect(c.trail()).not.toContain('withdrawal-confirmation → customer');
  });

  it('a verified bounce: the supervisor is told, mail to the customer stops', async ({ expect }) => {
    const c = await story.open({ durations: { followUpAfter: '1s' } });
    const ack = await c.mailed('acknowledgment');
    await c.mailed('approval-request');
    await c.handle.signal(deliveryFailedSignal, {
      seq: ack.seq,
      receivedAt: new Date().toISOString(),
      status: '5.1.1',
      reasons: ['user unknown'],
      verified: true,
    });
    const notice = await c.mailed('bounce-notice');
    expect(notice.who).toBe('supervisor');
    expect(notice.request.case.unreachable).toMatchObject({ status: '5.1.1' });

    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.supervisor }] });
    const final = await c.handle.result();
    // The decision and the survey would go to the customer: both are skipped, the case still completes.
    expect(c.trail()).toEqual([
      'acknowledgment → customer',
      'approval-request → supervisor',
      'bounce-notice → supervisor',
      'decision-receipt → supervisor',
    ]);
    expect(final).toMatchObject({ status: 'completed', customerUnreachable: { status: '5.1.1' } });
  });

  it('an unverified bounce changes nothing', async ({ expect }) => {
    const c = await story.open();
    const ack = await c.mailed('acknowledgment');
    await c.mailed('approval-request');
    await c.handle.signal(deliveryFailedSignal, {
      seq: ack.seq,
      receivedAt: new Date().toISOString(),
      status: '5.1.1',
      reasons: ['user unknown'],
      verified: false,
    });
    // The update is handled after the signal: by then the bounce has been judged.
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.supervisor }] });
    await c.mailed('decision');
    expect(c.trail()).toEqual([
      'acknowledgment → customer',
      'approval-request → supervisor',
      'decision-receipt → supervisor',
      'decision → customer',
    ]);
    expect((await c.state()).customerUnreachable).toBeUndefined();
  });

  it('an SMTP refusal of the acknowledgment marks the customer unreachable; the case goes on', async ({ expect }) => {
    const c = await story.open({ refuse: 'acknowledgment', durations: { followUpAfter: '1s' } });
    await c.mailed('approval-request');
    const notice = await c.mailed('bounce-notice');
    expect(notice.who).toBe('supervisor');
    expect(await c.state()).toMatchObject({
      status: 'awaiting-decision',
      customerUnreachable: { status: 'refused by our SMTP server' },
    });

    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.supervisor }] });
    const final = await c.handle.result();
    expect(final.status).toBe('completed');
    const toCustomer = c.mails.filter((m) => m.who === 'customer');
    expect(toCustomer.map((m) => [m.kind, m.refused])).toEqual([['acknowledgment', true]]);
    expect(c.trail()).toEqual(
      expect.arrayContaining([
        'approval-request → supervisor',
        'bounce-notice → supervisor',
        'decision-receipt → supervisor',
      ]),
    );
  });

  it('a mail over the address’s budget is held and recorded; the case and its later mails go on', async ({
    expect,
  }) => {
    const c = await story.open({ hold: 'acknowledgment', durations: { followUpAfter: '1s' } });
    await c.mailed('approval-request');
    const held = await c.until((s) => s.timeline.some((e) => e.event === 'mail:acknowledgment:held'), 'held');
    expect(held.customerUnreachable).toBeUndefined();
    expect(held.timeline.map((e) => e.event)).not.toContain('mail:acknowledgment');
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.supervisor }] });
    await c.mailed('decision');
  });

  it('a slow acknowledgment does not hold up the approval request: the two go out side by side', async ({
    expect,
  }) => {
    const c = await story.open({ slow: { kind: 'acknowledgment', until: 'approval-request' } });
    await c.until((s) => s.timeline.some((e) => e.event === 'mail:acknowledgment'), 'the acknowledgment sent');
    // Asked for while the acknowledgment was still being submitted (one after the other, it would wait 5 s first).
    expect(c.overlapped()).toBe(true);
    expect(c.trail()).toEqual(['acknowledgment → customer', 'approval-request → supervisor']);
    expect((await c.state()).sent.map((m) => m.seq)).toEqual([1, 2]);
  });
});
