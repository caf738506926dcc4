/**
 * The Web UI tells each case's story, on the real stack: the start's summary and details (priority, subject,
 * customer), the current details the workflow keeps up to date, and the summaries of its mails (local activities)
 * and waits (timers), read back as Temporal stores them: sealed by the payload codec, decoded with the app's
 * data converter, and never in a search attribute.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../../activities/identity.js';
import { ENCRYPTED_ENCODING } from '../../worker/codec.js';
import { decideUpdate } from '../../workflows/messages.js';
import { startTestApp, testPeople, testPolicy, type TestApp } from '../helpers/app.js';
import { eventually } from '../helpers/eventually.js';
import { sendViaSmtp, waitForMail } from '../helpers/mail.js';

const { temporal } = proto;
const { EventType } = temporal.api.enums.v1;
type THistoryEvent = proto.temporal.api.history.v1.IHistoryEvent;

const encodingOf = (p: Payload | null | undefined): string => Buffer.from(p?.metadata?.encoding ?? []).toString();

/** Asks `check` until it passes (its assertions hold); after the time, once more, so its assertion says what differs. */
async function settles<T>(what: string, check: () => Promise<T>): Promise<T> {
  try {
    return await eventually(what, check, { timeoutMs: 60_000 });
  } catch {
    return check();
  }
}

