/**
 * While a case waits for its decision: the approver is reminded, the next level takes over when the time is up
 * or the case is forwarded, the customer hears from us when the promised time comes, and a question to the
 * customer is sent, reminded of and timed out.
 */
import { describe, it } from 'vitest';
import { decideUpdate, forwardUpdate, requestInfoUpdate } from '../../workflows/messages.js';
import { people, useStory } from './story-env.js';

describe.concurrent('ComplaintWorkflow: waiting for the decision', () => {
  const story = useStory();

  it('reminds the supervisor when the reminder time passes', async ({ expect }) => {
    const c = await story.open({ durations: { reminderAfter: '2s' } });
    await c.mailed('reminder', 2);
    expect(c.trail().slice(0, 4)).toEqual([
      'acknowledgment → customer',
      'approval-request → supervisor',
      'reminder → supervisor',
      'reminder → supervisor',
    ]);
    expect(await c.state()).toMatchObject({ status: 'awaiting-decision', level: 0 });
  });

  it('escalates to the next level; the supervisor is superseded, the manager decides', async ({ expect }) => {
    const c = await story.open({ durations: { escalateAfter: '2s', reminderAfter: '1h' } });
    const escalation = await c.mailed('escalation');
    expect(escalation.who).toBe('manager');
    expect(escalation.request.case.forwarded).toBeUndefined();
    expect(await c.state()).toMatchObject({ status: 'awaiting-decision', level: 1 });

    await expect(
      c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.supervisor }] }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/superseded.*Markus Weber/) } });
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.manager }] });
    await c.mailed('decision');
    expect(c.trail()).toEqual([
      'acknowledgment → customer',
      'approval-request → supervisor',
      'escalation → manager',
      'decision-receipt → manager',
      'decision → customer',
    ]);
    expect((await c.state()).decision).toMatchObject({ decidedBy: people.manager, level: 1 });
  });

  it('keeps the promise to the customer: a progress update when the promised time passes', async ({ expect }) => {
    const c = await story.open({ durations: { answerPromise: '2s' } });
    const ack = await c.mailed('acknowledgment');
    const update = await c.mailed('progress-update');
    expect(update.who).toBe('customer');
    expect(Date.parse(update.request.case.promisedBy)).toBeGreaterThan(Date.parse(ack.request.case.promisedBy));
    const state = await c.state();
    expect(state.status).toBe('awaiting-decision');
    expect(Date.parse(state.promisedBy)).toBeGreaterThanOrEqual(Date.parse(update.request.case.promisedBy));
    expect(c.trail().slice(0, 3)).toEqual([
      'acknowledgment → customer',
      'approval-request → supervisor',
      'progress-update → customer',
    ]);
  });

  it('forwards to the next level at once when the supervisor asks', async ({ expect }) => {
    const c = await story.open();
    await c.mailed('approval-request');
    await expect(c.handle.executeUpdate(forwardUpdate, { args: [{ by: people.manager }] })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/only the current level/) },
    });
    const forwarded = await c.handle.executeUpdate(forwardUpdate, {
      args: [{ by: people.supervisor, note: 'Das kann nur die Geschäftsleitung.' }],
    });
    expect(forwarded).toEqual({ level: 1 });
    const escalation = await c.mailed('escalation');
    expect(escalation.who).toBe('manager');
    expect(escalation.request.case.forwarded).toEqual({
      byName: 'Sabine Schulz',
      note: 'Das kann nur die Geschäftsleitung.',
    });
    expect(c.trail()).toEqual(['acknowledgment → customer', 'approval-request → supervisor', 'escalation → manager']);
    expect(await c.state()).toMatchObject({ level: 1, forwarded: { by: people.supervisor, toLevel: 1 } });
    await expect(c.handle.executeUpdate(forwardUpdate, { args: [{ by: people.manager }] })).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/no higher level/) },
    });
  });

  it('asks the customer for information; their answer resumes the case', async ({ expect }) => {
    const c = await story.open();
    await c.mailed('approval-request');
    const asked = await c.handle.executeUpdate(requestInfoUpdate, {
      args: [{ by: people.supervisor, question: 'Haben Sie ein Foto des Schadens?' }],
    });
    expect(Date.parse(asked.replyBy)).toBeGreaterThan(Date.now());
    const request = await c.mailed('info-request');
    expect(request.who).toBe('customer');
    expect(request.request.case.infoRequest).toMatchObject({
      byName: 'Sabine Schulz',
      question: 'Haben Sie ein Foto des Schadens?',
    });

    // Someone else's "answer" is forwarded but does not close the question; the customer's reply to it does.
    await c.reply('fremd@example.test', 'Hier ist die Antwort.', {
      answers: [{ seq: request.seq, kind: 'info-request', verified: false }],
    });
    await c.mailed('customer-reply');
    expect((await c.state()).infoRequest?.closed).toBeUndefined();
    await c.reply(people.customer, 'Ja, das Foto hänge ich an.', {
      answers: [{ seq: request.seq, kind: 'info-request', verified: true }],
    });
    const forwarded = await c.mailed('customer-reply', 2);
    expect(forwarded.who).toBe('supervisor');
    expect(forwarded.request.case.reply).toMatchObject({ from: people.customer, text: 'Ja, das Foto hänge ich an.' });
    expect(await c.state()).toMatchObject({ status: 'awaiting-decision', infoRequest: { closed: 'answered' } });

    // The case goes on: the supervisor decides as usual.
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.supervisor }] });
    await c.mailed('decision');
    expect(c.trail()).toEqual([
      'acknowledgment → customer',
      'approval-request → supervisor',
      'info-request → customer',
      'customer-reply → supervisor',
      'customer-reply → supervisor',
      'decision-receipt → supervisor',
      'decision → customer',
    ]);
  });

  it('an unanswered question is reminded of once, then times out to whoever asked', async ({ expect }) => {
    const c = await story.open({ durations: { infoReminderAfter: '1s', infoTimeout: '3s' } });
    await c.mailed('approval-request');
    await c.handle.executeUpdate(requestInfoUpdate, {
      args: [{ by: people.supervisor, question: 'Welche Bestellnummer?' }],
    });
    const timeout = await c.mailed('info-timeout');
    expect(timeout.who).toBe('supervisor');
    expect(timeout.request.case.infoRequest).toMatchObject({ question: 'Welche Bestellnummer?' });
    expect(c.trail()).toEqual([
      'acknowledgment → customer',
      'approval-request → supervisor',
      'info-request → customer',
      'info-reminder → customer',
      'info-timeout → supervisor',
    ]);
    expect(await c.state()).toMatchObject({ status: 'awaiting-decision', infoRequest: { closed: 'timeout' } });
  });
});
