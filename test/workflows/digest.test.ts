/**
 * Reminders at volume: cases remind their approver through one digest workflow per person (one mail lists every
 * case due), the policy may keep a priority's reminders alone, and at the top of the ladder reminders run out
 * after `maxReminders`, when the case is marked stalled while the customer's promises go on.
 */
import { randomBytes } from 'node:crypto';
import { describe, it } from 'vitest';
import { decideUpdate } from '../../workflows/messages.js';
import { people, useStory } from './story-env.js';

const digestKey = (): string => randomBytes(6).toString('hex');
const poll = async <T>(probe: () => T | undefined, what: string): Promise<T> => {
  for (let i = 0; i < 300; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};

describe.concurrent('ComplaintWorkflow: reminder digests', () => {
  const story = useStory();

  it('bundles the reminders of three cases into digests; none is mailed alone', async ({ expect }) => {
    const digest = digestKey();
    const cases = await Promise.all(
      [1, 2, 3].map((i) => story.open({ digest, subject: `Anliegen ${i}`, durations: { reminderAfter: '2s' } })),
    );
    const ids = cases.map((c) => c.caseId);
    // Every case appears in a digest to the supervisor.
    const digests = await poll(() => {
      const d = story.digests(digest);
      const listed = new Set(d.flatMap((m) => m.entries.map((e) => e.caseId)));
      return ids.every((id) => listed.has(id)) ? d : undefined;
    }, 'every case in a digest');
    expect(new Set(digests.map((d) => d.who))).toEqual(new Set(['supervisor']));
    for (const d of digests) {
      // A case appears once per mail, with what the supervisor needs to find it.
      expect(new Set(d.entries.map((e) => e.caseId)).size).toBe(d.entries.length);
      for (const e of d.entries) expect(e).toMatchObject({ level: 0, top: false, customer: 'Erika Müller' });
    }
    for (const c of cases) {
      expect(c.trail()).not.toContain('reminder → supervisor');
      const s = await c.state();
      expect(s.timeline.map((e) => e.event)).toContain('reminder-digested');
    }
    // Deciding works as before.
    await cases[0]!.handle.executeUpdate(decideUpdate, {
      args: [{ outcome: 'approved', decidedBy: people.supervisor }],
    });
    expect((await cases[0]!.state()).status).not.toBe('awaiting-decision');
  });

  it('at the top of the ladder: reminders back off, stop after maxReminders, the case is stalled', async ({
    expect,
  }) => {
    const digest = digestKey();
    const c = await story.open({
      digest,
      durations: { escalateAfter: '1s', reminderAfter: '1s', answerPromise: '1h' },
      policy: 'reminders: { maxReminders: 3 }',
    });
    const stalled = await c.until((s) => s.stalled !== undefined, 'the case stalled');
    expect(stalled.stalled?.reminders).toBe(3);
    expect(stalled.status).toBe('awaiting-decision');
    expect(stalled.level).toBe(1);
    const events = stalled.timeline.map((e) => e.event);
    expect(events.filter((e) => e === 'reminder-digested')).toHaveLength(3);
    const listed = await poll(() => {
      const d = story.digests(digest).flatMap((m) => m.entries);
      return d.length >= 3 ? d : undefined;
    }, 'three digest entries');
    expect(listed.map((e) => [e.reminder, e.top, e.last ?? false])).toEqual([
      [1, true, false],
      [2, true, false],
      [3, true, true],
    ]);
    // Still decidable, and the decision ends it as usual.
    await c.handle.executeUpdate(decideUpdate, { args: [{ outcome: 'approved', decidedBy: people.manager }] });
    await c.mailed('decision');
  });

  it('keeps the reminders of a priority alone when the policy says so', async ({ expect }) => {
    const digest = digestKey();
    const c = await story.open({
      digest,
      durations: { escalateAfter: '1s', reminderAfter: '1s', answerPromise: '1h' },
      policy: 'reminders: { alone: [P1, P2, P3, P4], maxReminders: 2 }',
    });
    const s = await c.until((st) => st.stalled !== undefined, 'the case stalled');
    expect(s.stalled?.reminders).toBe(2);
    expect(c.trail().filter((t) => t === 'reminder → manager')).toHaveLength(2);
    expect(story.digests(digest)).toEqual([]);
  });
});