describe('the Web UI tells the story of a case', () => {
  const people = testPeople();
  let app: TestApp;

  beforeAll(async () => {
    // Reminders every 3 s (through the digest), the promise after 5 s, nobody escalated in the test's time. With
    // reminders every 2 s, the second one (due at 4 s) fired after 5 s once in a loaded CI run: the promise then
    // ran out in that wait, and no timer was ever named for it.
    const policy = testPolicy(people, { reminderAfter: '3s', answerPromise: '5s', escalateAfter: '1h' });
    app = await startTestApp(people, policy);
  });
  afterAll(async () => {
    await app?.stop();
  });

  /** A payload of the case as the app reads it: opened by its codec, converted by its payload converter. */
  async function open(p: Payload | null | undefined): Promise<unknown> {
    if (!p) return undefined;
    const { payloadCodecs, payloadConverter } = app.client.options.loadedDataConverter;
    let decoded = [p];
    for (const codec of [...payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    return payloadConverter.fromPayload(decoded[0]!);
  }

  /** The summaries of the history's activity and timer events, decoded, in history order. */
  async function summaries(
    handle: WorkflowHandle,
  ): Promise<{ activities: string[]; timers: string[]; sealed: boolean }> {
    const events: THistoryEvent[] = (await handle.fetchHistory()).events ?? [];
    const of = (is: (e: THistoryEvent) => boolean) => events.filter(is).map((e) => e.userMetadata?.summary);
    // Mail goes out by local activity (its marker carries the summary); cases from before, by activity.
    const scheduled = of(
      (e) =>
        e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED ||
        (e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED &&
          e.markerRecordedEventAttributes?.markerName === 'core_local_activity'),
    );
    const timers = of((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
    return {
      activities: (await Promise.all(scheduled.map(open))) as string[],
      timers: (await Promise.all(timers.map(open))) as string[],
      sealed: [...scheduled, ...timers].every((p) => encodingOf(p) === ENCRYPTED_ENCODING),
    };
  }

  const currentDetails = async (handle: WorkflowHandle): Promise<string> =>
    (await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata')).currentDetails ?? '';

  it('summarises the start, keeps the current details, and names each mail and wait', async () => {
    const subject = 'Toaster *defekt* – Erstattung sofort';
    await sendViaSmtp({
      from: `"Erika Müller" <${people.customer}>`,
      to: people.support,
      subject,
      text: 'Guten Tag,\n\nmein Toaster ist defekt. Ich möchte sofort eine Erstattung.\n\nErika Müller',
    });
    const [ack] = await waitForMail(people.customer, (m) => /Toaster/.test(m.subject ?? ''));
    const caseId = String(ack!.headers.get('x-nachfass-case'));
    const handle = app.client.workflow.getHandle(workflowIdFor(caseId));

    // The start: a one-line summary (markup of the customer's subject escaped) and the details, both sealed.
    const described = await handle.describe();
    expect(await described.staticSummary()).toBe('P1 · Toaster \\*defekt\\* – Erstattung sofort · Erika Müller');
    const details = await described.staticDetails();
    expect(details).toContain(`**Case ${caseId}**`);
    expect(details).toContain('**Priority P1**: urgency high, impact high');
    expect(details).toContain('**Customer**: Erika Müller, writes in de');
    expect(details).toContain('**First asked**: Teamleitung Sabine Schulz');
    const userMetadata = described.raw.executionConfig?.userMetadata;
    expect(encodingOf(userMetadata?.summary)).toBe(ENCRYPTED_ENCODING);
    expect(encodingOf(userMetadata?.details)).toBe(ENCRYPTED_ENCODING);
    const stored = Buffer.from(
      temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(described.raw).finish(),
    );
    for (const personal of ['Erika', 'Toaster', people.customer])
      expect(stored.includes(personal), personal).toBe(false);
    // Search attributes are plain: none of them holds the customer or the subject. They reach the server when the
    // case's first workflow task completes, which may be just after the acknowledgment it sent went out.
    const indexed = await settles('the search attributes', async () => {
      const fields = (await handle.describe()).raw.workflowExecutionInfo?.searchAttributes?.indexedFields ?? {};
      expect(Object.keys(fields)).toContain('Priority');
      return fields;
    });
    for (const [name, p] of Object.entries(indexed)) {
      const plain = Buffer.from(p.data ?? []).toString();
      for (const personal of ['Erika', 'Toaster', people.customer]) expect(plain, name).not.toContain(personal);
    }

    // The current details, kept up to date by the workflow: whom it waits for since when, the promise, the last step.
    const waiting = await settles('the current details while waiting', async () => {
      const now = await currentDetails(handle);
      expect(now).toContain('**awaiting-decision** · P1');
      expect(now).toMatch(
        /\*\*Waiting for\*\*: the decision of Teamleitung Sabine Schulz since \d{4}-\d\d-\d\d \d\d:\d\d/,
      );
      expect(now).toMatch(/\*\*Promised to the customer\*\*: by \d{4}-\d\d-\d\d \d\d:\d\d/);
      expect(now).toMatch(/\*\*Last step\*\*: .* reminder-digested: Teamleitung Sabine Schulz/);
      return now;
    });

    console.log(`current details while waiting:\n${waiting}`);
    // Each mail (activity) and each wait (timer) says what it is; the summaries are sealed like every payload.
    const told = await settles('a progress update in the history', async () => {
      const s = await summaries(handle);
      expect(s.activities).toContain('progress update to the customer');
      return s;
    });
    expect(told.sealed).toBe(true);
    // The first two go out side by side (first-mails-together): their markers come in the order they finished.
    expect(told.activities.slice(0, 2).sort()).toEqual([
      'acknowledgment to the customer',
      'approval request to Teamleitung Sabine Schulz',
    ]);
    expect(told.activities).toContain('reminder to Teamleitung Sabine Schulz (in their digest)');
    expect(told.timers[0]).toBe('reminder to Teamleitung Sabine Schulz');
    expect(told.timers.some((t) => t.startsWith('promise due: progress update to the customer'))).toBe(true);

    // Decided: the details move on to the survey.
    await handle.executeUpdate(decideUpdate, {
      args: [{ outcome: 'approved', decidedBy: people.supervisor, noteToCustomer: 'Wir erstatten den Kaufpreis.' }],
    });
    await settles('the current details after the decision', async () => {
      const now = await currentDetails(handle);
      expect(now).toContain('**awaiting-feedback** · P1');
      expect(now).toMatch(/\*\*Waiting for\*\*: the customer's rating since .+ \(the survey closes .+\)/);
      expect(now).toContain('**Promised to the customer**: nothing open');
      return now;
    });
    const after = await summaries(handle);
    console.log(`activities: ${after.activities.join(' | ')}\ntimers: ${after.timers.join(' | ')}`);
    expect(after.activities).toEqual(expect.arrayContaining(['decision to the customer', 'follow-up to the customer']));
    expect(after.timers).toContain('follow-up due (until then the customer may ask for a review)');
    expect(after.timers).toContain('survey closes');
  });
});
