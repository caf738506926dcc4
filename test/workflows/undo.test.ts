/**
 * The undo window (policy decisionUndoWindow): a decision stands pending, the approver has the receipt at once, the
 * customer hears only when the window closes; an undo inside it returns the case to waiting, and it can be decided
 * again. Second-scale windows (the workflow tier runs on a real dev server, no time skipping).
 */
import { describe, it } from 'vitest';
import { decideUpdate, undoDecisionUpdate } from '../../workflows/messages.js';
import { people, useStory } from './story-env.js';

describe.concurrent('ComplaintWorkflow: the decision undo window', () => {
  const story = useStory();

  it('decide, undo inside the window, decide again: the customer hears only the second decision, once', async ({
    expect,
  }) => {
    const c = await story.open({ undoWindow: '4s' });
    await c.mailed('approval-request');
    const first = await c.handle.executeUpdate(decideUpdate, {
      args: [{ outcome: 'approved', decidedBy: people.supervisor, noteToCustomer: 'Neues Gerät.', channel: 'link' }],
    });
    expect(first.pendingUntil).toBeDefined();
    // The receipt at once, with the pending decision (its template adds the undo link).
    const receipt = await c.mailed('decision-receipt');
    expect(receipt.who).toBe('supervisor');
    expect(receipt.request.case.decision).toMatchObject({ outcome: 'approved', pendingUntil: first.pendingUntil });

    // Someone below the level of who decided may not undo; nor may a second decision come in meanwhile.
    await expect(
      c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'rejected', decidedBy: people.manager }] }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/already decided/) } });
    await expect(c.handle.executeUpdate(undoDecisionUpdate, { args: [{ by: people.customer }] })).rejects.toMatchObject(
      { cause: { message: expect.stringMatching(/not an approver/) } },
    );

    const undone = await c.handle.executeUpdate(undoDecisionUpdate, {
      args: [{ by: people.supervisor, channel: 'link' }],
    });
    expect(undone.undoneAt).toBeDefined();
    const waiting = await c.state();
    expect(waiting.decision).toBeUndefined();
    expect(waiting.status).toBe('awaiting-decision');
    expect(waiting.undone).toMatchObject([{ decision: { outcome: 'approved' }, by: people.supervisor }]);
    expect(waiting.timeline.map((e) => e.event)).toEqual(expect.arrayContaining(['decided', 'decision-undone']));

    // Nothing pending any more: a second undo is refused.
    await expect(
      c.handle.executeUpdate(undoDecisionUpdate, { args: [{ by: people.supervisor }] }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/no decision is pending/) } });

    // Decided again, by the manager; the supervisor (a lower level, not who decided) may not undo that.
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'rejected', decidedBy: people.manager }] });
    await expect(
      c.handle.executeUpdate(undoDecisionUpdate, { args: [{ by: people.supervisor }] }),
    ).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/only Markus Weber, who decided, or a higher level/) },
    });

    const told = await c.mailed('decision');
    expect(told.request.case.decision).toMatchObject({ outcome: 'rejected', decidedBy: people.manager });
    expect(told.request.case.decision?.pendingUntil).toBeUndefined();
    await c.until((s) => s.status === 'awaiting-feedback' || s.status === 'completed', 'the case past its decision');
    expect(c.trail().filter((t) => t.startsWith('decision'))).toEqual([
      'decision-receipt → supervisor',
      'decision-receipt → manager',
      'decision → customer',
    ]);
    const events = (await c.state()).timeline.map((e) => e.event);
    expect(events.filter((e) => e.startsWith('decision') || e === 'decided')).toEqual([
      'decided',
      'decision-undone',
      'decided',
      'decision-final',
    ]);
  });

  it('decide and let the window pass: the promise is kept meanwhile, the customer hears once, undo is refused', async ({
    expect,
  }) => {
    const c = await story.open({ undoWindow: '5s', durations: { answerPromise: '2s', followUpAfter: '30s' } });
    await c.mailed('approval-request');
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.supervisor }] });
    await c.mailed('decision-receipt');
    // The promised time passes while the decision is pending: the customer hears from us, but not the decision.
    const progress = await c.mailed('progress-update');
    expect(progress.request.case.decision).toBeUndefined();
    await c.mailed('decision');
    await expect(
      c.handle.executeUpdate(undoDecisionUpdate, { args: [{ by: people.supervisor }] }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/undo window has closed/) } });
    const state = await c.state();
    expect(state.decision).toMatchObject({ outcome: 'approved', decidedBy: people.supervisor });
    expect(state.decision?.pendingUntil).toBeUndefined();
    expect(c.trail().filter((t) => t === 'decision → customer')).toHaveLength(1);
    expect(c.trail().filter((t) => t === 'decision-receipt → supervisor')).toHaveLength(1);
    const receiptAt = c.trail().indexOf('decision-receipt → supervisor');
    expect(c.trail().indexOf('progress-update → customer', receiptAt)).toBeLessThan(
      c.trail().indexOf('decision → customer'),
    );
  });

  it('undone after its reminder fell due: the reminder follows at once, the promise was kept meanwhile', async ({
    expect,
  }) => {
    const c = await story.open({ undoWindow: '20s', durations: { reminderAfter: '3s', answerPromise: '3s' } });
    await c.mailed('approval-request');
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.supervisor }] });
    // Promise and reminder fall due together while the decision is pending: only the customer's promise is kept.
    await c.mailed('progress-update');
    expect(c.trail()).not.toContain('reminder → supervisor');
    await c.handle.executeUpdate(undoDecisionUpdate, { args: [{ by: people.supervisor }] });
    // Waiting again, with the timers it had: the reminder that fell due while pending goes out now.
    const reminder = await c.mailed('reminder');
    expect(reminder.who).toBe('supervisor');
    expect(c.trail()).not.toContain('decision → customer');
    expect((await c.state()).status).toBe('awaiting-decision');
  });

  it('a window of 0 (the test policy default) decides at once, as before', async ({ expect }) => {
    const c = await story.open();
    await c.mailed('approval-request');
    const d = await c.handle.executeUpdate(decideUpdate, {
      args: [{ outcome: 'approved', decidedBy: people.supervisor }],
    });
    expect(d.pendingUntil).toBeUndefined();
    await c.mailed('decision');
    await expect(
      c.handle.executeUpdate(undoDecisionUpdate, { args: [{ by: people.supervisor }] }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/stands/) } });
  });
});
